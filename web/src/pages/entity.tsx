import type { EntityEvent, EntityReport } from '../../../src/server/entity-report.ts';
import { STATIONS } from '../../../src/trail/stations.ts';
import { qs } from '../api.ts';
import { Badge, ErrorBox, Loading } from '../components/bits.tsx';
import { Pivot } from '../components/pivot.tsx';
import { formatCount, splQuote, timeText } from '../format.ts';
import { useMemo, useRef } from 'preact/hooks';
import { useApi, useRowKeys } from '../hooks.ts';
import { TimeChart } from '../components/chart.tsx';
import { TimePicker } from '../components/time-picker.tsx';
import { rangeQuery, useTimeRange, zoomTo, type PickedRange } from '../time-range.ts';
import { entityHref, type EntityKind } from '../pivot.ts';
import { href, type Location } from '../router.ts';

const KINDS: Record<EntityKind, { title: string; field: string }> = {
  ip: { title: 'Address', field: 'related_ip' },
  user: { title: 'User', field: 'related_user' },
  host: { title: 'Host', field: 'related_hosts' },
};

/** Timeline events per page (the server's ENTITY_TIMELINE_MAX_PAGE is 200). */
const PAGE = 50;
const TRAIL_DATASETS: ReadonlySet<string> = new Set(STATIONS.map((s) => s.dataset));

/** The trail of an event: by its request id, else by its URL at its time; only where a trail can start. */
function trailHref(e: EntityEvent): string | undefined {
  if (!TRAIL_DATASETS.has(e.dataset)) return undefined;
  if (e.requestId) return href('/trail', { requestId: e.requestId });
  if (e.url) return href('/trail', { url: e.url, at: e.timestamp, user: e.user ?? undefined });
  return undefined;
}

