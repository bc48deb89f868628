import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ErrorBox, Loading } from '../components/bits.tsx';
import { TimeChart, type ChartSeries } from '../components/chart.tsx';
import { FieldSidebar, type SchemaColumn } from '../components/field-sidebar.tsx';
import { HistoryList } from '../components/history-list.tsx';
import { QueryBox, type Vocabulary } from '../components/query-box.tsx';
import { GRID_PAGE_ROWS, VirtualTable } from '../components/virtual-table.tsx';
import { download, formatCount, toCsv } from '../format.ts';
import { useApi } from '../hooks.ts';
import { href, setParams, type Location } from '../router.ts';
import { remember } from '../search-history.ts';
import { TimePicker } from '../components/time-picker.tsx';
import { RowPanel } from '../components/row-panel.tsx';
import { zoomTo, useTimeRange } from '../time-range.ts';

interface QueryAnswer {
  language: string;
  sql: string;
  params: Record<string, unknown>;
  columns: { name: string; type: string }[];
  rows: unknown[][];
  total: number;
  offset: number;
  truncated: boolean;
  histogram?: { column: string; bucketSeconds: number; buckets: string[]; counts: number[] };
  tookMs: number;
  /** What the answer caps (SPL list() keeps 100 values …). */
  warnings?: string[];
}

interface Saved {
  id: string;
  name: string;
  query: string;
  language: string;
}

/** Column types shown as times (in the chosen zone, the zone written). */
const TIME_TYPES = /^(TIMESTAMP|DATE)/i;

const EXAMPLE = 'index=cloudfront status>=400 | stats count by edge_location, status | sort -count';

function Histogram({ h }: { h: NonNullable<QueryAnswer['histogram']> }) {
  const times = useMemo(() => h.buckets.map((b) => Date.parse(b) / 1000), [h]);
  const series = useMemo(() => [{ name: 'rows', values: h.counts }], [h]);
  return <TimeChart times={times} series={series} bars height={140} label={`rows per ${h.bucketSeconds} s of ${h.column}`} onZoom={zoomTo} />;
}

/**
 * A result shaped like a timechart (a `_time` column, then numbers only) is drawn as its series;
 * at most 12 of them, the chart's legend names each.
 */
function seriesOf(answer: QueryAnswer): { times: number[]; series: ChartSeries[] } | undefined {
  const names = answer.columns.map((c) => c.name);
  if (names[0] !== '_time' || names.length < 2 || answer.rows.length < 2) return undefined;
  const times = answer.rows.map((r) => Date.parse(`${String(r[0]).replace(' ', 'T')}Z`));
  if (times.some((t) => !Number.isFinite(t))) return undefined;
  const numeric = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!answer.rows.every((r) => r.slice(1).every(numeric))) return undefined;
  const series = names.slice(1, 13).map((name, i) => ({ name, values: answer.rows.map((r) => r[i + 1] as number | null) }));
  return { times: times.map((t) => t / 1000), series };
}

function SeriesChart({ answer }: { answer: QueryAnswer }) {
  const chart = useMemo(() => seriesOf(answer), [answer]);
  if (!chart) return null;
  return <TimeChart times={chart.times} series={chart.series} height={200} label={`${chart.series.map((s) => s.name).join(', ')} over _time`} onZoom={zoomTo} />;
}

