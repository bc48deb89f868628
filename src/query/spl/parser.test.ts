import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, Expr, SearchNode } from './ast.js';
import { SplError } from './errors.js';
import { parse } from './parser.js';

/** A compact rendering of search trees and expressions, to compare shapes rather than offsets. */
function s(n: SearchNode | null): string {
  if (!n) return '∅';
  switch (n.kind) {
    case 'and':
    case 'or':
      return `${n.kind}(${n.items.map(s).join(' ')})`;
    case 'not':
      return `not(${s(n.item)})`;
    case 'cmp':
      return `${n.field.text}${n.op}${n.value.text}`;
    case 'in':
      return `${n.field.text} in [${n.values.map((v) => v.text).join(',')}]`;
    case 'term':
      return `'${n.value.text}'`;
    case 'subsearch':
      return `[${n.tok.text}]`;
  }
}

function e(x: Expr): string {
  switch (x.kind) {
    case 'lit':
      return x.type === 'string' ? `"${x.tok.text}"` : x.tok.text;
    case 'const':
      return x.value;
    case 'field':
      return x.tok.text;
    case 'call':
      return `${x.name.text}(${x.args.map(e).join(', ')})`;
    case 'bin':
      return `(${e(x.left)} ${x.op.text} ${e(x.right)})`;
    case 'unary':
      return `(${x.op.text} ${e(x.arg)})`;
    case 'in':
      return `(${e(x.arg)} ${x.negated ? 'not in' : 'in'} ${x.list.map(e).join(',')})`;
    case 'like':
      return `(${e(x.arg)} like ${e(x.pattern)})`;
  }
}

const one = (q: string, i = 0): Command => parse(q)[i]!;
const search = (q: string) => {
  const c = one(q);
  assert.equal(c.cmd, 'search');
  return s((c as Extract<Command, { cmd: 'search' }>).node);
};

test('search: implicit AND, OR binds tighter than AND, NOT tightest, parentheses, IN, quoted values', () => {
  assert.equal(search('a b'), "and('a' 'b')");
  assert.equal(search('a b OR c'), "and('a' or('b' 'c'))");
  assert.equal(search('NOT a=1 OR b!=2 AND c'), "and(or(not(a=1) b!=2) 'c')");
  assert.equal(search('(index=x OR index=y) url="https://a b"'), 'and(or(index=x index=y) url=https://a b)');
  assert.equal(search('dest_port IN (80, 443) status>=500'), 'and(dest_port in [80,443] status>=500)');
  assert.equal(search('search a or b'), "and('a' 'or' 'b')", "lower-case 'or' is a term, as in Splunk");
  assert.deepEqual(parse('| head 1').map((c) => c.cmd), ['head'], 'no base search: every event');
  assert.equal(s((parse('search')[0] as Extract<Command, { cmd: 'search' }>).node), '∅');
});

test('eval: assignments, precedence, calls, concatenation, IN/LIKE, constants', () => {
  const c = one('x | eval a=1+2*3, b=if(a>1 AND NOT c, "y", null) . "z", d=f in ("a","b"), g=h LIKE "x%", i=-len(j)', 1);
  assert.equal(c.cmd, 'eval');
  const as = (c as Extract<Command, { cmd: 'eval' }>).assignments.map((a) => `${a.name.text}=${e(a.expr)}`);
  assert.deepEqual(as, ['a=(1 + (2 * 3))', 'b=(if(((a > 1) AND (NOT c)), "y", null) . "z")', 'd=(f in "a","b")', 'g=(h like "x%")', 'i=(- len(j))']);
});

