import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FindingsSection, InsightReport, SeriesSection, TableSection } from '../../../src/insights/report.ts';
import { api, qs } from '../api.ts';
import { Badge, ErrorBox, Facts, Loading } from '../components/bits.tsx';
import { TimeChart } from '../components/chart.tsx';
import { cellText, formatCount, timeText } from '../format.ts';
import { useApi, useRowKeys } from '../hooks.ts';
import { TimePicker } from '../components/time-picker.tsx';
import { rangeQuery, useTimeRange, zoomTo } from '../time-range.ts';
import { href, setParams, type Location } from '../router.ts';
import { Pivot } from '../components/pivot.tsx';
import { cellField, cellSearch, DISTRIBUTION_VIEWS, findingSearch } from './dashboard-links.ts';

interface View {
  id: string;
  title: string;
  description: string;
}

function cell(v: string | number | null, type: TableSection['columns'][number]['type']): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    if (type === 'percent') return `${(v * (v <= 1 ? 100 : 1)).toFixed(1)} %`;
    if (type === 'bytes') return v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} kB` : `${v} B`;
    return Number.isInteger(v) ? formatCount(v) : v.toFixed(2);
  }
  return type === 'time' ? timeText(v) : cellText(v);
}

function Table({ s, view }: { s: TableSection; view: string }) {
  return (
    <div class="scroll-x">
      <table class="list">
        <thead>
          <tr>
            {s.columns.map((c) => (
              <th class={c.type === 'string' || c.type === 'time' ? '' : 'num'}>{c.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {s.rows.slice(0, 500).map((r) => {
            const byName = Object.fromEntries(s.columns.map((c, i) => [c.name, r[i]]));
            return (
              <tr data-nav-row tabIndex={-1}>
                {r.map((v, i) => {
                  const c = s.columns[i];
                  const text = cell(v, c?.type ?? 'string');
                  const link = c ? cellSearch(view, s.id, c.name, v, byName) : undefined;
                  const pivot = c ? cellField(view, s.id, c.name, v, byName) : undefined;
                  return (
                    <td class={c?.type === 'string' || c?.type === 'time' ? 'clip' : 'num'} title={text.length > 40 ? text.slice(0, 2000) : undefined}>
                      {link && pivot ? (
                        // The value opens its events; the button beside it offers the other pivots.
                        <Pivot trigger="icon" field={pivot.field} value={v} base={pivot.base}>
                          <a class="row-link" href={link} data-open title={`search the events of ${c!.name} ${text}`.slice(0, 2000)}>
                            {text}
                          </a>
                        </Pivot>
                      ) : c?.type === 'string' ? (
                        <Pivot value={v}>{text}</Pivot>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {!s.rows.length && <p class="muted">no rows</p>}
    </div>
  );
}

function Series({ s }: { s: SeriesSection }) {
  const times = useMemo(() => s.buckets.map((b) => Date.parse(b) / 1000), [s]);
  if (!s.buckets.length) return <p class="muted">no data in this range</p>;
  return <TimeChart times={times} series={s.series} label={s.title} onZoom={zoomTo} />;
}

function Findings({ s, view }: { s: FindingsSection; view: string }) {
  if (!s.findings.length) return <p class="muted">nothing found</p>;
  return (
    <ul class="findings">
      {s.findings.map((f) => {
        const link = findingSearch(view, f);
        return (
        <li>
          <Badge kind={f.severity}>{f.severity}</Badge> <strong>{f.title}</strong>
          {f.at && <span class="muted"> · {timeText(f.at)}</span>}
          <p>{f.detail}</p>
          {f.fix && <p class="fix">fix: {f.fix}</p>}
          {f.facts && <Facts facts={f.facts} />}
          {link && (
            <p>
              <a href={link} data-testid="finding-events">
                the events in Search
              </a>
            </p>
          )}
        </li>
        );
      })}
    </ul>
  );
}

/** The CloudFront distributions the store has events of (most events first), at most this many. */
const KNOWN_DISTRIBUTIONS_LIMIT = 50;
const KNOWN_DISTRIBUTIONS = `index=cloudfront | stats count by aws_cloudfront_distribution_id | sort -count | head ${KNOWN_DISTRIBUTIONS_LIMIT}`;

/** Says so when the distribution filter names none the store knows, and lists those it does. */
function DistributionNotice({ distribution }: { distribution: string }) {
  const [known, setKnown] = useState<string[]>();
  useEffect(() => {
    const abort = new AbortController();
    api<{ rows: unknown[][] }>('/api/query', { method: 'POST', body: { query: KNOWN_DISTRIBUTIONS, language: 'spl', limit: KNOWN_DISTRIBUTIONS_LIMIT }, signal: abort.signal }).then(
      (a) => setKnown(a.rows.map((r) => String(r[0]))),
      () => setKnown(undefined),
    );
    return () => abort.abort();
  }, []);
  if (!known || known.includes(distribution)) return null;
  return (
    <div class="notice" role="status" data-testid="report-notice">
      No CloudFront events of distribution {distribution}: the report below is empty for it.{' '}
      {known.length ? (
        <>
          Distributions with events:{' '}
          {known.map((d, i) => (
            <>
              {i > 0 && ', '}
              <a href={href(location.pathname, { ...Object.fromEntries(new URLSearchParams(location.search)), distribution: d })}>{d}</a>
            </>
          ))}
          .
        </>
      ) : (
        'This store has no CloudFront events.'
      )}
    </div>
  );
}

function Report({ report }: { report: InsightReport }) {
  return (
    <div class="report" data-testid="report">
      <p class="muted">
        {report.range.since || report.range.until ? `${report.range.since ?? '…'} → ${report.range.until ?? '…'}` : 'all stored events'} · {report.tookMs} ms
      </p>
      {report.sections.map((s) => (
        <section class="card" data-section={s.id}>
          <h2>{s.title}</h2>
          {s.kind === 'table' ? <Table s={s} view={report.view} /> : s.kind === 'series' ? <Series s={s} /> : <Findings s={s} view={report.view} />}
        </section>
      ))}
    </div>
  );
}

export function DashboardsPage({ loc, view }: { loc: Location; view: string | undefined }) {
  const views = useApi<{ views: View[] }>('/api/insights');
  const p = loc.params;
  const range = useTimeRange(p);
  const options = { distribution: p.get('distribution') ?? '' };
  const chosen = view ?? views.data?.views[0]?.id;
  const report = useApi<InsightReport>(chosen && range.ready && !range.resolved.error ? `/api/insights/${encodeURIComponent(chosen)}${qs({ ...options, ...rangeQuery(range.resolved) })}` : null);
  const rows = useRef<HTMLElement>(null);
  useRowKeys(rows);
  const meta = views.data?.views.find((v) => v.id === chosen);
  return (
    <section ref={rows}>
      <h1>Dashboards</h1>
      <ErrorBox error={views.error} />
      <nav class="tabs" aria-label="dashboards">
        {(views.data?.views ?? []).map((v) => (
          <a href={href(`/dashboards/${encodeURIComponent(v.id)}`, { ...options, ...range.picked })} aria-current={v.id === chosen ? 'page' : undefined} title={v.description}>
            {v.title}
          </a>
        ))}
      </nav>
      {meta && <p class="muted">{meta.description}</p>}
      <TimePicker {...range} />
      {chosen && DISTRIBUTION_VIEWS.has(chosen) && (
        <form class="filters" onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          setParams({ distribution: String(f.get('distribution') ?? '') || undefined });
        }}>
          <label>
            distribution <input name="distribution" size={16} defaultValue={options.distribution} key={options.distribution} />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
      <ErrorBox error={report.error ?? range.resolved.error} />
      <Loading when={report.loading} />
      {options.distribution && chosen && DISTRIBUTION_VIEWS.has(chosen) && <DistributionNotice distribution={options.distribution} />}
      {report.data && !report.loading && !report.data.sections.length && (
        <p class="notice" role="status" data-testid="report-empty">
          This view has nothing to show for these filters{options.distribution ? ` (distribution ${options.distribution})` : ''}.
        </p>
      )}
      {report.data && !report.loading && <Report report={report.data} />}
    </section>
  );
}