function SavedSearches({ readOnly, current, reload, onChange }: { readOnly: boolean; current: { q: string; lang: string }; reload: number; onChange: () => void }) {
  const saved = useApi<Saved[]>('/api/searches', reload);
  const [error, setError] = useState<string>();
  const save = async (e: Event) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget as HTMLFormElement).get('name') ?? '').trim();
    try {
      await api('/api/searches', { method: 'POST', body: { name: name || current.q.slice(0, 60), query: current.q, language: current.lang } });
      setError(undefined);
      (e.currentTarget as HTMLFormElement | null)?.reset();
      onChange();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const remove = async (id: string) => {
    try {
      await api(`/api/searches/${encodeURIComponent(id)}`, { method: 'DELETE' });
      onChange();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <aside class="saved" aria-label="saved searches">
      <h2>Saved searches</h2>
      <ErrorBox error={saved.error ?? error} />
      <ul>
        {(saved.data ?? []).map((s) => (
          <li>
            <a href={href('/search', { q: s.query, lang: s.language === 'auto' ? undefined : s.language })} title={s.query}>
              {s.name}
            </a>
            {!readOnly && (
              <a class="muted" href={href('/searches', { edit: s.id })} aria-label={`schedule ${s.name}`} title="schedule as a detection">
                ⏱
              </a>
            )}
            {!readOnly && (
              <button class="link" type="button" aria-label={`delete ${s.name}`} onClick={() => remove(s.id)}>
                ×
              </button>
            )}
          </li>
        ))}
        {saved.data && !saved.data.length && <li class="muted">none yet</li>}
      </ul>
      {readOnly ? (
        <p class="muted">read-only server: saving is off</p>
      ) : (
        <form onSubmit={save}>
          <input name="name" placeholder="name this search" aria-label="name of the saved search" />
          <button type="submit" disabled={!current.q}>
            Save
          </button>
        </form>
      )}
    </aside>
  );
}

interface Schema {
  columns: SchemaColumn[];
  aliases: string[];
  commands: string[];
}

export function SearchPage({ loc, readOnly }: { loc: Location; readOnly: boolean }) {
  const q = loc.params.get('q') ?? '';
  const lang = loc.params.get('lang') ?? 'auto';
  const limit = Number(loc.params.get('limit') ?? 5000) || 5000;
  const [text, setText] = useState(q);
  const [answer, setAnswer] = useState<QueryAnswer>();
  /** The query, language and rows setting the answer is of: another page of it keeps it shown while it loads. */
  const [answerOf, setAnswerOf] = useState('');
  const range = useTimeRange(loc.params);
  const since = range.resolved.since ?? '';
  const until = range.resolved.until ?? '';
  const queryKey = `${q}\u0000${lang}\u0000${limit}\u0000${since}\u0000${until}`;
  /** The row whose fields are open in the side panel (Enter on a row), by its index in the page. */
  const [opened, setOpened] = useState<number>();
  /** The first page's histogram (later pages come without one). */
  const [histogram, setHistogram] = useState<QueryAnswer['histogram']>();
  /** The page of the result shown: the server sends one page (GRID_PAGE_ROWS rows) at a time. */
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [showSql, setShowSql] = useState(false);
  const [reload, setReload] = useState(0);
  const schema = useApi<Schema>('/api/schema');
  const vocabulary = useMemo<Vocabulary>(() => {
    const fields = new Set([...(schema.data?.columns ?? []).map((c) => c.name), ...(schema.data?.aliases ?? []), ...(answer?.columns ?? []).map((c) => c.name)]);
    return { commands: schema.data?.commands ?? [], fields: [...fields].sort() };
  }, [schema.data, answer?.columns]);
  /** Cancels the running query: the request is dropped and the server interrupts the statement. */
  const cancelRunning = useRef<() => void>();
  useEffect(() => setText(q), [q]);
  useEffect(() => setOffset(0), [q, lang, limit, since, until]);
  useEffect(() => setOpened(undefined), [queryKey, offset]);
  useEffect(() => {
    if (q) remember(q, lang);
  }, [q, lang]);
  useEffect(() => {
    if (!q || !range.ready || range.resolved.error) return;
    const abort = new AbortController();
    let cancelled = false;
    cancelRunning.current = () => {
      cancelled = true;
      abort.abort();
    };
    setBusy(true);
    setError(undefined);
    const pageRows = Math.max(1, Math.min(GRID_PAGE_ROWS, limit - offset));
    api<QueryAnswer>('/api/query', { method: 'POST', body: { query: q, language: lang, limit: pageRows, offset, ...(since ? { since } : {}), ...(until ? { until } : {}) }, signal: abort.signal }).then(
      (a) => {
        setAnswer(a);
        setAnswerOf(queryKey);
        if (a.offset === 0) setHistogram(a.histogram);
        setBusy(false);
      },
      (e: Error) => {
        if (e.name === 'AbortError' && !cancelled) return;
        setAnswer(undefined);
        setError(cancelled ? 'Query cancelled: the server stopped it.' : e.message);
        setBusy(false);
      },
    );
    return () => {
      cancelRunning.current = undefined;
      abort.abort();
    };
  }, [q, lang, limit, offset, since, until, range.ready]);
  /** Runs what is in the box (not the URL's query) with these settings: a new history entry. */
  const run = (changes: { lang?: string; limit?: string } = {}) => {
    const l = changes.lang ?? lang;
    setParams({ q: text.trim(), lang: l === 'auto' ? undefined : l, ...(changes.limit ? { limit: changes.limit } : {}) });
  };
  const columns = answer?.columns.map((c) => c.name) ?? [];
  const columnKey = columns.join('\u0000');
  // One column list per result (not per page), so a page change keeps the column widths.
  const gridColumns = useMemo(() => (answer?.columns ?? []).map((c) => ({ name: c.name, time: TIME_TYPES.test(c.type) })), [columnKey]);
  /** Rows the analyst may page through: the result, up to the rows setting. */
  const available = answer ? Math.min(answer.total, limit) : 0;
  const server = useMemo(() => (answer ? { offset: answer.offset, total: available, onPage: setOffset } : undefined), [answer, available]);
  return (
    <section class="search-layout">
      <div>
        <h1>Search</h1>
        <form class="query" onSubmit={(e) => {
          e.preventDefault();
          run();
        }}>
          <QueryBox value={text} onChange={setText} onRun={() => run()} vocabulary={vocabulary} placeholder={EXAMPLE} />
          <div class="query-bar">
            <label>
              language
              <select name="lang" value={lang} onChange={(e) => run({ lang: (e.currentTarget as HTMLSelectElement).value })}>
                <option value="auto">auto</option>
                <option value="spl">SPL</option>
                <option value="sql">SQL</option>
              </select>
            </label>
            <label>
              rows
              <select name="limit" value={String(limit)} onChange={(e) => run({ limit: (e.currentTarget as HTMLSelectElement).value })}>
                {[1000, 5000, 20000, 100000].map((n) => (
                  <option value={String(n)}>{formatCount(n)}</option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary" disabled={!text.trim()}>
              Run <span class="muted">(Ctrl+Enter)</span>
            </button>
          </div>
        </form>
        <TimePicker {...range} />
        <ErrorBox error={error ?? range.resolved.error} />
        <Loading when={busy} />
        {busy && (
          <button type="button" class="cancel" data-testid="cancel-query" onClick={() => cancelRunning.current?.()}>
            Cancel
          </button>
        )}
        {answer && (!busy || answerOf === queryKey) && (
          <div class="results">
            <p class="muted" data-testid="result-count">
              {formatCount(answer.total)} row{answer.total === 1 ? '' : 's'}
              {answer.total > limit && ` (the first ${formatCount(limit)} can be paged through)`} · {answer.language.toUpperCase()} · {answer.tookMs} ms
              {' · '}
              <button class="link" type="button" onClick={() => setShowSql(!showSql)} aria-expanded={showSql}>
                {showSql ? 'hide' : 'show'} SQL
              </button>
              {' · '}
              <button class="link" type="button" onClick={() => download('packettrail-results.csv', 'text/csv', toCsv(columns, answer.rows))}>
                export CSV{available > answer.rows.length ? ' (this page)' : ''}
              </button>
              {' · '}
              <button
                class="link"
                type="button"
                onClick={() => download('packettrail-results.ndjson', 'application/x-ndjson', answer.rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])))).join('\n') + '\n')}
              >
                export JSON{available > answer.rows.length ? ' (this page)' : ''}
              </button>
            </p>
            {(answer.warnings ?? []).map((w) => (
              <p class="muted" data-testid="result-warning">
                Note: {w}
              </p>
            ))}
            {showSql && <pre class="sql">{`${answer.sql}\n-- params: ${JSON.stringify(answer.params)}`}</pre>}
            {seriesOf(answer) ? <SeriesChart answer={answer} /> : histogram && histogram.buckets.length > 1 && <Histogram h={histogram} />}
            <VirtualTable columns={gridColumns} rows={answer.rows} server={server} pivots onOpenRow={(i) => setOpened(i)} />
            {opened !== undefined && answer.rows[opened] && (
              <RowPanel
                title={`row ${formatCount(answer.offset + opened + 1)}`}
                columns={gridColumns}
                row={answer.rows[opened]!}
                onClose={() => {
                  const at = opened;
                  setOpened(undefined);
                  // Focus goes back to the row that opened the panel.
                  requestAnimationFrame(() => document.querySelector<HTMLElement>(`.vtable [data-row="${at}"]`)?.focus());
                }}
              />
            )}
          </div>
        )}
      </div>
      <div>
        {answer && (!busy || answerOf === queryKey) && <FieldSidebar columns={gridColumns} rows={answer.rows} schema={schema.data?.columns ?? []} />}
        <SavedSearches readOnly={readOnly} current={{ q: text.trim(), lang }} reload={reload} onChange={() => setReload(reload + 1)} />
        <HistoryList />
      </div>
    </section>
  );
}
