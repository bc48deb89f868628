import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, splitPipeline } from './lexer.js';
import { SplError } from './errors.js';

const texts = (q: string, mode: 'search' | 'expr') => lex(q, { pos: 0, end: q.length }, mode).map((t) => `${t.kind}:${t.text}`);

test('pipeline splits at | outside quotes', () => {
  const q = 'a="x|y" | eval b=\'f|g\' | head 2';
  assert.deepEqual(splitPipeline(q).map((s) => q.slice(s.pos, s.end).trim()), ['a="x|y"', "eval b='f|g'", 'head 2']);
  assert.throws(() => splitPipeline('a="x | head'), (e: SplError) => e instanceof SplError && e.offset === 2 && /unterminated/.test(e.message));
});

test('search mode keeps wildcards, URLs, relative times and dotted names in one word', () => {
  assert.deepEqual(texts('src_ip=10.0.* earliest=-24h@h url="https://a.b/c" NOT foo*bar', 'search'), [
    'word:src_ip', 'op:=', 'word:10.0.*', 'word:earliest', 'op:=', 'word:-24h@h', 'word:url', 'op:=', 'string:https://a.b/c',
    'word:NOT', 'word:foo*bar', 'eof:',
  ]);
  assert.deepEqual(texts('a!=b c<=5 (d>1,e)', 'search'), ['word:a', 'op:!=', 'word:b', 'word:c', 'op:<=', 'word:5', 'op:(', 'word:d', 'op:>', 'word:1', 'op:,', 'word:e', 'op:)', 'eof:']);
});

test('expr mode: numbers, operators, concatenation dot, single-quoted field names, string escapes', () => {
  assert.deepEqual(texts(`x=len(a.b)*2.5 - 1 . "q\\"t" + 'my field'`, 'expr'), [
    'word:x', 'op:=', 'word:len', 'op:(', 'word:a.b', 'op:)', 'op:*', 'number:2.5', 'op:-', 'number:1', 'op:.', 'string:q"t', 'op:+', 'word:my field', 'eof:',
  ]);
  assert.throws(() => texts('a = b ; c', 'expr'), (e: SplError) => e.offset === 6 && /unexpected character ';'/.test(e.message));
});

test('tokens carry their offsets in the whole query', () => {
  const q = 'index=x | stats count by host';
  const seg = splitPipeline(q)[1]!;
  const toks = lex(q, seg, 'search');
  assert.equal(q.slice(toks[0]!.pos, toks[0]!.end), 'stats');
  assert.equal(q.slice(toks[3]!.pos, toks[3]!.end), 'host');
});
