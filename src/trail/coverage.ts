import { datasetTable } from '../store/store.js';
import { SMALL_TABLE_ROWS, stationFilterSql } from './joins/lookup.js';
import type { SqlParams } from '../store/expressions.js';
import type { TableCatalog } from './rows.js';
import type { TrailState } from './state.js';
import { station, STATIONS, type Station, type StationId } from './stations.js';

/** Half the window around the trail's time in which a station must have logged to count as covering it. */
export const COVERAGE_MS = 10 * 60_000;
/** DNS answers are looked up an hour back: their window reaches back as far. */
const DNS_BACK_MS = 3_600_000;
const BUCKET_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** Per station, per 5-minute bucket: the first and last event time in it (epoch µs). */
type DayBuckets = Map<StationId, Map<number, [number, number]>>;

/**
 * Day summaries of the small tables, kept on the table catalog (so they expire with it, after 30 s):
 * the console builds many trails around the same hours, and one grouped query per day replaces an
 * existence query per trail (7–15 ms each on the 10M-event store).
 */
const summaries = new WeakMap<TableCatalog, Map<number, Promise<DayBuckets>>>();

interface Window {
  id: StationId;
  fromMs: number;
  toMs: number;
}

/** Which stations have any event within the window around the trail. */
export async function coveredStations(s: TrailState, ids: readonly StationId[]): Promise<Set<StationId>> {
  const windows: Window[] = [];
  for (const id of ids) {
    const st = station(id);
    const columns = s.ctx.catalog.columns.get(datasetTable(st.dataset));
    if (!columns || (st.filter && !columns.has(st.filter.column))) continue;
    windows.push({ id, fromMs: s.time - COVERAGE_MS - (st.hop === 'dns' ? DNS_BACK_MS : 0), toMs: s.time + COVERAGE_MS });
  }
  const small = (w: Window) => (s.ctx.catalog.rows.get(datasetTable(station(w.id).dataset)) ?? Infinity) <= SMALL_TABLE_ROWS;
  const covered = new Set<StationId>();
  // Large tables are asked directly, side by side with the summaries.
  const large = existing(s, windows.filter((w) => !small(w)));
  large.catch(() => {}); // awaited below; marked handled in case a summary read fails first
  const ask: Window[] = [];
  const summarized = windows.filter(small);
  if (summarized.length) {
    const firstDay = Math.floor(Math.min(...summarized.map((w) => w.fromMs)) / DAY_MS);
    const lastDay = Math.floor(Math.max(...summarized.map((w) => w.toMs)) / DAY_MS);
    const days: DayBuckets[] = [];
    for (let d = firstDay; d <= lastDay; d++) days.push(await daySummary(s, d));
    for (const w of summarized) {
      const answer = fromBuckets(w, (b) => days[Math.floor((b * BUCKET_MS) / DAY_MS) - firstDay]?.get(w.id)?.get(b));
      if (answer === undefined) ask.push(w);
      else if (answer) covered.add(w.id);
    }
  }
  for (const id of [...(await large), ...(await existing(s, ask))]) covered.add(id);
  return covered;
}

/**
 * Whether a station logged in [from, to] from its 5-minute buckets: any bucket strictly inside, or
 * the first bucket's last event at or after `from`, or the last bucket's first event at or before
 * `to` (exact, as BETWEEN). Undefined when both ends fall in one bucket (the summary cannot tell).
 */
function fromBuckets(w: Window, bucket: (b: number) => [number, number] | undefined): boolean | undefined {
  const b0 = Math.floor(w.fromMs / BUCKET_MS);
  const b1 = Math.floor(w.toMs / BUCKET_MS);
  if (b0 === b1) return undefined;
  const first = bucket(b0);
  if (first && first[1] >= w.fromMs * 1000) return true;
  const last = bucket(b1);
  if (last && last[0] <= w.toMs * 1000) return true;
  for (let b = b0 + 1; b < b1; b++) if (bucket(b)) return true;
  return false;
}

