import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, toWire } from './wire.js';

test('values JSON cannot carry arrive exactly', () => {
  const value = {
    nan: NaN, inf: Infinity, ninf: -Infinity, negzero: -0, zero: 0, big: 12345678901234567890n,
    date: new Date('2026-11-20T08:00:00.123Z'), list: [1, undefined, null, 'x'],
    perRule: new Map<string, unknown>([['rule-a', { matches: 1, alerts: -0 }], ['rule-b', { matches: NaN }]]),
    set: new Set(['a', 'b']),
    // Fields that look like tags stay fields.
    struct: { $num: 'NaN', $$x: 1, $map: [], plain: 2 },
    text: 'line\nbreak \u0000 ✓',
  };
  const wire = toWire(value);
  assert.ok(!wire.includes('\n'), 'one message, one line');
  const back = fromWire<typeof value>(wire);
  assert.ok(Number.isNaN(back.nan));
  assert.equal(back.inf, Infinity);
  assert.equal(back.ninf, -Infinity);
  assert.ok(Object.is(back.negzero, -0));
  assert.ok(Object.is(back.zero, 0));
  assert.equal(back.big, 12345678901234567890n);
  assert.ok(back.date instanceof Date);
  assert.equal(back.date.toISOString(), '2026-11-20T08:00:00.123Z');
  assert.deepEqual(back.list, [1, undefined, null, 'x']);
  assert.ok(back.perRule instanceof Map);
  assert.ok(Object.is((back.perRule.get('rule-a') as { alerts: number }).alerts, -0));
  assert.ok(Number.isNaN((back.perRule.get('rule-b') as { matches: number }).matches));
  assert.deepEqual([...back.set], ['a', 'b']);
  assert.deepEqual(back.struct, { $num: 'NaN', $$x: 1, $map: [], plain: 2 });
  assert.equal(back.text, value.text);
});

test('a field named __proto__ stays a field and changes no prototype', () => {
  const back = fromWire<Record<string, unknown>>('{"__proto__": {"polluted": true}, "a": 1}');
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('an unknown tag is refused, not guessed', () => {
  assert.throws(() => fromWire('{"$what": 1}'), /unknown value tag \$what/);
});