function Related({ r }: { r: EntityReport['related'][number] }) {
  return (
    <section class="card" aria-label={r.label}>
      <h3>{r.label}</h3>
      {r.values.length ? (
        <ul>
          {r.values.map((v) => (
            <li>
              <Pivot field={r.field} value={v.value} />
              <span class="muted num">{formatCount(v.count)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">none seen</p>
      )}
    </section>
  );
}

/** The entity's events per time bucket: drag across it to zoom the time range. */
function EventsChart({ h }: { h: NonNullable<EntityReport['histogram']> }) {
  const times = useMemo(() => h.buckets.map((b) => Date.parse(b) / 1000), [h]);
  const series = useMemo(() => [{ name: 'events', values: h.counts }], [h]);
  if (h.buckets.length < 2) return null;
  return <TimeChart times={times} series={series} bars height={160} label={`events per ${h.bucketSeconds} s`} onZoom={zoomTo} />;
}

function Timeline({ report, offset, picked }: { report: EntityReport; offset: number; picked: PickedRange }) {
  const events = report.timeline.events;
  const base = entityHref(report.kind, report.value);
  const rows = useRef<HTMLDivElement>(null);
  useRowKeys(rows);
  return (
    <div ref={rows}>
      <table class="list" data-testid="entity-timeline">
        <thead>
          <tr>
            <th>time</th>
            <th>source</th>
            <th>action</th>
            <th>from → to</th>
            <th>user</th>
            <th>host</th>
            <th>url or message</th>
            <th>trail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => {
            const trail = trailHref(e);
            return (
              <tr data-nav-row tabIndex={-1}>
                <td class="nowrap">{timeText(e.timestamp)}</td>
                <td>
                  <Pivot field="event_dataset" value={e.dataset} />
                </td>
                <td>
                  <Pivot field="event_action" value={e.action} /> {e.outcome && <span class="muted">({e.outcome})</span>}
                </td>
                <td class="nowrap">
                  <Pivot field="source_ip" value={e.sourceIp} /> {e.destinationIp && '→ '}
                  <Pivot field="destination_ip" value={e.destinationIp} />
                </td>
                <td>
                  <Pivot field="user_name" value={e.user} />
                </td>
                <td>
                  <Pivot field="host_name" value={e.host} />
                </td>
                <td class="clip">{e.url ? <Pivot field="url_original" value={e.url} /> : e.message}</td>
                <td>
                  {trail ? (
                    <a href={trail} data-testid="entity-trail" data-open>
                      follow
                    </a>
                  ) : (
                    <a href={href('/search', { q: `event_id=${splQuote(e.id)}`, lang: 'spl' })} data-open>event</a>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!events.length && <p class="muted">no events{offset ? ' on this page' : ''}</p>}
      <nav class="pager" aria-label="timeline pages">
        {offset > 0 && <a href={href(base, { ...picked, offset: Math.max(0, offset - PAGE) || undefined })}>← newer</a>}
        <span class="muted" data-testid="timeline-range">
          {events.length ? `events ${formatCount(offset + 1)}–${formatCount(offset + events.length)} of ${formatCount(report.events)}` : ''}
        </span>
        {offset + events.length < report.events && events.length === PAGE && <a href={href(base, { ...picked, offset: offset + PAGE })}>older →</a>}
      </nav>
    </div>
  );
}

export function EntityPage({ kind, value, loc }: { kind: string; value: string; loc: Location }) {
  const known = kind in KINDS ? (kind as EntityKind) : undefined;
  const offset = Number(loc.params.get('offset') ?? 0) || 0;
  const range = useTimeRange(loc.params);
  const report = useApi<EntityReport>(known && range.ready && !range.resolved.error ? `/api/entity${qs({ kind: known, value, offset: offset || undefined, limit: PAGE, ...rangeQuery(range.resolved) })}` : null);
  if (!known) return <ErrorBox error={`no entity pages of kind '${kind}': addresses (ip), users (user) and hosts (host) have one`} />;
  const d = report.data;
  const spec = KINDS[known];
  return (
    <section>
      <h1 data-testid="entity-title">
        {spec.title} <span class="wrap">{value}</span>
      </h1>
      <div class="actions">
        <a class="button" href={href('/search', { q: `${spec.field}=${splQuote(d?.value ?? value)}`, lang: 'spl' })}>
          its events in Search
        </a>
        <a class="button" href={href('/search', { q: splQuote(value), lang: 'spl' })}>
          search everywhere
        </a>
      </div>
      <TimePicker {...range} />
      <ErrorBox error={report.error ?? range.resolved.error} />
      <Loading when={report.loading && !d} />
      {d && (
        <>
          {d.address && (
            <p data-testid="entity-geo">
              {d.address.private
                ? 'a private or reserved address (no country or network owner)'
                : d.address.geo.country || d.address.geo.asn
                  ? `country ${d.address.geo.country ?? 'unknown'} · AS${d.address.geo.asn ?? '?'} ${d.address.geo.asName ?? ''}`
                  : 'public address, not in the offline country and ASN databases'}
            </p>
          )}
          <p class="muted" data-testid="entity-summary">
            {formatCount(d.events)} event{d.events === 1 ? '' : 's'} in {d.datasets.length} source{d.datasets.length === 1 ? '' : 's'}
            {d.datasets.length > 0 && ` · first ${timeText(d.datasets.reduce((a, s) => (s.first < a ? s.first : a), d.datasets[0]!.first))} · last ${timeText(d.datasets.reduce((a, s) => (s.last > a ? s.last : a), d.datasets[0]!.last))}`}
          </p>
          <div class="entity-grid">
            <section class="card" aria-label="sources">
              <h3>sources</h3>
              <ul>
                {d.datasets.map((s) => (
                  <li>
                    <Pivot field="event_dataset" value={s.dataset} />
                    <span class="muted num">{formatCount(s.count)}</span>
                  </li>
                ))}
              </ul>
            </section>
            {d.related.map((r) => (
              <Related r={r} />
            ))}
          </div>
          <h2>Alerts ({d.alerts.length}{d.alertsCapped ? '+' : ''})</h2>
          {d.alerts.length ? (
            <ul data-testid="entity-alerts">
              {d.alerts.map((a) => (
                <li>
                  <Badge kind={a.level}>{a.level}</Badge> <a href={`/alerts/${encodeURIComponent(a.id)}`}>{a.ruleTitle}</a> <span class="muted">{timeText(a.timestamp)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">no alert mentions it</p>
          )}
          <h2>Timeline</h2>
          {d.histogram && <EventsChart h={d.histogram} />}
          <Timeline report={d} offset={offset} picked={range.picked} />
        </>
      )}
    </section>
  );
}
