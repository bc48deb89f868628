import { useRef, useState } from 'preact/hooks';
import { STATIONS } from '../../../src/trail/stations.ts';
import { qs } from '../api.ts';
import { AlertEventsLink } from '../components/alert-events.tsx';
import { Badge, ErrorBox, Facts, Loading } from '../components/bits.tsx';
import { PivotFacts, PivotFields } from '../components/pivot.tsx';
import { formatCount, safeUrl, timeText } from '../format.ts';
import { useApi, useRowKeys } from '../hooks.ts';
import { TimePicker } from '../components/time-picker.tsx';
import { rangeQuery, useTimeRange } from '../time-range.ts';
import { href, setParams, type Location } from '../router.ts';
import { AlertGroups, BulkBar, StatusBadge, TriageFilters, TriagePanel, type AlertChange, type AlertGroup, type TriageState } from './alert-triage.tsx';

interface Facet {
  value: string;
  label: string;
  count: number;
}

interface AlertRow {
  id: string;
  timestamp: string;
  rule_id: string;
  rule_title: string;
  level: string;
  severity: number;
  rule_kind: string;
  sources: string[];
  text: string;
  status: string;
  assignee: string;
}

interface AlertList {
  total: number;
  alerts: AlertRow[];
  groups?: AlertGroup[];
  facets: { levels: Facet[]; rules: Facet[]; sources: Facet[] };
}

/** The list's filters in the URL; the time range (earliest/latest) is the shared picker's. */
const FILTERS = ['rule', 'level', 'source', 'text', 'status', 'assignee', 'entity', 'key', 'group'] as const;

/**
 * Datasets a trail can start from (the trail's stations): an alert on other events only (CloudTrail,
 * say) has no request to follow, so "Follow the packet" is not offered on it.
 */
const TRAIL_DATASETS: ReadonlySet<string> = new Set(STATIONS.map((s) => s.dataset));
const followable = (sources: string[]) => sources.some((s) => TRAIL_DATASETS.has(s));
const PAGE = 100;

function Select({ name, label, value, options }: { name: string; label: string; value: string; options: Facet[] }) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => setParams({ [name]: (e.currentTarget as HTMLSelectElement).value, offset: undefined })}>
        <option value="">any</option>
        {options.map((o) => (
          <option value={o.value}>
            {o.label} ({o.count})
          </option>
        ))}
      </select>
    </label>
  );
}

