/**
 * Bound parameters for ClickHouse 18.16, which has no query parameters (`{name:Type}` came later):
 * the SQL callers write keeps DuckDB-style `$name` placeholders, and each is replaced by a literal
 * that cannot end early — every quote, backslash and control character inside a string is escaped,
 * so the literal holds no raw newline (which would end a `--` comment it sits in) and no quote (which
 * would end the string). Placeholders inside string literals, quoted identifiers and comments are
 * text, not parameters, and stay as they are.
 */
export type ParamValue = string | number | boolean | null;

export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

/** A string as a ClickHouse string literal: `'…'` with backslash escapes. */
export function stringLiteral(s: string): string {
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || code === 0x7f) out += ESCAPES[ch] ?? `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate cannot be sent as UTF-8: it becomes U+FFFD, as in stored text.
      const next = s.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += ch + s[i + 1]!;
        i++;
      } else out += '\ufffd';
    } else out += ch;
  }
  return out + "'";
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/** A value as a literal: strings escaped, finite numbers, NULL, booleans as 1/0. */
export function literal(value: ParamValue, name = 'value'): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ParameterError(`parameter $${name} is ${value}: only finite numbers can be bound`);
    // In parentheses when negative: `a-$x` must not become `a--5`, a comment.
    return value < 0 || Object.is(value, -0) ? `(${value})` : String(value);
  }
  if (typeof value === 'string') return stringLiteral(value);
  throw new ParameterError(`parameter $${name} is a ${typeof value}: only strings, numbers, booleans and null can be bound`);
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Replaces every `$name` outside string literals, quoted identifiers and comments with its value's
 * literal. A placeholder without a value is an error that names it; values that no placeholder uses
 * are ignored (as DuckDB ignores none, callers pass only what they use).
 */
export function bindParams(sql: string, params: Readonly<Record<string, ParamValue>> | undefined): string {
  if (!params || !sql.includes('$')) return sql;
  let out = '';
  let i = 0;
  let from = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(sql, i, ch);
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === '$' && i + 1 < n && /[A-Za-z_]/.test(sql[i + 1]!)) {
      let j = i + 1;
      while (j < n && NAME_CHAR.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      if (!Object.prototype.hasOwnProperty.call(params, name)) throw new ParameterError(`no value given for parameter $${name}`);
      out += sql.slice(from, i) + literal(params[name]!, name);
      i = from = j;
    } else i++;
  }
  return out + sql.slice(from);
}

/** The index after the literal or identifier quoted with `quote` that starts at `start` (backslash escapes and doubled quotes). */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '\\') i += 2;
    else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
