import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZone } from '../../ecs/timezone.js';
import { parsePanTime } from './time.js';

const iso = (text: string, zone = 'UTC') => {
  const ms = parsePanTime(text, parseZone(zone));
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

test('parsePanTime: every form the delivery formats use', () => {
  assert.equal(iso('2026/11/20 10:00:00', '+02:00'), '2026-11-20T08:00:00.000Z');
  assert.equal(iso('2026-11-20T10:00:00.123+01:00', 'America/New_York'), '2026-11-20T09:00:00.123Z');
  assert.equal(iso('2026-11-20T10:00:00.123-03:30'), '2026-11-20T13:30:00.123Z');
  assert.equal(iso('2026-11-20T10:00:00Z', '+05:00'), '2026-11-20T10:00:00.000Z');
  assert.equal(iso('2026-11-20T10:00:00.250000Z'), '2026-11-20T10:00:00.250Z');
  assert.equal(iso('2026-11-20 10:00:00', '+01:00'), '2026-11-20T09:00:00.000Z');
  assert.equal(iso('1795165200'), '2026-11-20T09:00:00.000Z');
  assert.equal(iso('1795165200123'), '2026-11-20T09:00:00.123Z');
  assert.equal(iso('1795165200123456'), '2026-11-20T09:00:00.123Z');
  assert.equal(iso('Nov 20 2026 09:00:00 GMT', '+05:00'), '2026-11-20T09:00:00.000Z');
  assert.equal(iso('Nov 20 2026 10:00:00', '+01:00'), '2026-11-20T09:00:00.000Z');
  assert.equal(iso('Nov  2 2026 10:00:00.5 +0100'), '2026-11-02T09:00:00.500Z');
});

test('parsePanTime: malformed and impossible times', () => {
  for (const bad of ['2026/13/20 10:00:00', '2026/02/29 10:00:00', '2026/11/20 25:00:00', '20xx/11/20 10:00:00', 'yesterday', '', '2026-11-20T10:00:00.123+01:0x', 'Foo 20 2026 10:00:00']) {
    assert.equal(iso(bad), undefined, bad);
  }
});
