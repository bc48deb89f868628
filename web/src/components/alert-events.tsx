import { formatCount } from '../format.ts';
import { alertEventsQuery } from '../pivot.ts';
import { href } from '../router.ts';

/** "All N events in Search": the SPL that selects exactly the alert's events (by event id). */
export function AlertEventsLink({ eventIds }: { eventIds: readonly string[] }) {
  if (!eventIds.length) return null;
  const { query, count } = alertEventsQuery(eventIds);
  const all = count === eventIds.length;
  return (
    <a class="button" href={href('/search', { q: query, lang: 'spl' })} data-testid="alert-events">
      {all ? `all ${formatCount(count)} event${count === 1 ? '' : 's'} in Search` : `the first ${formatCount(count)} of ${formatCount(eventIds.length)} events in Search`}
    </a>
  );
}
