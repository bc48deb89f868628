import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, setOwn, setPath, type EcsObject } from './event.js';

test('paths and keys from log content never reach Object.prototype (found by fuzzing: a Zscaler feed named __proto__)', () => {
  const e: EcsObject = {};
  setPath(e, '__proto__.polluted', 'yes');
  setPath(e, ['a', '__proto__', 'polluted'], 'yes');
  setPath(e, 'b.__proto__', 'kept');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(e), Object.prototype);
  assert.equal(JSON.stringify(e), '{"__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"}},"b":{"__proto__":"kept"}}');
  assert.equal(getPath(e, 'b.__proto__'), 'kept');
  const o: EcsObject = {};
  setOwn(o, '__proto__', { x: 1 });
  setOwn(o, 'constructor', 'c');
  assert.deepEqual([Object.getPrototypeOf(o) === Object.prototype, Object.keys(o)], [true, ['__proto__', 'constructor']]);
});
