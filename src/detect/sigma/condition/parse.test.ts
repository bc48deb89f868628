import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from './parse.js';
import { showCondition } from './ast.js';
import { matches } from '../test-helpers.js';

const IDS = ['sel1', 'sel2', 'filter_a', 'filter_b', '_hidden'];
const show = (c: string) => showCondition(parseCondition(c, IDS));

test('precedence: not > and > or', () => {
  assert.equal(show('sel1 or sel2 and not filter_a'), '(sel1 or (sel2 and not filter_a))');
  assert.equal(show('(sel1 or sel2) and not filter_a'), '((sel1 or sel2) and not filter_a)');
  assert.equal(show('not sel1 and sel2'), '(not sel1 and sel2)');
  assert.equal(show('not not sel1'), 'not not sel1');
  assert.equal(show('SEL1 AND sel2'.replace('SEL1', 'sel1')), '(sel1 and sel2)');
});

test('1 of / all of patterns and them (them skips _ identifiers)', () => {
  assert.equal(show('1 of sel*'), '(sel1 or sel2)');
  assert.equal(show('all of filter_*'), '(filter_a and filter_b)');
  assert.equal(show('1 of them'), '(sel1 or sel2 or filter_a or filter_b)');
  assert.equal(show('all of them'), '(sel1 and sel2 and filter_a and filter_b)');
  assert.equal(show('sel1 and not 1 of filter_*'), '(sel1 and not (filter_a or filter_b))');
  assert.equal(show('1 of sel1'), 'sel1');
});

test('errors say what is wrong', () => {
  assert.throws(() => parseCondition('sel1 and', IDS), /ends unexpectedly/);
  assert.throws(() => parseCondition('(sel1', IDS), /missing '\)'/);
  assert.throws(() => parseCondition('sel1 sel2', IDS), /unexpected 'sel2'/);
  assert.throws(() => parseCondition('nope', IDS), /'nope', which is not a search identifier/);
  assert.throws(() => parseCondition('1 of x*', IDS), /matches no search identifier/);
  assert.throws(() => parseCondition('2 of sel*', IDS), /use '1 of' or 'all of'/);
  assert.throws(() => parseCondition('sel1 | count() by host > 5', IDS), /legacy aggregation syntax, use a correlation rule/);
  assert.throws(() => parseCondition('', IDS), /empty condition/);
});

test('conditions evaluate end to end', () => {
  const det = "sel1:\n  a: x\nsel2:\n  b: y\nfilter_1:\n  c: z\ncondition: 1 of sel* and not filter_1";
  assert.ok(matches(det, { a: 'x' }));
  assert.ok(matches(det, { b: 'y' }));
  assert.ok(!matches(det, { b: 'y', c: 'z' }));
  assert.ok(!matches(det, { d: 1 }));
  const all = "sel1:\n  a: x\nsel2:\n  b: y\ncondition: all of them";
  assert.ok(matches(all, { a: 'x', b: 'y' }));
  assert.ok(!matches(all, { a: 'x' }));
  // A list of maps is OR of ANDs.
  const lm = 'sel:\n  - a: x\n    b: y\n  - c: z\ncondition: sel';
  assert.ok(matches(lm, { c: 'z' }));
  assert.ok(matches(lm, { a: 'x', b: 'y' }));
  assert.ok(!matches(lm, { a: 'x' }));
  // A condition list is OR.
  assert.ok(matches('sel1:\n  a: x\nsel2:\n  b: y\ncondition:\n  - sel1\n  - sel2', { b: 'y' }));
});
