import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoFromMillis, millisFromDateTime, millisFromEpochSeconds, millisFromIso, secondsToNanos, nanosFrom } from './time.js';

test('date + time in UTC, validated', () => {
  assert.equal(isoFromMillis(millisFromDateTime('2023-12-05', '16:15:33')!), '2023-12-05T16:15:33Z');
  assert.equal(isoFromMillis(millisFromDateTime('2023-12-05', '16:15:33.250')!), '2023-12-05T16:15:33.250Z');
  assert.equal(millisFromDateTime('2023-02-31', '00:00:00'), undefined);
  assert.equal(millisFromDateTime('2023-13-01', '00:00:00'), undefined);
  assert.equal(millisFromDateTime('2023-12-05', '25:00:00'), undefined);
  assert.equal(millisFromDateTime('05/12/2023', '00:00:00'), undefined);
  // the one-entry cache must not return a stale answer
  assert.equal(millisFromDateTime('2023-12-05', '16:15:34'), Date.UTC(2023, 11, 5, 16, 15, 34));
});

test('epoch seconds, ISO, durations', () => {
  assert.equal(millisFromEpochSeconds('1607497744.123'), 1607497744123);
  assert.equal(millisFromEpochSeconds('abc'), undefined);
  assert.equal(millisFromIso('2021-03-18T14:30:07Z'), Date.UTC(2021, 2, 18, 14, 30, 7));
  assert.equal(millisFromIso('2021-03-18T16:30:07+02:00'), Date.UTC(2021, 2, 18, 14, 30, 7));
  assert.equal(millisFromIso('2021-03-18 14:30:07'), Date.UTC(2021, 2, 18, 14, 30, 7));
  assert.equal(millisFromIso('yesterday'), undefined);
  assert.equal(secondsToNanos('0.358'), 358_000_000);
  assert.equal(secondsToNanos('-'), undefined);
});

test('isoFromMillis matches Date.toISOString (without a .000 fraction) across days, years and odd values', () => {
  const reference = (ms: number) => {
    const s = new Date(ms).toISOString();
    // (Six-digit years, outside 0000-9999, keep their seconds too.)
    return ms % 1000 === 0 ? s.replace(/\.000Z$/, 'Z') : s;
  };
  const values = [0, -0, 1, -1, 999, 1000, 86_399_999, 86_400_000, -86_400_000, -86_400_001, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 10, 20, 8), 1.5, -1.5, 8.64e15, -8.64e15, Date.UTC(-5, 0, 1), Date.UTC(10_000, 0, 1, 1, 2, 3, 4)];
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    // Alternate between nearby times (one day, shared prefix) and far-apart ones.
    values.push(i % 2 ? Date.UTC(2026, 10, 20) + (x % 86_400_000) : (x - 1e9) * 4e5 + (i % 3 ? 0 : x % 1000));
  }
  for (const v of values) assert.equal(isoFromMillis(v), reference(v), String(v));
  assert.throws(() => isoFromMillis(NaN), RangeError);
  assert.throws(() => isoFromMillis(8.64e15 + 1), RangeError);
});

test('durations beyond a long (about 292 years of nanoseconds) are left out, not stored as 1e29', () => {
  assert.equal(nanosFrom(120, 1e6), 120_000_000);
  assert.equal(nanosFrom(9_223_372_036, 1e9), 9_223_372_036_000_000_000);
  assert.equal(nanosFrom(9_223_372_037, 1e9), undefined);
  assert.equal(nanosFrom(-1, 1), undefined);
  assert.equal(nanosFrom(Infinity, 1), undefined);
  assert.equal(nanosFrom(NaN, 1), undefined);
  assert.equal(secondsToNanos('1e300'), undefined);
});
