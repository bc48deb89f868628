import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { Located } from '../errors.js';
import type { LookupTable } from '../lookups/catalog.js';
import { allBut } from '../portable.js';
import { inputOrder } from './order.js';
import { keep, q, type Stage } from './stage.js';

/**
 * `lookup` on an engine without the joins DuckDB's form uses (ClickHouse 18.16: no QUALIFY, no
 * window functions, equality joins only): the table's columns bound as lists, and each result's
 * matching rows found among them (their places, in file order, the first max_matches kept). Same
 * answers as lookup.ts: an output is the first non-null value of the matched rows (one match at
 * most) or their non-null values (several); default_match when nothing matched and min_matches=1.
 */
export interface ArrayLookup {
  table: LookupTable;
  inputs: { column: string; ref: Ref }[];
  outputs: { column: string; name: string }[];
  single: boolean;
  outputNew: boolean;
  existing: (name: string) => Ref | null;
}

export function lookupByLists(ctx: Ctx, scope: Scope, l: ArrayLookup, from: string, at: Located): Stage {
  const { table } = l;
  const other = l.inputs.find((i) => (table.matchTypes.get(i.column) ?? 'exact') !== 'exact');
  if (other) ctx.native(`lookup with ${table.matchTypes.get(other.column)!.toUpperCase()}(${other.column}) matching`, at);
  const list = (column: string) => {
    const k = table.columns.indexOf(column);
    return ctx.paramWith((params, name) => ctx.fn.nullableTextListParam(params, name, table.rows.map((r) => r[k] ?? null)));
  };
  const fold = (x: string) => (table.caseSensitive ? x : ctx.fn.lower(x));
  // The places (1-based, file order) of the rows whose matched columns equal the result's fields.
  // 18.16 loses columns named only inside a lambda (Unknown identifier once a later stage prunes
  // them): each result's value enters as an argument, repeated to the table's length.
  const keys = l.inputs.map((i) => ({ list: list(i.column), value: fold(ctx.fn.text(i.ref.sql)) }));
  const first = keys[0]!.list;
  const args = keys.flatMap((k) => [k.list, `arrayResize(CAST([] AS Array(Nullable(String))), length(${first}), ${k.value})`]);
  const vars = keys.flatMap((_, n) => [`__pt_k${n}`, `__pt_x${n}`]);
  const cond = keys.map((_, n) => `${fold(`__pt_k${n}`)} = __pt_x${n}`).join(' AND ');
  const places = `arraySlice(arrayFilter((__pt_i, ${vars.join(', ')}) -> ${ctx.fn.coalesce(`(${cond})`, ctx.fn.falseValue)}, arrayEnumerate(${first}), ${args.join(', ')}), 1, ${Math.trunc(table.maxMatches)})`;
  const cols = new Map<string, ColInfo>(scope.cols);
  const dests = l.outputs.map((o) => {
    const values = `arrayFilter(__pt_v -> isNotNull(__pt_v), arrayMap(__pt_j -> arrayElement(${list(o.column)}, __pt_j), ${places}))`;
    let value = l.single ? `if(empty(${values}), NULL, arrayElement(${values}, 1))` : values;
    if (table.minMatches === 1 && table.defaultMatch !== null) {
      const d = ctx.param(table.defaultMatch);
      value = `if(empty(${places}), ${l.single ? d : `[${d}]`}, ${value})`;
    }
    const prior = l.outputNew ? l.existing(o.name) : null;
    if (prior) {
      if (!l.single || prior.list || (prior.type !== undefined && !['keyword', 'text', 'ip'].includes(prior.type)))
        ctx.native(`lookup OUTPUTNEW into '${o.name}', which holds ${prior.list ? 'several values' : 'a time or a number'}`, at);
      value = ctx.fn.coalesce(prior.sql, value);
    }
    cols.set(o.name, { list: !l.single, ...(l.single ? { type: 'keyword' as const } : {}) });
    return `${value} AS ${q(o.name)}`;
  });
  const replaced = l.outputs.map((o) => o.name).filter((n) => scope.cols.has(n));
  const order = inputOrder(ctx, scope, at);
  return keep(`SELECT ${allBut(ctx, scope, replaced, dests, 'lookup output', at)} FROM ${from}${order ? ` ${order}` : ''}`, { ...scope, cols, sorted: true });
}
