import type { Agg, Expr } from './ast.js';
import type { SqlExpressions } from '../../store/expressions.js';
import { NORMALIZERS } from './aliases.js';
import { quoteIdent, type Ctx, type Ref, type Scope } from './context.js';
import { suggest } from './errors.js';
import { compileExpr, isListExpr } from './expr.js';
import { AGG_FUNCTIONS, LIST_MAXSIZE, percentile, type AggFunction } from './functions.js';
import { requirePortable } from './portable.js';

/** An aggregation of stats or timechart, compiled: its output name, its SQL and whether it is a list. */
export interface CompiledAgg {
  name: string;
  sql: string;
  list: boolean;
  type?: 'long' | 'double' | 'date' | undefined;
  /**
   * How the aggregation is computed in two steps, where it can be with the same answer: `sql` over
   * finer groups first, then `combine` of those values (the column `partial`) per group.
   */
  combine?: ((partial: string) => string) | undefined;
}

/**
 * Aggregations whose answer over a group is an aggregation of their answers over parts of it
 * (earliest/latest only of the time itself: of another field, tied times could pick another value).
 */
const COMBINED: Record<string, (fn: SqlExpressions, x: string, t: string) => ((partial: string) => string) | undefined> = {
  count: (fn) => (p) => fn.sumCounts(p),
  c: (fn) => (p) => fn.sumCounts(p),
  min: () => (p) => `min(${p})`,
  max: () => (p) => `max(${p})`,
  earliest: (_fn, x, t) => (x === t ? (p) => `min(${p})` : undefined),
  latest: (_fn, x, t) => (x === t ? (p) => `max(${p})` : undefined),
  earliest_time: () => (p) => `min(${p})`,
  latest_time: () => (p) => `max(${p})`,
  values: (fn) => (p) => fn.valuesOfLists(p),
};

/** Aggregations whose value is one of the field's own values: a time stays a time (min(_time) as firstTime). */
const ONE_OF_THE_VALUES = new Set(['min', 'max', 'earliest', 'latest', 'first', 'last']);

/** Aggregations whose value depends on the order of the rows (stats numbers its input for them: `order`). */
export const ORDERED_AGGREGATIONS: ReadonlySet<string> = new Set(['list', 'first', 'last']);

/**
 * `over`: a window (` OVER (…)`) each aggregate runs over (streamstats), or '' for GROUP BY;
 * `order`: a column numbering the input rows in their order, for ORDERED_AGGREGATIONS (stats).
 */
