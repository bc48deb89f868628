import type { Call } from './functions/call.js';
import { valueKind } from './expr.js';
import { MATH_FUNCTIONS } from './functions/math.js';
import { MULTIVALUE_FUNCTIONS } from './functions/multivalue.js';
import { TEXT_FUNCTIONS } from './functions/text.js';
import { TIME_FUNCTIONS } from './functions/time.js';
import type { SqlExpressions } from '../../store/expressions.js';

/**
 * The allow-list of SPL functions and their DuckDB SQL. Arguments arrive as compiled SQL
 * expressions; nothing here ever sees user text, so a function the table lacks cannot be called.
 */
export interface EvalFunction {
  min: number;
  max: number;
  /** The SQL from the arguments' SQL; or `compile`, for functions that need more (literal arguments, list-ness, the context). */
  sql?: (a: string[]) => string;
  compile?: (call: Call) => string;
  /** It returns a list (a multivalue). */
  list?: boolean;
  /** What it returns, where that is always the same: comparisons with it then need no type test. */
  returns?: 'number' | 'text';
  /** Arguments (0-based) DuckDB takes as whole numbers: a literal one past MAX_INTEGER_ARG is a compile error. */
  integerArgs?: number[];
}

/** The largest literal an integer argument takes (a position, a count of digits): DuckDB's INTEGER. */
export const MAX_INTEGER_ARG = 2 ** 31 - 1;

const fn = (name: string) => (a: string[]) => `${name}(${a.join(', ')})`;
const one = (min: number, max: number, sql: (a: string[]) => string): EvalFunction => ({ min, max, sql });
const text = (f: EvalFunction): EvalFunction => ({ ...f, returns: 'text' });
const number = (f: EvalFunction): EvalFunction => ({ ...f, returns: 'number' });
const integers = (f: EvalFunction, ...integerArgs: number[]): EvalFunction => ({ ...f, integerArgs });
const MANY = 64;
/** Every argument is known to be a number (engines that unite no integers with doubles compare them as doubles). */
const allNumbers = (c: Call) => c.args.every((a) => valueKind(c.ctx, c.scope, a) === 'number');

