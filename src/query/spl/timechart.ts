import type { Command } from './ast.js';
import { quoteIdent, type ColInfo, type Ctx, type Scope } from './context.js';
import { spanInterval, spanSeconds } from './time.js';
import { compileAggs, expandMultivalue } from './aggs.js';
import type { TimeSpan } from '../../store/expressions.js';

type Timechart = Extract<Command, { cmd: 'timechart' }>;

/**
 * One value of a `timechart … by` field, how many events carry it, and its rank score: the first
 * aggregation summed over the time buckets, as Splunk ranks series (`agg=sum`); null where that
 * aggregation is not a number.
 */
export interface SeriesCount {
  value: string;
  count: number;
  score: number | null;
}

/**
 * What a `timechart … by` needs of its series: the highest ranked (the lowest with bottomN), as many
 * as it can show and one more; how many values there are in all (OTHER holds the rest); and whether
 * events without the field exist (the NULL series).
 */
export interface SeriesSet {
  ranked: SeriesCount[];
  total: number;
  hasNull: boolean;
}

/**
 * Columns a `timechart … by` may make (series × aggregations): each is an aggregate filtered over
 * every row, and DuckDB's memory for them grows faster than their number, outside its memory limit:
 * `limit=0` by event id took 23.5 GB, and over 100,000 events in 1,667 buckets 100 series took
 * 200 MB, 300 took 600 MB and 1,000 took 4.7 GB and two minutes. Past it the query is refused, naming
 * the cap (Splunk's default is 10 series).
 */
export const MAX_TIMECHART_COLUMNS = 100;

/**
 * Thrown while compiling a `timechart … by` whose series are not known yet: Splunk's output has a
 * column per value of the field, so the values must be read from the data first. `select` reads
 * them from the relation the timechart reads (see compileSplOn).
 */
export class SeriesNeeded extends Error {
  /** The whole statement reading the series (set by the pipeline that holds the timechart). */
  statement?: string;
  constructor(readonly select: string) {
    super('timechart by: the series must be read first');
  }
}

const DEFAULT_LIMIT = 10;
/** Aggregations that are 0, not empty, where a bucket has no event (Splunk fills count and dc). */
const ZERO_FILLED = /^(count|c|dc|distinct_count)$/i;
const q = quoteIdent;

/**
 * `timechart` as Splunk shows it: a row per time bucket of the search's range (see bucketRange;
 * empty buckets included, count 0), and with `by` one column per series — the `limit` highest ranked values, then
 * NULL (events without the field) and OTHER (the rest together) — named by the value, or
 * `<aggregation>: <value>` when there are several aggregations. Series values are bound as
 * parameters; as column names they are quoted.
 */