export function AlertsPage({ loc }: { loc: Location }) {
  const p = loc.params;
  const filter = Object.fromEntries(FILTERS.map((f) => [f, p.get(f) ?? '']));
  const offset = Number(p.get('offset') ?? 0) || 0;
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const range = useTimeRange(p);
  const list = useApi<AlertList>(range.ready && !range.resolved.error ? `/api/alerts${qs({ ...filter, ...rangeQuery(range.resolved), limit: PAGE, offset })}` : null, reload);
  const shownIds = list.data?.alerts?.map((a) => a.id) ?? [];
  const picked = selected.filter((id) => shownIds.includes(id));
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));
  const rows = useRef<HTMLElement>(null);
  useRowKeys(rows);
  const facets = list.data?.facets ?? { levels: [], rules: [], sources: [] };
  return (
    <section ref={rows}>
      <h1>Alerts</h1>
      <TimePicker {...range} />
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        setParams({ text: String(f.get('text') ?? ''), assignee: String(f.get('assignee') ?? '').trim(), offset: undefined });
      }}>
        <Select name="rule" label="rule" value={filter.rule!} options={facets.rules} />
        <Select name="level" label="level" value={filter.level!} options={facets.levels} />
        <Select name="source" label="source" value={filter.source!} options={facets.sources} />
        <label>
          text
          <input name="text" data-search-box placeholder="press / to search" defaultValue={filter.text} key={filter.text} />
        </label>
        <TriageFilters status={filter.status!} assignee={filter.assignee!} group={filter.group === 'true'} />
        <button type="submit">Filter</button>
        {FILTERS.some((f) => filter[f]) && <a href="/alerts">clear</a>}
      </form>
      <ErrorBox error={list.error ?? range.resolved.error} />
      <Loading when={list.loading && !list.data} />
      {list.data?.groups && (
        <>
          <p class="muted" data-testid="group-count">
            {formatCount(list.data.total)} group{list.data.total === 1 ? '' : 's'} of one rule on one entity
          </p>
          <AlertGroups groups={list.data.groups} filter={filter} />
        </>
      )}
      {list.data?.alerts && (
        <>
          <BulkBar selected={picked} onDone={() => {
            setSelected([]);
            setReload((n) => n + 1);
          }} />
          <p class="muted" data-testid="alert-count">
            {formatCount(list.data.total)} alert{list.data.total === 1 ? '' : 's'}
            {list.data.total > PAGE && ` (showing ${offset + 1}–${Math.min(offset + PAGE, list.data.total)})`}
          </p>
          <table class="list alerts">
            <thead>
              <tr>
                <th>
                  <input type="checkbox" aria-label="select every alert shown" checked={shownIds.length > 0 && picked.length === shownIds.length}
                    onChange={(e) => setSelected((e.currentTarget as HTMLInputElement).checked ? shownIds : [])} />
                </th>
                <th>time</th>
                <th>level</th>
                <th>status</th>
                <th>assignee</th>
                <th>rule</th>
                <th>source</th>
                <th>text</th>
              </tr>
            </thead>
            <tbody>
              {list.data.alerts.map((a) => (
                <tr key={a.id} data-alert-id={a.id} data-nav-row tabIndex={-1}>
                  <td>
                    <input type="checkbox" aria-label={`select the alert of ${timeText(a.timestamp)}: ${a.rule_title}`} checked={picked.includes(a.id)}
                      onChange={(e) => toggle(a.id, (e.currentTarget as HTMLInputElement).checked)} data-testid="select-alert" />
                  </td>
                  <td class="nowrap">{timeText(a.timestamp)}</td>
                  <td>
                    <Badge kind={a.level}>{a.level}</Badge>
                  </td>
                  <td>
                    <StatusBadge status={a.status} />
                  </td>
                  <td>{a.assignee}</td>
                  <td>
                    <a href={`/alerts/${encodeURIComponent(a.id)}`} data-open>{a.rule_title}</a>
                  </td>
                  <td>{a.sources.join(', ')}</td>
                  <td class="clip">{a.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager">
            {offset > 0 && <a href={href('/alerts', { ...filter, ...range.picked, offset: Math.max(0, offset - PAGE) || undefined })}>← newer</a>}
            {offset + PAGE < list.data.total && <a href={href('/alerts', { ...filter, ...range.picked, offset: offset + PAGE })}>older →</a>}
          </nav>
        </>
      )}
    </section>
  );
}

interface AlertDetail extends AlertRow {
  author?: string;
  link?: string;
  license?: string;
  tags: string[];
  key: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
  events: Record<string, unknown>[];
  event_ids: string[];
  requestIds: string[];
  triage: TriageState;
  history: AlertChange[];
}

export function AlertPage({ id }: { id: string }) {
  const [reload, setReload] = useState(0);
  const a = useApi<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`, reload);
  if (a.error) return <ErrorBox error={a.error} />;
  if (!a.data) return <Loading when />;
  const d = a.data;
  const link = safeUrl(d.link);
  return (
    <section>
      <p>
        <a href="/alerts">← alerts</a>
      </p>
      <h1 data-testid="alert-title">{d.rule_title}</h1>
      <p>
        <Badge kind={d.level}>{d.level}</Badge> <span class="muted">{d.rule_kind} · {timeText(d.timestamp)} · {d.sources.join(', ')}</span>
      </p>
      <div class="actions">
        {followable(d.sources) ? (
          <a class="button primary" href={href('/trail', { alertId: d.id })} data-testid="follow">
            Follow the packet
          </a>
        ) : (
          <span class="muted" data-testid="no-trail">
            no trail: a trail starts from web, DNS, proxy, firewall or endpoint events, and this alert has none
          </span>
        )}
        {d.requestIds.slice(0, 5).map((r) => (
          <a class="button" href={href('/trail', { requestId: r })}>
            trail of request {r.length > 24 ? `${r.slice(0, 24)}…` : r}
          </a>
        ))}
        <a class="button" href={href('/alerts', { rule: d.rule_id })}>
          all alerts of this rule
        </a>
        <AlertEventsLink eventIds={d.event_ids} />
      </div>
      <TriagePanel id={d.id} state={d.triage} history={d.history} onChanged={() => setReload((n) => n + 1)} />
      <Facts facts={{ rule: d.rule_id, ...(d.author ? { author: d.author } : {}), ...(d.license ? { license: d.license } : {}), ...(d.tags.length ? { tags: d.tags.join(', ') } : {}) }} />
      {link && (
        <p>
          rule source:{' '}
          <a href={link} target="_blank" rel="noopener noreferrer">
            {link}
          </a>
        </p>
      )}
      {d.key && Object.keys(d.key).length > 0 && (
        <>
          <h2>Key</h2>
          <PivotFacts facts={d.key} />
        </>
      )}
      {d.details && Object.keys(d.details).length > 0 && (
        <>
          <h2>Details</h2>
          <Facts facts={d.details} />
        </>
      )}
      <h2>Matching events ({d.events.length})</h2>
      {d.events.map((e, i) => (
        <details open={i < 3} class="event">
          <summary>
            {String((e as { event?: { dataset?: string } }).event?.dataset ?? 'event')} · {timeText((e as Record<string, unknown>)['@timestamp'])}
          </summary>
          <PivotFields doc={e} />
        </details>
      ))}
    </section>
  );
}
