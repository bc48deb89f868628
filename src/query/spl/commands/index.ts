import type { Command } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import { CORE_HANDLERS } from './core.js';
import { addtotals } from './addtotals.js';
import { append } from './append.js';
import { bin } from './bin.js';
import { convert } from './convert.js';
import { eventstats } from './eventstats.js';
import { fillnull } from './fillnull.js';
import { foreach } from './foreach.js';
import { inputlookup } from './inputlookup.js';
import { iplocation } from './iplocation.js';
import { join } from './join.js';
import { lookup } from './lookup.js';
import { makemv } from './makemv.js';
import { mvexpand } from './mvexpand.js';
import { outputlookup } from './outputlookup.js';
import { regexCommand } from './regex-command.js';
import type { CommandModule } from './registry.js';
import { rex } from './rex.js';
import { requirePortable } from '../portable.js';
import { spath } from './spath.js';
import { streamstats } from './streamstats.js';
import { transaction } from './transaction.js';
import { tstats } from './tstats.js';
import type { Stage } from './stage.js';

export type { Stage } from './stage.js';
export type { CommandModule } from './registry.js';

/** Commands in modules of their own, by name (aliases such as bucket → bin listed twice). */
export const MODULES: Record<string, CommandModule> = {
  addtotals,
  append,
  bin,
  bucket: bin,
  convert,
  eventstats,
  fillnull,
  foreach,
  inputlookup,
  iplocation,
  join,
  lookup,
  makemv,
  mvexpand,
  outputlookup,
  regex: regexCommand,
  rex,
  spath,
  streamstats,
  transaction,
  tstats,
};

export function moduleFor(name: string): CommandModule | undefined {
  return Object.hasOwn(MODULES, name) ? MODULES[name] : undefined;
}

/** Compiles one command of the pipeline; `first` when nothing comes before it (`| inputlookup …`). */
export function compileCommand(ctx: Ctx, scope: Scope, cmd: Command, from: string, first: boolean): Stage {
  if (ctx.output) throw ctx.error('outputlookup must be the last command (the results it writes are the answer)', cmd.tok);
  requirePortable(ctx, 'command', cmd.cmd === 'module' ? cmd.name : cmd.cmd, cmd.tok);
  if (cmd.cmd === 'module') {
    const m = moduleFor(cmd.name)!;
    if (m.generating && !first) throw ctx.error(`${cmd.name} starts a search: it must be the first command, as in '| ${cmd.name} …'`, cmd.tok);
    return m.compile(ctx, scope, cmd.node, from, cmd.tok, first);
  }
  const handler = CORE_HANDLERS[cmd.cmd] as (c: Ctx, s: Scope, cmd: Command, from: string) => Stage;
  return handler(ctx, scope, cmd, from);
}
