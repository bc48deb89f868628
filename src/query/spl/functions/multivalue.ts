import type { Expr } from '../ast.js';
import { regexParam } from '../regex.js';
import { asList, nonEmpty, type Call } from './call.js';
import type { EvalFunction } from '../functions.js';

const MANY = 64;

/** The one field an mvfilter/mvmap expression reads: Splunk requires exactly one. */
function onlyField(call: Call, e: Expr): string {
  const found = new Set<string>();
  const walk = (x: Expr): void => {
    if (x.kind === 'field') found.add(x.tok.text);
    else if (x.kind === 'call') x.args.forEach(walk);
    else if (x.kind === 'bin') (walk(x.left), walk(x.right));
    else if (x.kind === 'unary') walk(x.arg);
    else if (x.kind === 'in') (walk(x.arg), x.list.forEach(walk));
    else if (x.kind === 'like') (walk(x.arg), walk(x.pattern));
  };
  walk(e);
  if (found.size !== 1) throw call.ctx.error(`${call.name}() needs an expression of exactly one field, found ${found.size ? [...found].join(', ') : 'none'}`, e);
  return [...found][0]!;
}

/** An argument engines other than DuckDB take only as a constant (a literal of the query). */
function constant(call: Call, i: number, what: string): string {
  const a = call.args[i]!;
  if (a.kind !== 'lit') call.ctx.native(`${call.name}() with ${what} read from a field`, a);
  return call.sql(i);
}

/** mvfilter/mvmap: the expression compiled with its field bound to each value (a lambda parameter of the field's name). */
function perValue(call: Call, e: Expr, field: string): { list: string; body: string; param: string } {
  const fieldTok = { kind: 'word' as const, text: field, pos: e.pos, end: e.end };
  const ref = call.ctx.resolve(call.scope, fieldTok);
  const list = ref.list ? ref.sql : call.ctx.fn.listOf(ref.sql);
  const param = call.ctx.outName(fieldTok);
  const inner = { cols: new Map(call.scope.cols).set(param, { list: false }), base: call.scope.base };
  return { list, body: call.compileIn(inner, e), param: `"${param.replace(/"/g, '""')}"` };
}

/**
 * Multivalue functions, through the dialect's list expressions (src/store/spl-functions.ts). Splunk
 * has no empty multivalue: a result with no value is NULL. Values are text (a multivalue of numbers
 * holds their text, as Splunk's).
 */
export const MULTIVALUE_FUNCTIONS: Record<string, EvalFunction> = {
  mvappend: {
    min: 1,
    max: MANY,
    list: true,
    // NULL arguments add nothing.
    compile: (call) => nonEmpty(call, call.ctx.fn.listAppend(call.args.map((_, i) => asList(call, i)))),
  },
  mvcount: { min: 1, max: 1, returns: 'number', compile: (call) => (call.isList(0) ? call.ctx.fn.listCount(call.sql(0)) : `CASE WHEN ${call.sql(0)} IS NOT NULL THEN 1 END`) },
  mvindex: {
    min: 2,
    max: 3,
    integerArgs: [1, 2],
    list: false,
    // 0-based, negative from the end, end inclusive; out of range: NULL.
    compile: (call) => call.ctx.fn.listIndex(asList(call, 0), call.sql(1), call.args.length === 3 ? call.sql(2) : undefined),
  },
  mvjoin: { min: 2, max: 2, returns: 'text', compile: (call) => call.ctx.fn.listJoin(asList(call, 0), constant(call, 1, 'a delimiter')) },
  mvdedup: { min: 1, max: 1, list: true, compile: (call) => call.ctx.fn.listDedup(asList(call, 0)) },
  // Lexicographic (byte order) as Splunk's.
  mvsort: { min: 1, max: 1, list: true, compile: (call) => call.ctx.fn.listSortText(asList(call, 0)) },
  mvfind: {
    min: 2,
    max: 2,
    returns: 'number',
    compile: (call) => {
      const p = regexParam(call.ctx, call.literal(1, 'the regex'), call.args[1]!);
      return call.ctx.fn.listFindRegex(asList(call, 0), p);
    },
  },
  mvfilter: {
    min: 1,
    max: 1,
    list: true,
    compile: (call) => {
      const { list, body, param } = perValue(call, call.args[0]!, onlyField(call, call.args[0]!));
      return nonEmpty(call, call.ctx.fn.listFilter(list, param, body));
    },
  },
  mvmap: {
    min: 2,
    max: 2,
    list: true,
    compile: (call) => {
      const field = call.args[0]!.kind === 'field' ? call.args[0]!.tok.text : onlyField(call, call.args[0]!);
      const { list, body, param } = perValue(call, call.args[1]!, field);
      return nonEmpty(call, call.ctx.fn.listMap(list, param, body));
    },
  },
  mvzip: {
    min: 2,
    max: 3,
    list: true,
    // Pairs up to the shorter list.
    compile: (call) => {
      const delim = call.args.length === 3 ? constant(call, 2, 'a delimiter') : call.ctx.fn.literal(',');
      return nonEmpty(call, call.ctx.fn.listZip(asList(call, 0), asList(call, 1), delim));
    },
  },
  mvrange: {
    min: 2,
    max: 3,
    list: true,
    compile: (call) => nonEmpty(call, call.ctx.fn.listRange(call.sql(0), call.sql(1), call.args.length === 3 ? call.sql(2) : undefined)),
  },
  split: {
    min: 2,
    max: 2,
    list: true,
    // split(x, "") makes a value per character, as Splunk's.
    compile: (call) => {
      const d = call.args[1]!;
      const text = d.kind === 'lit' && d.type === 'string' ? d.tok.text : undefined;
      if (text === undefined) call.ctx.native('split() at a delimiter read from a field', d);
      return call.ctx.fn.splitText(call.sql(0), call.sql(1), text);
    },
  },
};
