/**
 * The allow-list of SPL functions and their DuckDB SQL. Arguments arrive as compiled SQL
 * expressions; nothing here ever sees user text, so a function the table lacks cannot be called.
 */
export interface EvalFunction {
  min: number;
  max: number;
  sql: (a: string[]) => string;
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

export const EVAL_FUNCTIONS: Record<string, EvalFunction> = {
  coalesce: one(1, MANY, fn('coalesce')),
  if: one(3, 3, (a) => `CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END`),
  case: one(2, MANY, (a) => {
    const arms: string[] = [];
    for (let i = 0; i + 1 < a.length; i += 2) arms.push(`WHEN ${a[i]} THEN ${a[i + 1]}`);
    return `CASE ${arms.join(' ')} END`;
  }),
  lower: text(one(1, 1, fn('lower'))),
  upper: text(one(1, 1, fn('upper'))),
  len: number(one(1, 1, (a) => `length(CAST(${a[0]} AS VARCHAR))`)),
  substr: integers(text(one(2, 3, (a) => `substr(CAST(${a[0]} AS VARCHAR), ${a.slice(1).map((x) => `CAST(${x} AS BIGINT)`).join(', ')})`)), 1, 2),
  // Splunk's replace is a regular-expression replace of every match; DuckDB's engine is RE2 (linear time).
  replace: text(one(3, 3, (a) => `regexp_replace(CAST(${a[0]} AS VARCHAR), ${a[1]}, ${a[2]}, 'g')`)),
  round: integers(number(one(1, 2, (a) => (a.length === 1 ? `round(${a[0]})` : `round(${a[0]}, CAST(${a[1]} AS INTEGER))`))), 1),
  strftime: text(one(2, 2, (a) => `strftime(${a[0]}, ${a[1]})`)),
  strptime: one(2, 2, (a) => `try_strptime(CAST(${a[0]} AS VARCHAR), ${a[1]})`),
  now: one(0, 0, () => 'current_timestamp'),
  time: one(0, 0, () => 'current_timestamp'),
  tostring: text(one(1, 1, (a) => `CAST(${a[0]} AS VARCHAR)`)),
  tonumber: number(one(1, 1, (a) => `TRY_CAST(${a[0]} AS DOUBLE)`)),
  abs: number(one(1, 1, fn('abs'))),
  ceil: number(one(1, 1, fn('ceil'))),
  ceiling: number(one(1, 1, fn('ceil'))),
  floor: number(one(1, 1, fn('floor'))),
  sqrt: number(one(1, 1, fn('sqrt'))),
  exp: number(one(1, 1, fn('exp'))),
  ln: number(one(1, 1, fn('ln'))),
  log: number(one(1, 2, (a) => (a.length === 1 ? `log10(${a[0]})` : `log(${a[1]}, ${a[0]})`))),
  pow: number(one(2, 2, fn('pow'))),
  isnull: one(1, 1, (a) => `(${a[0]} IS NULL)`),
  isnotnull: one(1, 1, (a) => `(${a[0]} IS NOT NULL)`),
  null: one(0, 0, () => 'NULL'),
  true: one(0, 0, () => 'TRUE'),
  false: one(0, 0, () => 'FALSE'),
  match: one(2, 2, (a) => `regexp_matches(CAST(${a[0]} AS VARCHAR), ${a[1]})`),
  like: one(2, 2, (a) => `(CAST(${a[0]} AS VARCHAR) LIKE ${a[1]})`),
  trim: text(one(1, 2, (a) => `trim(${a.join(', ')})`)),
  ltrim: text(one(1, 2, (a) => `ltrim(${a.join(', ')})`)),
  rtrim: text(one(1, 2, (a) => `rtrim(${a.join(', ')})`)),
  split: one(2, 2, (a) => `string_split(CAST(${a[0]} AS VARCHAR), ${a[1]})`),
  mvcount: number(one(1, 1, (a) => `len(${a[0]})`)),
  mvjoin: text(one(2, 2, (a) => `array_to_string(${a[0]}, ${a[1]})`)),
  mvindex: integers(one(2, 2, (a) => `list_extract(${a[0]}, CAST(${a[1]} AS BIGINT) + 1)`), 1),
  mvdedup: one(1, 1, (a) => `list_distinct(${a[0]})`),
  urldecode: text(one(1, 1, (a) => `url_decode(CAST(${a[0]} AS VARCHAR))`)),
  min: one(1, MANY, fn('least')),
  max: one(1, MANY, fn('greatest')),
  md5: one(1, 1, (a) => `md5(CAST(${a[0]} AS VARCHAR))`),
  sha256: one(1, 1, (a) => `sha256(CAST(${a[0]} AS VARCHAR))`),
  in: one(2, MANY, (a) => `(${a[0]} IN (${a.slice(1).join(', ')}))`),
};

/** How an aggregation reads its argument. */
export interface AggFunction {
  arg: 'none' | 'optional' | 'field';
  /** `x`: the argument, `t`: the time expression (for earliest/latest), `list`: the argument is a list column. */
  sql: (x: string, t: string, list: boolean) => string;
  /** The result is a list (values, list). */
  list?: boolean;
}

const num = (x: string) => `TRY_CAST(${x} AS DOUBLE)`;

/** Values list() keeps per group: the first 100, as Splunk's `list_maxsize` (limits.conf). */
export const LIST_MAXSIZE = 100;
const firstValues = (list: string) => `list_slice(${list}, 1, ${LIST_MAXSIZE})`;
const agg = (arg: AggFunction['arg'], sql: AggFunction['sql'], list = false): AggFunction => ({ arg, sql, list });

export const AGG_FUNCTIONS: Record<string, AggFunction> = {
  count: agg('optional', (x) => (x ? `count(${x})` : 'count(*)')),
  c: agg('optional', (x) => (x ? `count(${x})` : 'count(*)')),
  dc: agg('field', (x, _t, l) => (l ? `len(list_distinct(flatten(list(${x}))))` : `count(DISTINCT ${x})`)),
  distinct_count: agg('field', (x, _t, l) => (l ? `len(list_distinct(flatten(list(${x}))))` : `count(DISTINCT ${x})`)),
  // A list column contributes its elements, as a Splunk multivalue field does.
  // DISTINCT inside the aggregate keeps the per-group list small (a plain list() held every row's value first).
  values: agg('field', (x, _t, l) => `list_sort(list_distinct(${l ? `flatten(list(DISTINCT ${x}))` : `list(DISTINCT ${x})`}))`, true),
  list: agg('field', (x, _t, l) => firstValues(l ? `flatten(list(${x}) FILTER (WHERE ${x} IS NOT NULL))` : `list(${x}) FILTER (WHERE ${x} IS NOT NULL)`), true),
  earliest: agg('field', (x, t) => `arg_min(${x}, ${t})`),
  latest: agg('field', (x, t) => `arg_max(${x}, ${t})`),
  earliest_time: agg('field', (x, t) => `min(${t}) FILTER (WHERE ${x} IS NOT NULL)`),
  latest_time: agg('field', (x, t) => `max(${t}) FILTER (WHERE ${x} IS NOT NULL)`),
  first: agg('field', (x) => `first(${x}) FILTER (WHERE ${x} IS NOT NULL)`),
  last: agg('field', (x) => `last(${x}) FILTER (WHERE ${x} IS NOT NULL)`),
  min: agg('field', (x) => `min(${x})`),
  max: agg('field', (x) => `max(${x})`),
  avg: agg('field', (x) => `avg(${num(x)})`),
  mean: agg('field', (x) => `avg(${num(x)})`),
  sum: agg('field', (x) => `sum(${num(x)})`),
  median: agg('field', (x) => `median(${num(x)})`),
  mode: agg('field', (x) => `mode(${x})`),
  range: agg('field', (x) => `max(${num(x)}) - min(${num(x)})`),
  stdev: agg('field', (x) => `stddev_samp(${num(x)})`),
  stdevp: agg('field', (x) => `stddev_pop(${num(x)})`),
  var: agg('field', (x) => `var_samp(${num(x)})`),
  varp: agg('field', (x) => `var_pop(${num(x)})`),
};

/** `perc95`, `p99`, `exactperc50`, `upperperc90`: a percentile aggregation and its fraction. */
export function percentile(name: string): number | null {
  const m = /^(?:perc|p|exactperc|upperperc)(\d{1,2}(?:\.\d+)?|100)$/.exec(name);
  return m ? Number(m[1]) / 100 : null;
}