export function compileTimechart(ctx: Ctx, scope: Scope, c: Timechart, rel: string, series: SeriesSet | undefined): { sql: string; scope: Scope } {
  const span = c.span ? spanInterval(c.span.text) : '1 hour';
  if (!span) throw ctx.error(`invalid span '${c.span!.text}' (use 30s, 5m, 1h, 1d, 1w or 1mon)`, c.span!);
  const t = ctx.time(scope, c.tok);
  const { from, refs } = c.by ? expandMultivalue([ctx.resolve(scope, c.by)], rel, ctx.fn) : { from: rel, refs: [] };
  if (c.by && !TEXT_LABELS.has(refs[0]!.type ?? '')) ctx.native(`timechart by '${c.by.text}' (a series named by a value that is not text or a whole number)`, c.by);
  const label = c.by ? ctx.fn.text(refs[0]!.sql) : '';
  const interval = `CAST(${ctx.param(span)} AS INTERVAL)`;
  const limit = c.limit ? Number(/\d+$/.exec(c.limit.text)![0]) : DEFAULT_LIMIT;
  // Series one timechart may show: one column per series and aggregation.
  const maxColumns = ctx.caps.timechartColumns;
  const maxSeries = Math.max(1, Math.floor(maxColumns / c.aggs.length));
  if (c.by && !series) throw new SeriesNeeded(seriesQuery(ctx, scope, c, from, label, t, interval, limit > 0 ? Math.min(limit, maxSeries + 1) : maxSeries + 1, span));
  const aggs = compileAggs(ctx, scope, c.aggs, ['_time']);
  const zero = c.aggs.map((a) => ZERO_FILLED.test(a.fn.text));
  const aggCols = aggs.map((a, j) => `${a.sql} AS ${q(`__pt_a${j}`)}`);
  const portable = !ctx.fn.nativeSpl;
  const timeSpan = spanOf(span);
  const bucket = ctx.fn.spanBucket(portable && t === '"_time"' ? '"__pt_t"' : t, timeSpan, interval);
  // ClickHouse reads `f("_time") AS "_time"` as a cyclic alias: the time is read under another name first.
  const source = portable && t === '"_time"' ? `(SELECT *, "_time" AS "__pt_t" FROM ${from})` : from;
  // A bucket's row that matched nothing must read NULL, not its type's default (see fn.leftJoinUsing).
  const longCols = portable ? aggs.map((a, j) => `${ctx.fn.nullable(a.sql)} AS ${q(`__pt_a${j}`)}`) : aggCols;
  const cell = (j: number, where?: string) =>
    portable
      ? where ? ctx.fn.anyValueIf(q(`__pt_a${j}`), where.replace(/l\./g, '')) : ctx.fn.anyValueIf(q(`__pt_a${j}`), ctx.fn.trueValue)
      : where ? `any_value(l.${q(`__pt_a${j}`)}) FILTER (WHERE ${where})` : `any_value(l.${q(`__pt_a${j}`)})`;

  let long: string;
  let columns: { name: string; list: boolean; sql: string }[];
  if (!c.by) {
    long = `SELECT ${bucket} AS "_time", ${longCols.join(', ')} FROM ${source} WHERE ${t} IS NOT NULL GROUP BY ${ctx.fn.selectKeys(['_time'])}`;
    columns = aggs.map((a, j) => ({ name: a.name, list: a.list, sql: fill(ctx, cell(j), zero[j]!) }));
  } else {
    const ranked = [...series!.ranked].sort(c.bottom ? (a, b) => byRank(b, a) : byRank);
    const top = limit > 0 ? ranked.slice(0, limit) : ranked;
    if (top.length > maxSeries) {
      const asked = limit > 0 ? `limit=${c.limit!.text}` : 'limit=0 (every series)';
      throw ctx.error(
        `timechart by ${c.by.text}: ${asked} would make ${Math.min(limit || Infinity, series!.total).toLocaleString('en-US')} series of ${c.aggs.length} column(s) each, ` +
          `more than the ${maxColumns} columns a timechart may have; give limit=N with N up to ${maxSeries} (the rest go to OTHER)`,
        c.limit ?? c.by,
      );
    }
    const inTop = top.length ? `${label} IN (${top.map((s) => ctx.param(s.value)).join(', ')})` : portable ? ctx.fn.falseValue : 'false';
    // NULL and OTHER are kinds of row, not values: a logged value "OTHER" stays a series of its own.
    const parts: { label: string; where: string }[] = top.map((s) => ({ label: s.value!, where: `l."__pt_kind" = 0 AND l."__pt_series" = ${ctx.param(s.value)}` }));
    if (c.usenull && series!.hasNull) parts.push({ label: 'NULL', where: 'l."__pt_kind" = 1' });
    if (c.useother && top.length < series!.total) parts.push({ label: 'OTHER', where: 'l."__pt_kind" = 2' });
    const keep = [...(c.usenull ? [] : [`${label} IS NOT NULL`]), ...(c.useother ? [] : [`(${label} IS NULL OR ${inTop})`])];
    long =
      `SELECT ${bucket} AS "_time", CASE WHEN ${label} IS NULL THEN 1 WHEN ${inTop} THEN 0 ELSE 2 END AS "__pt_kind", ` +
      `CASE WHEN ${inTop} THEN ${label} END AS "__pt_series", ${longCols.join(', ')} FROM ${source} ` +
      `WHERE ${[`${t} IS NOT NULL`, ...keep].join(' AND ')} GROUP BY ${ctx.fn.selectKeys(['_time', '__pt_kind', '__pt_series'])}`;
    const names = columnNames(parts.map((p) => p.label), aggs.map((a) => a.name));
    columns = parts.flatMap((part, i) =>
      aggs.map((a, j) => ({
        name: names[i * aggs.length + j]!,
        list: a.list,
        sql: fill(ctx, cell(j, part.where), zero[j]!),
      })),
    );
  }
  const select = ['g."_time"', ...columns.map((col) => `${col.sql} AS ${q(col.name)}`)].join(', ');
  const buckets = (table: string) => (c.cont ? bucketRange(ctx, span, timeSpan, interval, table) : `SELECT DISTINCT "_time" FROM ${table}`);
  // Without window functions or materialized CTEs (ClickHouse 18.16): the buckets joined with the long rows by time.
  const sql = portable
    ? ctx.fn.withTable('__pt_long', long, (table) =>
        `SELECT ${['"_time"', ...columns.map((col) => `${col.sql} AS ${q(col.name)}`)].join(', ')} FROM ${ctx.fn.leftJoinUsing(`(${buckets(table)})`, table, ['"_time"'])} GROUP BY "_time" ORDER BY "_time"`)
    : `WITH __pt_long AS MATERIALIZED (${long}) SELECT ${select} FROM (${buckets('__pt_long')}) AS g LEFT JOIN __pt_long AS l ON l."_time" = g."_time" GROUP BY g."_time" ORDER BY g."_time"`;
  return {
    sql,
    scope: { cols: new Map<string, ColInfo>([['_time', { list: false }], ...columns.map((col): [string, ColInfo] => [col.name, { list: col.list }])]), base: false },
  };
}

