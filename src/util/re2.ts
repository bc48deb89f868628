import { RE2JS, RE2JSSyntaxException } from 're2js';

/**
 * Regular expressions from rules, configs and SPL queries are untrusted, and so is the text they run on: on V8's
 * backtracking engine `(a+)+$` takes exponential time and `x{0,300}x{0,300}x{0,300}y` cubic time on
 * a crafted log line. Every such regex therefore runs on re2js (RE2: time linear in the input, no
 * backtracking), never on `RegExp`; a pattern RE2 cannot run (lookaround, backreferences…) is refused
 * with the construct named. RE2's cost per input character grows with the compiled program, so the
 * program size is bounded too, and so is compiling: a short pattern like `x{0,1000}` repeated
 * expands to thousands of instructions, so an upper bound is computed from the text before compiling.
 */

/** Longest pattern accepted (SigmaHQ's longest is 217 characters). */
export const MAX_REGEX_LENGTH = 4096;
/**
 * Largest compiled RE2 program accepted (SigmaHQ's largest is `.{1000,}`, 1,003 instructions). Matching
 * costs at most about this many steps per character of the value (≈ 30 ms per 1,000 characters at
 * worst on re2js).
 */
export const MAX_REGEX_PROGRAM_SIZE = 2000;
/**
 * RE2 instructions over all regexes of one rule, and of one rule file (SigmaHQ's most is 1,003 for both):
 * bounds what one event costs per rule and what compiling a file costs (≈ 2.5 ms per 1,000 instructions).
 */
export const MAX_REGEX_PROGRAM_PER_RULE = 10_000;
export const MAX_REGEX_PROGRAM_PER_FILE = 50_000;
/** Estimated size above which a pattern is refused without compiling it (the estimate may exceed the real size). */
const MAX_ESTIMATED_PROGRAM_SIZE = 10 * MAX_REGEX_PROGRAM_SIZE;

export interface RegexFlags {
  i?: boolean;
  m?: boolean;
  s?: boolean;
}

export class RegexError extends Error {}

/** A compiled regex from a rule or config, run on RE2. */
export class SafeRegex {
  /** The engine that runs it, read from the compiled object itself: for lint and tests. */
  readonly engine: 're2' | 'other';

  constructor(
    private readonly compiled: RE2JS,
    /** The pattern as given. */
    readonly source: string,
    /** As given to compileRegex, so the same regex can be rebuilt elsewhere (rules sent to parser threads). */
    readonly flags: RegexFlags,
  ) {
    this.engine = compiled instanceof RE2JS ? 're2' : 'other';
  }

  test(value: string): boolean {
    return this.compiled.test(value);
  }

  /** RE2 instructions: matching costs at most about this many steps per character. */
  get programSize(): number {
    return this.compiled.programSize();
  }
}

