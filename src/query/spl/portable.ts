import type { Located } from './errors.js';
import { quoteIdent, type Ctx, type Scope } from './context.js';

/**
 * What the SPL compiler writes through the store's dialect (`ctx.fn`, src/store/expressions.ts), so
 * that it runs on every engine. The rest of the compiler's SQL is in DuckDB's words: on another
 * engine (`fn.nativeSpl` false: ClickHouse) those constructs are refused naming the construct, never
 * run to give a different answer. src/query/spl/engines.test.ts compares the answers of both engines.
 */

/** Commands whose SQL goes through the dialect (subsearches, CIDR and list fields inside them are checked where they compile). */
export const PORTABLE_COMMANDS: ReadonlySet<string> = new Set(['search', 'where', 'eval', 'stats', 'sort', 'head', 'table', 'fields', 'rename', 'top', 'rare', 'bin', 'bucket',
  'timechart', 'dedup', 'tail', 'eventstats', 'fillnull', 'inputlookup', 'lookup', 'append', 'regex', 'rex', 'makemv',
  'iplocation', 'join', 'streamstats', 'convert', 'tstats', 'addtotals', 'mvexpand']);

/** Eval functions whose SQL goes through the dialect (or is SQL every engine reads alike). */
export const PORTABLE_EVAL_FUNCTIONS: ReadonlySet<string> = new Set([
  'coalesce', 'if', 'case', 'lower', 'upper', 'len', 'abs', 'floor', 'ceil', 'ceiling', 'sqrt', 'exp', 'pow',
  'isnull', 'isnotnull', 'null', 'true', 'false', 'like', 'in', 'replace', 'round',
  // text and math (issue 24, through the dialect's SPL functions: src/store/spl-functions.ts)
  'trim', 'ltrim', 'rtrim', 'substr', 'urldecode', 'min', 'max', 'md5', 'sha1', 'sha256', 'match', 'tonumber', 'validate', 'nullif',
  'ln', 'log', 'exact', 'pi', 'acos', 'asin', 'atan', 'cos', 'sin', 'tan', 'hypot', 'cidrmatch',
  // multivalue
  'mvappend', 'mvcount', 'mvindex', 'mvjoin', 'mvdedup', 'mvsort', 'mvfind', 'mvfilter', 'mvmap', 'mvzip', 'mvrange', 'split',
  // time
  'now', 'relative_time',
  // issue 24, session 5
  'strftime', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'atan2',
]);

/** stats aggregations whose SQL goes through the dialect (percentiles `percNN` too). */
export const PORTABLE_AGGREGATIONS: ReadonlySet<string> = new Set([
  'count', 'c', 'dc', 'distinct_count', 'values', 'earliest', 'latest', 'min', 'max', 'avg', 'mean', 'sum', 'median', 'mode', 'range',
  'stdev', 'stdevp', 'var', 'varp',
  'earliest_time', 'latest_time',
  // in the input's order (stats numbers its rows for them)
  'list', 'first', 'last',
]);

/** Refuses a command, an eval function or an aggregation outside these lists on an engine that is not DuckDB. */
export function requirePortable(ctx: Ctx, kind: 'command' | 'function' | 'aggregation', name: string, at: Located): void {
  if (ctx.fn.nativeSpl) return;
  const list = kind === 'command' ? PORTABLE_COMMANDS : kind === 'function' ? PORTABLE_EVAL_FUNCTIONS : PORTABLE_AGGREGATIONS;
  if (list.has(name)) return;
  ctx.native(kind === 'command' ? `the ${name} command` : kind === 'function' ? `the eval function ${name}()` : `the aggregation ${name}()`, at);
}

/**
 * Every column of the relation but `drop`, then `extra` (SQL select items): `* EXCLUDE (…)` where
 * the engine reads it (DuckDB); elsewhere the columns by name (ClickHouse 18.16 has no `* EXCEPT`):
 * the scope's own, and on events the catalog columns the tables read hold (see heldColumns).
 * Columns a command added without naming them in the scope (row numbers) are dropped too.
 */
export function allBut(ctx: Ctx, scope: Scope, drop: readonly string[], extra: readonly string[], what: string, at: Located): string {
  if (!drop.length) return ['*', ...extra].join(', ');
  if (ctx.fn.nativeSpl) return [`* EXCLUDE (${drop.map(quoteIdent).join(', ')})`, ...extra].join(', ');
  const names = relationColumns(ctx, scope, what, at).filter((c) => !drop.includes(c));
  return [...names.map(quoteIdent), ...extra].join(', ');
}

/**
 * The relation's columns by name, in the scope's order (engines without `* EXCLUDE`/`* REPLACE`): its
 * own, and on events the catalog columns the tables read hold. Refused on events when the store's
 * tables were not given to the compiler.
 */
export function relationColumns(ctx: Ctx, scope: Scope, what: string, at: Located): string[] {
  const held = scope.base ? heldColumns(ctx) : null;
  if (scope.base && !held) ctx.native(`${what} of a field the events hold when the store's tables are not known (keep the fields with table or fields first)`, at);
  return [...scope.cols.keys()].filter((c) => !held || !ctx.catalog.has(c) || held.has(c));
}

/**
 * `SELECT` of the relation with the values of columns replaced (`* REPLACE (…)` where the engine
 * reads it) and `add` (select items) after them. Elsewhere the columns are listed in their order,
 * the new values computed under other names first: ClickHouse reads `f(x) AS x` as a cyclic alias.
 */
export function replacing(ctx: Ctx, scope: Scope, replace: readonly (readonly [string, string])[], add: readonly string[], from: string, what: string, at: Located): string {
  const more = add.length ? `, ${add.join(', ')}` : '';
  if (!replace.length) return `SELECT *${more} FROM ${from}`;
  if (ctx.fn.nativeSpl) return `SELECT * REPLACE (${replace.map(([name, sql]) => `${sql} AS ${quoteIdent(name)}`).join(', ')})${more} FROM ${from}`;
  const at_ = new Map(replace.map(([name], i) => [name, i]));
  const inner = `SELECT *, ${replace.map(([, sql], i) => `${sql} AS "__pt_new${i}"`).join(', ')} FROM ${from}`;
  const cols = relationColumns(ctx, scope, what, at).map((c) => (at_.has(c) ? `"__pt_new${at_.get(c)!}" AS ${quoteIdent(c)}` : quoteIdent(c)));
  return `SELECT ${cols.join(', ')}${more} FROM (${inner})`;
}

/**
 * The catalog columns raw events hold here: those of the tables the pipeline reads (pinned
 * datasets), else those of every dataset table (the events view unites them); null when the store's
 * tables were not given to the compiler.
 */
function heldColumns(ctx: Ctx): ReadonlySet<string> | null {
  if (ctx.available) return ctx.available;
  if (!ctx.tables) return null;
  return new Set([...ctx.tables.values()].flatMap((columns) => [...columns]));
}
