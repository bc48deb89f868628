import { SplError } from './errors.js';
import type { Token } from './lexer.js';

/** The largest count an SPL argument takes (head, tail, limit=, sort N, dedup N): JavaScript's largest exact integer. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** Refuses a count token beyond MAX_COUNT, naming it. */
export function checkCount(t: Token, what: string, query: string, digits = t.text): void {
  if (Number(digits) > MAX_COUNT) {
    throw new SplError(`${what} must be a whole number up to ${MAX_COUNT}, found '${t.text}'`, t.pos, Math.max(1, t.end - t.pos), query);
  }
}

/** Walks one command's tokens; every error names the token it stopped at. */
export class Cursor {
  private i = 0;
  constructor(
    readonly tokens: Token[],
    readonly query: string,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  /** Skips the tokens that start before `pos` (text read otherwise, as an eval expression inside stats). */
  skipTo(pos: number): void {
    while (!this.atEnd() && this.peek().pos < pos) this.i++;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** True when the next token is the operator `op`. */
  isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.text === op;
  }

  /** True when the next token is the (case-insensitive, unquoted) keyword `word`. */
  isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && !t.quotedName && t.text.toLowerCase() === word;
  }

  eatOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  eatWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  expectOp(op: string, what = `'${op}'`): Token {
    if (!this.isOp(op)) throw this.error(`expected ${what}`);
    return this.next();
  }

  /** A field or output name: a word or, where Splunk allows it, a quoted string. */
  expectName(what = 'a field name'): Token {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'string') throw this.error(`expected ${what}`);
    return this.next();
  }

  /**
   * A whole number token (search-mode words are digits here), at most MAX_COUNT: a count past it is
   * a parse error here, not "out of int64 range" from inside the SQL.
   */
  expectCount(what: string): Token {
    const t = this.peek();
    if (!/^\d+$/.test(t.text) || t.kind === 'string') throw this.error(`expected ${what} (a whole number)`);
    checkCount(t, what, this.query);
    return this.next();
  }

  error(reason: string, tok: Token = this.peek()): SplError {
    const found = tok.kind === 'eof' ? 'end of command' : `'${tok.text}'`;
    // At the end, point at the last token: that is where something is missing.
    if (tok.kind === 'eof' && this.i > 0) tok = this.tokens[this.i - 1]!;
    return new SplError(`${reason}, found ${found}`, tok.pos, Math.max(1, tok.end - tok.pos), this.query);
  }

  /** Fails unless every token was consumed. */
  done(): void {
    if (!this.atEnd()) throw this.error('unexpected token');
  }
}
