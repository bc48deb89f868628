import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, progressFields, RateMeter } from './progress.js';

test('progress: rate over the recent window and the ETA from the bytes still to read', () => {
  const meter = new RateMeter(10_000);
  meter.add(0, 0, 0);
  assert.equal(meter.rates(), undefined, 'no rate before time has passed');
  assert.equal(meter.secondsLeft(100e6), undefined);
  meter.add(2_000, 20e6, 40_000);
  assert.deepEqual(meter.rates(), { bytes: 10e6, events: 20_000 });
  assert.equal(meter.secondsLeft(100e6), 8, '80 MB left at 10 MB/s');
  // The window follows the run: after a slow spell the rate is the recent one.
  meter.add(12_000, 30e6, 60_000);
  meter.add(22_000, 40e6, 80_000);
  assert.deepEqual(meter.rates(), { bytes: 1e6, events: 2_000 });
  assert.equal(meter.secondsLeft(100e6), 60);
  assert.equal(meter.secondsLeft(0), undefined, 'stdin: no size, no ETA');
  const f = progressFields(40e6, 100e6, 80_000, 'logs/x.log', meter);
  assert.deepEqual(f, { read: '40.0/100.0 MB', rate: '1.0 MB/s, 2,000 events/s', eta: 'ETA 1m00s', events: '80,000', source: 'logs/x.log' });
  assert.equal(progressFields(5e6, 0, 1, 'stdin', new RateMeter()).read, '5.0 MB');
  assert.equal(progressFields(5e6, 0, 1, 'stdin', new RateMeter()).eta, 'ETA …');
});

test('progress: durations', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(187), '3m07s');
  assert.equal(formatDuration(7500), '2h05m');
});
