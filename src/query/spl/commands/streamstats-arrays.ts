import type { Agg } from '../ast.js';
import { compileAggs } from '../aggs.js';
import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { Located } from '../errors.js';
import type { Token } from '../lexer.js';
import { allBut } from '../portable.js';
import { numbered } from './order.js';
import { keep, q, ROW, type Stage } from './stage.js';

/**
 * streamstats' aggregations over an array of the window's values (ClickHouse's arrayReduce: NULL
 * values skipped, NULL over none but for counts), and whether they read the values as numbers (as
 * the DuckDB form does: sum(TRY_CAST(x AS DOUBLE))).
 */
const STREAM_AGGREGATES: Readonly<Record<string, { reduce: string; number: boolean }>> = {
  count: { reduce: 'count', number: false },
  c: { reduce: 'count', number: false },
  sum: { reduce: 'sum', number: true },
  avg: { reduce: 'avg', number: true },
  mean: { reduce: 'avg', number: true },
  min: { reduce: 'min', number: false },
  max: { reduce: 'max', number: false },
  dc: { reduce: 'uniqExact', number: false },
  distinct_count: { reduce: 'uniqExact', number: false },
};

export interface ArrayStreamstats {
  aggs: Agg[];
  by: { tok: Token; ref: Ref }[];
  current: boolean;
  /** The window's size in results (0: every result before). */
  window: number;
}

/**
 * streamstats on an engine without window functions (ClickHouse 18.16), with the answers of the
 * DuckDB form (streamstats.ts): the results numbered in input order; per by group, its row numbers
 * and each aggregation's values collected in that order; each position's window (the last `window`
 * values up to it, itself unless current=false) reduced; the values joined back on the row number
 * (a result missing a by field gets none), in input order. Values are Nullable: over an empty window a minimum is NULL, not 0. Each group is held whole in memory, and
 * each position reads its window (an unbounded window: quadratic in the group's size).
 */
export function streamstatsByArrays(ctx: Ctx, scope: Scope, s: ArrayStreamstats, from: string, at: Located): Stage {
  const fn = ctx.fn;
  // Names, types and checks as the DuckDB form (the window clause here is not used).
  const compiled = compileAggs(ctx, scope, s.aggs, s.by.map((b) => b.tok.text), ' OVER ()');
  if (compiled.length !== s.aggs.length) ctx.native('streamstats of fields named by a wildcard', at);
  const values = s.aggs.map((a) => {
    const name = a.fn.text.toLowerCase();
    const spec = Object.hasOwn(STREAM_AGGREGATES, name) ? STREAM_AGGREGATES[name]! : undefined;
    if (!spec) return ctx.native(`streamstats ${name}()`, a.fn) as never;
    if (a.expr) ctx.native(`streamstats ${name}(eval(…))`, a.fn);
    const ref = a.field ? ctx.resolve(scope, a.field) : null;
    if (ref?.list) ctx.native(`streamstats ${name}() of a field holding several values`, a.fn);
    return { reduce: spec.reduce, sql: ref ? (spec.number ? fn.tryDouble(ref.sql) : ref.sql) : '1' };
  });
  const present = s.by.map((b) => `${b.ref.sql} IS NOT NULL`).join(' AND ');
  const rows = numbered(ctx, scope, from, at);
  const inOrder = (v: string) => `arrayMap(t -> t.2, arraySort(groupArray((${ROW}, ${v}))))`;
  const groups =
    `SELECT ${[`arraySort(groupArray(${ROW})) AS "__pt_rs"`, ...values.map((v, j) => `${inOrder(fn.nullable(v.sql))} AS "__pt_v${j}"`)].join(', ')} FROM ${rows}` +
    (s.by.length ? ` WHERE ${present} GROUP BY ${s.by.map((b) => b.ref.sql).join(', ')}` : '');
  // The window of position i (1-based): [start, i] with the current result, [start, i − 1] without.
  const i = 'toInt64("__pt_i")';
  const last = s.current ? i : `${i} - 1`;
  const start = s.window ? `greatest(${last} - ${s.window - 1}, 1)` : '1';
  const window = (j: number) => `arraySlice("__pt_v${j}", ${start}, greatest(${last} - ${start} + 1, 0))`;
  const streamed =
    `SELECT arrayJoin(arrayEnumerate("__pt_rs")) AS "__pt_i", arrayElement("__pt_rs", "__pt_i") AS ${ROW}, ` +
    `${values.map((v, j) => `${fn.nullable(`arrayReduce('${v.reduce}', ${window(j)})`)} AS "__pt_g${j}"`).join(', ')} FROM (${groups})`;
  // An aggregation named as an existing field replaces it.
  const replaced = compiled.filter((a) => scope.cols.has(a.name)).map((a) => a.name);
  const select = allBut(ctx, scope, [ROW, ...replaced], compiled.map((a, j) => `"__pt_g${j}" AS ${q(a.name)}`), 'streamstats', at);
  const cols = new Map<string, ColInfo>(scope.cols);
  for (const a of compiled) cols.set(a.name, a.type ? { list: a.list, type: a.type } : { list: a.list });
  return keep(`SELECT ${select} FROM ${fn.leftJoinUsing(rows, `(${streamed})`, [ROW])} ORDER BY ${ROW}`, { ...scope, cols, sorted: true });
}
