import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localToUtcMillis, parseZone } from './timezone.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

test('fixed offsets in the spellings collectors use', () => {
  assert.equal(iso(localToUtcMillis(2018, 11, 30, 16, 44, 36, 0, '+09:30')), '2018-11-30T07:14:36.000Z');
  assert.equal(iso(localToUtcMillis(2018, 11, 30, 16, 44, 36, 0, '-0330')), '2018-11-30T20:14:36.000Z');
  assert.equal(iso(localToUtcMillis(2026, 1, 1, 0, 0, 0, 5, '+2')), '2025-12-31T22:00:00.005Z');
  assert.equal(iso(localToUtcMillis(2026, 1, 1, 0, 0, 0, 0, 'UTC+01:00')), '2025-12-31T23:00:00.000Z');
  for (const utc of ['UTC', 'Z', 'gmt', 'Etc/UTC', '+00:00']) {
    assert.equal(iso(localToUtcMillis(2026, 6, 1, 12, 0, 0, 0, utc)), '2026-06-01T12:00:00.000Z', utc);
  }
  assert.equal(parseZone('+05:45').fixedOffsetMinutes, 345);
  assert.equal(parseZone('-08:00').offsetAt(0), -8 * 3_600_000);
});

test('IANA zones follow daylight saving time', () => {
  // Paris: CET (+01:00) in winter, CEST (+02:00) in summer.
  assert.equal(iso(localToUtcMillis(2026, 1, 15, 12, 0, 0, 0, 'Europe/Paris')), '2026-01-15T11:00:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 7, 15, 12, 0, 0, 0, 'Europe/Paris')), '2026-07-15T10:00:00.000Z');
  // New York: EST/EDT; Sydney is on daylight time in the southern summer.
  assert.equal(iso(localToUtcMillis(2026, 11, 20, 10, 0, 0, 0, 'America/New_York')), '2026-11-20T15:00:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 1, 10, 10, 0, 0, 0, 'Australia/Sydney')), '2026-01-09T23:00:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 3, 1, 8, 0, 0, 0, 'Asia/Kolkata')), '2026-03-01T02:30:00.000Z');
});

test('DST boundaries: spring-forward gap and fall-back overlap (Europe/Paris 2026)', () => {
  const z = parseZone('Europe/Paris');
  // Clocks go 02:00 CET → 03:00 CEST on 2026-03-29 (01:00 UTC).
  assert.equal(iso(localToUtcMillis(2026, 3, 29, 1, 59, 59, 0, z)), '2026-03-29T00:59:59.000Z');
  assert.equal(iso(localToUtcMillis(2026, 3, 29, 3, 0, 0, 0, z)), '2026-03-29T01:00:00.000Z');
  // 02:30 does not exist: read with the offset before the change, i.e. as 03:30 CEST.
  assert.equal(iso(localToUtcMillis(2026, 3, 29, 2, 30, 0, 0, z)), '2026-03-29T01:30:00.000Z');
  // Clocks go 03:00 CEST → 02:00 CET on 2026-10-25 (01:00 UTC): 02:30 happens twice, the earlier wins.
  assert.equal(iso(localToUtcMillis(2026, 10, 25, 2, 30, 0, 0, z)), '2026-10-25T00:30:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 10, 25, 1, 59, 0, 0, z)), '2026-10-24T23:59:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 10, 25, 3, 0, 0, 0, z)), '2026-10-25T02:00:00.000Z');
  // The cached hour is not reused across the boundary.
  assert.equal(iso(localToUtcMillis(2026, 10, 25, 4, 15, 0, 0, z)), '2026-10-25T03:15:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 10, 25, 0, 15, 0, 0, z)), '2026-10-24T22:15:00.000Z');
});

test('half-hour transitions are resolved per minute (Australia/Lord_Howe)', () => {
  // Lord Howe moves from +10:30 to +11:00 at 02:00 local on 2026-10-04: 02:00–02:29 does not exist.
  const z = parseZone('Australia/Lord_Howe');
  assert.equal(iso(localToUtcMillis(2026, 10, 4, 1, 59, 0, 0, z)), '2026-10-03T15:29:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 10, 4, 2, 45, 0, 0, z)), '2026-10-03T15:45:00.000Z');
  assert.equal(iso(localToUtcMillis(2026, 10, 4, 3, 0, 0, 0, z)), '2026-10-03T16:00:00.000Z');
});

test('offsetAt reports the offset in force at a UTC instant', () => {
  const z = parseZone('America/New_York');
  assert.equal(z.offsetAt(Date.UTC(2026, 2, 8, 6, 59, 59)), -5 * 3_600_000);
  assert.equal(z.offsetAt(Date.UTC(2026, 2, 8, 7, 0, 0)), -4 * 3_600_000);
  assert.equal(z.fixedOffsetMinutes, undefined);
});

test('invalid dates and zones', () => {
  assert.equal(localToUtcMillis(2026, 2, 30, 0, 0, 0, 0, 'UTC'), undefined);
  assert.equal(localToUtcMillis(2026, 13, 1, 0, 0, 0, 0, 'UTC'), undefined);
  assert.equal(localToUtcMillis(2026, 1, 1, 24, 0, 0, 0, 'UTC'), undefined);
  assert.equal(iso(localToUtcMillis(2024, 2, 29, 0, 0, 0, 0, 'UTC')), '2024-02-29T00:00:00.000Z');
  assert.throws(() => parseZone('Mars/Olympus_Mons'), /unknown time zone 'Mars\/Olympus_Mons'.*IANA name/);
  assert.throws(() => parseZone('+25:00'), /out of range/);
  assert.equal(parseZone('Europe/Paris'), parseZone('Europe/Paris'));
});
