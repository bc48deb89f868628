/**
 * Pivots: from a value shown anywhere to the search that filters on it, excludes it or looks for it
 * everywhere, and to the entity page of an address, user or host. Values are SPL-quoted (splQuote),
 * so a value holding quotes, backslashes, pipes or brackets stays one value.
 */
import { splQuote } from './format.ts';
import { href } from './router.ts';

/** Field names written bare in SPL (`source_ip="…"`); others (a stats column `count(x)`) are not filtered on. */
const BARE_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The search column of an ECS path (`source.ip` → `source_ip`, `@timestamp` → `timestamp`), as the store names it. */
export function searchField(path: string): string {
  return path === '@timestamp' ? 'timestamp' : path.replace(/\./g, '_');
}

export const filterable = (field: string | undefined): field is string => !!field && BARE_FIELD.test(field);

export type EntityKind = 'ip' | 'user' | 'host';

/** Columns whose values are entities, per kind (data: a value of these opens its entity page). */
const ENTITY_FIELDS: Record<EntityKind, readonly string[]> = {
  ip: ['source_ip', 'destination_ip', 'client_ip', 'server_ip', 'source_nat_ip', 'destination_nat_ip', 'network_forwarded_ip', 'host_ip', 'related_ip', 'dns_resolved_ip', 'src', 'dest', 'src_ip', 'dest_ip', 'clientip'],
  user: ['user_name', 'source_user_name', 'destination_user_name', 'related_user', 'user'],
  host: ['host_name', 'host_hostname', 'related_hosts', 'host'],
};

export function entityKindOf(field: string | undefined): EntityKind | undefined {
  if (!field) return undefined;
  return (Object.keys(ENTITY_FIELDS) as EntityKind[]).find((k) => ENTITY_FIELDS[k].includes(field));
}

export const entityHref = (kind: EntityKind, value: string): string => `/entity/${kind}/${encodeURIComponent(value)}`;

/** Whether the SPL text has a `|` outside quotes and brackets (then a filter goes in a `| search` at its end). */
function hasPipe(spl: string): boolean {
  let quote = '';
  let depth = 0;
  for (let i = 0; i < spl.length; i++) {
    const c = spl[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** SQL typed in the box cannot take an SPL filter: the pivot starts a new SPL search. */
const looksLikeSql = (text: string) => /^\s*(select|with|from|describe|show|summarize|pivot)\b/i.test(text);

/** `field="value"` or `NOT field="value"`. */
export function filterTerm(field: string, value: string, exclude: boolean): string {
  return `${exclude ? 'NOT ' : ''}${field}=${splQuote(value)}`;
}

/**
 * The search with the filter added: in its base search when it has no pipe, else as a `| search`
 * after its last command (which filters what the query returns); on its own when there is no SPL.
 */
export function withFilter(current: string, term: string): string {
  const q = current.trim();
  if (!q || looksLikeSql(q)) return term;
  return hasPipe(q) ? `${q} | search ${term}` : `${q} ${term}`;
}

/** The current search of the Search page (when the pivot is on it): its SPL text, else ''. */
function currentSearch(): string {
  if (location.pathname !== '/search') return '';
  const p = new URLSearchParams(location.search);
  return p.get('lang') === 'sql' ? '' : (p.get('q') ?? '');
}

export function filterHref(field: string, value: string, exclude: boolean, base = ''): string {
  const current = currentSearch() || base;
  return href('/search', { q: withFilter(current, filterTerm(field, value, exclude)), lang: 'spl' });
}

/** The value as a quoted term over every source. */
export const everywhereHref = (value: string): string => href('/search', { q: splQuote(value), lang: 'spl' });

/** Longest query the server takes (routes/search.ts MAX_QUERY_LENGTH), less room for what the analyst adds. */
const EVENTS_QUERY_MAX = 19_000;

/**
 * The SPL selecting exactly an alert's events: `event_id IN ("…", …)`, as many ids as fit the query
 * length (count: how many it names).
 */
export function alertEventsQuery(ids: readonly string[]): { query: string; count: number } {
  const quoted: string[] = [];
  let length = 'event_id IN ()'.length;
  for (const id of ids) {
    const q = splQuote(id);
    if (length + q.length + 2 > EVENTS_QUERY_MAX) break;
    quoted.push(q);
    length += q.length + 2;
  }
  return { query: `event_id IN (${quoted.join(', ')})`, count: quoted.length };
}
