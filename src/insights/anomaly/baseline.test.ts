import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorSpike, median, rateOutlier, robustSigma, runs, seasonalBaseline, volumeVerdict } from './baseline.js';
import { edgeMetro } from './first-seen.js';
import { PROBE_KINDS } from './probes.js';

test('median and robust sigma ignore one wild value', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.ok(robustSigma([10, 11, 9, 10, 1000]) < 2);
});

test('seasonal baseline: same hour of week with two weeks of history, else same hour of day, else preceding buckets', () => {
  const hours = 24 * 7 * 3;
  // Busy at 09:00-17:00 every day, twice as busy on Mondays (hour index 0 is a Monday 00:00).
  const counts = Array.from({ length: hours }, (_, h) => ((h % 24) >= 9 && (h % 24) < 17 ? 500 : 50) * (Math.floor(h / 24) % 7 === 0 ? 2 : 1));
  const usable = counts.map(() => true);
  const mondayTen = 24 * 7 * 2 + 10;
  const week = seasonalBaseline(counts, usable, mondayTen, 3600)!;
  assert.equal(week.kind, 'same hour of week');
  assert.equal(week.value, 1000);
  assert.equal(volumeVerdict(1000, week), undefined);
  // With only four days of history the same hour of the day is the comparison.
  const day = seasonalBaseline(counts.slice(0, 24 * 4 + 11), usable, 24 * 4 + 10, 3600)!;
  assert.equal(day.kind, 'same hour of day');
  // The first hours compare with what precedes them; with fewer than three there is no baseline yet.
  assert.equal(seasonalBaseline(counts, usable, 2, 3600), undefined);
  assert.equal(seasonalBaseline(counts, usable, 5, 3600)!.kind, 'preceding buckets');
  // Unusable (not yet final, partial) buckets are never samples.
  assert.equal(seasonalBaseline(counts, usable.map((_, i) => i < 2), 5, 3600), undefined);
});

test('volume verdicts need a large change by every measure', () => {
  const base = { kind: 'preceding buckets' as const, value: 570, sigma: 40, samples: 4 };
  assert.equal(volumeVerdict(990, base), 'spike');
  assert.equal(volumeVerdict(700, base), undefined, 'above 4 sigma but below 1.5×');
  assert.equal(volumeVerdict(200, base), 'drop');
  assert.equal(volumeVerdict(400, base), undefined);
  // Tiny volumes: a few requests more is not a spike, however many times the baseline it is.
  assert.equal(volumeVerdict(30, { kind: 'preceding buckets', value: 3, sigma: 1.7, samples: 10 }), undefined);
});

test('error spikes: several times the usual rate, a few points above it, and improbable', () => {
  assert.ok(errorSpike(24, 73, 0, 2000));
  assert.equal(errorSpike(9, 20, 0, 2000), undefined, 'fewer than ten errors');
  assert.equal(errorSpike(30, 1000, 20, 1000), undefined, 'the usual 2-3 %');
  assert.equal(errorSpike(24, 73, 0, 50), undefined, 'too little history');
  assert.ok(errorSpike(200, 1000, 20, 1000));
});

test('rate outliers are measured against the source\'s own mean', () => {
  assert.ok(rateOutlier(200, 0));
  assert.equal(rateOutlier(60, 0), false, 'fewer than a hundred requests');
  assert.equal(rateOutlier(2000, 1900), false);
  assert.ok(rateOutlier(2000, 150));
});

test('runs group consecutive buckets', () => {
  assert.deepEqual(runs([5, 1, 2, 7, 6, 10]), [[1, 2], [5, 6, 7], [10]]);
});

test('edge metros and probe kinds', () => {
  assert.equal(edgeMetro('CDG50-C1'), 'CDG');
  assert.equal(edgeMetro('GRU3-C1'), 'GRU');
  assert.equal(edgeMetro('weird'), 'weird');
  const kind = (on: string, text: string) => PROBE_KINDS.filter((k) => k.on === on || (on === 'query' && k.on === 'target')).find((k) => new RegExp(k.pattern).test(text))?.kind;
  assert.equal(kind('path', '/.git/config'), 'sensitive file');
  assert.equal(kind('path', '/admin'), 'admin path');
  assert.equal(kind('path', '/static/app.js'), undefined);
  assert.equal(kind('query', "page=1' or '1'='1"), 'SQL injection');
  assert.equal(kind('query', 'q=<script>alert(1)</script>'), 'script injection');
  assert.equal(kind('query', 'fields=../../etc/passwd'), 'path traversal');
  assert.equal(kind('query', 'page=2'), undefined);
  assert.equal(kind('query', 'redirect_uri=https://app.example.com/cb'), undefined);
});
