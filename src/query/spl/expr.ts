import type { Expr } from './ast.js';
import type { Ctx, Scope } from './context.js';
import { suggest } from './errors.js';
import { AGG_FUNCTIONS, EVAL_FUNCTIONS, MAX_INTEGER_ARG } from './functions.js';
import type { Call } from './functions/call.js';
import { asEpoch, numberText } from './timefmt.js';
import { requirePortable } from './portable.js';

const CMP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ARITH: Record<string, string> = { '-': '-', '*': '*', '/': '/', '%': '%' };

/** Compiles an eval/where expression to SQL; literals become parameters, names resolve in the scope. */
export function compileExpr(ctx: Ctx, scope: Scope, e: Expr): string {
  const sub = (x: Expr) => compileExpr(ctx, scope, x);
  switch (e.kind) {
    case 'lit':
      return e.type === 'string' ? ctx.param(e.tok.text) : ctx.number(e.tok.text, e);
    case 'const': {
      const v = e.value.toUpperCase();
      return v === 'TRUE' ? ctx.fn.trueValue : v === 'FALSE' ? ctx.fn.falseValue : v;
    }
    case 'field':
      return ctx.resolve(scope, e.tok).sql;
    case 'call': {
      const name = e.name.text.toLowerCase();
      const f = Object.hasOwn(EVAL_FUNCTIONS, name) ? EVAL_FUNCTIONS[name] : undefined;
      if (!f) {
        const agg = Object.hasOwn(AGG_FUNCTIONS, name) ? ' (an aggregation: use it in stats)' : '';
        const hint = suggest(name, Object.keys(EVAL_FUNCTIONS));
        throw ctx.error(`unknown function '${e.name.text}'${agg}${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, e.name);
      }
      requirePortable(ctx, 'function', name, e.name);
      if (e.args.length < f.min || e.args.length > f.max) {
        const want = f.min === f.max ? `${f.min}` : f.max > 32 ? `at least ${f.min}` : `${f.min} to ${f.max}`;
        throw ctx.error(`${name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${e.args.length}`, e);
      }
      for (const i of f.integerArgs ?? []) {
        const a = e.args[i];
        if (a?.kind === 'lit' && a.type === 'number' && !(Math.abs(Number(a.tok.text)) <= MAX_INTEGER_ARG)) {
          throw ctx.error(`${name}() argument ${i + 1} must be a whole number up to ${MAX_INTEGER_ARG}, found '${a.tok.text}'`, a);
        }
      }
      if (f.compile) return f.compile(callOf(ctx, scope, name, e));
      return f.sql!(e.args.map(sub));
    }
    case 'bin': {
      const op = e.op.text.toLowerCase();
      const l = sub(e.left);
      const r = sub(e.right);
      if (op === 'and' || op === 'or') return `(${l} ${op.toUpperCase()} ${r})`;
      if (op === 'xor') return `((${l}) <> (${r}))`;
      if (op === '.') return `(${ctx.fn.text(l)} || ${ctx.fn.text(r)})`;
      // Splunk's + concatenates when a side is a string literal.
      if (op === '+' && (isString(e.left) || isString(e.right))) return `(${ctx.fn.text(l)} || ${ctx.fn.text(r)})`;
      if (ARITH[op] || op === '+') {
        // Splunk computes on numbers: numeric text counts as its number, a time as its epoch seconds.
        const [lk, rk] = [valueKind(ctx, scope, e.left), valueKind(ctx, scope, e.right)];
        if (lk === 'number' && rk === 'number') return `(${l} ${ARITH[op] ?? '+'} ${r})`;
        ctx.native(`'${e.op.text}' on a value that may be text or a time`, e.op);
        const [ln, rn] = [lk === 'number' ? l : asEpoch(l), rk === 'number' ? r : asEpoch(r)];
        if (op !== '+') return `(${ln} ${ARITH[op]} ${rn})`;
        // + adds numbers and joins two texts; a number and a text give nothing. With a number on one
        // side the sum is a number; two values of unknown kinds give text (the sum written as Splunk writes it).
        if (lk === 'number' || rk === 'number') return `(${ln} + ${rn})`;
        return `(CASE WHEN ${ln} IS NOT NULL AND ${rn} IS NOT NULL THEN ${numberText(`(${ln} + ${rn})`)} WHEN ${ln} IS NULL AND ${rn} IS NULL THEN CAST(${l} AS VARCHAR) || CAST(${r} AS VARCHAR) END)`;
      }
      const sql = CMP[op] ?? ARITH[op];
      if (!sql) throw ctx.error(`unsupported operator '${e.op.text}'`, e.op);
      if (CMP[op] && isTimeExpr(ctx, scope, e.left) !== isTimeExpr(ctx, scope, e.right)) {
        // A time against another value (a lookup's firstTimeSeen text, a number): a Splunk time is its
        // epoch seconds, compared as a number when the other side is one, else as its text.
        ctx.native('comparing a time with another kind of value', e.op);
        const [ln, rn] = [asEpoch(l), asEpoch(r)];
        const text = (x: string, n: string, time: boolean) => (time ? numberText(n) : `CAST(${x} AS VARCHAR)`);
        return `(CASE WHEN ${ln} IS NOT NULL AND ${rn} IS NOT NULL THEN ${ln} ${sql} ${rn} ELSE ${text(l, ln, isTimeExpr(ctx, scope, e.left))} ${sql} ${text(r, rn, isTimeExpr(ctx, scope, e.right))} END)`;
      }
      if (CMP[op] && mixed(valueKind(ctx, scope, e.left), valueKind(ctx, scope, e.right))) {
        // Splunk compares as numbers when both sides are numbers (or numeric text), else as text.
        const [ln, rn] = [ctx.fn.tryDouble(l), ctx.fn.tryDouble(r)];
        return `(CASE WHEN ${ln} IS NOT NULL AND ${rn} IS NOT NULL THEN ${ln} ${sql} ${rn} ELSE ${ctx.fn.text(l)} ${sql} ${ctx.fn.text(r)} END)`;
      }
      return `(${l} ${sql} ${r})`;
    }
    case 'unary':
      return e.op.text === '-' ? `(- ${sub(e.arg)})` : `(NOT ${sub(e.arg)})`;
    case 'in':
      return `(${sub(e.arg)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(sub).join(', ')}))`;
    case 'like':
      return `(${ctx.fn.text(sub(e.arg))} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${sub(e.pattern)})`;
  }
}

/** Functions whose value is a time (a TIMESTAMP here; epoch seconds in Splunk). */
const TIME_FUNCTIONS = new Set(['now', 'relative_time', 'time', 'strptime']);

/** Whether an expression is known to hold a time: a time function or a field of type date (`_time`). */
function isTimeExpr(ctx: Ctx, scope: Scope, e: Expr): boolean {
  if (e.kind === 'call') return TIME_FUNCTIONS.has(e.name.text.toLowerCase());
  if (e.kind === 'field') return ctx.resolve(scope, e.tok).type === 'date';
  return false;
}

/** What a side of a comparison holds, as far as the compiler knows; 'other' is left to DuckDB. */
export type ValueKind = 'number' | 'text' | 'unknown' | 'other';

export function valueKind(ctx: Ctx, scope: Scope, e: Expr): ValueKind {
  if (e.kind === 'lit') return e.type === 'string' ? 'text' : 'number';
  if (e.kind === 'bin') {
    if (ARITH[e.op.text]) return 'number';
    if (e.op.text === '.' || (e.op.text === '+' && (isString(e.left) || isString(e.right)))) return 'text';
    if (e.op.text === '+' && valueKind(ctx, scope, e.left) === 'number' && valueKind(ctx, scope, e.right) === 'number') return 'number';
    return 'unknown';
  }
  if (e.kind === 'call') {
    const name = e.name.text.toLowerCase();
    // A choice between values is of their kind when they agree (null() is of every kind).
    const choices = name === 'if' && e.args.length === 3 ? e.args.slice(1) : name === 'case' ? e.args.filter((_, i) => i % 2 === 1) : name === 'coalesce' ? e.args : null;
    if (choices) {
      const kinds = new Set(choices.filter((a) => !((a.kind === 'call' && a.name.text.toLowerCase() === 'null') || (a.kind === 'const' && a.value === 'null'))).map((a) => valueKind(ctx, scope, a)));
      return kinds.size === 1 ? [...kinds][0]! : 'unknown';
    }
    return (Object.hasOwn(EVAL_FUNCTIONS, name) && EVAL_FUNCTIONS[name]!.returns) || 'unknown';
  }
  if (e.kind !== 'field') return 'unknown';
  const type = ctx.resolve(scope, e.tok).type;
  if (type === undefined) return 'unknown';
  if (type === 'long' || type === 'double') return 'number';
  return type === 'keyword' || type === 'text' || type === 'ip' ? 'text' : 'other';
}

/** Sides of different kinds, or of a known kind and an unknown one (`where x > 3` after `eval x=…`, `status = "200"`). */
function mixed(a: ValueKind, b: ValueKind): boolean {
  if (a === 'other' || b === 'other' || a === b) return false;
  return a !== 'unknown' || b !== 'unknown';
}

function isString(e: Expr): boolean {
  return e.kind === 'lit' && e.type === 'string';
}

/**
 * Whether an expression is never null on any event, as far as its form shows: a literal, a
 * coalesce with such an argument, an if whose both values are such. Lets stats skip testing a
 * `by` value for null (the add-on's `errorCode` falls back to "success").
 */
export function neverNull(e: Expr): boolean {
  if (e.kind === 'lit') return true;
  if (e.kind === 'const') return e.value !== 'null';
  if (e.kind !== 'call') return false;
  const name = e.name.text.toLowerCase();
  if (name === 'coalesce') return e.args.some(neverNull);
  if (name === 'if') return e.args.length === 3 && neverNull(e.args[1]!) && neverNull(e.args[2]!);
  return false;
}

/** Whether an expression holds several values: a list field, or a function returning a multivalue. */
export function isListExpr(ctx: Ctx, scope: Scope, e: Expr): boolean {
  if (e.kind === 'field') return ctx.resolve(scope, e.tok).list;
  if (e.kind !== 'call') return false;
  const name = e.name.text.toLowerCase();
  const f = Object.hasOwn(EVAL_FUNCTIONS, name) ? EVAL_FUNCTIONS[name]! : undefined;
  if (name === 'mvindex') return e.args.length === 3;
  if (name === 'coalesce' || name === 'if' || name === 'case') {
    const values = name === 'if' ? e.args.slice(1) : name === 'case' ? e.args.filter((_, i) => i % 2 === 1) : e.args;
    return values.some((a) => isListExpr(ctx, scope, a));
  }
  return f?.list ?? false;
}

function callOf(ctx: Ctx, scope: Scope, name: string, e: Extract<Expr, { kind: 'call' }>): Call {
  return {
    ctx,
    scope,
    name,
    args: e.args,
    at: e,
    sql: (i) => compileExpr(ctx, scope, e.args[i]!),
    isList: (i) => isListExpr(ctx, scope, e.args[i]!),
    literal: (i, what) => {
      const a = e.args[i]!;
      if (a.kind !== 'lit' || a.type !== 'string') throw ctx.error(`${name}() takes ${what} as a literal string in double quotes`, a);
      return a.tok.text;
    },
    compileIn: (inner, x) => compileExpr(ctx, inner, x),
  };
}
