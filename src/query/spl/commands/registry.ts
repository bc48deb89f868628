import type { Ctx, Scope } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { LexMode, Token } from '../lexer.js';
import type { Stage } from './stage.js';

/**
 * A command in a module of its own: how its arguments are tokenized, its parser (to a node of its
 * own type) and its compiler. The parser knows the core commands itself (parser.ts); every other
 * command is listed in MODULES (commands/index.ts).
 */
export interface CommandModule<N = unknown> {
  mode: LexMode;
  parse(c: Cursor, tok: Token): N;
  /** `first`: nothing comes before it in the pipeline (`| inputlookup …`). */
  compile(ctx: Ctx, scope: Scope, node: N, from: string, tok: Token, first: boolean): Stage;
  /** Starts a search of its own (`| inputlookup`, `| tstats`): only as the first command. */
  generating?: boolean;
}

/** A module with its node type erased, for the registry table. */
export function commandModule<N>(m: CommandModule<N>): CommandModule {
  return m as unknown as CommandModule;
}
