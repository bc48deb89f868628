import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../ecs/event.js';
import { applyAction } from './action.js';

function applied(value: string): EcsEvent['event'] {
  const event: EcsEvent = { event: { type: ['protocol'] } };
  applyAction(event, value);
  return event.event;
}

test('a known verdict sets action, outcome and the allowed/denied type', () => {
  assert.deepEqual(applied('BLOCKED'), { type: ['protocol', 'denied'], action: 'blocked', outcome: 'failure' });
  assert.deepEqual(applied('Allowed'), { type: ['protocol', 'allowed'], action: 'allowed', outcome: 'success' });
});

test("found by fuzzing: an action named after an Object member ('constructor', 'toString') is an unknown verdict, not an undefined type", () => {
  for (const value of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.deepEqual(applied(value), { type: ['protocol'], action: value.toLowerCase(), outcome: 'unknown' }, value);
  }
});
