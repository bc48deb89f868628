import type { Expr } from '../ast.js';
import { regexParam } from '../regex.js';
import { asList, nonEmpty, type Call } from './call.js';
import type { EvalFunction } from '../functions.js';

const MANY = 64;
const big = (x: string) => `CAST(${x} AS BIGINT)`;

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

/** mvfilter/mvmap: the expression compiled with its field bound to each value (a lambda parameter of the field's name). */
function perValue(call: Call, e: Expr, field: string): { list: string; body: string; param: string } {
  const fieldTok = { kind: 'word' as const, text: field, pos: e.pos, end: e.end };
  const ref = call.ctx.resolve(call.scope, fieldTok);
  const list = ref.list ? ref.sql : `CASE WHEN ${ref.sql} IS NOT NULL THEN [CAST(${ref.sql} AS VARCHAR)] END`;
  const param = call.ctx.outName(fieldTok);
  const inner = { cols: new Map(call.scope.cols).set(param, { list: false }), base: call.scope.base };
  return { list, body: call.compileIn(inner, e), param: `"${param.replace(/"/g, '""')}"` };
}

/**
 * Multivalue functions. Splunk has no empty multivalue: a result with no value is NULL. Values are
 * text (a multivalue of numbers holds their text, as Splunk's).
 */
export const MULTIVALUE_FUNCTIONS: Record<string, EvalFunction> = {
  mvappend: {
    min: 1,
    max: MANY,
    list: true,
    // NULL arguments add nothing.
    compile: (call) => nonEmpty(`list_concat(${call.args.map((_, i) => `coalesce(${asList(call, i)}, [])`).join(', ')})`),
  },
  mvcount: { min: 1, max: 1, returns: 'number', compile: (call) => (call.isList(0) ? `len(${call.sql(0)})` : `CASE WHEN ${call.sql(0)} IS NOT NULL THEN 1 END`) },
  mvindex: {
    min: 2,
    max: 3,
    integerArgs: [1, 2],
    list: false,
    // 0-based, negative from the end, end inclusive; out of range: NULL.
    compile: (call) => {
      const l = asList(call, 0);
      const at = (i: number) => `(CASE WHEN ${big(call.sql(i))} < 0 THEN len(${l}) + ${big(call.sql(i))} ELSE ${big(call.sql(i))} END)`;
      const start = at(1);
      if (call.args.length === 2) return `CASE WHEN ${start} >= 0 AND ${start} < len(${l}) THEN ${l}[${start} + 1] END`;
      const end = at(2);
      return `CASE WHEN ${start} >= 0 AND ${start} < len(${l}) AND ${end} >= ${start} THEN ${nonEmpty(`${l}[${start} + 1:least(${end}, len(${l}) - 1) + 1]`)} END`;
    },
  },
  mvjoin: { min: 2, max: 2, returns: 'text', compile: (call) => `array_to_string(${asList(call, 0)}, ${call.sql(1)})` },
  mvdedup: { min: 1, max: 1, list: true, compile: (call) => `list_filter(${asList(call, 0)}, lambda v, i: list_position(${asList(call, 0)}, v) = i)` },
  // Lexicographic (byte order) as Splunk's.
  mvsort: { min: 1, max: 1, list: true, compile: (call) => `list_sort(${asList(call, 0)})` },
  mvfind: {
    min: 2,
    max: 2,
    returns: 'number',
    compile: (call) => {
      const p = regexParam(call.ctx, call.literal(1, 'the regex'), call.args[1]!);
      const i = `list_position(list_transform(${asList(call, 0)}, lambda v: regexp_matches(v, ${p})), TRUE)`;
      return `(${i} - 1)`;
    },
  },
  mvfilter: {
    min: 1,
    max: 1,
    list: true,
    compile: (call) => {
      const { list, body, param } = perValue(call, call.args[0]!, onlyField(call, call.args[0]!));
      return nonEmpty(`list_filter(${list}, lambda ${param}: coalesce(${body}, FALSE))`);
    },
  },
  mvmap: {
    min: 2,
    max: 2,
    list: true,
    compile: (call) => {
      const field = call.args[0]!.kind === 'field' ? call.args[0]!.tok.text : onlyField(call, call.args[0]!);
      const { list, body, param } = perValue(call, call.args[1]!, field);
      return nonEmpty(`list_filter(list_transform(${list}, lambda ${param}: CAST(${body} AS VARCHAR)), lambda v: v IS NOT NULL)`);
    },
  },
  mvzip: {
    min: 2,
    max: 3,
    list: true,
    // Pairs up to the shorter list.
    compile: (call) => {
      const delim = call.args.length === 3 ? call.sql(2) : "','";
      const a = asList(call, 0);
      const b = asList(call, 1);
      return nonEmpty(`list_transform(range(1, least(len(${a}), len(${b})) + 1), lambda i: ${a}[i] || ${delim} || ${b}[i])`);
    },
  },
  mvrange: {
    min: 2,
    max: 3,
    list: true,
    compile: (call) => nonEmpty(`list_transform(range(${big(call.sql(0))}, ${big(call.sql(1))}${call.args.length === 3 ? `, ${big(call.sql(2))}` : ''}), lambda v: CAST(v AS VARCHAR))`),
  },
  split: {
    min: 2,
    max: 2,
    list: true,
    // split(x, "") makes a value per character, as Splunk's.
    compile: (call) => `string_split(CAST(${call.sql(0)} AS VARCHAR), ${call.sql(1)})`,
  },
};
