import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, LOGS_DIR } from '../../generate/generate.js';
import type { Incident } from '../../generate/model.js';
import { scoreAlerts } from '../../generate/score.js';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import type { FindingsSection } from '../report.js';
import { ingestDir, type TestStore } from '../test-store.js';
import { ANOMALY_ANALYSIS, ANOMALY_RULES, anomaliesReport } from './index.js';

// The demo's scenario (same users, hours and seed), CloudFront and WAF logs only: the anomaly rules read nothing else.
let ts: TestStore;
let store: DuckDbStore;
let incidents: Incident[];
const anomalyIds = new Set<string>(Object.values(ANOMALY_RULES).map((r) => r.id));

before(async () => {
  const dir = tempDir('packettrail-anomaly-');
  await generate({ out: dir, users: 25, hours: 8, seed: 'packettrail' });
  incidents = (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { incidents: Incident[] }).incidents;
  const { mkdirSync, cpSync } = await import('node:fs');
  const logs = join(dir, 'edge-logs');
  mkdirSync(logs);
  for (const sub of ['cloudfront', 'waf']) cpSync(join(dir, LOGS_DIR, sub), join(logs, sub), { recursive: true });
  ts = await ingestDir(logs, dir);
  store = await ts.open();
});

after(async () => {
  await store?.close();
});

const at = (iso: string) => Date.parse(iso);
const findingsOf = (r: { sections: unknown[] }) => (r.sections.find((s) => (s as FindingsSection).id === 'anomalies') as FindingsSection).findings;

test('demo scenario: every injected edge anomaly is reported, and every anomaly alert belongs to an incident', () => {
  const alerts = ts.alerts.filter((a) => anomalyIds.has(a.rule.id));
  const expected = incidents.map((i) => ({ ...i, detections: i.detections.filter((d) => anomalyIds.has(d.id)) }));
  const score = scoreAlerts(alerts, expected);
  assert.deepEqual(score.missed, []);
  assert.equal(score.precision, 1, JSON.stringify(score.rules));
  const expects = (incident: string, rule: keyof typeof ANOMALY_RULES) => assert.ok(expected.find((i) => i.id === incident)!.detections.some((d) => d.id === ANOMALY_RULES[rule].id), `${incident} expects ${rule}`);
  expects('asn-flood', 'asnOutlier');
  expects('origin-5xx', 'errorSpike');
  expects('new-edge', 'newEdge');
  expects('new-edge', 'newCountry');
  const asn = alerts.find((a) => a.rule.id === ANOMALY_RULES.asnOutlier.id)!;
  assert.equal(asn.key?.asn, 'AS64511');
  assert.equal(asn.details?.baseline, 0);
  assert.ok((asn.details?.top_contributors as { value: string }[]).some((c) => c.value.startsWith('192.0.2.1')));
  const edge = alerts.find((a) => a.rule.id === ANOMALY_RULES.newEdge.id)!;
  assert.match(String(edge.details?.title), /GRU3-C1/);
  assert.ok(alerts.some((a) => a.rule.id === ANOMALY_RULES.newCountry.id && a.key?.country === 'BR'));
  const errors = alerts.find((a) => a.rule.id === ANOMALY_RULES.errorSpike.id)!;
  assert.ok(errors.events.length > 0 && errors.events.every((e) => Number((e.http as { response: { status_code: number } }).response.status_code) >= 500));
});

test('the clean hours before the first incident report nothing', async () => {
  const first = Math.min(...incidents.map((i) => at(i.start)));
  const report = await anomaliesReport(store, { until: new Date(first - 60_000).toISOString() });
  assert.deepEqual(findingsOf(report).map((f) => f.title), []);
});

test('a bucket is final only after the grace period: the 5xx spike appears once the data has passed it', async () => {
  const incident = incidents.find((i) => i.id === 'origin-5xx')!;
  const spikes = async (untilMs: number) => findingsOf(await anomaliesReport(store, { until: new Date(untilMs).toISOString() })).filter((f) => f.facts?.rule === ANOMALY_RULES.errorSpike.title);
  assert.equal((await spikes(at(incident.end) + 5 * 60_000)).length, 0, 'still inside the grace period');
  const later = await spikes(at(incident.end) + 40 * 60_000);
  assert.equal(later.length, 1);
  assert.ok(Number(later[0]!.facts?.observed) > 0.2, JSON.stringify(later[0]!.facts));
});

test('re-running the analysis yields the same alert ids (stored once)', async () => {
  const again = await ANOMALY_ANALYSIS.run(store, {});
  const before = ts.alerts.filter((a) => anomalyIds.has(a.rule.id)).map((a) => a.event.id).sort();
  assert.deepEqual(again.map((a) => a.event.id).sort(), before);
  const stored = await store.query(`SELECT count(*) FROM alerts WHERE rule_kind = 'anomaly' AND rule_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`, { ids: JSON.stringify([...anomalyIds]) });
  assert.equal(stored.rows[0]![0], before.length);
});