export const EVAL_FUNCTIONS: Record<string, EvalFunction> = {
  coalesce: { min: 1, max: MANY, compile: (c) => c.ctx.fn.coalesce(...c.args.map((_, i) => c.sql(i))) },
  if: one(3, 3, (a) => `CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END`),
  case: one(2, MANY, (a) => {
    const arms: string[] = [];
    for (let i = 0; i + 1 < a.length; i += 2) arms.push(`WHEN ${a[i]} THEN ${a[i + 1]}`);
    return `CASE ${arms.join(' ')} END`;
  }),
  lower: text({ min: 1, max: 1, compile: (c) => c.ctx.fn.lower(c.sql(0)) }),
  upper: text({ min: 1, max: 1, compile: (c) => c.ctx.fn.upper(c.sql(0)) }),
  len: number({ min: 1, max: 1, compile: (c) => c.ctx.fn.textLength(c.ctx.fn.text(c.sql(0))) }),
  substr: integers(text({ min: 2, max: 3, compile: (c) => c.ctx.fn.substring(c.sql(0), c.sql(1), c.args.length === 3 ? c.sql(2) : undefined) }), 1, 2),
  round: integers(number(one(1, 2, (a) => (a.length === 1 ? `round(${a[0]})` : `round(${a[0]}, CAST(${a[1]} AS INTEGER))`))), 1),
  abs: number(one(1, 1, fn('abs'))),
  ceil: number(one(1, 1, fn('ceil'))),
  ceiling: number(one(1, 1, fn('ceil'))),
  floor: number(one(1, 1, fn('floor'))),
  sqrt: number(one(1, 1, fn('sqrt'))),
  exp: number(one(1, 1, fn('exp'))),
  ln: number(one(1, 1, fn('ln'))),
  log: number({ min: 1, max: 2, compile: (c) => (c.args.length === 1 ? `log10(${c.sql(0)})` : c.ctx.fn.logBase(c.sql(0), c.sql(1))) }),
  pow: number(one(2, 2, fn('pow'))),
  // A list is no value when it has none (engines without NULL lists keep it empty).
  isnull: { min: 1, max: 1, compile: (c) => `(${c.isList(0) ? c.ctx.fn.listCount(c.sql(0)) : c.sql(0)} IS NULL)` },
  isnotnull: { min: 1, max: 1, compile: (c) => `(${c.isList(0) ? c.ctx.fn.listCount(c.sql(0)) : c.sql(0)} IS NOT NULL)` },
  null: one(0, 0, () => 'NULL'),
  true: { min: 0, max: 0, compile: (c) => c.ctx.fn.trueValue },
  false: { min: 0, max: 0, compile: (c) => c.ctx.fn.falseValue },
  like: { min: 2, max: 2, compile: (c) => `(${c.ctx.fn.text(c.sql(0))} LIKE ${c.sql(1)})` },
  urldecode: text({ min: 1, max: 1, compile: (c) => c.ctx.fn.urlDecode(c.ctx.fn.text(c.sql(0))) }),
  min: { min: 1, max: MANY, compile: (c) => c.ctx.fn.least(c.args.map((_, i) => c.sql(i)), allNumbers(c)) },
  max: { min: 1, max: MANY, compile: (c) => c.ctx.fn.greatest(c.args.map((_, i) => c.sql(i)), allNumbers(c)) },
  md5: { min: 1, max: 1, compile: (c) => c.ctx.fn.hashHex('md5', c.sql(0)) },
  sha256: { min: 1, max: 1, compile: (c) => c.ctx.fn.hashHex('sha256', c.sql(0)) },
  in: one(2, MANY, (a) => `(${a[0]} IN (${a.slice(1).join(', ')}))`),
  sha1: { min: 1, max: 1, compile: (c) => c.ctx.fn.hashHex('sha1', c.sql(0)) },
  ...TIME_FUNCTIONS,
  ...MULTIVALUE_FUNCTIONS,
  ...TEXT_FUNCTIONS,
  ...MATH_FUNCTIONS,
};

/** How an aggregation reads its argument. */
export interface AggFunction {
  arg: 'none' | 'optional' | 'field';
  /**
   * `x`: the argument, `t`: the time expression (for earliest/latest), `list`: the argument is a list
   * column, `over`: a window (` OVER (…)`, eventstats/streamstats) put after each aggregate call, or '';
   * `fn`: the store's SQL expressions (what differs per engine); `order`: a column numbering the
   * rows in input order (stats), for list()/first()/last(), or '' where there is none.
   */
  sql: (x: string, t: string, list: boolean, over: string, fn: SqlExpressions, order: string) => string;
  /** The result is a list (values, list). */
  list?: boolean;
  /** The result's type where it is always the same (counts, sums): comparisons and fillnull keep it. */
  type?: 'long' | 'double';
}

/** Values list() keeps per group: the first 100, as Splunk's `list_maxsize` (limits.conf). */
export const LIST_MAXSIZE = 100;
const firstValues = (list: string) => `list_slice(${list}, 1, ${LIST_MAXSIZE})`;
const agg = (arg: AggFunction['arg'], sql: AggFunction['sql'], list = false): AggFunction => ({ arg, sql, list });
const long = (f: AggFunction): AggFunction => ({ ...f, type: 'long' });
const double = (f: AggFunction): AggFunction => ({ ...f, type: 'double' });

