import type { Command } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import { numbered } from './order.js';
import { keep, orderBy, q, ROW, type Stage } from './stage.js';

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
