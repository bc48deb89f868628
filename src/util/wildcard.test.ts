import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wildcardMatch } from './wildcard.js';

test('wildcardMatch: * any run, ? one character when asked, whole strings', () => {
  assert.ok(wildcardMatch('sel*', 'selection'));
  assert.ok(wildcardMatch('*', ''));
  assert.ok(wildcardMatch('a*b*c', 'axxbyyc'));
  assert.ok(!wildcardMatch('a*b*c', 'axxbyy'));
  assert.ok(!wildcardMatch('sel', 'selection'));
  assert.ok(wildcardMatch('s?l', 'sel', { anyOne: true }));
  assert.ok(!wildcardMatch('s?l', 'sel'));
  assert.ok(wildcardMatch('s?l', 's?l'));
  assert.ok(wildcardMatch('FW-*', 'fw-edge-1', { caseInsensitive: true }));
  assert.ok(!wildcardMatch('FW-*', 'fw-edge-1'));
});

test('wildcardMatch takes time linear in the text for many stars (a backtracking regex takes hours)', () => {
  const start = performance.now();
  assert.ok(!wildcardMatch(`${'*a'.repeat(30)}*b`, 'a'.repeat(100_000)));
  assert.ok(performance.now() - start < 2000);
});
