/**
 * The subset of the STIX 2.1 patterning language an indicator index can hold: observations joined
 * by OR, each a comparison (or an OR of comparisons) of an object path with a literal. Anything the
 * index cannot express (AND across observations, FOLLOWEDBY, qualifiers, negation, LIKE/MATCHES, an
 * AND mixing different facts) yields a reason instead, which the loader counts.
 */

/** One `object-type:path = 'value'` (or ISSUBSET for a CIDR) the index can hold. */
export interface PatternTerm {
  path: string;
  value: string;
}

export type PatternResult = { terms: PatternTerm[] } | { unsupported: string };

type Token = { t: 'punct' | 'word' | 'string' | 'other'; v: string };

type Comp =
  | { kind: 'cmp'; path: string; op: string; values: string[]; negated: boolean }
  | { kind: 'and' | 'or'; left: Comp; right: Comp };
type Obs = { kind: 'obs'; comp: Comp; qualifiers: string[] } | { kind: 'obsop'; op: string; left: Obs; right: Obs };

class Unsupported extends Error {}

const OPS = new Set(['=', '!=', '<', '>', '<=', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || (/[hbt]/.test(c) && src[i + 1] === "'")) {
      let j = c === "'" ? i + 1 : i + 2;
      let v = '';
      for (;;) {
        if (j >= src.length) throw new Error(`unterminated string literal at ${i}`);
        const d = src[j]!;
        if (d === '\\' && j + 1 < src.length) {
          v += src[j + 1];
          j += 2;
        } else if (d === "'") break;
        else {
          v += d;
          j++;
        }
      }
      out.push({ t: c === "'" ? 'string' : 'other', v });
      i = j + 1;
    } else if ('[]()'.includes(c) || c === ',') {
      out.push({ t: 'punct', v: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = src.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' ? two : c;
      if (op === '!') throw new Error(`unexpected '!' at ${i}`);
      out.push({ t: 'punct', v: op });
      i += op.length;
    } else {
      // Words: keywords, object paths (`file:hashes.'SHA-256'` keeps its quoted step), numbers.
      let j = i;
      let v = '';
      while (j < src.length && !/[\s[\]()=!<>,]/.test(src[j]!)) {
        if (src[j] === "'") {
          const close = src.indexOf("'", j + 1);
          if (close < 0) throw new Error(`unterminated quoted path step at ${j}`);
          v += src.slice(j + 1, close);
          j = close + 1;
        } else v += src[j++];
      }
      if (!v) throw new Error(`unexpected character '${c}' at ${i}`);
      out.push({ t: 'word', v });
      i = j;
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Obs {
    const obs = this.obsOr();
    if (this.pos < this.toks.length) throw new Error(`unexpected '${this.toks[this.pos]!.v}' after the pattern`);
    return obs;
  }

  private peek(): Token | undefined {
    return this.toks[this.pos];
  }
  private kw(word: string): boolean {
    const t = this.peek();
    if (t?.t === 'word' && t.v.toUpperCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(v: string): void {
    const t = this.toks[this.pos++];
    if (!t || t.v !== v) throw new Error(`expected '${v}', found ${t ? `'${t.v}'` : 'the end of the pattern'}`);
  }

  private obsOr(): Obs {
    let left = this.obsAnd();
    while (this.kw('OR')) left = { kind: 'obsop', op: 'OR', left, right: this.obsAnd() };
    return left;
  }
  private obsAnd(): Obs {
    let left = this.obsAtom();
    for (;;) {
      const op = this.kw('AND') ? 'AND' : this.kw('FOLLOWEDBY') ? 'FOLLOWEDBY' : undefined;
      if (!op) return left;
      left = { kind: 'obsop', op, left, right: this.obsAtom() };
    }
  }
  private obsAtom(): Obs {
    let obs: Obs;
    if (this.peek()?.v === '(') {
      this.pos++;
      obs = this.obsOr();
      this.expect(')');
    } else {
      this.expect('[');
      obs = { kind: 'obs', comp: this.compOr(), qualifiers: [] };
      this.expect(']');
    }
    // Qualifiers: WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…'.
    for (;;) {
      const t = this.peek();
      const q = t?.t === 'word' ? t.v.toUpperCase() : '';
      if (q !== 'WITHIN' && q !== 'REPEATS' && q !== 'START') return obs;
      this.pos += q === 'START' ? 4 : 3;
      if (obs.kind === 'obs') obs.qualifiers.push(q);
      else obs = { kind: 'obsop', op: q, left: obs, right: obs };
    }
  }
  private compOr(): Comp {
    let left = this.compAnd();
    while (this.kw('OR')) left = { kind: 'or', left, right: this.compAnd() };
    return left;
  }
  private compAnd(): Comp {
    let left = this.compAtom();
    while (this.kw('AND')) left = { kind: 'and', left, right: this.compAtom() };
    return left;
  }
  private compAtom(): Comp {
    if (this.peek()?.v === '(') {
      this.pos++;
      const c = this.compOr();
      this.expect(')');
      return c;
    }
    const path = this.toks[this.pos++];
    if (!path || path.t !== 'word' || path.v.indexOf(':') < 0) throw new Error(`expected an object path like ipv4-addr:value, found ${path ? `'${path.v}'` : 'the end'}`);
    const negated = this.kw('NOT');
    const opTok = this.toks[this.pos++];
    const op = opTok?.v.toUpperCase() ?? '';
    if (!OPS.has(op)) throw new Error(`expected a comparison operator after ${path.v}, found ${opTok ? `'${opTok.v}'` : 'the end'}`);
    const values: string[] = [];
    if (op === 'IN') {
      this.expect('(');
      for (;;) {
        values.push(this.literal());
        if (this.peek()?.v !== ',') break;
        this.pos++;
      }
      this.expect(')');
    } else values.push(this.literal());
    return { kind: 'cmp', path: path.v, op, values, negated };
  }
  private literal(): string {
    const t = this.toks[this.pos++];
    if (!t) throw new Error('expected a value, found the end of the pattern');
    if (t.t === 'string') return t.v;
    if (t.t === 'other' || t.t === 'word') throw new Unsupported(`non-string literal '${t.v}'`);
    throw new Error(`expected a value, found '${t.v}'`);
  }
}

const HASH_PATH = /^file:hashes\./i;

function compTerms(c: Comp): PatternTerm[] {
  if (c.kind === 'cmp') {
    if (c.negated || c.op === '!=') throw new Unsupported('negated comparison');
    if (c.op !== '=' && c.op !== 'IN' && c.op !== 'ISSUBSET') throw new Unsupported(`operator ${c.op}`);
    return c.values.map((value) => ({ path: c.path, value }));
  }
  const left = compTerms(c.left);
  const right = compTerms(c.right);
  // Several hashes of one file name the same file: any one of them identifies it.
  if (c.kind === 'and' && ![...left, ...right].every((t) => HASH_PATH.test(t.path))) throw new Unsupported('AND of different facts within an observation');
  return [...left, ...right];
}

function obsTerms(o: Obs): PatternTerm[] {
  if (o.kind === 'obs') {
    if (o.qualifiers.length) throw new Unsupported(`qualifier ${o.qualifiers[0]}`);
    return compTerms(o.comp);
  }
  if (o.op === 'AND') throw new Unsupported('AND across objects');
  if (o.op !== 'OR') throw new Unsupported(o.op === 'FOLLOWEDBY' ? 'FOLLOWEDBY' : `qualifier ${o.op}`);
  return [...obsTerms(o.left), ...obsTerms(o.right)];
}

/**
 * Parses a STIX pattern into indexable terms. Syntax errors throw (the caller reports them as
 * malformed indicators); valid patterns the index cannot express return `unsupported`.
 */
export function parseStixPattern(pattern: string): PatternResult {
  try {
    return { terms: obsTerms(new Parser(tokenize(pattern)).parse()) };
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}
