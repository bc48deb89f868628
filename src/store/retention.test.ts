import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayNumber, parseRetention, retentionCutoff } from './retention.js';

test('the retention keeps whole UTC days: the cutoff is 00:00 UTC of the day N days back', () => {
  const now = Date.parse('2026-12-07T15:00:00.000Z');
  assert.equal(new Date(retentionCutoff(3, now)).toISOString(), '2026-12-04T00:00:00.000Z');
  assert.equal(new Date(retentionCutoff(3, Date.parse('2026-12-07T00:00:00.000Z'))).toISOString(), '2026-12-04T00:00:00.000Z');
  assert.equal(new Date(retentionCutoff(90, now)).toISOString(), '2026-09-08T00:00:00.000Z');
  assert.equal(dayNumber(Date.parse('2026-12-03T23:59:59.999Z')), 20261203);
  assert.equal(dayNumber(retentionCutoff(3, now)), 20261204);
});

test('--retention takes days written Nd, and says what it expected otherwise', () => {
  assert.equal(parseRetention('90d'), 90);
  assert.equal(parseRetention(' 7D '), 7);
  for (const bad of ['90', '0d', '90 days', '-1d', '1.5d', '36501d', '']) {
    assert.throws(() => parseRetention(bad), /--retention must be a number of days from 1 to 36500 followed by d \(e\.g\. 90d\)/, bad);
  }
});
