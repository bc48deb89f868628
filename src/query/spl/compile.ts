import type { Column } from '../../store/schema.js';
import { EVENTS_VIEW } from '../../store/store.js';
import type { AliasTable } from './aliases.js';
import type { Command } from './ast.js';
import { HANDLERS, type Stage } from './commands.js';
import { Ctx, quoteIdent, type Param, type Scope } from './context.js';
import { parse } from './parser.js';

export interface CompileOptions {
  /** The column catalog (`allColumns(listFormats())`): the only identifiers a query may name. */
  catalog: readonly Column[];
  aliases: AliasTable;
  /** The time relative modifiers (-24h) count from; default: the current time. */
  now?: Date;
}

export interface CompiledSpl {
  sql: string;
  /** Bound parameters `$p1…`: every value the query carries. */
  params: Record<string, Param>;
}

/**
 * Compiles an SPL pipeline to one SQL statement over the `events` view: each command is a CTE
 * reading the previous one. The result keeps the order the last ordering command gave it.
 */
export function compileSpl(query: string, opts: CompileOptions): CompiledSpl {
  const commands = parse(query);
  const ctx = new Ctx(query, opts.catalog, opts.aliases, opts.now ?? new Date());
  let scope: Scope = { cols: new Map(opts.catalog.map((c) => [c.name, { list: c.type === 'keyword[]' }])), base: true };
  const ctes: string[] = [];
  let from = quoteIdent(EVENTS_VIEW);
  for (const cmd of commands) {
    const stage = (HANDLERS[cmd.cmd] as (c: Ctx, s: Scope, cmd: Command, from: string) => Stage)(ctx, scope, cmd, from);
    ctes.push(`s${ctes.length + 1} AS (\n  ${stage.sql}\n)`);
    from = `s${ctes.length}`;
    scope = stage.scope;
  }
  const final = scope.base ? eventColumns(ctx, scope) : '*';
  const sql = ctes.length ? `WITH ${ctes.join(',\n')}\nSELECT ${final} FROM ${from}` : `SELECT ${final} FROM ${from}`;
  return { sql, params: ctx.params };
}

/** Raw events: the default columns (the time as `_time`) and the fields the query added. */
function eventColumns(ctx: Ctx, scope: Scope): string {
  const cols = ctx.aliases.defaultFields.filter((c) => scope.cols.has(c)).map((c) => (c === 'timestamp' ? `"timestamp" AS "_time"` : quoteIdent(c)));
  const added = [...scope.cols.keys()].filter((k) => !ctx.catalog.has(k)).map(quoteIdent);
  return [...cols, ...added].join(', ') || '*';
}
