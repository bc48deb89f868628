import type { Agg, Expr, SortKey } from './ast.js';
import { Cursor } from './cursor.js';
import { SplError } from './errors.js';
import { lex, type Token } from './lexer.js';
import { parseExpr } from './parse-expr.js';

/** Argument forms several commands share: aggregations, sort keys, field lists, options. */

/** `fn(field) [as name]` repeated, for stats and timechart. */
export function parseAggs(c: Cursor, stop: readonly string[] = ['by']): Agg[] {
  const aggs: Agg[] = [];
  while (!c.atEnd() && !stop.some((w) => c.isWord(w))) {
    if (c.eatOp(',')) continue;
    const fn = c.peek();
    if (fn.kind !== 'word') throw c.error('expected an aggregation such as count, dc(field) or values(field)');
    c.next();
    let field: Token | null = null;
    let expr: Expr | null = null;
    let label = fn.text;
    if (c.eatOp('(')) {
      if (c.isWord('eval') && c.isOp('(', 1)) expr = evalArgument(c);
      else if (!c.isOp(')')) field = c.expectName('a field name');
      const close = c.expectOp(')', "')' after the field");
      label = c.query.slice(fn.pos, close.end).replace(/\s+/g, '');
    }
    const as = c.eatWord('as') ? c.expectName('an output name after as') : null;
    aggs.push({ fn, field, as, label, ...(expr ? { expr } : {}) });
  }
  if (!aggs.length) throw c.error('expected an aggregation such as count');
  return aggs;
}

/**
 * `eval(<expression>)` as an aggregation's argument (`count(eval(status>=400))`): the command's
 * tokens were read as search words, so the expression's text (to the balancing ')', quotes
 * skipped) is read again as an eval expression.
 */
function evalArgument(c: Cursor): Expr {
  c.next();
  const open = c.next();
  const close = balancingParen(c.query, open.pos, c.peek(c.tokens.length).end);
  if (close < 0) throw new SplError("expected ')' to close eval(", open.pos, 1, c.query);
  const inner = new Cursor(lex(c.query, { pos: open.end, end: close }, 'expr'), c.query);
  const expr = parseExpr(inner);
  inner.done();
  c.skipTo(close + 1);
  return expr;
}

/** The offset of the ')' balancing the '(' at `open`, skipping quoted text; -1 when there is none before `limit`. */
function balancingParen(query: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const ch = query[i]!;
    if (ch === '"' || ch === "'") {
      for (i++; i < limit && query[i] !== ch; i++) if (query[i] === '\\') i++;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** `t`, `true`, `1` / `f`, `false`, `0`, as Splunk accepts them. */
export function booleanOption(c: Cursor): boolean {
  const v = c.expectName('true or false');
  if (/^(true|t|1)$/i.test(v.text)) return true;
  if (/^(false|f|0)$/i.test(v.text)) return false;
  throw new SplError(`expected true or false, got '${v.text}'`, v.pos, v.end - v.pos, c.query);
}

export function sortKey(c: Cursor): SortKey {
  let desc = false;
  let t = c.peek();
  if (t.kind === 'word' && (t.text === '-' || t.text === '+')) {
    desc = c.next().text === '-';
    t = c.peek();
  }
  let field: Token;
  if (t.kind === 'word' && /^[-+]./.test(t.text)) {
    c.next();
    desc = t.text[0] === '-';
    field = { ...t, text: t.text.slice(1), pos: t.pos + 1 };
  } else if (t.kind === 'word' && /^(num|str|ip|auto)$/i.test(t.text) && c.isOp('(', 1)) {
    // num(x)/str(x) choose Splunk's comparison; the column's own type decides here.
    c.next();
    c.next();
    field = c.expectName();
    c.expectOp(')');
  } else field = c.expectName('a field to sort by');
  return { field, desc };
}

export function parseCountArg(c: Cursor): Token | null {
  if (c.atEnd()) return null;
  if (c.isWord('limit') && c.isOp('=', 1)) {
    c.next();
    c.next();
  }
  return c.expectCount('a row count');
}

/** Field names separated by spaces or commas, up to the end or the next `by`. */
export function names(c: Cursor, what: string): Token[] {
  const out: Token[] = [];
  while (!c.atEnd() && !c.isWord('by')) {
    if (c.eatOp(',')) continue;
    out.push(c.expectName(what));
  }
  if (!out.length) throw c.error(`expected ${what}`);
  return out;
}

/**
 * The tokens up to the first top-level keyword `word` (outside parentheses), as a cursor of their
 * own; `c` moves past them. For clauses such as tstats' `where … by …`.
 */
export function until(c: Cursor, word: string): Cursor {
  const taken: Token[] = [];
  let depth = 0;
  while (!c.atEnd() && !(depth === 0 && c.isWord(word))) {
    const t = c.next();
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')') depth--;
    taken.push(t);
  }
  const end = c.peek();
  return new Cursor([...taken, { kind: 'eof', text: '', pos: end.pos, end: end.pos }], c.query);
}
