import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectionStage } from './stage.js';
import { engineFor, makeSpec, type Correlator, type RuleEntry } from './spec.js';
import { AlertSink } from './alerts/sink.js';
import type { Alert, Match } from './types.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { ChunkPool } from '../pipeline/pool.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { CLOUDFRONT_FIELDS as FIELDS, cloudfrontLog } from './test-helpers.js';
import { tempDir } from '../testing/tmp.js';

class Collect extends AlertSink {
  readonly name = 'collect';
  readonly alerts: Alert[] = [];
  closed = false;
  async write(a: Alert): Promise<void> {
    this.alerts.push(a);
    this.delivered++;
  }
  override async close(): Promise<void> {
    this.closed = true;
  }
}

const dir = tempDir('packettrail-stage-');
const feed = join(dir, 'bad.csv');
writeFileSync(feed, '203.0.113.0/24\nevil.example\n');
const log = join(dir, 'E2EXAMPLE.2026-11-20-10.abcd.log');
writeFileSync(
  log,
  cloudfrontLog([
    ['10:00:00', '203.0.113.5', 'app.example.com'],
    ['10:01:00', '198.51.100.1', 'app.example.com'],
    ['10:02:00', '203.0.113.5', 'app.example.com'],
    ['10:03:00', '198.51.100.2', 'www.evil.example'],
    ['10:30:00', '203.0.113.5', 'app.example.com'],
  ]),
);

test('the pipeline carries matches to the stage, which alerts and suppresses duplicates', async () => {
  const spec = makeSpec({ intel: [feed], builtin: false });
  const engine = engineFor(spec);
  const sink = new Collect();
  const stage = new DetectionStage(engine.rules, [sink]);
  const seen: number[] = [];
  const inner: EventSink = { output: 'none', async write(_s, r) { seen.push(r.events); }, async endSource() {} };
  const deadLetters = new DeadLetterWriter(join(dir, 'dl.ndjson'));
  const summary = await runPipeline({ inputs: [log], format: 'auto', threads: 0, sink: stage.wrap(inner), deadLetters, detection: spec });
  await deadLetters.close();
  const stats = await stage.finish();
  assert.equal(summary.sources[0]!.events, 5);
  assert.deepEqual(seen, [5]);
  assert.equal(stats.matches, 4);
  assert.equal(stats.suppressed, 1);
  assert.deepEqual(sink.alerts.map((a) => `${a['@timestamp'].slice(11, 16)} ${a.key!['threat.indicator.value']} ${a.details!.suppressed ?? 0}`), [
    '10:00 203.0.113.0/24 1',
    '10:03 evil.example 0',
    '10:30 203.0.113.0/24 0',
  ]);
  assert.deepEqual({ ...stats.perRule.get('intel:bad.csv')!, title: '' }, { title: '', matches: 4, alerts: 3, suppressed: 1 });
  assert.match(stats.perRule.get('intel:bad.csv')!.title, /bad\.csv/);
  assert.ok(sink.closed);
  assert.equal(sink.alerts[0]!.events[0]!.source!.ip, '203.0.113.5');
});

test('worker threads build the matcher from the spec and return matches', async () => {
  const pool = new ChunkPool(1);
  try {
    const text = cloudfrontLog([['10:00:00', '203.0.113.9', 'x.evil.example']]).split('\n').slice(2).join('\n').trimEnd();
    const result = await pool.submit({
      formatId: 'aws.cloudfront', options: { fields: FIELDS }, source: 'w.log', original: false, ingested: '2026-11-22T00:00:00Z',
      headers: [`#Fields: ${FIELDS}`], text, firstLine: 3, document: false, output: 'none', detection: makeSpec({ intel: [feed], builtin: false }),
    });
    assert.equal(result.events, 1);
    assert.equal(result.text, '');
    assert.deepEqual(result.matches!.map((m) => m.key!['threat.indicator.value']), ['203.0.113.0/24', 'evil.example']);
    assert.equal(result.matches![0]!.event.source!.ip, '203.0.113.9');
  } finally {
    await pool.close();
  }
});

