import type { Agg } from './ast.js';
import type { Ctx, Ref, Scope } from './context.js';
import { suggest } from './errors.js';
import { AGG_FUNCTIONS, LIST_MAXSIZE, percentile, type AggFunction } from './functions.js';

/** An aggregation of stats or timechart, compiled: its output name, its SQL and whether it is a list. */
export interface CompiledAgg {
  name: string;
  sql: string;
  list: boolean;
  type?: 'long' | 'double' | undefined;
}

/** `over`: a window (` OVER (…)`) each aggregate runs over (streamstats), or '' for GROUP BY. */
export function compileAggs(ctx: Ctx, scope: Scope, aggs: Agg[], taken: string[], over = ''): CompiledAgg[] {
  const names = new Set(taken);
  return aggs.map((a) => {
    const fn = a.fn.text.toLowerCase();
    const pct = percentile(fn);
    const spec: AggFunction | null = Object.hasOwn(AGG_FUNCTIONS, fn) ? AGG_FUNCTIONS[fn]! : pct !== null ? { arg: 'field', sql: () => '', list: false } : null;
    if (!spec) {
      const hint = suggest(fn, [...Object.keys(AGG_FUNCTIONS), 'perc95']);
      throw ctx.error(`unknown aggregation '${a.fn.text}'${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, a.fn);
    }
    if (spec.arg === 'field' && !a.field) throw ctx.error(`${fn}() needs a field, as in ${fn}(bytes)`, a.fn);
    const ref = a.field ? ctx.resolve(scope, a.field) : null;
    const t = /^(earliest|latest)/.test(fn) ? ctx.time(scope, a.fn) : '';
    const sql = pct !== null ? `quantile_cont(TRY_CAST(${ref!.sql} AS DOUBLE), CAST(${ctx.param(pct)} AS DOUBLE))${over}` : spec.sql(ref?.sql ?? '', t, ref?.list ?? false, over);
    if (fn === 'list') ctx.warn(`list() keeps the first ${LIST_MAXSIZE} values of each group, as Splunk's list_maxsize does`);
    const name = a.as ? ctx.outName(a.as) : a.label;
    if (names.has(name)) throw ctx.error(`two fields would be named '${name}': add 'as <name>'`, a.as ?? a.fn);
    names.add(name);
    return { name, sql, list: spec.list ?? false, type: pct !== null ? 'double' : spec.type };
  });
}

/**
 * `by` fields that hold lists (`related.ip`, `event.category`) group by each value, as Splunk
 * groups by each value of a multivalue field: an event counts once in every group of its values.
 * The relation gets a row per value, in a column of its own, and the field reads that column.
 */
export function expandMultivalue(refs: Ref[], from: string): { from: string; refs: Ref[] } {
  let rel = from;
  const out = refs.map((ref, i) => {
    if (!ref.list) return ref;
    const col = `"__pt_mv${i}"`;
    rel = `(SELECT *, unnest(${ref.sql}) AS ${col} FROM ${rel}) AS "__pt_mv${i}_rows"`;
    return { sql: col, list: false };
  });
  return { from: rel, refs: out };
}