/**
 * Reads the `keep` highest ranked series (lowest with bottomN) with their event count and rank
 * score, in rank order, and on every row how many non-null series there are and whether events
 * without the field exist; the row of those (value NULL) is always kept. Only the first aggregation
 * is compiled here: every parameter the statement carries must appear in it.
 */
function seriesQuery(ctx: Ctx, scope: Scope, c: Timechart, from: string, label: string, t: string, interval: string, keep: number, span: string): string {
  if (!ctx.fn.nativeSpl) return portableSeriesQuery(ctx, scope, c, from, label, t, interval, keep, span);
  const [first] = compileAggs(ctx, scope, c.aggs.slice(0, 1), ['_time']);
  // Any type casts to text; text that is not a number scores null (as do lists).
  const score = first!.list ? 'NULL' : `TRY_CAST(CAST(${first!.sql} AS VARCHAR) AS DOUBLE)`;
  // byRank's order (reversed for bottomN); values compare as UTF-8 bytes, as byRank compares them.
  const order = c.bottom ? `"score" ASC NULLS FIRST, "count" ASC, "value" DESC` : `"score" DESC NULLS LAST, "count" DESC, "value" ASC`;
  const perValue =
    `SELECT "value", sum("n") AS "count", CASE WHEN isfinite(sum("score")) THEN sum("score") END AS "score" FROM (` +
    `SELECT time_bucket(${interval}, ${t}) AS "_time", ${label} AS "value", count(*) AS "n", ${score} AS "score" ` +
    `FROM ${from} WHERE ${t} IS NOT NULL GROUP BY 1, 2) GROUP BY 1`;
  return (
    `SELECT "value", "count", "score", count("value") OVER () AS "series", count(*) OVER () - count("value") OVER () AS "nulls" FROM (${perValue}) ` +
    `QUALIFY "value" IS NULL OR row_number() OVER (PARTITION BY "value" IS NULL ORDER BY ${order}) <= ${ctx.number(String(keep), c.tok)}`
  );
}

/**
 * seriesQuery without window functions (engines other than DuckDB): the per-value rows read three
 * times (the ranked ones, how many non-null values, how many null) and the first `keep` of the
 * non-null values kept with LIMIT … BY.
 */
function portableSeriesQuery(ctx: Ctx, scope: Scope, c: Timechart, from: string, label: string, t: string, interval: string, keep: number, span: string): string {
  const fn = ctx.fn;
  const [first] = compileAggs(ctx, scope, c.aggs.slice(0, 1), ['_time']);
  const score = first!.list ? 'NULL' : fn.tryDouble(fn.text(first!.sql));
  const order = c.bottom ? `"score" ASC NULLS FIRST, "count" ASC, "value" DESC` : `"score" DESC NULLS LAST, "count" DESC, "value" ASC`;
  const time = t === '"_time"' ? '"__pt_t"' : t;
  const source = t === '"_time"' ? `(SELECT *, "_time" AS "__pt_t" FROM ${from})` : from;
  const perBucket =
    `SELECT ${fn.spanBucket(time, spanOf(span), interval)} AS "__pt_b", ${label} AS "__pt_v", count(*) AS "__pt_n", ${score} AS "__pt_s" ` +
    `FROM ${source} WHERE ${t} IS NOT NULL GROUP BY ${fn.selectKeys(['__pt_b', '__pt_v'])}`;
  const perValue =
    `SELECT "__pt_v" AS "value", sum("__pt_n") AS "count", if(${fn.isFinite('sum("__pt_s")')}, sum("__pt_s"), NULL) AS "score" FROM (${perBucket}) GROUP BY "__pt_v"`;
  return fn.withTable('__pt_values', perValue, (table) =>
    `SELECT "value", "count", "score", (SELECT count("value") FROM ${table}) AS "series", (SELECT count(*) - count("value") FROM ${table}) AS "nulls" FROM ${table} ` +
    `ORDER BY ${order} LIMIT ${fn.limitCount(ctx.param(keep))} BY "value" IS NULL`);
}

