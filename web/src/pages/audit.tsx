import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import { ErrorBox, Loading } from '../components/bits.tsx';
import { errorId } from '../components/field-errors.tsx';
import { timeText } from '../format.ts';
import { setParams, type Location } from '../router.ts';
import { roleAtLeast, useRole } from '../session.ts';
import { AdminOnly } from './users.tsx';

/**
 * The audit log for admins (GET /api/audit): who, what, when and from where, newest first, a page at a
 * time, filtered by actor, action and time range. Filters and page live in the URL. Every value is
 * log content someone typed (a user name at a failed sign-in, a query): shown as text only.
 */
interface AuditEntry {
  time: string;
  actor: string;
  via: string;
  role?: string;
  address: string;
  action: string;
  target?: string;
  outcome: string;
  detail?: string;
}

/** Entries per page. */
export const AUDIT_PAGE_SIZE = 50;
const FILTERS = ['actor', 'action', 'since', 'until'] as const;

export function AuditPage({ loc }: { loc: Location }) {
  const me = useRole();
  const admin = roleAtLeast(me.role, 'admin');
  const filter = Object.fromEntries(FILTERS.map((k) => [k, loc.params.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const offset = Math.max(0, Number(loc.params.get('offset') ?? 0) || 0);
  const [draft, setDraft] = useState(filter);
  const [page, setPage] = useState<{ entries: AuditEntry[]; next: number | null }>();
  const [error, setError] = useState<{ message: string; field?: string | undefined }>();
  const [loading, setLoading] = useState(false);
  const query = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE), offset: String(offset) });
  for (const k of FILTERS) if (filter[k]) query.set(k, filter[k]);
  const path = `/api/audit?${query.toString()}`;
  useEffect(() => setDraft(filter), [loc.params.toString()]);
  useEffect(() => {
    if (!admin) return;
    const abort = new AbortController();
    setLoading(true);
    api<{ entries: AuditEntry[]; next: number | null }>(path, { signal: abort.signal }).then(
      (p) => {
        setPage(p);
        setError(undefined);
        setLoading(false);
      },
      (e: Error) => {
        if (e.name === 'AbortError') return;
        setPage(undefined);
        setError({ message: e.message, field: e instanceof ApiFailure ? e.field : undefined });
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [path, admin]);
  if (me.loading && !me.role) return <Loading when />;
  if (!admin) return <AdminOnly page="Audit log" role={me.role} />;
  const fieldError = (k: string) => (error?.field === k ? error.message : undefined);
  return (
    <section>
      <h1>Audit log</h1>
      <p class="muted">Every change and sign-in, newest first: who, what, when and from where. Times are RFC 3339 (e.g. 2026-12-07T20:00:00Z) or a day (2026-12-07, midnight UTC).</p>
      <form class="filters" aria-label="audit filters" onSubmit={(e) => {
        e.preventDefault();
        setParams({ ...draft, offset: undefined });
      }}>
        {FILTERS.map((k) => (
          <label>
            {k === 'since' ? 'since (at or after)' : k === 'until' ? 'until (before)' : k}
            <input
              name={k}
              value={draft[k]}
              size={k === 'since' || k === 'until' ? 24 : 14}
              placeholder={k === 'action' ? 'sign-in, user.change…' : k === 'actor' ? 'user name' : '2026-12-07T20:00:00Z'}
              onInput={(e) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value })}
              {...(fieldError(k) ? { 'aria-invalid': true, 'aria-describedby': errorId('audit', k) } : {})}
            />
            {fieldError(k) && (
              <span class="field-error" id={errorId('audit', k)} role="alert" data-testid={`error-${k}`}>
                {fieldError(k)}
              </span>
            )}
          </label>
        ))}
        <button type="submit" class="primary">
          Filter
        </button>
        <button type="button" onClick={() => setParams({ actor: undefined, action: undefined, since: undefined, until: undefined, offset: undefined })}>
          Clear
        </button>
      </form>
      <ErrorBox error={error && !FILTERS.includes(error.field as (typeof FILTERS)[number]) ? error.message : undefined} />
      <Loading when={loading} />
      {page && !page.entries.length && <p class="muted">No entries{offset ? ' on this page' : ''}.</p>}
      {page && page.entries.length > 0 && (
        <table class="list" data-testid="audit">
          <thead>
            <tr>
              <th scope="col">when</th>
              <th scope="col">who</th>
              <th scope="col">from</th>
              <th scope="col">what</th>
              <th scope="col">target</th>
              <th scope="col">outcome</th>
              <th scope="col">detail</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr data-testid="audit-entry">
                <td>{timeText(e.time)}</td>
                <td class="wrap" data-testid="audit-actor">
                  {e.actor}
                  <span class="muted">
                    {' '}
                    ({e.via}
                    {e.role ? `, ${e.role}` : ''})
                  </span>
                </td>
                <td>{e.address}</td>
                <td data-testid="audit-action">{e.action}</td>
                <td class="wrap">{e.target ?? ''}</td>
                <td>{e.outcome}</td>
                <td class="wrap">{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="audit pages">
        <button type="button" disabled={offset === 0} onClick={() => setParams({ offset: Math.max(0, offset - AUDIT_PAGE_SIZE) || undefined })}>
          ← newer
        </button>
        <span class="muted" data-testid="audit-range">
          {page && page.entries.length > 0 ? `entries ${offset + 1}–${offset + page.entries.length}` : ''}
        </span>
        <button type="button" disabled={!page || page.next === null} onClick={() => page?.next !== null && page?.next !== undefined && setParams({ offset: page.next })}>
          older →
        </button>
      </nav>
    </section>
  );
}
