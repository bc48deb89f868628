import type { Command } from '../ast.js';
import { compilePipeline } from '../compile.js';
import type { Ctx, Scope } from '../context.js';
import { SplError } from '../errors.js';
import type { Token } from '../lexer.js';
import { parse } from '../parser.js';

/**
 * The subsearch of `join`/`append` (`[search … | stats …]`, `[| inputlookup …]`) compiled as a
 * pipeline of its own: one statement usable as a subquery. It is a search of its own, as in Splunk:
 * its context (ctx.child) pins its own sourcetypes and resolves its fields with their definitions,
 * not the outer search's. It is parsed where it stands in the query, so errors point into the brackets.
 */
export function compileSubpipeline(ctx: Ctx, sub: Token, prefix: string, command: string): { sql: string; scope: Scope } {
  if (sub.kind !== 'subsearch') throw ctx.error(`${command} needs a subsearch in brackets, as in ${command} … [search … | stats …]`, sub);
  if (!sub.text.trim()) throw ctx.error(`the ${command} subsearch is empty`, sub);
  // The query with everything but the subsearch blanked: positions stay those of the whole query.
  const text = ' '.repeat(sub.pos + 1) + sub.text + ' '.repeat(Math.max(0, ctx.query.length - sub.end + 1));
  const relocate = (e: unknown, prefixReason: boolean): never => {
    if (e instanceof SplError && e.query !== ctx.query) throw new SplError(prefixReason ? `in the ${command} subsearch: ${e.reason}` : e.reason, e.offset, e.length, ctx.query);
    throw e;
  };
  let commands: Command[];
  try {
    commands = parse(text);
  } catch (e) {
    return relocate(e, true);
  }
  for (const c of commands) {
    const name = c.cmd === 'module' ? c.name : c.cmd;
    if (name === 'outputlookup' || name === 'timechart') throw ctx.error(`${name} in a ${command} subsearch is not supported`, c.tok);
  }
  try {
    // The subsearch's rows are cut in order (join max=, the subsearch row limit): events newest first, as Splunk hands them on.
    const { sql, scope } = compilePipeline(ctx.child(text), commands, prefix, true);
    return { sql: `SELECT * FROM (${sql})`, scope };
  } catch (e) {
    return relocate(e, false);
  }
}
