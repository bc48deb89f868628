import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreAlerts, type ScoredAlert } from './score.js';
import type { Incident } from './model.js';

const RULE_A = { id: 'a', title: 'Rule A' };
const RULE_B = { id: 'b', title: 'Rule B' };
const incidents: Incident[] = [
  { id: 'one', title: '', description: '', start: '', end: '', events: [{ dataset: 'aws.waf', match: { 'http.request.id': 'X==' } }], detections: [RULE_A] },
  { id: 'two', title: '', description: '', start: '', end: '', events: [{ dataset: 'aws.vpcflow', match: { 'source.ip': '192.0.2.77', 'destination.port': 3389 } }], detections: [RULE_B] },
];
const waf = (id: string) => ({ event: { dataset: 'aws.waf' }, http: { request: { id } } });

test('true and false positives by rule and incident event; precision and recall', () => {
  const alerts: ScoredAlert[] = [
    { rule: RULE_A, events: [waf('X==')] },
    { rule: RULE_A, events: [waf('other')] },
    // Right event, but incident "one" does not expect rule B.
    { rule: RULE_B, events: [waf('X==')] },
  ];
  const s = scoreAlerts(alerts, incidents);
  assert.equal(s.alerts, 3);
  assert.equal(s.truePositives, 1);
  assert.equal(s.precision, 1 / 3);
  assert.equal(s.expected, 2);
  assert.equal(s.detected, 1);
  assert.equal(s.recall, 0.5);
  assert.deepEqual(s.missed, [{ incident: 'two', rule: 'Rule B' }]);
  assert.deepEqual(s.rules.map((r) => [r.id, r.truePositives, r.falsePositives]), [['a', 1, 1], ['b', 0, 1]]);
});

test('rules match by title too; every match field must agree (numbers compare as text)', () => {
  const flow = { event: { dataset: 'aws.vpcflow' }, source: { ip: '192.0.2.77' }, destination: { port: 3389 } };
  const s = scoreAlerts([{ rule: { id: 'renamed', title: 'Rule B' }, events: [flow] }], incidents);
  assert.equal(s.truePositives, 1);
  const wrongPort = { ...flow, destination: { port: 22 } };
  assert.equal(scoreAlerts([{ rule: RULE_B, events: [wrongPort] }], incidents).truePositives, 0);
  assert.equal(scoreAlerts([], incidents).precision, 1);
});
