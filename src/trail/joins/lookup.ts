import { datasetTable, type EventStore } from '../../store/store.js';
import type { SqlParams } from '../../store/expressions.js';
import { rowMillis, timeOf, type Row, type TableCatalog } from '../rows.js';
import { station, type Station, type StationId } from '../stations.js';

/** column = value (list columns: the list contains the value). */
export interface Condition {
  column: string;
  value: string | number;
}

/** A search for one station's events: equalities plus a time window, nearest to `center` first. */
export interface Lookup {
  station: StationId;
  conditions: Condition[];
  /** Epoch ms bounds of the search window. */
  from: number;
  to: number;
  /** The time the other side's event suggests; candidates are ranked by their distance to it. */
  center: number;
  /** Higher is better; ranks candidates before time does (same user agent, same path …). */
  prefer?: (row: Row) => number;
  limit?: number;
}

export interface Candidate {
  row: Row;
  /** Distance in ms from `center` to the event (to its [start, end] interval when it has one). */
  distance: number;
  /** Signed difference event time − center, for the evidence. */
  delta: number;
  preference: number;
}

export interface QueryContext {
  store: EventStore;
  catalog: TableCatalog;
  /** Queries run so far (benchmarks and tests read it). */
  queries: number;
  /**
   * Rows each lookup returned, by station and conditions, with the window searched: a later lookup
   * with the same conditions inside that window is answered from them. The request-id anchor search
   * covers all time, so the joins that ask the same tables for the same id again cost nothing.
   */
  memo?: Map<string, { from: number; to: number; rows: Row[] }>;
}

/** Tables up to this many rows are scanned for an id in a few ms; larger ones want an index. */
export const SMALL_TABLE_ROWS = 1_000_000;

/** Most rows one lookup reads before ranking; windows are minutes wide, so real lookups stay far below it. */
const CANDIDATE_CAP = 2000;
const quote = (store: EventStore, name: string) => store.dialect.quoteIdent(name);

/**
 * Builds the SQL of a lookup; undefined when the table or one of its columns does not exist (nothing
 * can match). When a condition's column is indexed (`packettrail index`) and `useIndex` holds, the
 * SQL has no time bounds (`byIndex`): DuckDB only uses an index when no range filter competes with
 * it, so the rows of all time come back and the window is applied to them in JS.
 */
export function lookupSql(ctx: QueryContext, l: Lookup, useIndex = true): { sql: string; params: SqlParams; byIndex: boolean } | undefined {
  const st = station(l.station);
  const table = datasetTable(st.dataset);
  const columns = ctx.catalog.columns.get(table);
  if (!columns) return undefined;
  const indexed = ctx.catalog.indexed.get(table);
  const fn = ctx.store.dialect.fn;
  const kind = (column: string) => fn.typeKind(columns.get(column) ?? '');
  const byIndex = useIndex && !!indexed && l.conditions.some((c) => indexed.has(c.column) && kind(c.column) !== 'list');
  const params: SqlParams = { limit: CANDIDATE_CAP };
  const where = byIndex ? [] : [`"timestamp" BETWEEN ${fn.timeParam(params, 't0', l.from)} AND ${fn.timeParam(params, 't1', l.to)}`];
  const conditions = [...l.conditions];
  if (st.filter) {
    if (!columns.has(st.filter.column)) return undefined;
    where.push(stationFilterSql(ctx.store, st, params, 'f')!);
  }
  for (const [i, c] of conditions.entries()) {
    const type = columns.get(c.column);
    if (!type) return undefined;
    const col = quote(ctx.store, c.column);
    if (fn.typeKind(type) === 'list') {
      params[`c${i}`] = String(c.value);
      where.push(fn.listContains(col, `$c${i}`));
    } else if (fn.typeKind(type) === 'number') {
      const n = Number(c.value);
      if (!Number.isFinite(n)) return undefined;
      params[`c${i}`] = n;
      where.push(`${col} = $c${i}`);
    } else {
      params[`c${i}`] = String(c.value);
      where.push(`${col} = $c${i}`);
    }
  }
  // Ranked in JS: an ORDER BY on an expression of the timestamp stops DuckDB from pruning row groups by it.
  const sql = `SELECT * FROM ${quote(ctx.store, table)} WHERE ${where.join(' AND ')} LIMIT $limit`;
  return { sql, params, byIndex };
}