export const AGG_FUNCTIONS: Record<string, AggFunction> = {
  count: long(agg('optional', (x, _t, _l, o) => (x ? `count(${x})${o}` : `count(*)${o}`))),
  c: long(agg('optional', (x, _t, _l, o) => (x ? `count(${x})${o}` : `count(*)${o}`))),
  dc: long(agg('field', (x, _t, l, o) => (l ? `len(list_distinct(flatten(list(${x})${o})))` : `count(DISTINCT ${x})${o}`))),
  distinct_count: long(agg('field', (x, _t, l, o) => (l ? `len(list_distinct(flatten(list(${x})${o})))` : `count(DISTINCT ${x})${o}`))),
  // A list column contributes its elements, as a Splunk multivalue field does.
  // DISTINCT inside the aggregate keeps the per-group list small (a plain list() held every row's value first).
  values: agg('field', (x, _t, l, o, fn) => (l || o ? `list_sort(list_distinct(${l ? `flatten(list(DISTINCT ${x})${o})` : `list(DISTINCT ${x})${o}`}))` : fn.valuesSorted(x)), true),
  // In the rows' order where it is known (stats numbers them): Splunk lists values as the events come, newest first.
  list: agg('field', (x, _t, l, o, fn, order) =>
    order && !l && !o ? fn.listHead(fn.listSortedIf(x, order, `${x} IS NOT NULL`), LIST_MAXSIZE)
      : firstValues(l ? `flatten(list(${x}) FILTER (WHERE ${x} IS NOT NULL)${o})` : `list(${x}) FILTER (WHERE ${x} IS NOT NULL)${o}`), true),
  earliest: agg('field', (x, t, _l, o, fn) => `${fn.argMin(x, t)}${o}`),
  latest: agg('field', (x, t, _l, o, fn) => `${fn.argMax(x, t)}${o}`),
  earliest_time: agg('field', (x, t, _l, o, fn) => `${fn.earliestTimeOf(t, x)}${o}`),
  latest_time: agg('field', (x, t, _l, o, fn) => `${fn.latestTimeOf(t, x)}${o}`),
  // The value of the first (last) row in input order that has one.
  first: agg('field', (x, _t, _l, o, fn, order) => (order && !o ? fn.argMin(x, `CASE WHEN ${x} IS NOT NULL THEN ${order} END`) : `first(${x}) FILTER (WHERE ${x} IS NOT NULL)${o}`)),
  last: agg('field', (x, _t, _l, o, fn, order) => (order && !o ? fn.argMax(x, `CASE WHEN ${x} IS NOT NULL THEN ${order} END`) : `last(${x}) FILTER (WHERE ${x} IS NOT NULL)${o}`)),
  min: agg('field', (x, _t, _l, o) => `min(${x})${o}`),
  max: agg('field', (x, _t, _l, o) => `max(${x})${o}`),
  avg: double(agg('field', (x, _t, _l, o, fn) => `avg(${fn.tryDouble(x)})${o}`)),
  mean: double(agg('field', (x, _t, _l, o, fn) => `avg(${fn.tryDouble(x)})${o}`)),
  sum: double(agg('field', (x, _t, _l, o, fn) => `sum(${fn.tryDouble(x)})${o}`)),
  median: double(agg('field', (x, _t, _l, o, fn) => (o ? `median(${fn.tryDouble(x)})${o}` : fn.quantileCont(fn.tryDouble(x), 0.5)))),
  mode: agg('field', (x, _t, _l, o, fn) => (o ? `mode(${x})${o}` : fn.mode(x))),
  range: double(agg('field', (x, _t, _l, o, fn) => `max(${fn.tryDouble(x)})${o} - min(${fn.tryDouble(x)})${o}`)),
  stdev: double(agg('field', (x, _t, _l, o, fn) => `${fn.stddevSamp(fn.tryDouble(x))}${o}`)),
  stdevp: double(agg('field', (x, _t, _l, o, fn) => `${fn.stddevPop(fn.tryDouble(x))}${o}`)),
  var: double(agg('field', (x, _t, _l, o, fn) => `${fn.varSamp(fn.tryDouble(x))}${o}`)),
  varp: double(agg('field', (x, _t, _l, o, fn) => `${fn.varPop(fn.tryDouble(x))}${o}`)),
};

/** `perc95`, `p99`, `exactperc50`, `upperperc90`: a percentile aggregation and its fraction. */
export function percentile(name: string): number | null {
  const m = /^(?:perc|p|exactperc|upperperc)(\d{1,2}(?:\.\d+)?|100)$/.exec(name);
  return m ? Number(m[1]) / 100 : null;
}
