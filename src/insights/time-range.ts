import { millisFromIso } from '../ecs/time.js';
import type { SqlExpressions, SqlParams } from '../store/expressions.js';
import type { InsightOptions } from './report.js';

/** A view's time range: epoch ms bounds (either may be open) and their RFC 3339 form for the report. */
export interface TimeRange {
  sinceMs: number | undefined;
  untilMs: number | undefined;
  since: string | null;
  until: string | null;
}

/** Thrown for options a caller got wrong (bad time, bad limit): the CLI turns it into a usage error. */
export class InsightOptionError extends Error {}

function bound(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = millisFromIso(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (ms === undefined) throw new InsightOptionError(`${name} '${text}' is not an RFC 3339 time (e.g. 2026-11-20T08:00:00Z)`);
  return ms;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function timeRange(o: InsightOptions): TimeRange {
  const sinceMs = bound(o.since, 'since');
  const untilMs = bound(o.until, 'until');
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) throw new InsightOptionError(`since (${o.since}) is after until (${o.until})`);
  return { sinceMs, untilMs, since: sinceMs === undefined ? null : isoSeconds(sinceMs), until: untilMs === undefined ? null : isoSeconds(untilMs) };
}

/**
 * `AND "timestamp" >= … AND "timestamp" <= …` for the range in the store's dialect, adding the bound
 * values to `params` (column names are fixed text; values are always parameters).
 */
export function rangeSql(fn: SqlExpressions, range: TimeRange, params: SqlParams, column = '"timestamp"'): string {
  let sql = '';
  if (range.sinceMs !== undefined) sql += ` AND ${column} >= ${fn.timeParam(params, 'since', range.sinceMs)}`;
  if (range.untilMs !== undefined) sql += ` AND ${column} <= ${fn.timeParam(params, 'until', range.untilMs)}`;
  return sql;
}

const NICE_BUCKETS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];

/** The bucket width for a series over `spanMs`: the caller's, else the smallest "nice" width giving ≤ `maxBuckets`. */
export function bucketSeconds(o: InsightOptions, spanMs: number, maxBuckets = 96): number {
  if (o.bucketSeconds !== undefined) {
    if (!Number.isInteger(o.bucketSeconds) || o.bucketSeconds < 1) throw new InsightOptionError(`bucket width must be a positive whole number of seconds, got ${o.bucketSeconds}`);
    return o.bucketSeconds;
  }
  for (const b of NICE_BUCKETS) if (spanMs / (b * 1000) <= maxBuckets) return b;
  return NICE_BUCKETS[NICE_BUCKETS.length - 1]!;
}

export function limitOf(o: InsightOptions, fallback = 10): number {
  const n = o.limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InsightOptionError(`limit must be a whole number from 1 to 10000, got ${n}`);
  return n;
}

/** Bucket starts from `fromMs` to `toMs` (inclusive of the bucket holding `toMs`), aligned to the width. */
export function bucketStarts(fromMs: number, toMs: number, widthS: number): number[] {
  const w = widthS * 1000;
  const out: number[] = [];
  for (let t = Math.floor(fromMs / w) * w; t <= toMs && out.length < 100_000; t += w) out.push(t);
  return out;
}

/** A value from a query row as a number (DuckDB returns big integers as strings, timestamps as text). */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

/** A TIMESTAMP cell (`2026-11-20 08:00:04` or with fraction) → epoch ms. */
export function tsMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  return millisFromIso(v.includes('T') ? v : v.replace(' ', 'T'));
}
