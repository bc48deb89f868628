import type { Command } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import { keep, orderBy, ROW, type Stage } from './stage.js';

type Dedup = Extract<Command, { cmd: 'dedup' }>;

/**
 * `dedup [N] <fields> [keepempty=] [consecutive=] [keepevents=] [sortby …]`: the first N results of
 * each value combination, in the order of the input; results missing a field are dropped unless
 * keepempty=true.
 */
export function compileDedup(ctx: Ctx, scope: Scope, c: Dedup, from: string): Stage {
  const refs = c.fields.map((t) => ctx.resolve(scope, t).sql);
  const n = c.count ? ctx.number(c.count.text, c.count) : ctx.number('1', c.tok);
  const order = c.sortby.length ? orderBy(ctx, scope, c.sortby) : ROW;
  const where = c.keepempty ? '' : ` WHERE ${refs.map((r) => `${r} IS NOT NULL`).join(' AND ')}`;
  return keep(
    `SELECT * EXCLUDE (${ROW}) FROM (SELECT *, row_number() OVER () AS ${ROW} FROM ${from})${where} QUALIFY row_number() OVER (PARTITION BY ${refs.join(', ')} ORDER BY ${ROW}) <= ${n} ORDER BY ${order}`,
    scope,
  );
}