/** The series read by seriesQuery's statement. */
export function seriesSetOf(rows: unknown[][]): SeriesSet {
  const ranked: SeriesCount[] = [];
  let total = 0;
  let hasNull = false;
  for (const [value, count, score, series, nulls] of rows) {
    total = Number(series);
    hasNull = Number(nulls) > 0;
    if (value === null || value === undefined) continue;
    ranked.push({ value: String(value), count: Number(count), score: score === null || score === undefined || !Number.isFinite(Number(score)) ? null : Number(score) });
  }
  return { ranked, total, hasNull };
}

/** Highest score first (series without one after), then the most events, then by value in UTF-8 byte order (as DuckDB orders text). */
function byRank(a: SeriesCount, b: SeriesCount): number {
  if (a.score !== b.score) {
    if (a.score === null) return 1;
    if (b.score === null) return -1;
    return b.score - a.score;
  }
  return b.count - a.count || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value));
}

/** Buckets shown at most when `earliest=`/`latest=` set the range (Splunk caps its bins too). */
const MAX_RANGE_BUCKETS = 100_000;

/**
 * Every bucket of the search's time range, empty ones included, as Splunk shows it: from
 * `earliest=` to `latest=` (now when only `earliest=` is given), else from the first event to the
 * last. A range of more than 100,000 buckets falls back to the events' own.
 */
function bucketRange(ctx: Ctx, span: string, timeSpan: TimeSpan, interval: string, table: string): string {
  const fn = ctx.fn;
  const { earliest } = ctx.bounds;
  const latest = ctx.bounds.latest ?? (earliest ? ctx.now : undefined);
  const seconds = earliest && latest ? (latest.getTime() - earliest.getTime()) / 1000 : 0;
  if (!earliest || !latest || seconds <= 0 || seconds / spanSeconds(span) > MAX_RANGE_BUCKETS) {
    return fn.spanSeries(fn.timeMin('"_time"'), fn.timeMax('"_time"'), table, timeSpan, interval);
  }
  const time = (d: Date) => ctx.paramWith((params, name) => fn.timeParam(params, name, d.getTime()));
  const from = fn.spanBucket(time(earliest), timeSpan, interval);
  // latest is exclusive. One row in, when there is any event: no event, no row, as without bounds.
  const to = fn.spanBucket(fn.timeBefore(time(latest)), timeSpan, interval);
  return fn.spanSeries(from, to, `(SELECT 1 FROM ${table} LIMIT 1)`, timeSpan, interval);
}

/** The span (`5 minute`, see spanInterval) as seconds or months. */
function spanOf(span: string): TimeSpan {
  const [n, unit] = span.split(' ');
  const months = MONTHS_OF[unit!];
  return months ? { months: Number(n) * months } : { seconds: spanSeconds(span) };
}

/** Spans counted in months (DuckDB's time_bucket aligns them to months, not seconds). */
const MONTHS_OF: Record<string, number> = { month: 1, quarter: 3, year: 12 };

/** Types whose text is the same on every engine (not times, doubles or booleans: see fn.text). */
const TEXT_LABELS: ReadonlySet<string> = new Set(['keyword', 'text', 'ip', 'long']);

function fill(ctx: Ctx, sql: string, zero: boolean): string {
  return zero ? ctx.fn.coalesce(sql, '0') : sql;
}

/**
 * Column names for the series × aggregations: the value alone with one aggregation, else
 * `<aggregation>: <value>`. Values come from the logs: control characters become `?`, names are cut
 * at 200 characters, and a name already taken (or `_time`) gets a ` (2)`, ` (3)` … suffix.
 */
function columnNames(labels: string[], aggs: string[]): string[] {
  const taken = new Set(['_time']);
  const out: string[] = [];
  for (const label of labels) {
    for (const agg of aggs) {
      const base = (aggs.length === 1 ? label : `${agg}: ${label}`).replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 200) || '?';
      let name = base;
      for (let n = 2; taken.has(name); n++) name = `${base} (${n})`;
      taken.add(name);
      out.push(name);
    }
  }
  return out;
}
