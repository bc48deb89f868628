import { RE2JS } from 're2js';

/**
 * Regular expressions from rules are untrusted: a pattern like `(a+)+$` makes V8's backtracking
 * engine run for exponential time on a crafted log line. Policy:
 * - patterns without unbounded repetition (`*`, `+`, `{n,}`) and without quantified groups run on
 *   V8 (fast; backtracking is then bounded by the pattern, not by the input);
 * - everything else runs on re2js (RE2, linear time in the input), which also reads Python/PCRE
 *   inline flags such as `(?i)` anywhere in the pattern;
 * - patterns only V8 can run (backreferences, lookaround) and that are not provably safe are rejected.
 * Rules use few regexes per logsource, so re2js's lower constant factor does not decide throughput.
 */
export interface SafeRegex {
  test(value: string): boolean;
  /** Which engine runs it, for lint and tests. */
  engine: 'native' | 're2';
  source: string;
  /** As given to compileRegex, so the same regex can be rebuilt elsewhere (rules sent to parser threads). */
  flags?: RegexFlags;
}

export interface RegexFlags {
  i?: boolean;
  m?: boolean;
  s?: boolean;
}

export class RegexError extends Error {}

const LEADING_FLAGS = /^\(\?([imsx]+)\)/;
const UNBOUNDED = /(?<!\\)(?:\\\\)*(?:[*+]|\{\d*,\})/;
const QUANTIFIED_GROUP = /\)(?:[*+?]|\{\d)/;
const NEEDS_BACKTRACKER = /\\[1-9]|\(\?<?[=!]|\\k</;

export function compileRegex(pattern: string, flags: RegexFlags = {}): SafeRegex {
  let body = pattern;
  const f = { ...flags };
  const lead = LEADING_FLAGS.exec(body);
  if (lead) {
    if (lead[1]!.includes('x')) throw new RegexError(`inline flag (?x) (verbose mode) is not supported: '${clip(pattern)}'`);
    for (const c of lead[1]!) f[c as 'i' | 'm' | 's'] = true;
    body = body.slice(lead[0].length);
  }
  const safeForNative = !UNBOUNDED.test(stripClasses(body)) && !QUANTIFIED_GROUP.test(stripClasses(body)) && !NEEDS_BACKTRACKER.test(body) && !/\(\?[a-z]/i.test(body);
  if (safeForNative) {
    try {
      const re = new RegExp(body, `${f.i ? 'i' : ''}${f.m ? 'm' : ''}${f.s ? 's' : ''}`);
      return { test: (v) => re.test(v), engine: 'native', source: pattern, flags };
    } catch {
      // fall through to RE2, which reads Python/PCRE syntax V8 does not (e.g. `(?P<name>…)`, `\A`)
    }
  }
  try {
    const re = RE2JS.compile(body, (f.i ? RE2JS.CASE_INSENSITIVE : 0) | (f.m ? RE2JS.MULTILINE : 0) | (f.s ? RE2JS.DOTALL : 0));
    return { test: (v) => re.test(v), engine: 're2', source: pattern, flags };
  } catch (e) {
    if (NEEDS_BACKTRACKER.test(body)) {
      throw new RegexError(`regex uses backreferences or lookaround, which cannot run in linear time: '${clip(pattern)}'`);
    }
    throw new RegexError(`invalid regex '${clip(pattern)}': ${(e as Error).message}`);
  }
}

/** Removes `[...]` classes so `[*+]` is not read as a quantifier. */
function stripClasses(p: string): string {
  return p.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');
}

function clip(v: string): string {
  return v.length > 80 ? `${v.slice(0, 80)}…` : v;
}
