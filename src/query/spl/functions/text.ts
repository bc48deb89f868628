import type { EvalFunction } from '../functions.js';
import { extractJson } from '../jsonpath.js';
import { regexParam, runtimeRegex } from '../regex.js';
import type { Call } from './call.js';
import type { TrimSide } from '../../../store/spl-functions.js';

const str = (x: string) => `CAST(${x} AS VARCHAR)`;
const num = (x: string) => `TRY_CAST(${str(x)} AS DOUBLE)`;
const isNumber = (x: string) => `(typeof(${x}) <> 'BOOLEAN' AND ${num(x)} IS NOT NULL)`;

/** printf: C conversions DuckDB's printf formats as C does; others (%'d, %n, %p) refused. */
function printf(call: Call): string {
  const fmt = call.literal(0, 'the format');
  const specs = fmt.match(/%[^a-zA-Z%]*[a-zA-Z%]?/g) ?? [];
  for (const s of specs) {
    if (!/^%[-+ #0]*\d*(\.\d*)?[diouxXeEfFgGcs%]$/.test(s)) throw call.ctx.error(`printf conversion '${s}' is not supported`, call.args[0]!);
  }
  return `printf(${call.sql(0)}${call.args.slice(1).map((_, i) => `, ${call.sql(i + 1)}`).join('')})`;
}

/** tostring(x, "hex" | "commas" | "duration"). */
function tostring(call: Call): string {
  const x = call.sql(0);
  if (call.args.length === 1) {
    // Splunk writes booleans True/False.
    return `CASE WHEN typeof(${x}) = 'BOOLEAN' THEN CASE WHEN ${str(x)} = 'true' THEN 'True' ELSE 'False' END ELSE ${str(x)} END`;
  }
  const mode = call.literal(1, 'the format ("hex", "commas" or "duration")');
  const n = `TRY_CAST(${str(x)} AS DOUBLE)`;
  if (mode === 'hex') return `CASE WHEN ${n} IS NOT NULL THEN '0x' || upper(to_hex(CAST(${n} AS BIGINT))) END`;
  if (mode === 'commas') return `CASE WHEN ${n} IS NOT NULL THEN format('{:,.2f}', ${n}) END`;
  if (mode === 'duration') {
    const s = `CAST(floor(${n}) AS BIGINT)`;
    return `CASE WHEN ${n} IS NOT NULL THEN (CASE WHEN ${s} >= 86400 THEN CAST(${s} // 86400 AS VARCHAR) || '+' ELSE '' END) || lpad(CAST((${s} % 86400) // 3600 AS VARCHAR), 2, '0') || ':' || lpad(CAST((${s} % 3600) // 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(${s} % 60 AS VARCHAR), 2, '0') END`;
  }
  throw call.ctx.error(`tostring format '${mode}' is not one of hex, commas, duration`, call.args[1]!);
}

/**
 * A function's regex argument: a string literal is checked now (regexParam); any other expression
 * (a field, as in `match(userIdentity.userName, requestParameters.userName)`) is read per event.
 */
function regex(call: Call, i: number): string {
  const a = call.args[i]!;
  if (a.kind === 'lit' && a.type === 'string') return regexParam(call.ctx, a.tok.text, a);
  if (call.isList(i)) throw call.ctx.error(`${call.name}() with a regex from a field holding several values is not supported`, a);
  call.ctx.native(`${call.name}() with a regular expression read from a field`, a);
  return runtimeRegex(call.ctx, call.sql(i), call.name);
}

/** trim/ltrim/rtrim: Splunk trims spaces and tabs by default. */
function trim(call: Call, side: TrimSide): string {
  const fn = call.ctx.fn;
  if (call.args.length === 1) return fn.trimChars(side, call.sql(0), fn.literal(' \t'), ' \t');
  const chars = call.args[1]!;
  const text = chars.kind === 'lit' && chars.type === 'string' ? chars.tok.text : undefined;
  if (text === undefined) call.ctx.native(`${call.name}() of characters read from a field`, chars);
  return fn.trimChars(side, call.sql(0), call.sql(1), text);
}

/** Text, regular expression, JSON and type functions. Regexes run on RE2 (PCRE-only constructs refused). */
export const TEXT_FUNCTIONS: Record<string, EvalFunction> = {
  trim: { min: 1, max: 2, returns: 'text', compile: (call) => trim(call, 'both') },
  ltrim: { min: 1, max: 2, returns: 'text', compile: (call) => trim(call, 'left') },
  rtrim: { min: 1, max: 2, returns: 'text', compile: (call) => trim(call, 'right') },
  match: { min: 2, max: 2, compile: (call) => call.ctx.fn.regexMatchParam(call.sql(0), regex(call, 1)) },
  replace: {
    min: 3,
    max: 3,
    returns: 'text',
    compile: (call) => {
      const a = call.args[1]!;
      if (a.kind !== 'lit' || a.type !== 'string') call.ctx.native('replace() with a regular expression read from a field', a);
      return call.ctx.fn.regexReplaceAll(call.ctx.fn.text(call.sql(0)), regex(call, 1), call.sql(2));
    },
  },
  printf: { min: 1, max: 64, returns: 'text', compile: printf },
  tostring: { min: 1, max: 2, returns: 'text', compile: tostring },
  tonumber: {
    min: 1,
    max: 2,
    returns: 'number',
    compile: (call) => {
      if (call.args.length === 1) return call.ctx.fn.tryDouble(call.ctx.fn.text(call.sql(0)));
      const b = call.args[1]!;
      const base = b.kind === 'lit' ? Number(b.tok.text) : NaN;
      if (![2, 8, 10, 16].includes(base)) throw call.ctx.error('tonumber base: only 2, 8, 10 and 16 are supported', call.args[1]!);
      if (base === 10) return call.ctx.fn.tryDouble(call.ctx.fn.text(call.sql(0)));
      call.ctx.native(`tonumber() with base ${base}`, b);
      const prefix = { 2: '0b', 8: '0o', 16: '0x' }[base as 2 | 8 | 16];
      return `CAST(TRY_CAST('${prefix}' || regexp_replace(lower(${str(call.sql(0))}), '^${prefix}', '') AS BIGINT) AS DOUBLE)`;
    },
  },
  spath: { min: 2, max: 2, compile: (call) => extractJson(call.ctx, call.sql(0), call.literal(1, 'the path'), call.args[1]!).sql },
  json_extract: {
    min: 1,
    max: 2,
    compile: (call) => (call.args.length === 1 ? `CASE WHEN json_valid(${str(call.sql(0))}) THEN ${str(call.sql(0))} END` : extractJson(call.ctx, call.sql(0), call.literal(1, 'the path'), call.args[1]!).sql),
  },
  json_valid: { min: 1, max: 1, compile: (call) => `coalesce(json_valid(${str(call.sql(0))}), FALSE)` },
  json: { min: 1, max: 1, compile: (call) => `CASE WHEN json_valid(${str(call.sql(0))}) THEN ${str(call.sql(0))} END` },
  json_keys: { min: 1, max: 1, returns: 'text', compile: (call) => `CASE WHEN json_valid(${str(call.sql(0))}) THEN CAST(to_json(json_keys(${str(call.sql(0))})) AS VARCHAR) END` },
  // Splunk reads a field value that looks like a number as a number.
  typeof: {
    min: 1,
    max: 1,
    returns: 'text',
    compile: (call) => {
      const x = call.sql(0);
      return `CASE WHEN ${x} IS NULL THEN 'Invalid' WHEN typeof(${x}) = 'BOOLEAN' THEN 'Bool' WHEN ${isNumber(x)} THEN 'Number' ELSE 'String' END`;
    },
  },
  isnum: { min: 1, max: 1, compile: (call) => `coalesce(${isNumber(call.sql(0))}, FALSE)` },
  isint: { min: 1, max: 1, compile: (call) => `coalesce(${isNumber(call.sql(0))} AND ${num(call.sql(0))} = trunc(${num(call.sql(0))}), FALSE)` },
  isstr: { min: 1, max: 1, compile: (call) => `coalesce(${call.sql(0)} IS NOT NULL AND typeof(${call.sql(0)}) <> 'BOOLEAN' AND NOT ${isNumber(call.sql(0))}, FALSE)` },
  // Field values are never booleans in Splunk.
  isbool: { min: 1, max: 1, compile: (call) => `coalesce(typeof(${call.sql(0)}) = 'BOOLEAN' AND ${call.sql(0)} IS NOT NULL, FALSE)` },
  nullif: { min: 2, max: 2, compile: (call) => `nullif(${call.sql(0)}, ${call.sql(1)})` },
  validate: {
    min: 2,
    max: 64,
    compile: (call) => {
      if (call.args.length % 2) throw call.ctx.error('validate() takes pairs of a condition and a message', call.at);
      const arms: string[] = [];
      for (let i = 0; i + 1 < call.args.length; i += 2) arms.push(`WHEN NOT ${call.ctx.fn.coalesce(call.sql(i), call.ctx.fn.falseValue)} THEN ${call.sql(i + 1)}`);
      return `CASE ${arms.join(' ')} END`;
    },
  },
};
