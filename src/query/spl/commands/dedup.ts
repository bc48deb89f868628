import type { Command } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import { numbered } from './order.js';
import { keep, orderBy, q, ROW, type Stage } from './stage.js';
import { allBut } from '../portable.js';

type Dedup = Extract<Command, { cmd: 'dedup' }>;

/**
 * `dedup [N] <fields> [keepempty=] [consecutive=] [sortby …]`, as Splunk: the first N results of
 * each value combination in the order of the input (raw events newest first); results missing one of
 * the fields are dropped, or with keepempty=true all kept; consecutive=true removes only a result
 * equal to the one before it; sortby orders what is kept; keepevents=true keeps every result but
 * clears the dedup fields of the duplicates.
 */
export function compileDedup(ctx: Ctx, scope: Scope, c: Dedup, from: string): Stage {
  const refs = c.fields.map((t) => ctx.resolve(scope, t).sql);
  if (c.consecutive && c.count) throw ctx.error('dedup N with consecutive=true is not supported: give one or the other', c.count);
  const order = c.sortby.length ? orderBy(ctx, scope, c.sortby) : ROW;
  const missing = refs.map((r) => `${r} IS NULL`).join(' OR ');
  const rows = numbered(ctx, scope, from, c.tok);
  if (!ctx.fn.nativeSpl) return portableDedup(ctx, scope, c, refs, rows, order);
  if (c.keepevents) return keepEvents(ctx, scope, c, refs, rows, order);
  let sql: string;
  if (c.consecutive) {
    // Each result is compared with the previous one kept in the comparison (results missing a field
    // are not part of it: dropped, or kept as they are with keepempty=true).
    const same = refs.map((r, i) => `${r} IS NOT DISTINCT FROM "__pt_prev${i}"`).join(' AND ');
    const prev = refs.map((r, i) => `lag(${r}) OVER (ORDER BY ${ROW}) AS "__pt_prev${i}"`).join(', ');
    const complete = `SELECT *, ${prev} FROM ${rows} WHERE NOT (${missing})`;
    const kept = `SELECT * EXCLUDE (${refs.map((_, i) => `"__pt_prev${i}"`).join(', ')}) FROM (${complete}) WHERE NOT coalesce(${same}, FALSE)`;
    sql = c.keepempty ? `${kept} UNION ALL BY NAME SELECT * FROM ${rows} WHERE ${missing}` : kept;
  } else {
    const n = c.count ? ctx.number(c.count.text, c.count) : ctx.number('1', c.tok);
    const firsts = `SELECT * FROM ${rows} WHERE NOT (${missing}) QUALIFY row_number() OVER (PARTITION BY ${refs.join(', ')} ORDER BY ${ROW}) <= ${n}`;
    sql = c.keepempty ? `${firsts} UNION ALL BY NAME SELECT * FROM ${rows} WHERE ${missing}` : firsts;
  }
  return keep(`SELECT * EXCLUDE (${ROW}) FROM (${sql}) ORDER BY ${order}`, { ...scope, sorted: true });
}

/** keepevents=true: every result, the dedup fields of a duplicate (beyond the first N) emptied. */
function keepEvents(ctx: Ctx, scope: Scope, c: Dedup, refs: string[], rows: string, order: string): Stage {
  if (c.consecutive) throw ctx.error('dedup keepevents=true with consecutive=true is not supported', c.tok);
  const n = c.count ? ctx.number(c.count.text, c.count) : ctx.number('1', c.tok);
  const missing = refs.map((r) => `${r} IS NULL`).join(' OR ');
  // Results missing a field are not duplicates of anything: they keep their values.
  const kept = `(${missing} OR row_number() OVER (PARTITION BY ${refs.join(', ')} ORDER BY ${ROW}) <= ${n})`;
  const names = c.fields.map((f) => f.text);
  const own = names.filter((f) => scope.cols.has(f));
  const cleared = names.map((f, i) => `CASE WHEN "__pt_kept" THEN ${refs[i]} END AS ${q(f)}`);
  const marked = `SELECT *, ${kept} AS "__pt_kept" FROM ${rows}`;
  const sql = `SELECT * EXCLUDE (${[ROW, '"__pt_kept"', ...own.map(q)].join(', ')}), ${cleared.join(', ')} FROM (${marked}) ORDER BY ${order}`;
  const cols = new Map(scope.cols);
  c.fields.forEach((f) => cols.set(f.text, scope.cols.get(f.text) ?? { list: false }));
  return keep(sql, { ...scope, cols, sorted: true });
}

/**
 * dedup without window functions (engines other than DuckDB): the numbered rows' first N of each
 * value combination kept with LIMIT … BY (fn.topPerGroup); consecutive=true compares each complete
 * result with the one before it, joined by their number among the complete results.
 */
function portableDedup(ctx: Ctx, scope: Scope, c: Dedup, refs: string[], rows: string, order: string): Stage {
  const fn = ctx.fn;
  // Marking the duplicates would read the numbered rows twice, and sorted rows of equal keys may come numbered differently each time.
  if (c.keepevents) ctx.native('dedup keepevents=true', c.tok);
  const missing = refs.map((r) => `${r} IS NULL`).join(' OR ');
  let sql: string;
  if (c.consecutive) {
    const complete = fn.numberedRows(`(SELECT * FROM ${rows} WHERE NOT (${missing}))`, `ORDER BY ${ROW}`, '"__pt_r2"');
    const prevs = `SELECT "__pt_r2" + 1 AS "__pt_k", ${refs.map((r, i) => `${fn.nullable(r)} AS "__pt_prev${i}"`).join(', ')} FROM ${complete}`;
    const same = refs.map((r, i) => `${r} = "__pt_prev${i}"`).join(' AND ');
    const kept = `SELECT * FROM ${fn.leftJoinUsing(`(SELECT *, "__pt_r2" AS "__pt_k" FROM ${complete})`, `(${prevs})`, ['"__pt_k"'])} WHERE NOT ${fn.coalesce(`(${same})`, fn.falseValue)}`;
    // The relation's columns and the row number, in one order for both sides of UNION ALL.
    const cols = allBut(ctx, scope, ['__pt_r2', '__pt_k'], [ROW], 'dedup', c.tok);
    const own = `SELECT ${cols} FROM (${kept})`;
    sql = c.keepempty ? `${own} UNION ALL SELECT ${cols} FROM ${rows} WHERE ${missing}` : own;
  } else {
    const n = c.count ? ctx.limit(c.count.text, c.count) : ctx.limit('1', c.tok);
    const firsts = fn.topPerGroup({ inner: `SELECT * FROM ${rows} WHERE NOT (${missing})`, group: refs.join(', '), order: ROW, limit: n });
    sql = c.keepempty ? `${firsts} UNION ALL SELECT * FROM ${rows} WHERE ${missing}` : firsts;
  }
  return keep(`SELECT ${allBut(ctx, scope, [ROW], [], 'dedup', c.tok)} FROM (${sql}) ORDER BY ${order}`, { ...scope, sorted: true });
}