test('correlations alert with all their events; correlation-only rules do not alert alone', async () => {
  const rules = new Map<string, RuleEntry>([
    ['base', { meta: { id: 'base', title: 'failed login', level: 'low', kind: 'sigma' }, alert: false }],
    ['noisy', { meta: { id: 'noisy', title: 'noisy', level: 'medium', kind: 'sigma', author: 'X', link: 'https://example.org/noisy.yml' }, alert: true }],
    ['brute', { meta: { id: 'brute', title: 'brute force', level: 'high', kind: 'sigma', author: 'Y', license: 'DRL-1.1' }, alert: true }],
  ]);
  // Counts `base` matches per source.ip; emits at 3, and whatever is left at finish.
  const createCorrelator = (): Correlator => {
    const groups = new Map<string, Match[]>();
    return {
      onMatch(m, emit) {
        if (m.ruleId !== 'base') return;
        const ip = String(m.event.source?.ip);
        const g = [...(groups.get(ip) ?? []), m];
        groups.set(ip, g);
        if (g.length === 3) {
          emit({ ruleId: 'brute', events: g.map((x) => x.event), key: { 'source.ip': ip }, details: { count: 3 } });
          groups.delete(ip);
        }
      },
      finish(emit) {
        for (const [ip, g] of groups) emit({ ruleId: 'brute', events: g.map((x) => x.event), key: { 'source.ip': ip }, details: { count: g.length, partial: true } });
      },
    };
  };
  const sink = new Collect();
  const stage = new DetectionStage(rules, [sink], { createCorrelator });
  const ev = (i: number, ip: string) => ({ '@timestamp': `2026-11-20T10:0${i}:00Z`, event: { id: `e${i}` }, source: { ip } });
  await stage.onMatches([
    { ruleId: 'base', event: ev(1, '198.51.100.1') },
    { ruleId: 'noisy', event: ev(1, '198.51.100.1') },
    { ruleId: 'base', event: ev(2, '198.51.100.1') },
    { ruleId: 'base', event: ev(3, '198.51.100.2') },
  ]);
  await stage.onMatches([{ ruleId: 'base', event: ev(4, '198.51.100.1') }, { ruleId: 'ghost', event: ev(5, '198.51.100.1') }]);
  const stats = await stage.finish();
  assert.deepEqual(sink.alerts.map((a) => `${a.rule.id} ${a.event.reference_ids.join(',')}`), ['noisy e1', 'brute e1,e2,e4', 'ghost e5', 'brute e3']);
  const brute = sink.alerts[1]!;
  assert.equal(brute.events.length, 3);
  assert.equal(brute.rule.author, 'Y');
  assert.equal(brute.rule.license, 'DRL-1.1');
  assert.equal(brute['@timestamp'], '2026-11-20T10:04:00Z');
  assert.equal(sink.alerts[0]!.rule.link, 'https://example.org/noisy.yml');
  // A match without a key is keyed by its actor, so suppression folds repeats of the same source.
  assert.deepEqual(sink.alerts[0]!.key, { 'source.ip': '198.51.100.1' });
  assert.equal(sink.alerts[2]!.rule.title, 'unknown rule ghost');
  assert.equal(stats.matches, 6);
  assert.deepEqual(stats.perRule.get('base'), { title: 'failed login', matches: 4, alerts: 0, suppressed: 0 });
  assert.deepEqual(stats.perRule.get('brute'), { title: 'brute force', matches: 0, alerts: 2, suppressed: 0 });
  assert.equal(stats.perRule.get('ghost')?.title, 'unknown rule ghost', 'the summary tables show titles, even of rules the stage does not know');
});

test('the matches of a chunk are taken in event-time order, ties by rule and event id: the alerts do not depend on line order', async () => {
  const rules = new Map<string, RuleEntry>([['noisy', { meta: { id: 'noisy', title: 'noisy', level: 'medium', kind: 'sigma' }, alert: true }]]);
  // Same second, same source: suppression keeps one alert; which one must not depend on the lines' order.
  const ev = (id: string, second: number) => ({ '@timestamp': `2026-11-20T10:00:0${second}Z`, event: { id }, source: { ip: '198.51.100.1' } });
  const chunk: Match[] = [
    { ruleId: 'noisy', event: ev('e-b', 1) },
    { ruleId: 'noisy', event: ev('e-c', 0) },
    { ruleId: 'noisy', event: ev('e-a', 1) },
  ];
  const kept = async (matches: Match[]) => {
    const sink = new Collect();
    const stage = new DetectionStage(rules, [sink]);
    await stage.onMatches(matches);
    await stage.finish();
    return sink.alerts.map((a) => `${a.event.reference_ids.join(',')} suppressed=${String(a.details?.suppressed)}`);
  };
  assert.deepEqual(await kept(chunk), ['e-c suppressed=2']);
  assert.deepEqual(await kept([...chunk].reverse()), ['e-c suppressed=2']);
  assert.deepEqual(await kept([chunk[0]!, chunk[2]!]), ['e-a suppressed=1'], 'a tie in time goes to the smaller event id');
  assert.deepEqual(await kept([chunk[2]!, chunk[0]!]), ['e-a suppressed=1']);
});
