import type { Expr } from './ast.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';

/**
 * eval/where expressions, loosest first: OR/XOR, AND, NOT, comparison (= == != <> < <= > >= LIKE
 * IN), + - and `.` (concatenation), * / %, unary minus, then literals, fields, calls and groups.
 */
export function parseExpr(c: Cursor): Expr {
  return orExpr(c);
}

function kw(c: Cursor, word: string): Token | null {
  return c.isWord(word) ? c.next() : null;
}

function bin(op: Token, left: Expr, right: Expr): Expr {
  return { kind: 'bin', op, left, right, pos: left.pos, end: right.end };
}

function orExpr(c: Cursor): Expr {
  let left = andExpr(c);
  for (let op = kw(c, 'or') ?? kw(c, 'xor'); op; op = kw(c, 'or') ?? kw(c, 'xor')) left = bin(op, left, andExpr(c));
  return left;
}

function andExpr(c: Cursor): Expr {
  let left = notExpr(c);
  for (let op = kw(c, 'and'); op; op = kw(c, 'and')) left = bin(op, left, notExpr(c));
  return left;
}

function notExpr(c: Cursor): Expr {
  const op = kw(c, 'not');
  if (!op) return cmpExpr(c);
  const arg = notExpr(c);
  return { kind: 'unary', op, arg, pos: op.pos, end: arg.end };
}

const CMP = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);

function cmpExpr(c: Cursor): Expr {
  const left = addExpr(c);
  const t = c.peek();
  if (t.kind === 'op' && CMP.has(t.text)) {
    c.next();
    return bin(t, left, addExpr(c));
  }
  const negated = c.isWord('not') && (c.isWord('like', 1) || c.isWord('in', 1));
  if (negated) c.next();
  if (c.eatWord('like')) {
    const pattern = addExpr(c);
    return { kind: 'like', arg: left, pattern, negated, pos: left.pos, end: pattern.end };
  }
  if (c.isWord('in') && c.isOp('(', 1)) {
    c.next();
    c.next();
    const list: Expr[] = [];
    do list.push(parseExpr(c));
    while (c.eatOp(','));
    const close = c.expectOp(')', "')' to close the IN list");
    return { kind: 'in', arg: left, list, negated, pos: left.pos, end: close.end };
  }
  return left;
}

function addExpr(c: Cursor): Expr {
  let left = mulExpr(c);
  while (c.isOp('+') || c.isOp('-') || c.isOp('.')) left = bin(c.next(), left, mulExpr(c));
  return left;
}

function mulExpr(c: Cursor): Expr {
  let left = unary(c);
  while (c.isOp('*') || c.isOp('/') || c.isOp('%')) left = bin(c.next(), left, unary(c));
  return left;
}

function unary(c: Cursor): Expr {
  if (c.isOp('-')) {
    const op = c.next();
    const arg = unary(c);
    return { kind: 'unary', op, arg, pos: op.pos, end: arg.end };
  }
  return primary(c);
}

function primary(c: Cursor): Expr {
  const t = c.peek();
  if (c.eatOp('(')) {
    const inner = parseExpr(c);
    c.expectOp(')', "')' to close the group");
    return inner;
  }
  if (t.kind === 'string') {
    c.next();
    return { kind: 'lit', type: 'string', tok: t, pos: t.pos, end: t.end };
  }
  if (t.kind === 'number') {
    c.next();
    return { kind: 'lit', type: 'number', tok: t, pos: t.pos, end: t.end };
  }
  if (t.kind !== 'word') throw c.error('expected a value, a field or a function call');
  c.next();
  if (!t.quotedName && c.isOp('(')) {
    c.next();
    const args: Expr[] = [];
    if (!c.isOp(')')) {
      do args.push(parseExpr(c));
      while (c.eatOp(','));
    }
    const close = c.expectOp(')', "')' to close the call");
    return { kind: 'call', name: t, args, pos: t.pos, end: close.end };
  }
  const lower = t.text.toLowerCase();
  if (!t.quotedName && (lower === 'true' || lower === 'false' || lower === 'null')) return { kind: 'const', value: lower, pos: t.pos, end: t.end };
  return { kind: 'field', tok: t, pos: t.pos, end: t.end };
}
