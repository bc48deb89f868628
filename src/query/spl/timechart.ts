import type { Command } from './ast.js';
import { quoteIdent, type ColInfo, type Ctx, type Scope } from './context.js';
import { spanInterval, spanSeconds, sqlTime } from './time.js';
import { compileAggs, expandMultivalue } from './aggs.js';

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
  const label = c.by ? `CAST(${refs[0]!.sql} AS VARCHAR)` : '';
  const interval = `CAST(${ctx.param(span)} AS INTERVAL)`;
  const limit = c.limit ? Number(/\d+$/.exec(c.limit.text)![0]) : DEFAULT_LIMIT;
  // Series one timechart may show: one column per series and aggregation.
  const maxColumns = ctx.caps.timechartColumns;
  const maxSeries = Math.max(1, Math.floor(maxColumns / c.aggs.length));
  if (c.by && !series) throw new SeriesNeeded(seriesQuery(ctx, scope, c, from, label, t, interval, limit > 0 ? Math.min(limit, maxSeries + 1) : maxSeries + 1));
  const aggs = compileAggs(ctx, scope, c.aggs, ['_time']);
  const zero = c.aggs.map((a) => ZERO_FILLED.test(a.fn.text));
  const aggCols = aggs.map((a, j) => `${a.sql} AS ${q(`__pt_a${j}`)}`);

  let long: string;
  let columns: { name: string; list: boolean; sql: string }[];
  if (!c.by) {
    long = `SELECT time_bucket(${interval}, ${t}) AS "_time", ${aggCols.join(', ')} FROM ${from} WHERE ${t} IS NOT NULL GROUP BY 1`;
    columns = aggs.map((a, j) => ({ name: a.name, list: a.list, sql: fill(`any_value(l.${q(`__pt_a${j}`)})`, zero[j]!) }));
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
    const inTop = top.length ? `${label} IN (${top.map((s) => ctx.param(s.value)).join(', ')})` : 'false';
    // NULL and OTHER are kinds of row, not values: a logged value "OTHER" stays a series of its own.
    const parts: { label: string; where: string }[] = top.map((s) => ({ label: s.value!, where: `l."__pt_kind" = 0 AND l."__pt_series" = ${ctx.param(s.value)}` }));
    if (c.usenull && series!.hasNull) parts.push({ label: 'NULL', where: 'l."__pt_kind" = 1' });
    if (c.useother && top.length < series!.total) parts.push({ label: 'OTHER', where: 'l."__pt_kind" = 2' });
    const keep = [...(c.usenull ? [] : [`${label} IS NOT NULL`]), ...(c.useother ? [] : [`(${label} IS NULL OR ${inTop})`])];
    long =
      `SELECT time_bucket(${interval}, ${t}) AS "_time", CASE WHEN ${label} IS NULL THEN 1 WHEN ${inTop} THEN 0 ELSE 2 END AS "__pt_kind", ` +
      `CASE WHEN ${inTop} THEN ${label} END AS "__pt_series", ${aggCols.join(', ')} FROM ${from} ` +
      `WHERE ${[`${t} IS NOT NULL`, ...keep].join(' AND ')} GROUP BY 1, 2, 3`;
    const names = columnNames(parts.map((p) => p.label), aggs.map((a) => a.name));
    columns = parts.flatMap((part, i) =>
      aggs.map((a, j) => ({
        name: names[i * aggs.length + j]!,
        list: a.list,
        sql: fill(`any_value(l.${q(`__pt_a${j}`)}) FILTER (WHERE ${part.where})`, zero[j]!),
      })),
    );
  }
  const select = ['g."_time"', ...columns.map((col) => `${col.sql} AS ${q(col.name)}`)].join(', ');
  const buckets = c.cont ? bucketRange(ctx, span, interval) : `SELECT DISTINCT "_time" FROM __pt_long`;
  return {
    sql: `WITH __pt_long AS MATERIALIZED (${long}) SELECT ${select} FROM (${buckets}) AS g LEFT JOIN __pt_long AS l ON l."_time" = g."_time" GROUP BY g."_time" ORDER BY g."_time"`,
    scope: { cols: new Map<string, ColInfo>([['_time', { list: false }], ...columns.map((col): [string, ColInfo] => [col.name, { list: col.list }])]), base: false },
  };
}

/**
 * Reads the `keep` highest ranked series (lowest with bottomN) with their event count and rank
 * score, in rank order, and on every row how many non-null series there are and whether events
 * without the field exist; the row of those (value NULL) is always kept. Only the first aggregation
 * is compiled here: every parameter the statement carries must appear in it.
 */
function seriesQuery(ctx: Ctx, scope: Scope, c: Timechart, from: string, label: string, t: string, interval: string, keep: number): string {
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
function bucketRange(ctx: Ctx, span: string, interval: string): string {
  const { earliest } = ctx.bounds;
  const latest = ctx.bounds.latest ?? (earliest ? ctx.now : undefined);
  const seconds = earliest && latest ? (latest.getTime() - earliest.getTime()) / 1000 : 0;
  if (!earliest || !latest || seconds <= 0 || seconds / spanSeconds(span) > MAX_RANGE_BUCKETS) {
    return `SELECT unnest(generate_series(min("_time"), max("_time"), ${interval})) AS "_time" FROM __pt_long`;
  }
  const from = `time_bucket(${interval}, CAST(${ctx.param(sqlTime(earliest))} AS TIMESTAMP))`;
  // latest is exclusive. One row in, when there is any event: no event, no row, as without bounds.
  const to = `time_bucket(${interval}, CAST(${ctx.param(sqlTime(latest))} AS TIMESTAMP) - INTERVAL 1 MICROSECOND)`;
  return `SELECT unnest(generate_series(${from}, ${to}, ${interval})) AS "_time" FROM (SELECT 1 FROM __pt_long LIMIT 1)`;
}

function fill(sql: string, zero: boolean): string {
  return zero ? `coalesce(${sql}, 0)` : sql;
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
