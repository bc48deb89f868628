import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.js';

const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown;

test('nesting depth is measured without recursion, objects and arrays alike', () => {
  assert.equal(nestedDeeperThan(nested(MAX_JSON_DEPTH)), false);
  assert.equal(nestedDeeperThan(nested(MAX_JSON_DEPTH + 1)), true);
  assert.equal(nestedDeeperThan(nested(100_000)), true);
  assert.equal(nestedDeeperThan(JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))), true);
  assert.equal(nestedDeeperThan({ a: [{ b: 1 }], c: { d: [1, 2, { e: null }] } }, 4), false);
  assert.equal(nestedDeeperThan({ a: [{ b: 1 }], c: { d: [1, 2, { e: {} }] } }, 4), true);
  assert.equal(nestedDeeperThan('text'), false);
  assert.equal(nestedDeeperThan(null), false);
});
