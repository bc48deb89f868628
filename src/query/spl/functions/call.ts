import type { Expr } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import type { Located } from '../errors.js';

/**
 * What a function that compiles itself (EvalFunction.compile) gets: its arguments as SQL, whether
 * each holds several values, literal arguments as text, and a way to compile an expression in another
 * scope (mvfilter and mvmap bind a field to each value).
 */
export interface Call {
  ctx: Ctx;
  scope: Scope;
  name: string;
  args: Expr[];
  at: Located;
  sql(i: number): string;
  isList(i: number): boolean;
  /** The argument as a string literal's text; a field or expression there is a compile error naming `what`. */
  literal(i: number, what: string): string;
  compileIn(scope: Scope, e: Expr): string;
}

/** The argument as a list: a list as it is, one value as a list of it (Splunk's single value is a one-value multivalue). */
export function asList(call: Call, i: number): string {
  const sql = call.sql(i);
  return call.isList(i) ? sql : call.ctx.fn.listOf(sql);
}

/** A list that is NULL when empty: Splunk has no empty multivalue. */
export function nonEmpty(call: Call, list: string): string {
  return call.ctx.fn.nonEmptyList(list);
}