/** `column IN ($p0, $p1 …)` for a station's filter (its values added to `params` under `prefix`); undefined without one. */
export function stationFilterSql(store: EventStore, st: Station, params: SqlParams, prefix: string): string | undefined {
  if (!st.filter) return undefined;
  const names = st.filter.values.map((v, j) => {
    params[`${prefix}${j}`] = v;
    return `$${prefix}${j}`;
  });
  return `${quote(store, st.filter.column)} IN (${names.join(', ')})`;
}

export async function runLookup(ctx: QueryContext, l: Lookup): Promise<Candidate[]> {
  const key = `${l.station}\u0000${JSON.stringify(l.conditions)}`;
  const known = ctx.memo?.get(key);
  // A capped result may have missed rows of the narrower window: only complete ones are reused.
  if (known && known.from <= l.from && known.to >= l.to && known.rows.length < CANDIDATE_CAP) {
    return rankCandidates(inWindow(known.rows, l), l.center, l.prefer).slice(0, l.limit ?? 25);
  }
  let q = lookupSql(ctx, l);
  if (!q) return [];
  ctx.queries++;
  let r = await ctx.store.query(q.sql, q.params);
  // An id that matched more rows over all time than one lookup reads: ask again within the window.
  if (q.byIndex && r.rows.length >= CANDIDATE_CAP) {
    q = lookupSql(ctx, l, false)!;
    ctx.queries++;
    r = await ctx.store.query(q.sql, q.params);
  }
  const names = r.columns.map((c) => c.name);
  const rows = r.rows.map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])) as Row);
  const [from, to] = q.byIndex ? [-Infinity, Infinity] : [l.from, l.to];
  if (!known || to - from > known.to - known.from) (ctx.memo ??= new Map()).set(key, { from, to, rows });
  return rankCandidates(q.byIndex ? inWindow(rows, l) : rows, l.center, l.prefer).slice(0, l.limit ?? 25);
}

function inWindow(rows: Row[], l: Lookup): Row[] {
  return rows.filter((row) => {
    const t = rowMillis(row.timestamp);
    return t !== undefined && t >= l.from && t <= l.to;
  });
}

/** Events with a duration (firewall sessions, flow records) match anywhere inside their interval. */
export function distanceTo(row: Row, center: number): { distance: number; delta: number } {
  const t = timeOf(row);
  const start = rowMillis(row.event_start);
  const end = rowMillis(row.event_end);
  if (start !== undefined && end !== undefined && end >= start) {
    if (center >= start && center <= end) return { distance: 0, delta: t - center };
    const d = center < start ? start - center : center - end;
    return { distance: d, delta: t - center };
  }
  return { distance: Math.abs(t - center), delta: t - center };
}

export function rankCandidates(rows: Row[], center: number, prefer?: (row: Row) => number): Candidate[] {
  return rows
    .map((row) => ({ row, ...distanceTo(row, center), preference: prefer ? prefer(row) : 0 }))
    .sort((a, b) => b.preference - a.preference || a.distance - b.distance || a.delta - b.delta || byEventId(a.row, b.row));
}

/**
 * Candidates equally good (as near, the earlier first) came in the order the store returned them,
 * which differs between engines and between the shards of a cluster: the event id decides.
 */
function byEventId(a: Row, b: Row): number {
  const x = String(a.event_id ?? '');
  const y = String(b.event_id ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Two candidates closer than this in time cannot be told apart by time alone (clocks disagree by seconds). */
export const TIME_RESOLUTION_MS = 1500;

/**
 * Confidence of the chosen candidate: the join's base, divided among the candidates that are as good
 * as the chosen one (same preference, time within the clocks' resolution), a little lower when others
 * competed at all.
 */
export function confidenceOf(base: number, ranked: Candidate[]): { confidence: number; tied: number } {
  const best = ranked[0]!;
  const tied = ranked.filter((c) => c.preference === best.preference && c.distance - best.distance < TIME_RESOLUTION_MS).length;
  let confidence = base / tied;
  if (tied === 1 && ranked.length > 1) confidence *= 0.95;
  return { confidence: Math.round(confidence * 100) / 100, tied };
}

export function formatDelta(ms: number): string {
  const s = Math.abs(ms) / 1000;
  const text = s < 1 ? `${Math.round(Math.abs(ms))} ms` : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
  return `${ms < 0 ? '−' : '+'}${text}`;
}
