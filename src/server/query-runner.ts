import { AliasError, compileSplOn, looksLikeSpl, MacroError, SplError, type CompiledSpl } from '../query/spl/index.js';
import { timeFilterNote } from '../insights/stored-span.js';
import { InsightOptionError, timeRange } from '../insights/time-range.js';
import { isOutOfMemory, QueryCancelledError, QueryTimeoutError, ResultTooLargeError, type QueryBounds } from '../store/bounds.js';
import type { QueryResult } from '../store/store.js';
import type { ServerContext } from './context.js';
import { ApiError, badRequest } from './errors.js';
import { LIMIT_OPTIONS, type QueryLimits } from './query-gate.js';
import { guardParsedSql, SqlGuardError } from './sql-guard.js';
import { guardClickHouseSql } from './clickhouse-sql-guard.js';

export type QueryLanguage = 'auto' | 'spl' | 'sql';
type Params = Record<string, string | number | boolean | null>;

/** What compiling and running a query needs: the console's context, or a scheduled search's. */
export type QueryContext = Pick<ServerContext, 'store' | 'catalog' | 'aliases' | 'lookups'> & { queries: { limits: QueryLimits } };

export const DEFAULT_ROW_LIMIT = 5_000;
export const MAX_ROW_LIMIT = 100_000;
/** Rows a page of a result may start after (the console grid asks for a result page by page). */
export const MAX_ROW_OFFSET = 1_000_000;
const MAX_HISTOGRAM_BUCKETS = 60;
const NICE_BUCKETS_S = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800, 2592000];
const TIME_TYPES = /^(TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATE)$/;

export interface QueryAnswer {
  language: 'spl' | 'sql';
  /** The SQL that ran (SPL compiled) and its bound parameters. */
  sql: string;
  params: Params;
  columns: QueryResult['columns'];
  rows: unknown[][];
  /** Rows the whole query returns (the response holds at most `limit`, from `offset`). */
  total: number;
  /** Rows of the result before the first one in `rows`. */
  offset: number;
  truncated: boolean;
  histogram?: { column: string; bucketSeconds: number; buckets: string[]; counts: number[] };
  tookMs: number;
  /** What the answer leaves out or caps, said rather than silent (SPL list() keeps 100 values …). */
  warnings: string[];
}

/** SPL compiles to parameterized SQL over the catalog; SQL passes through (it runs on a read-only connection). */
export async function compileQuery(ctx: QueryContext, text: string, language: QueryLanguage, bounds: QueryBounds, range?: QueryTimeRange): Promise<{ language: 'spl' | 'sql'; sql: string; params: Params; warnings: string[]; timeFilter?: CompiledSpl['timeFilter'] }> {
  const picked = range ? pickedRange(range) : undefined;
  if (language === 'sql' || (language === 'auto' && !looksLikeSpl(text))) {
    // SQL names its own tables and conditions: the console's range cannot be added to it, and says so.
    return { language: 'sql', sql: text, params: {}, warnings: picked ? ['the time range applies to SPL searches: this SQL query is not bounded by it (add a condition on "timestamp")'] : [] };
  }
  try {
    // `timechart … by` reads its series (one column each) from the store first.
    const compiled = await compileSplOn(async (sql, params) => (await run(ctx, sql, params as Params, bounds)).rows, text, {
      catalog: ctx.catalog,
      aliases: ctx.aliases,
      tables: await ctx.store.datasetColumns(),
      ...(ctx.lookups ? { lookups: ctx.lookups } : {}),
      // SPL compiles to the dialect of the store it runs on.
      fn: ctx.store.dialect.fn,
      ...(picked ? { range: picked } : {}),
    });
    return { language: 'spl', sql: compiled.sql, params: compiled.params as Params, warnings: compiled.warnings, ...(compiled.timeFilter ? { timeFilter: compiled.timeFilter } : {}) };
  } catch (e) {
    if (e instanceof SplError || e instanceof AliasError || e instanceof MacroError) throw badRequest(`SPL: ${e.message}`);
    throw e;
  }
}

/** The console's time range for a query: RFC 3339 bounds, since inclusive, until exclusive (as SPL's earliest/latest). */
export interface QueryTimeRange {
  since?: string | undefined;
  until?: string | undefined;
}