export function compileAggs(ctx: Ctx, scope: Scope, aggs: Agg[], taken: string[], over = '', order = ''): CompiledAgg[] {
  const names = new Set(taken);
  return expandWildcards(ctx, scope, aggs, taken).map((a) => {
    const fn = a.fn.text.toLowerCase();
    const pct = percentile(fn);
    const spec: AggFunction | null = Object.hasOwn(AGG_FUNCTIONS, fn) ? AGG_FUNCTIONS[fn]! : pct !== null ? { arg: 'field', sql: () => '', list: false } : null;
    if (!spec) {
      const hint = suggest(fn, [...Object.keys(AGG_FUNCTIONS), 'perc95']);
      throw ctx.error(`unknown aggregation '${a.fn.text}'${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, a.fn);
    }
    requirePortable(ctx, 'aggregation', pct !== null ? 'median' : fn, a.fn);
    if (ORDERED_AGGREGATIONS.has(fn) && !order && !over) ctx.native(`${fn}() outside stats (where the rows' order is not carried)`, a.fn);
    if (spec.arg === 'field' && !a.field && !a.expr) throw ctx.error(`${fn}() needs a field, as in ${fn}(bytes)`, a.fn);
    const ref = a.expr ? evalRef(ctx, scope, a, fn) : a.field ? ctx.resolve(scope, a.field) : null;
    const t = /^(earliest|latest)/.test(fn) ? ctx.time(scope, a.fn) : '';
    if (ref?.list && !['count', 'c', 'min', 'max'].includes(fn)) ctx.native(`${fn}() of a field holding several values`, a.fn);
    const sql = pct !== null ? (over ? `quantile_cont(TRY_CAST(${ref!.sql} AS DOUBLE), CAST(${ctx.param(pct)} AS DOUBLE))${over}` : ctx.fn.quantileCont(ctx.fn.tryDouble(ref!.sql), pct)) : spec.sql(ref?.sql ?? '', t, ref?.list ?? false, over, ctx.fn, order);
    if (fn === 'list') ctx.warn(`list() keeps the first ${LIST_MAXSIZE} values of each group, as Splunk's list_maxsize does`);
    const name = a.as ? ctx.outName(a.as) : a.label;
    if (names.has(name)) throw ctx.error(`two fields would be named '${name}': add 'as <name>'`, a.as ?? a.fn);
    names.add(name);
    const type = pct !== null ? 'double' : (spec.type ?? (ONE_OF_THE_VALUES.has(fn) && ref?.type === 'date' && !ref.list ? 'date' : undefined));
    const combine = !over && pct === null && !ref?.list && Object.hasOwn(COMBINED, fn) ? COMBINED[fn]!(ctx.fn, ref?.sql ?? '', t) : undefined;
    return { name, sql, list: spec.list ?? false, type, combine };
  });
}

/**
 * `stats … by <normalized field>` (`url`): grouped by the value as stored first, then the groups'
 * values normalized and their aggregations combined, so the normalization (a regular expression)
 * runs once per distinct value instead of once per event. Same rows as grouping by the normalized
 * value at once; undefined (group at once) when no key is normalized or an aggregation cannot be
 * combined. Events without a key value are in no group.
 */
export function normalizedStats(ctx: Ctx, by: readonly { name: string; ref: Ref }[], aggs: readonly CompiledAgg[], from: string): string | undefined {
  if (!by.some((b) => b.ref.unnormalized !== undefined) || aggs.some((a) => !a.combine)) return undefined;
  const key = (i: number) => `__pt_k${i}`;
  const partial = (i: number) => quoteIdent(`__pt_a${i}`);
  const stored = (ref: Ref) => ref.unnormalized ?? ref.sql;
  const tested = by.filter((b) => !b.ref.notNull).map((b) => `${stored(b.ref)} IS NOT NULL`);
  const parts = [...by.map((b, i) => `${stored(b.ref)} AS ${quoteIdent(key(i))}`), ...aggs.map((a, i) => `${a.sql} AS ${partial(i)}`)];
  const groups = `SELECT ${parts.join(', ')} FROM ${from}${tested.length ? ` WHERE ${tested.join(' AND ')}` : ''} GROUP BY ${ctx.fn.selectKeys(by.map((_, i) => key(i)))}`;
  const keys = by.map((b, i) => {
    const k = quoteIdent(key(i));
    return `${b.ref.unnormalized !== undefined ? NORMALIZERS[b.ref.normalize!]!.sql(k, ctx.fn) : k} AS ${quoteIdent(b.name)}`;
  });
  const select = [...keys, ...aggs.map((a, i) => `${a.combine!(partial(i))} AS ${quoteIdent(a.name)}`)];
  const positions = ctx.fn.selectKeys(by.map((b) => b.name));
  return `SELECT ${select.join(', ')} FROM (${groups}) AS "__pt_groups" GROUP BY ${positions} ORDER BY ${positions}`;
}

/** Operators and functions whose value is true or false. */
const BOOLEAN_OPS = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=', 'and', 'or', 'xor']);
const BOOLEAN_FUNCTIONS = new Set(['isnull', 'isnotnull', 'isnum', 'isint', 'isstr', 'isbool', 'match', 'like', 'cidrmatch', 'searchmatch', 'true', 'false', 'in']);

function isBoolean(e: Expr): boolean {
  switch (e.kind) {
    case 'bin':
      return BOOLEAN_OPS.has(e.op.text.toLowerCase());
    case 'unary':
      return e.op.text !== '-';
    case 'in':
    case 'like':
      return true;
    case 'const':
      return e.value !== 'null';
    case 'call':
      return BOOLEAN_FUNCTIONS.has(e.name.text.toLowerCase());
    default:
      return false;
  }
}

/**
 * `fn(eval(<expression>)) as name`: the expression's value per event. A true/false expression
 * counts the events where it is true (`count(eval(status>=400))`): false is no value, as in Splunk;
 * other aggregations of a true/false value are refused. Splunk requires the `as` name.
 */
function evalRef(ctx: Ctx, scope: Scope, a: Agg, fn: string): Ref {
  const e = a.expr!;
  if (!a.as) throw ctx.error(`${a.fn.text}(eval(…)) needs a name, as Splunk requires: add 'as <name>'`, a.fn);
  if (isBoolean(e)) {
    if (fn !== 'count' && fn !== 'c') throw ctx.error(`${a.fn.text}() of a true/false expression is not supported (count(eval(…)) counts where it is true)`, a.fn);
    return { sql: `(CASE WHEN ${compileExpr(ctx, scope, e)} THEN 1 END)`, list: false };
  }
  return { sql: compileExpr(ctx, scope, e), list: isListExpr(ctx, scope, e) };
}

/**
 * `by` fields that hold lists (`related.ip`, `event.category`) group by each value, as Splunk
 * groups by each value of a multivalue field: an event counts once in every group of its values.
 * The relation gets a row per value, in a column of its own, and the field reads that column.
 */
export function expandMultivalue(refs: Ref[], from: string, fn: SqlExpressions): { from: string; refs: Ref[] } {
  let rel = from;
  const out = refs.map((ref, i) => {
    if (!ref.list) return ref;
    const col = `"__pt_mv${i}"`;
    rel = `(SELECT *, ${fn.unnestList(ref.sql)} AS ${col} FROM ${rel}) AS "__pt_mv${i}_rows"`;
    return { sql: col, list: false };
  });
  return { from: rel, refs: out };
}

/**
 * `values(*) as *`, `dc(src_*) as dc_*`: one aggregation per field the pattern matches, named by
 * the `as` pattern (or `fn(field)`). Only fields the relation has by name can be listed: on raw
 * events (every field of every sourcetype) the construct is refused.
 */
function expandWildcards(ctx: Ctx, scope: Scope, aggs: Agg[], taken: string[]): Agg[] {
  const out: Agg[] = [];
  for (const a of aggs) {
    if (!a.field?.text.includes('*')) {
      out.push(a);
      continue;
    }
    const f = a.field;
    if (scope.base) throw ctx.error(`${a.fn.text}(${f.text}) over raw events is not supported: name the fields, or keep them with fields/table first`, f);
    const parts = f.text.split('*');
    const re = new RegExp(`^${parts.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('(.*)')}$`);
    const as = a.as?.text;
    if (as && (as.match(/\*/g) ?? []).length > parts.length - 1) throw ctx.error(`'${as}' has more * than '${f.text}'`, a.as!);
    for (const col of scope.cols.keys()) {
      const m = re.exec(col);
      if (!m || taken.includes(col)) continue;
      let k = 0;
      const name = as ? as.replace(/\*/g, () => m[++k] ?? '') : `${a.fn.text}(${col})`;
      const tok = { ...f, text: col };
      out.push({ fn: a.fn, field: tok, as: { ...(a.as ?? f), text: name }, label: name });
    }
  }
  return out;
}
