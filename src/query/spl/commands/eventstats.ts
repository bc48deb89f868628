import type { Agg } from '../ast.js';
import { compileAggs } from '../aggs.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { names, parseAggs } from '../parse-args.js';
import { flag, readOptions } from './options.js';
import { inputOrder } from './order.js';
import { commandModule } from './registry.js';
import { keep, q, ROW, type Stage } from './stage.js';
import { allBut } from '../portable.js';
import type { CompiledAgg } from '../aggs.js';
import type { ColInfo, Ctx, Scope } from '../context.js';
import type { Located } from '../errors.js';

interface Eventstats {
  aggs: Agg[];
  by: Token[];
}

/**
 * `eventstats <aggregations> [by <fields>]`: stats of each group added to every result of the group,
 * the results and their order unchanged. A result missing a by field is in no group: it gets no
 * values. An aggregation named as an existing field replaces it, as in Splunk.
 */
export const eventstats = commandModule<Eventstats>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'eventstats', ['allnum']);
    if (flag(options, 'allnum', false, c.query)) throw c.error('allnum=true is not supported', options.get('allnum'));
    const aggs = parseAggs(c);
    const by = c.eatWord('by') ? names(c, 'a field name after by') : [];
    return { aggs, by };
  },
  compile(ctx, scope, e, from, tok) {
    const by = e.by.map((t) => ({ tok: t, ref: ctx.resolve(scope, t) }));
    const multi = by.find((b) => b.ref.list);
    if (multi) throw ctx.error(`eventstats by '${multi.tok.text}', which holds several values, is not supported`, multi.tok);
    const aggs = compileAggs(ctx, scope, e.aggs, e.by.map((t) => t.text));
    if (!ctx.fn.nativeSpl) return portableEventstats(ctx, scope, by.map((b) => b.ref.sql), aggs, from, tok);
    const keys = by.map((b, i) => `${b.ref.sql} AS "__pt_k${i}"`);
    const groups = `SELECT ${[...keys, ...aggs.map((a) => `${a.sql} AS ${q(a.name)}`)].join(', ')} FROM ${from}` + (by.length ? ` WHERE ${by.map((b) => `${b.ref.sql} IS NOT NULL`).join(' AND ')} GROUP BY ${by.map((_, i) => i + 1).join(', ')}` : '');
    const replaced = aggs.filter((a) => scope.cols.has(a.name)).map((a) => q(a.name));
    const on = by.length ? by.map((_, i) => `r."__pt_k${i}" = g."__pt_k${i}"`).join(' AND ') : 'TRUE';
    const rows = `(SELECT *, ${[...keys, `row_number() OVER (${inputOrder(ctx, scope, tok)}) AS ${ROW}`].join(', ')} FROM ${from})`;
    const sql =
      `SELECT r.* EXCLUDE (${[ROW, ...by.map((_, i) => `"__pt_k${i}"`), ...replaced].join(', ')}), ${aggs.map((a) => `g.${q(a.name)}`).join(', ')} ` +
      `FROM ${rows} AS r LEFT JOIN (${groups}) AS g ON ${on} ORDER BY r.${ROW}`;
    const cols = new Map<string, ColInfo>(scope.cols);
    for (const a of aggs) cols.set(a.name, a.type ? { list: a.list, type: a.type } : { list: a.list });
    return keep(sql, { ...scope, cols, sorted: true });
  },
});

/**
 * eventstats without window functions or `* EXCLUDE` (engines other than DuckDB): the numbered rows
 * joined with their group's values on the by keys (a result missing one is in no group: it matches
 * nothing and reads NULL), the columns listed by name, in input order.
 */
function portableEventstats(ctx: Ctx, scope: Scope, by: string[], aggs: CompiledAgg[], from: string, at: Located): Stage {
  const fn = ctx.fn;
  // Without by, every row joins the one group on a constant key.
  const keys = by.length ? by.map((_, i) => `__pt_k${i}`) : ['__pt_k0'];
  const keyOf = (i: number) => (by.length ? `${by[i]} AS ${q(keys[i]!)}` : `0 AS ${q(keys[i]!)}`);
  const values = aggs.map((a, j) => `${fn.nullable(a.sql)} AS ${q(`__pt_g${j}`)}`);
  const groups =
    `SELECT ${[...keys.map((_, i) => keyOf(i)), ...values].join(', ')} FROM ${from}` +
    (by.length ? ` WHERE ${by.map((b) => `${b} IS NOT NULL`).join(' AND ')} GROUP BY ${fn.selectKeys(keys)}` : '');
  const rows = `(SELECT *, ${keys.map((_, i) => keyOf(i)).join(', ')} FROM ${fn.numberedRows(from, inputOrder(ctx, scope, at), ROW)})`;
  // An aggregation named as an existing field replaces it.
  const replaced = aggs.filter((a) => scope.cols.has(a.name)).map((a) => a.name);
  const select = allBut(ctx, scope, [ROW, ...keys, ...replaced], aggs.map((a, j) => `${q(`__pt_g${j}`)} AS ${q(a.name)}`), 'eventstats', at);
  const cols = new Map(scope.cols);
  for (const a of aggs) cols.set(a.name, a.type ? { list: a.list, type: a.type } : { list: a.list });
  return keep(`SELECT ${select} FROM ${fn.leftJoinUsing(rows, `(${groups})`, keys.map(q))} ORDER BY ${ROW}`, { ...scope, cols, sorted: true });
}