function daySummary(s: TrailState, day: number): Promise<DayBuckets> {
  let days = summaries.get(s.ctx.catalog);
  if (!days) summaries.set(s.ctx.catalog, (days = new Map()));
  let summary = days.get(day);
  if (!summary) {
    summary = readDay(s, day);
    days.set(day, summary);
    // A failed read is not kept: the next trail asks again.
    summary.catch(() => days!.delete(day));
  }
  return summary;
}

/** One grouped query over the small tables' stations for one UTC day. */
async function readDay(s: TrailState, day: number): Promise<DayBuckets> {
  const { dialect } = s.ctx.store;
  const { fn } = dialect;
  const q = (n: string) => dialect.quoteIdent(n);
  const params: SqlParams = { w: BUCKET_MS };
  const d0 = fn.timeParam(params, 'd0', day * DAY_MS);
  const d1 = fn.timeParam(params, 'd1', (day + 1) * DAY_MS);
  const parts: string[] = [];
  for (const [table, columns] of s.ctx.catalog.columns) {
    if ((s.ctx.catalog.rows.get(table) ?? Infinity) > SMALL_TABLE_ROWS) continue;
    for (const st of STATIONS) {
      if (datasetTable(st.dataset) !== table || (st.filter && !columns.has(st.filter.column))) continue;
      const i = parts.length;
      params[`s${i}`] = st.id;
      const filter = filterSql(s, st, params, `s${i}`);
      parts.push(`SELECT $s${i} AS s, ${fn.intDiv(fn.epochMs('"timestamp"'), '$w')} AS b, ${fn.epochUs('min("timestamp")')} AS lo, ${fn.epochUs('max("timestamp")')} AS hi FROM ${q(table)}
        WHERE "timestamp" >= ${d0} AND "timestamp" < ${d1}${filter} GROUP BY b`);
    }
  }
  const out: DayBuckets = new Map();
  if (!parts.length) return out;
  s.ctx.queries++;
  const r = await s.ctx.store.query(parts.join(' UNION ALL '), params);
  for (const [id, b, lo, hi] of r.rows) {
    const buckets = out.get(id as StationId) ?? new Map<number, [number, number]>();
    out.set(id as StationId, buckets);
    buckets.set(Number(b), [Number(lo), Number(hi)]);
  }
  return out;
}

/** ` AND column IN (…)` for a station's filter, or nothing. */
function filterSql(s: TrailState, st: Station, params: SqlParams, prefix: string): string {
  const sql = stationFilterSql(s.ctx.store, st, params, `${prefix}v`);
  return sql ? ` AND ${sql}` : '';
}

/** Existence queries for the stations the summaries do not answer (large tables), in one query. */
async function existing(s: TrailState, windows: readonly Window[]): Promise<StationId[]> {
  if (!windows.length) return [];
  const { dialect } = s.ctx.store;
  const q = (n: string) => dialect.quoteIdent(n);
  const params: SqlParams = {};
  // A row per station with an event: one from a LIMIT 1 scan (ClickHouse 18.16 has no EXISTS).
  const parts = windows.map((w, i) => {
    const st = station(w.id);
    params[`s${i}`] = w.id;
    const between = `${dialect.fn.timeParam(params, `f${i}`, w.fromMs)} AND ${dialect.fn.timeParam(params, `t${i}`, w.toMs)}`;
    const filter = filterSql(s, st, params, `s${i}`);
    return `SELECT $s${i} AS s FROM (SELECT 1 AS hit FROM ${q(datasetTable(st.dataset))} WHERE "timestamp" BETWEEN ${between}${filter} LIMIT 1) AS e${i}`;
  });
  s.ctx.queries++;
  const r = await s.ctx.store.query(parts.join(' UNION ALL '), params);
  return r.rows.map((row) => String(row[0]) as StationId);
}
