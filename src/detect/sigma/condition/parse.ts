import { wildcardMatch } from '../../../util/wildcard.js';
import type { Condition } from './ast.js';
import { ConditionError, tokenize, type Token } from './tokenize.js';

/** Longest condition accepted (SigmaHQ's longest is about 550 characters). */
export const MAX_CONDITION_LENGTH = 10_000;
/** Deepest nesting of parentheses and `not` accepted (SigmaHQ nests 5 deep): the parser and the matcher recurse per level. */
export const MAX_CONDITION_DEPTH = 200;

/**
 * Parses a Sigma condition: `not` > `and` > `or`, parentheses, `1 of X`, `all of X`, `them`
 * (every identifier not starting with `_`), wildcard patterns (`sel*`). Identifiers are checked
 * against the detection's search identifiers.
 */
export function parseCondition(text: string, identifiers: readonly string[]): Condition {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionError(`condition is ${text.length} characters long, over the limit of ${MAX_CONDITION_LENGTH}`);
  const tokens = tokenize(text);
  const pipe = tokens.find((t) => t.t === '|');
  if (pipe) {
    const tail = text.slice(pipe.pos + 1).trim();
    if (/^(count|min|max|avg|sum)\s*\(/i.test(tail) || /^near\b/i.test(tail)) {
      throw new ConditionError(`legacy aggregation syntax, use a correlation rule ('| ${tail}')`);
    }
    throw new ConditionError(`unexpected '|' at column ${pipe.pos + 1}`);
  }
  if (tokens.length === 0) throw new ConditionError('empty condition');
  const p = new Parser(tokens, identifiers, text);
  const c = p.or();
  if (p.pos < tokens.length) throw new ConditionError(`unexpected ${p.describe(tokens[p.pos]!)} at column ${tokens[p.pos]!.pos + 1}`);
  return c;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of']);

class Parser {
  pos = 0;
  /** Open parentheses and `not`s around the current position. */
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ids: readonly string[],
    private readonly text: string,
  ) {}

  describe(t: Token): string {
    return t.t === 'word' ? `'${t.v}'` : `'${t.t}'`;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  }

  or(): Condition {
    const xs = [this.and()];
    while (this.peekWord() === 'or') {
      this.pos++;
      xs.push(this.and());
    }
    return xs.length === 1 ? xs[0]! : { t: 'or', xs };
  }

  and(): Condition {
    const xs = [this.not()];
    while (this.peekWord() === 'and') {
      this.pos++;
      xs.push(this.not());
    }
    return xs.length === 1 ? xs[0]! : { t: 'and', xs };
  }

  not(): Condition {
    if (this.peekWord() === 'not') {
      this.pos++;
      this.enter();
      const x = this.not();
      this.depth--;
      return { t: 'not', x };
    }
    return this.primary();
  }

  private enter(): void {
    if (++this.depth > MAX_CONDITION_DEPTH) throw new ConditionError(`condition nested deeper than ${MAX_CONDITION_DEPTH} levels (parentheses and 'not')`);
  }

  primary(): Condition {
    const t = this.tokens[this.pos];
    if (!t) throw new ConditionError(`condition '${this.text}' ends unexpectedly`);
    if (t.t === '(') {
      this.pos++;
      this.enter();
      const c = this.or();
      const close = this.tokens[this.pos];
      if (close?.t !== ')') throw new ConditionError(`missing ')' for '(' at column ${t.pos + 1}`);
      this.pos++;
      this.depth--;
      return c;
    }
    if (t.t !== 'word') throw new ConditionError(`unexpected ${this.describe(t)} at column ${t.pos + 1}`);
    const next = this.tokens[this.pos + 1];
    if (next?.t === 'word' && next.v.toLowerCase() === 'of') return this.selector(t.v);
    if (KEYWORDS.has(t.v.toLowerCase())) throw new ConditionError(`unexpected '${t.v}' at column ${t.pos + 1}`);
    this.pos++;
    if (!this.ids.includes(t.v)) throw new ConditionError(`condition references '${t.v}', which is not a search identifier in detection (${this.ids.join(', ') || 'none'})`);
    return { t: 'id', name: t.v };
  }

  private selector(quantifier: string): Condition {
    const q = quantifier.toLowerCase();
    if (q !== '1' && q !== 'all' && q !== 'any') throw new ConditionError(`'${quantifier} of' is not Sigma: use '1 of' or 'all of'`);
    this.pos += 2;
    const target = this.tokens[this.pos];
    if (target?.t !== 'word') throw new ConditionError(`'${quantifier} of' needs an identifier pattern or 'them'`);
    this.pos++;
    let names: string[];
    if (target.v.toLowerCase() === 'them') names = this.ids.filter((n) => !n.startsWith('_'));
    else names = this.ids.filter((n) => wildcardMatch(target.v, n, { anyOne: true }));
    if (names.length === 0) throw new ConditionError(`'${quantifier} of ${target.v}' matches no search identifier`);
    const xs: Condition[] = names.map((name) => ({ t: 'id', name }));
    if (xs.length === 1) return xs[0]!;
    return q === 'all' ? { t: 'and', xs } : { t: 'or', xs };
  }
}
