import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoFromMillis, millisFromDateTime, millisFromEpochSeconds, millisFromIso, secondsToNanos } from './time.js';

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
