import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleText } from '../rule/load.js';
import { createMatcher } from '../compile/matcher.js';
import { TEST_MAPPINGS } from '../test-helpers.js';
import { createCorrelator, correlationInputIds, type CorrelatorOptions } from './engine.js';
import type { Alert } from '../../types.js';
import type { EcsEvent } from '../../../ecs/event.js';

const BASE = (id: string, field: string, value: string) => `title: base ${id}
id: ${id}
level: low
logsource: {category: test}
detection:
  sel:
    ${field}: ${value}
  condition: sel
`;

function corr(body: string, extra = ''): string {
  return `title: corr
id: corr1
level: high
${extra}correlation:
${body.replace(/^/gm, '  ')}
`;
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
function ev(minutes: number, fields: Record<string, unknown>, n = 0): EcsEvent {
  return { '@timestamp': new Date(T0 + minutes * 60_000).toISOString(), event: { dataset: 'test', id: `e${minutes}-${n}` }, ...fields } as EcsEvent;
}

/** Runs events through matcher + correlator; returns alerts emitted during the run and at finish. */
function run(docs: string[], events: EcsEvent[], opts: CorrelatorOptions = {}): { alerts: Alert[]; during: Alert[]; stats: ReturnType<typeof createCorrelator>['stats']; baseMatches: number } {
  const rs = loadRuleText(docs.join('---\n'));
  assert.deepEqual(rs.errors, []);
  const m = createMatcher(rs, undefined, { mappings: TEST_MAPPINGS });
  const c = createCorrelator(rs, { mappings: TEST_MAPPINGS, ...opts });
  const during: Alert[] = [];
  let baseMatches = 0;
  for (const e of events) {
    for (const match of m.match(e)) {
      baseMatches++;
      c.onMatch(match, (a) => during.push(a));
    }
  }
  const alerts = [...during];
  c.finish((a) => alerts.push(a));
  return { alerts, during, stats: c.stats, baseMatches };
}

const COUNT = corr('type: event_count\nrules: [b1]\ngroup-by: [host]\ntimespan: 10m\ncondition: {gte: 3}');

test('event_count fires per group once the window holds the count', () => {
  const events = [ev(0, { a: 'x', host: 'h1' }), ev(1, { a: 'x', host: 'h2' }), ev(2, { a: 'x', host: 'h1' }), ev(3, { a: 'x', host: 'h1' })];
  const { during, alerts } = run([BASE('b1', 'a', 'x'), COUNT], events);
  assert.equal(during.length, 1, 'gte fires eagerly');
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.deepEqual(a.key, { host: 'h1' });
  assert.equal(a.rule.id, 'corr1');
  assert.equal(a.event.kind, 'alert');
  assert.equal(a.event.severity, 85);
  assert.deepEqual(a.event.reference_ids, ['e0-0', 'e2-0', 'e3-0']);
  assert.equal(a.details!.count, 3);
});

test('windows are keyed by event time: out-of-order and late events still correlate', () => {
  // Arrival order: 9 min, 0 min (late by 9 minutes), 5 min.
  const events = [ev(9, { a: 'x', host: 'h' }), ev(0, { a: 'x', host: 'h' }), ev(5, { a: 'x', host: 'h' })];
  assert.equal(run([BASE('b1', 'a', 'x'), COUNT], events).alerts.length, 1);
  // Too far apart in event time, whatever the arrival order.
  const apart = [ev(30, { a: 'x', host: 'h' }), ev(0, { a: 'x', host: 'h' }), ev(15, { a: 'x', host: 'h' })];
  assert.equal(run([BASE('b1', 'a', 'x'), COUNT], apart).alerts.length, 0);
  // Hours late (CloudFront delivery delay) but inside the lateness allowance.
  const hoursLate = [ev(300, { a: 'x', host: 'z' }), ev(301, { a: 'x', host: 'z' }), ev(0, { a: 'x', host: 'h' }), ev(1, { a: 'x', host: 'h' }), ev(2, { a: 'x', host: 'h' })];
  const r = run([BASE('b1', 'a', 'x'), COUNT], hoursLate);
  assert.equal(r.alerts.length, 1);
  assert.deepEqual(r.alerts[0]!.key, { host: 'h' });
});

test('lt conditions are decided when the window closes (watermark or finish)', () => {
  const few = corr('type: event_count\nrules: [b1]\ngroup-by: [host]\ntimespan: 10m\ncondition: {lt: 3}');
  const events = [ev(0, { a: 'x', host: 'h' }), ev(1, { a: 'x', host: 'h' })];
  const r = run([BASE('b1', 'a', 'x'), few], events);
  assert.equal(r.during.length, 0);
  assert.equal(r.alerts.length, 1, 'finish closes the window');
  // With a small lateness allowance, a later event closes the window during the run.
  const r2 = run([BASE('b1', 'a', 'x'), few], [...events, ev(120, { a: 'x', host: 'other' })], { latenessMs: 60_000 });
  assert.equal(r2.during.length, 1);
});

test('value_count, value_sum, value_avg, value_percentile', () => {
  const vc = corr('type: value_count\nrules: [b1]\ngroup-by: [src]\ntimespan: 1h\ncondition: {field: port, gte: 3}');
  const scan = [22, 80, 80, 443].map((p, i) => ev(i, { a: 'x', src: '1.1.1.1', port: p }, i));
  const r = run([BASE('b1', 'a', 'x'), vc], scan);
  assert.equal(r.alerts.length, 1);
  assert.equal(r.alerts[0]!.details!.distinct, 3);
  const sum = corr('type: value_sum\nrules: [b1]\ngroup-by: [user]\ntimespan: 1h\ncondition: {field: bytes, gt: 1000}');
  assert.equal(run([BASE('b1', 'a', 'x'), sum], [ev(0, { a: 'x', user: 'u', bytes: 600 }), ev(1, { a: 'x', user: 'u', bytes: 500 })]).alerts.length, 1);
  assert.equal(run([BASE('b1', 'a', 'x'), sum], [ev(0, { a: 'x', user: 'u', bytes: 600 }), ev(1, { a: 'x', user: 'v', bytes: 500 })]).alerts.length, 0);
  const avg = corr('type: value_avg\nrules: [b1]\ngroup-by: [user]\ntimespan: 1h\ncondition: {field: bytes, gt: 500}');
  assert.equal(run([BASE('b1', 'a', 'x'), avg], [ev(0, { a: 'x', user: 'u', bytes: 600 }), ev(1, { a: 'x', user: 'u', bytes: 500 })]).alerts.length, 1);
  assert.equal(run([BASE('b1', 'a', 'x'), avg], [ev(0, { a: 'x', user: 'u', bytes: 100 }), ev(1, { a: 'x', user: 'u', bytes: 500 })]).alerts.length, 0);
  const pct = corr('type: value_percentile\nrules: [b1]\ngroup-by: [host]\ntimespan: 1d\ncondition: {field: image, lte: 10}');
  const procs = Array.from({ length: 20 }, (_, i) => ev(i, { a: 'x', host: 'h', image: i === 7 ? 'rare.exe' : 'common.exe' }, i));
  const p = run([BASE('b1', 'a', 'x'), pct], procs);
  assert.equal(p.alerts.length, 1);
  assert.deepEqual(p.alerts[0]!.details!.percentiles, { 'rare.exe': 5 });
});

test('temporal and temporal_ordered, with aliases for differently named fields', () => {
  const t = corr('type: temporal\nrules: [b1, b2]\ngroup-by: [who]\ntimespan: 5m\naliases:\n  who:\n    b1: user\n    b2: account');
  const docs = [BASE('b1', 'a', 'login'), BASE('b2', 'a', 'exfil'), t];
  assert.equal(run(docs, [ev(0, { a: 'exfil', account: 'bob' }), ev(1, { a: 'login', user: 'bob' })]).alerts.length, 1);
  assert.equal(run(docs, [ev(0, { a: 'exfil', account: 'bob' }), ev(1, { a: 'login', user: 'eve' })]).alerts.length, 0);
  const o = corr('type: temporal_ordered\nrules: [b1, b2]\ngroup-by: [who]\ntimespan: 5m\naliases:\n  who:\n    b1: user\n    b2: account');
  const ordered = [BASE('b1', 'a', 'login'), BASE('b2', 'a', 'exfil'), o];
  assert.equal(run(ordered, [ev(0, { a: 'exfil', account: 'bob' }), ev(1, { a: 'login', user: 'bob' })]).alerts.length, 0, 'wrong order');
  // Arrival order differs from event order: the login happened first.
  assert.equal(run(ordered, [ev(2, { a: 'exfil', account: 'bob' }), ev(1, { a: 'login', user: 'bob' })]).alerts.length, 1);
});

test('chained correlations and generate', () => {
  const inner = corr('type: event_count\nrules: [b1]\ngroup-by: [host]\ntimespan: 10m\ncondition: {gte: 2}').replace('id: corr1', 'id: inner');
  const outer = corr('type: temporal\nrules: [inner, b2]\ngroup-by: [host]\ntimespan: 30m').replace('id: corr1', 'id: outer');
  const docs = [BASE('b1', 'a', 'fail'), BASE('b2', 'a', 'success'), inner, outer];
  const events = [ev(0, { a: 'fail', host: 'h' }), ev(1, { a: 'fail', host: 'h' }, 1), ev(3, { a: 'success', host: 'h' })];
  const r = run(docs, events);
  assert.deepEqual(r.alerts.map((a) => a.rule.id), ['outer'], 'the inner correlation feeds the outer one without alerting itself');
  assert.deepEqual(r.alerts[0]!.event.reference_ids.sort(), ['e0-0', 'e1-1', 'e3-0']);
  const rs = loadRuleText(docs.join('---\n'));
  assert.deepEqual([...correlationInputIds(rs)].sort(), ['b1', 'b2']);
  assert.equal(rs.rules.every((x) => !x.alert), true, 'base rules do not alert on their own by default');
  const gen = loadRuleText([BASE('b1', 'a', 'x'), COUNT.replace('correlation:', 'correlation:\n  generate: true')].join('---\n'));
  assert.equal(gen.rules[0]!.alert, true);
});

test('state is capped: least recently updated groups are evicted and counted', () => {
  const events = Array.from({ length: 50 }, (_, i) => ev(i / 10, { a: 'x', host: `h${i}` }, i));
  const r = run([BASE('b1', 'a', 'x'), COUNT], events, { maxEntries: 10 });
  assert.ok(r.stats.evictedGroups >= 40);
  assert.ok(r.stats.entries <= 10);
  assert.equal(r.stats.evictedEntries, r.stats.evictedGroups);
  const perGroup = run([BASE('b1', 'a', 'x'), COUNT.replace('gte: 3', 'gte: 1000')], Array.from({ length: 30 }, (_, i) => ev(0, { a: 'x', host: 'h' }, i)), { maxEntriesPerGroup: 5 });
  assert.equal(perGroup.stats.evictedEntries, 25);
});

test('events without the group-by field or a timestamp are counted, not correlated', () => {
  const r = run([BASE('b1', 'a', 'x'), COUNT], [ev(0, { a: 'x' }), { a: 'x', host: 'h', event: { dataset: 'test' } } as EcsEvent]);
  assert.equal(r.stats.missingGroupBy, 1);
  assert.equal(r.stats.noTimestamp, 1);
  assert.equal(r.alerts.length, 0);
});
