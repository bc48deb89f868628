import { compileRegex, RegexError } from '../../util/re2.js';
import type { Ctx } from './context.js';
import type { Located } from './errors.js';

/** A capturing group of a pattern: its number (1-based) and name, if it has one. */
export interface CaptureGroup {
  index: number;
  name: string | null;
}

/**
 * A regular expression of a query (rex, regex, match, replace, mvfind) as a bound parameter for
 * DuckDB's RE2: refused, naming the construct, when it needs PCRE (lookaround, backreferences,
 * atomic groups, possessive quantifiers), so matching stays linear in the input. PCRE's named group
 * `(?<name>…)` is written `(?P<name>…)` for DuckDB's RE2.
 */
export function regexParam(ctx: Ctx, pattern: string, at: Located): string {
  try {
    compileRegex(pattern);
  } catch (e) {
    if (e instanceof RegexError) throw ctx.error(e.message, at);
    throw e;
  }
  return ctx.param(toRe2(pattern));
}

/**
 * A pattern's pieces in order: an escape (`\\x`), a whole bracket class (`[^]a-z]`: a `^` and a `]`
 * right after the `[` are members), or one other character; `at` is where the piece starts.
 */
function* regexTokens(pattern: string): Generator<{ kind: 'escape' | 'class' | 'char'; text: string; at: number }> {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      yield { kind: 'escape', text: pattern.slice(i, i + 2), at: i };
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      yield { kind: 'class', text: pattern.slice(i, j + 1), at: i };
      i = j;
    } else yield { kind: 'char', text: c, at: i };
  }
}

/** `(?<name>` → `(?P<name>` outside classes and escapes (lookbehinds were refused before). */
function toRe2(pattern: string): string {
  let out = '';
  let skip = 0;
  for (const t of regexTokens(pattern)) {
    if (skip > 0) skip--;
    else if (t.text === '(' && t.kind === 'char' && /^\(\?<[A-Za-z_]/.test(pattern.slice(t.at, t.at + 4))) {
      out += '(?P<';
      skip = 2;
    } else out += t.text;
  }
  return out;
}

/** The capturing groups of a pattern in order (RE2 syntax; the pattern was checked by regexParam). */
export function captureGroups(pattern: string): CaptureGroup[] {
  const groups: CaptureGroup[] = [];
  for (const t of regexTokens(pattern)) {
    if (t.kind !== 'char' || t.text !== '(') continue;
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(t.at));
    if (named) groups.push({ index: groups.length + 1, name: named[1]! });
    else if (pattern[t.at + 1] !== '?') groups.push({ index: groups.length + 1, name: null });
  }
  return groups;
}

/** The longest regular expression read from a field's value at run time (match(x, field), replace(x, field, …)). */
export const MAX_RUNTIME_REGEX_LENGTH = 1024;

/**
 * A regex taken from a value at run time (`match(userIdentity.userName, requestParameters.userName)`,
 * as Splunk allows): DuckDB's RE2 compiles it per row, so matching stays linear; a pattern longer
 * than MAX_RUNTIME_REGEX_LENGTH fails the query naming the function, and one RE2 cannot read
 * (PCRE-only constructs) fails it with RE2's message rather than matching differently.
 */
export function runtimeRegex(ctx: Ctx, pattern: string, fn: string): string {
  const p = `CAST(${pattern} AS VARCHAR)`;
  const tooLong = ctx.param(`${fn}(): a regular expression read from a field is longer than ${MAX_RUNTIME_REGEX_LENGTH} characters`);
  return `(CASE WHEN length(${p}) > ${MAX_RUNTIME_REGEX_LENGTH} THEN error(${tooLong}) ELSE ${p} END)`;
}

/**
 * The pattern with capturing group `index` (1-based, as captureGroups numbers them) as its only
 * capturing group: the others become non-capturing `(?:…)`, the group loses its name. Matches are
 * unchanged; engines whose extract reads the first group (ClickHouse 18.16) read this one.
 */
export function onlyGroup(pattern: string, index: number): string {
  let out = '';
  let n = 0;
  let skip = 0;
  for (const t of regexTokens(pattern)) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (t.kind !== 'char' || t.text !== '(') {
      out += t.text;
      continue;
    }
    const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(pattern.slice(t.at));
    if (!named && pattern[t.at + 1] === '?') {
      out += t.text;
      continue;
    }
    out += ++n === index ? '(' : '(?:';
    if (named) skip = named[0].length - 1;
  }
  return out;
}