/** Constructs of other regex dialects (PCRE, V8, .NET) that RE2 does not have, by the text RE2 stops at. */
const UNSUPPORTED: readonly { at: RegExp; construct: string }[] = [
  { at: /^\(\?=/, construct: 'lookahead (?=…)' },
  { at: /^\(\?!/, construct: 'negative lookahead (?!…)' },
  { at: /^\(\?<=/, construct: 'lookbehind (?<=…)' },
  { at: /^\(\?<!/, construct: 'negative lookbehind (?<!…)' },
  { at: /^\\[1-9]/, construct: 'a backreference (\\1…\\9)' },
  { at: /^\\k/, construct: 'a named backreference (\\k<name>)' },
  { at: /^\(\?>/, construct: 'an atomic group (?>…)' },
  { at: /^\(\?\(/, construct: 'a conditional (?(…)…)' },
  // RE2 stops at `(?P` when no `<` follows: `(?P=name)` or `(?P>name)`.
  { at: /^\(\?P$/, construct: 'a named backreference or recursion ((?P=name), (?P>name))' },
  { at: /^\(\?#/, construct: 'a comment group (?#…)' },
  { at: /^\(\?[a-zA-Z-]*x/, construct: 'verbose mode (?x)' },
  { at: /^\(\?[a-zA-Z-]*[^imsU:)-]/, construct: 'an inline flag other than i, m, s, U' },
  { at: /^(?:[*+?]|\{[\d,]*\})\+$/, construct: 'a possessive quantifier (*+, ++, ?+, {n}+)' },
  { at: /^\\u/, construct: 'a \\u escape (write \\x{hhhh})' },
];

/** Compiles a regex for RE2, or throws RegexError saying why it cannot run in linear time or is invalid. */
export function compileRegex(pattern: string, flags: RegexFlags = {}): SafeRegex {
  if (pattern.length > MAX_REGEX_LENGTH) throw new RegexError(`regex is ${pattern.length} characters long, over the limit of ${MAX_REGEX_LENGTH}: '${clip(pattern)}'`);
  const estimate = estimateProgramSize(pattern);
  if (estimate > MAX_ESTIMATED_PROGRAM_SIZE) throw new RegexError(tooLarge(pattern, Number.isFinite(estimate) ? `about ${estimate}` : 'too many'));
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, (flags.i ? RE2JS.CASE_INSENSITIVE : 0) | (flags.m ? RE2JS.MULTILINE : 0) | (flags.s ? RE2JS.DOTALL : 0));
  } catch (e) {
    if (e instanceof RE2JSSyntaxException) {
      const at = e.input ?? '';
      const found = UNSUPPORTED.find((u) => u.at.test(at));
      if (found) throw new RegexError(`regex uses ${found.construct}, which RE2 does not support (regexes run on RE2 so that matching takes linear time): '${clip(pattern)}'`);
      if (e.error === 'expression too large') throw new RegexError(tooLarge(pattern, 'too many'));
    }
    throw new RegexError(`invalid regex '${clip(pattern)}': ${(e as Error).message}`);
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE) throw new RegexError(tooLarge(pattern, String(size)));
  return new SafeRegex(compiled, pattern, { ...flags });
}

function tooLarge(pattern: string, size: string): string {
  return `regex compiles to ${size} RE2 instructions, over the limit of ${MAX_REGEX_PROGRAM_SIZE} (matching costs up to that many steps per character): '${clip(pattern)}'`;
}

/**
 * An upper bound of the RE2 program size, from the text alone and in one pass: every atom counts 1
 * (a character class too), a group its content plus 2, an alternative 1, and a repetition `{n,m}`
 * multiplies what it repeats by its largest count (`*`, `+`, `?` add 1). Rough (escapes that are
 * not atoms count as atoms), but never below RE2's count for the constructs that make programs large.
 */
export function estimateProgramSize(p: string): number {
  // One frame per open group: its size so far and the size of its last atom (what a quantifier repeats).
  const frames: { size: number; last: number }[] = [{ size: 0, last: 0 }];
  let top = frames[0]!;
  const atom = (n: number) => {
    top.size += n;
    top.last = n;
  };
  const repeat = (times: number) => {
    top.size += top.last * (times - 1) + times;
    top.last = top.last * times + times;
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const next = p[i + 1];
      if (next === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const stop = end < 0 ? p.length : end;
        for (let k = i + 2; k < stop; k++) atom(1);
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      i += 2;
      if ((next === 'x' || next === 'p' || next === 'P') && p[i] === '{') i = closing(p, i, '}');
      atom(1);
    } else if (c === '[') {
      i = classEnd(p, i);
      atom(1);
    } else if (c === '(') {
      frames.push((top = { size: 0, last: 0 }));
      i++;
      // A flag group `(?i)` holds nothing; its header is skipped like `(?:`, `(?P<name>`.
      if (p[i] === '?') {
        while (i < p.length && p[i] !== ':' && p[i] !== ')' && p[i] !== '>') i++;
        if (p[i] === ')') {
          frames.pop();
          top = frames[frames.length - 1]!;
        }
        i++;
      }
    } else if (c === ')') {
      i++;
      if (frames.length === 1) continue;
      const inner = frames.pop()!;
      top = frames[frames.length - 1]!;
      atom(inner.size + 2);
    } else if (c === '|') {
      i++;
      top.size += 1;
      top.last = 0;
    } else if (c === '*' || c === '+' || c === '?') {
      i++;
      if (p[i] === '?') i++;
      repeat(1);
    } else if (c === '{') {
      const m = /^\{(\d*)(?:,(\d*))?\}/.exec(p.slice(i, i + 24));
      if (!m || (m[1] === '' && m[2] === undefined)) {
        i++;
        atom(1);
        continue;
      }
      i += m[0].length;
      if (p[i] === '?') i++;
      // RE2 refuses counts over 1000 with its own message.
      repeat(Math.min(1001, Math.max(1, Number(m[1] || 0), Number(m[2] || 0))));
    } else {
      i++;
      atom(1);
    }
  }
  let total = 0;
  for (const f of frames) total += f.size + 2;
  return total;
}

/** Index after the `]` closing the class opened at `start` (a `]` first in the class is a member; `[:alpha:]` nests). */
function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  while (i < p.length && p[i] !== ']') {
    if (p[i] === '\\') i += 2;
    else if (p[i] === '[' && p[i + 1] === ':') i = closing(p, i, ']');
    else i++;
  }
  return i + 1;
}

function closing(p: string, from: number, ch: string): number {
  const end = p.indexOf(ch, from);
  return end < 0 ? p.length : end + 1;
}

function clip(v: string): string {
  return v.length > 80 ? `${v.slice(0, 80)}…` : v;
}