test('where, stats, timechart', () => {
  const w = one('x | where a>1 OR b="c"', 1) as Extract<Command, { cmd: 'where' }>;
  assert.equal(e(w.expr), '((a > 1) OR (b = "c"))');
  const st = one('x | stats count, dc(user) as users values(src_ip) perc95(bytes) by host, url', 1) as Extract<Command, { cmd: 'stats' }>;
  assert.deepEqual(st.aggs.map((a) => [a.fn.text, a.field?.text ?? null, a.as?.text ?? null, a.label]), [
    ['count', null, null, 'count'], ['dc', 'user', 'users', 'dc(user)'], ['values', 'src_ip', null, 'values(src_ip)'], ['perc95', 'bytes', null, 'perc95(bytes)'],
  ]);
  assert.deepEqual(st.by.map((t) => t.text), ['host', 'url']);
  const tc = one('x | timechart span=5m count avg(bytes) by status', 1) as Extract<Command, { cmd: 'timechart' }>;
  assert.equal(tc.span?.text, '5m');
  assert.equal(tc.aggs.length, 2);
  assert.equal(tc.by?.text, 'status');
  assert.deepEqual([tc.limit, tc.useother, tc.usenull, tc.cont], [null, true, true, true]);
  const opts = one('x | timechart limit=3 useother=f span=1m usenull=false cont=0 count by host', 1) as Extract<Command, { cmd: 'timechart' }>;
  assert.deepEqual([opts.span?.text, opts.limit?.text, opts.useother, opts.usenull, opts.cont], ['1m', '3', false, false, false]);
});

test('table, fields, rename, sort, head, tail, dedup, top, rare', () => {
  const cmds = parse('x | table a, b c | fields - d | rename a as x, b as "y z" | sort 5 -count, +name | head 3 | tail | dedup 2 a b sortby -c | top limit=3 a by b | rare c showperc=false');
  assert.deepEqual(cmds.map((c) => c.cmd), ['search', 'table', 'fields', 'rename', 'sort', 'head', 'tail', 'dedup', 'top', 'rare']);
  const [, table, fields, rename, sort, head, tail, dedup, top, rare] = cmds as [Command, ...Extract<Command, { cmd: string }>[]];
  assert.deepEqual((table as Extract<Command, { cmd: 'table' }>).fields.map((t) => t.text), ['a', 'b', 'c']);
  assert.equal((fields as Extract<Command, { cmd: 'fields' }>).remove, true);
  assert.deepEqual((rename as Extract<Command, { cmd: 'rename' }>).pairs.map((p) => `${p.from.text}>${p.to.text}`), ['a>x', 'b>y z']);
  const so = sort as Extract<Command, { cmd: 'sort' }>;
  assert.equal(so.limit?.text, '5');
  assert.deepEqual(so.keys.map((k) => `${k.desc ? '-' : '+'}${k.field.text}`), ['-count', '+name']);
  assert.equal((head as Extract<Command, { cmd: 'head' }>).count?.text, '3');
  assert.equal((tail as Extract<Command, { cmd: 'tail' }>).count, null);
  const dd = dedup as Extract<Command, { cmd: 'dedup' }>;
  assert.deepEqual([dd.count?.text, dd.fields.map((t) => t.text), dd.sortby.map((k) => k.desc)], ['2', ['a', 'b'], [true]]);
  const tp = top as Extract<Command, { cmd: 'top' }>;
  assert.deepEqual([tp.limit?.text, tp.fields.map((t) => t.text), tp.by.map((t) => t.text)], ['3', ['a'], ['b']]);
  assert.equal((rare as Extract<Command, { cmd: 'rare' }>).showperc, false);
});

test('errors name the offending token and point at it', () => {
  const at = (q: string, token: string, message: RegExp) =>
    assert.throws(() => parse(q), (err: SplError) => {
      assert.ok(err instanceof SplError, String(err));
      assert.equal(q.slice(err.offset, err.offset + err.length), token);
      assert.match(err.message, message);
      return true;
    });
  at('x | frobnicate a', 'frobnicate', /unknown or unsupported command 'frobnicate'/);
  at('x | stats count by user | apply my_model', 'apply', /unknown or unsupported command 'apply': it applies a model trained with the Splunk Machine Learning Toolkit \(MLTK\)/);
  at('x | stats count by', 'by', /expected a field name after by/);
  at('x | eval a=(1+2', '2', /expected '\)' to close the group, found end of command/);
  at('x | head ten', 'ten', /expected a row count \(a whole number\), found 'ten'/);
  at('x | rename a b', 'b', /expected 'as'/);
  at('(a OR b', 'b', /expected '\)' to close the group/);
  at('x | | head', '|', /empty command/);
  const err = (() => {
    try {
      parse('index=x | stats count by');
    } catch (e) {
      return e as SplError;
    }
  })()!;
  assert.match(err.message, /\n  index=x \| stats count by\n {24}\^\^$/);
});