/** The range as dates, checked (a bad time or since after until is a 400); undefined when it bounds nothing. */
function pickedRange(range: QueryTimeRange): { earliest?: Date; latest?: Date } | undefined {
  let r;
  try {
    r = timeRange({ since: range.since, until: range.until });
  } catch (e) {
    if (e instanceof InsightOptionError) throw badRequest(e.message);
    throw e;
  }
  if (r.sinceMs === undefined && r.untilMs === undefined) return undefined;
  return { ...(r.sinceMs !== undefined ? { earliest: new Date(r.sinceMs) } : {}), ...(r.untilMs !== undefined ? { latest: new Date(r.untilMs) } : {}) };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The statement as a subquery, so the row limit and the histogram apply to any single SELECT.
 * A trailing semicolon is dropped; a second statement makes the wrapper fail to parse (400).
 */
const subquery = (sql: string) => `(\n${sql.replace(/;\s*$/, '')}\n) AS console_query`;

/**
 * Every statement sent carries a bound parameter, so DuckDB prepares it — and a prepared
 * statement is exactly one statement: `1) x; CREATE TEMP VIEW events …` cannot ride along.
 */
const bound = (params: Params, extra: Params): Params => ({ ...params, ...extra });

/**
 * A query's failure as the client sees it: the limit it ran into, named with the `serve` option that
 * sets it, or DuckDB's own message.
 */
export function queryError(e: unknown, limits: QueryLimits): Error {
  if (e instanceof ApiError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // 422, not 408: browsers send a request again on their own after a 408, and this one ran too long.
  if (e instanceof QueryTimeoutError) return new ApiError(422, `query stopped: ${message}; narrow the time range or the search`);
  if (e instanceof ResultTooLargeError) return new ApiError(413, `query refused: ${message} (${LIMIT_OPTIONS.maxResultBytes})`);
  if (e instanceof QueryCancelledError) return new ApiError(503, `query stopped: ${message}`);
  // DuckDB's advice after the first line (SET threads …) is not for a console user: the settings are locked.
  if (isOutOfMemory(e)) return new ApiError(413, `query refused: it needs more memory than the server's limit of ${limits.memoryLimit} (${LIMIT_OPTIONS.memoryLimit}): ${message.split('\n')[0]}`);
  return badRequest(`query failed: ${message}`);
}

async function run(ctx: QueryContext, sql: string, params: Params, bounds: QueryBounds): Promise<QueryResult> {
  try {
    return await ctx.store.query(sql, params, bounds);
  } catch (e) {
    throw queryError(e, ctx.queries.limits);
  }
}

function histogramBucket(spanMs: number): number {
  for (const b of NICE_BUCKETS_S) if (spanMs / (b * 1000) <= MAX_HISTOGRAM_BUCKETS) return b;
  return NICE_BUCKETS_S[NICE_BUCKETS_S.length - 1]!;
}

/** Counts of the whole result per time bucket, over its first time-typed column (none: no histogram). */
async function histogram(ctx: ServerContext, sql: string, params: Params, columns: QueryResult['columns'], bounds: QueryBounds): Promise<QueryAnswer['histogram']> {
  const col = columns.find((c) => c.name === 'timestamp' && TIME_TYPES.test(c.type)) ?? columns.find((c) => TIME_TYPES.test(c.type));
  if (!col) return undefined;
  const t = `epoch_ms(CAST(${quoteIdent(col.name)} AS TIMESTAMP))`;
  const span = await ctx.store.query(`SELECT min(${t}), max(${t}) FROM ${subquery(sql)} LIMIT $console_one`, bound(params, { console_one: 1 }), bounds);
  const [min, max] = (span.rows[0] ?? []).map(Number);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return undefined;
  const width = histogramBucket(max! - min!);
  const w = width * 1000;
  const r = await ctx.store.query(
    `SELECT CAST(floor(${t} / ${w}) AS BIGINT) * ${w} AS b, count(*) AS n FROM ${subquery(sql)} WHERE ${quoteIdent(col.name)} IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT $console_buckets`,
    bound(params, { console_buckets: 10 * MAX_HISTOGRAM_BUCKETS }),
    bounds,
  );
  const counts = new Map(r.rows.map(([b, n]) => [Number(b), Number(n)]));
  const buckets: string[] = [];
  const values: number[] = [];
  for (let b = Math.floor(min! / w) * w; b <= max!; b += w) {
    buckets.push(new Date(b).toISOString());
    values.push(counts.get(b) ?? 0);
  }
  return { column: col.name, bucketSeconds: width, buckets, counts: values };
}

/**
 * Console SQL must be exactly one SELECT. DuckDB runs every statement of a multi-statement text
 * (even when preparing), and a read-only connection still allows temporary objects, so
 * `…; CREATE TEMP VIEW alerts …` would change what every later request sees. DuckDB's own parser
 * decides: json_serialize_sql accepts SELECT statements only and lists each one; the names the
 * statement uses are then checked (sql-guard.ts: no files, no paths, no settings).
 */
export async function assertSingleSelect(ctx: QueryContext, sql: string, bounds: QueryBounds): Promise<void> {
  // ClickHouse runs one statement per request, with readonly=2 (a store opened read-only); what it reads is checked here.
  if (ctx.store.dialect.name === 'clickhouse') {
    try {
      guardClickHouseSql(sql);
    } catch (e) {
      if (e instanceof SqlGuardError) throw new ApiError(403, `query refused: ${e.message}`);
      throw e;
    }
    return;
  }
  const r = await run(ctx, 'SELECT json_serialize_sql(CAST($sql AS VARCHAR))', { sql }, bounds);
  let parsed: { error?: boolean; error_message?: string; statements?: unknown[] };
  try {
    parsed = JSON.parse(String(r.rows[0]?.[0] ?? '{}')) as typeof parsed;
  } catch {
    parsed = { error: true, error_message: 'unreadable parse result' };
  }
  if (parsed.error) throw badRequest(`query failed: ${parsed.error_message ?? 'not a SELECT statement'} (the console runs one SELECT statement)`);
  if ((parsed.statements ?? []).length !== 1) throw badRequest(`query failed: give exactly one SELECT statement, got ${(parsed.statements ?? []).length}`);
  try {
    guardParsedSql(parsed);
  } catch (e) {
    if (e instanceof SqlGuardError) throw new ApiError(403, `query refused: ${e.message}`);
    throw e;
  }
}

/**
 * Runs a console query through the gate (see QueryGate): `client` aborts when the client leaves, and
 * every statement of the query — series, the rows, the total, the histogram — shares its time limit.
 */
export async function runQuery(ctx: ServerContext, text: string, language: QueryLanguage, limit: number, client: AbortSignal, offset = 0, range?: QueryTimeRange): Promise<QueryAnswer> {
  if (!text.trim()) throw badRequest('the query is empty');
  try {
    return await ctx.queries.run(client, (signal) => answer(ctx, text, language, limit, offset, { signal, maxResultBytes: ctx.queries.limits.maxResultBytes }, range));
  } catch (e) {
    throw queryError(e, ctx.queries.limits);
  }
}

async function answer(ctx: ServerContext, text: string, language: QueryLanguage, limit: number, offset: number, bounds: QueryBounds, range?: QueryTimeRange): Promise<QueryAnswer> {
  const started = Date.now();
  const q = await compileQuery(ctx, text, language, bounds, range);
  if (q.language === 'sql') await assertSingleSelect(ctx, q.sql, bounds);
  // A page of the result: the row limit and the result size limit apply to each page.
  const result = await run(ctx, `SELECT * FROM ${subquery(q.sql)} LIMIT $console_limit OFFSET $console_offset`, bound(q.params, { console_limit: limit + 1, console_offset: offset }), bounds);
  const truncated = result.rows.length > limit;
  const rows = truncated ? result.rows.slice(0, limit) : result.rows;
  let total = offset + rows.length;
  if (truncated || (offset > 0 && !rows.length)) total = Number((await run(ctx, `SELECT count(*) FROM ${subquery(q.sql)} LIMIT $console_one`, bound(q.params, { console_one: 1 }), bounds)).rows[0]?.[0] ?? rows.length);
  // The histogram is a convenience: a result whose time column does not cast is shown without one
  // (but a query stopped by its time limit or its client stops here too).
  // (Later pages of a result skip it: the first page carried it.)
  const hist = offset > 0 ? undefined : await histogram(ctx, q.sql, q.params, result.columns, bounds).catch(() => {
    if (bounds.signal?.aborted) throw bounds.signal.reason;
    return undefined;
  });
  const { warnings, timeFilter, ...ran } = q;
  // earliest=/latest= that miss the data: say where it is (a copy: the compiled warnings are the query's).
  const note = timeFilter ? await timeFilterNote(ctx.store, timeFilter, bounds) : undefined;
  return { ...ran, columns: result.columns, rows, total, offset, truncated, ...(hist ? { histogram: hist } : {}), tookMs: Date.now() - started, warnings: note ? [...warnings, note] : warnings };
}
