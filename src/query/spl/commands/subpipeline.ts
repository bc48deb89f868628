import { EVENTS_VIEW } from '../../../store/store.js';
import type { Command } from '../ast.js';
import { DataNeeded, quoteIdent, type Ctx, type Scope } from '../context.js';
import { SplError } from '../errors.js';
import type { Token } from '../lexer.js';
import { parse } from '../parser.js';
import { SeriesNeeded } from '../timechart.js';
import { compileCommand } from './index.js';
import { inputOrder } from './order.js';

/**
 * The subsearch of `join`/`append` (`[search … | stats …]`, `[| inputlookup …]`) compiled as a
 * pipeline of its own: one statement (`WITH <prefix>1 AS (…) … SELECT …`) usable as a subquery.
 * It is parsed where it stands in the query, so errors point into the brackets.
 */
export function compileSubpipeline(ctx: Ctx, sub: Token, prefix: string, command: string): { sql: string; scope: Scope } {
  if (sub.kind !== 'subsearch') throw ctx.error(`${command} needs a subsearch in brackets, as in ${command} … [search … | stats …]`, sub);
  if (!sub.text.trim()) throw ctx.error(`the ${command} subsearch is empty`, sub);
  // The query with everything but the subsearch blanked: positions stay those of the whole query.
  const text = ' '.repeat(sub.pos + 1) + sub.text + ' '.repeat(Math.max(0, ctx.query.length - sub.end + 1));
  let commands: Command[];
  try {
    commands = parse(text);
  } catch (e) {
    if (e instanceof SplError) throw new SplError(`in the ${command} subsearch: ${e.reason}`, e.offset, e.length, ctx.query);
    throw e;
  }
  for (const c of commands) {
    const name = c.cmd === 'module' ? c.name : c.cmd;
    if (name === 'outputlookup' || name === 'timechart') throw ctx.error(`${name} in a ${command} subsearch is not supported`, c.tok);
  }
  let scope: Scope = { cols: new Map([...ctx.catalog.values()].map((c) => [c.name, { list: c.type === 'keyword[]', type: c.type }])), base: true };
  let from = quoteIdent(EVENTS_VIEW);
  const ctes: string[] = [];
  const statement = (select: string) => (ctes.length ? `SELECT * FROM (WITH ${ctes.join(',\n')}\n${select})` : select);
  for (const [i, cmd] of commands.entries()) {
    try {
      const stage = compileCommand(ctx, scope, cmd, from, i === 0);
      ctes.push(`${prefix}${ctes.length + 1} AS (\n  ${stage.sql}\n)`);
      from = `${prefix}${ctes.length}`;
      scope = stage.scope;
    } catch (e) {
      // A command needing data first (iplocation) reads it through the subsearch's own steps.
      if (e instanceof DataNeeded) throw new DataNeeded(e.key, statement(e.select));
      if (e instanceof SeriesNeeded) throw new SeriesNeeded(statement(e.select));
      throw e;
    }
  }
  const order = inputOrder(ctx, scope, sub);
  return { sql: statement(`SELECT * FROM ${from}${order ? ` ${order}` : ''}`), scope };
}
