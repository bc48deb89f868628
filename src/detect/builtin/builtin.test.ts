import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { EcsEvent } from '../../ecs/event.js';
import type { Alert } from '../types.js';
import { builtinRulesDir } from '../spec.js';
import { createCorrelator, createMatcher, loadRules, type SigmaRule } from '../sigma/index.js';
import { regexesOf } from '../sigma/test-helpers.js';
import { eventsOf, loadCases } from './test-cases.js';

const DIR = builtinRulesDir();
const ruleSet = loadRules([DIR]);
const matcher = createMatcher(ruleSet);
const stemOf = (path: string | undefined) => basename(path ?? '', '.yml');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TACTICS = new Set([
  'reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'stealth',
  'defense-impairment', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact',
]);

function matches(rule: SigmaRule, events: EcsEvent[]): boolean {
  return events.some((e) => matcher.match(e).some((m) => m.ruleId === rule.ruleId));
}

describe('built-in rules lint', () => {
  test('every file loads with zero errors and warnings, and every rule routes to a format', () => {
    assert.deepEqual(ruleSet.errors, []);
    assert.deepEqual(ruleSet.warnings, []);
    assert.deepEqual(matcher.skipped.map((s) => `${s.rule.meta.title}: ${s.reason}`), []);
    assert.ok(ruleSet.rules.length >= 20, `${ruleSet.rules.length} rules`);
  });

  test('every document carries the Sigma metadata, a fresh UUID v4 id and ATT&CK tags', () => {
    const ids = new Set<string>();
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.yml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(DIR, f), 'utf8'))) {
        const d = doc.toJS() as Record<string, unknown>;
        const where = `${f}: ${String(d.title)}`;
        for (const k of ['title', 'id', 'status', 'description', 'author', 'references', 'date', 'tags', 'falsepositives', 'level']) assert.ok(d[k] !== undefined, `${where}: no ${k}`);
        assert.match(String(d.id), UUID_V4, where);
        assert.ok(!ids.has(String(d.id)), `${where}: duplicate id`);
        ids.add(String(d.id));
        assert.equal(d.author, 'packettrail', where);
        assert.match(String(d.date), /^\d{4}-\d{2}-\d{2}$/, where);
        const tags = d.tags as string[];
        assert.ok(tags.every((t) => /^attack\.(t\d{4}(\.\d{3})?|[a-z-]+)$/.test(t)), `${where}: ${tags.join(', ')}`);
        assert.ok(tags.some((t) => TACTICS.has(t.slice('attack.'.length))), `${where}: no tactic`);
        assert.ok(tags.some((t) => /^attack\.t\d{4}/.test(t)), `${where}: no technique`);
        assert.ok(d.correlation !== undefined || (d.logsource !== undefined && d.detection !== undefined), `${where}: neither rule nor correlation`);
      }
    }
  });

  test('base rules of correlations only feed them; everything else alerts', () => {
    const fed = new Set(ruleSet.correlations.flatMap((c) => c.rules));
    for (const r of ruleSet.rules) assert.equal(r.alert, !(fed.has(r.ruleId) || (r.name !== undefined && fed.has(r.name))), r.meta.title);
    assert.ok(ruleSet.correlations.every((c) => c.alert));
  });

  test('every regex runs on RE2 (linear time in the log line)', () => {
    const regexes = regexesOf(ruleSet);
    assert.ok(regexes.length >= 3);
    for (const re of regexes) assert.equal(re.engine, 're2', re.source);
  });

  test('every rule file has test cases with positives and negatives', () => {
    const stems = new Set(ruleSet.rules.map((r) => stemOf(r.meta.path)));
    const covered = loadCases().filter((c) => c.positive.length && c.negative.length).map((c) => c.stem);
    assert.deepEqual([...stems].sort(), [...covered].sort());
  });
});

for (const cases of loadCases()) {
  describe(`${cases.stem}`, () => {
    const candidates = ruleSet.rules.filter((r) => stemOf(r.meta.path) === cases.stem && (!cases.rule || r.ruleId === cases.rule || r.name === cases.rule));
    const rule = candidates.length === 1 ? candidates[0] : undefined;
    test('names exactly one rule', () => assert.equal(candidates.length, 1));
    if (!rule) return;
    for (const c of cases.positive) test(`matches ${c.format}: ${c.note}`, () => assert.ok(matches(rule, eventsOf(c)), c.text));
    for (const c of cases.negative) test(`does not match ${c.format}: ${c.note}`, () => assert.ok(!matches(rule, eventsOf(c)), c.text));
  });
}

/** Runs raw records through matcher and correlator, in the given order; returns the correlation alerts. */
function correlate(format: string, records: string[], correlationId: string): Alert[] {
  const c = createCorrelator(ruleSet);
  const alerts: Alert[] = [];
  const keep = (a: Alert) => {
    if (a.rule.id === correlationId) alerts.push(a);
  };
  for (const text of records) {
    for (const e of eventsOf({ format, note: 'correlation input', text })) for (const m of matcher.match(e)) c.onMatch(m, keep);
  }
  c.finish(keep);
  return alerts;
}

/** A deterministic shuffle (events arrive out of order: several files, late delivery). */
function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('correlation: inbound RDP/SSH reject burst (VPC flow)', () => {
  const ID = '1fa2c55f-8f63-4daf-b30b-e5b59ac9b424';
  const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;
  /** A version-2 VPC flow record: one rejected flow from `src` to port `port`, `sec` seconds after T0. */
  const flow = (src: string, port: number, sec: number, action = 'REJECT') =>
    `2 123456789012 eni-0a1b2c3d4e5f67890 ${src} 10.0.1.15 ${40000 + sec} ${port} 6 1 40 ${T0 + sec} ${T0 + sec + 30} ${action} OK`;
  const burst = Array.from({ length: 10 }, (_, i) => flow('203.0.113.66', i % 2 ? 22 : 3389, i * 25));

  test('10 rejects from one public address within 5 minutes alert once, in order and out of order', () => {
    for (const order of [burst, [...burst].reverse(), shuffled(burst)]) {
      const alerts = correlate('aws.vpcflow', order, ID);
      assert.equal(alerts.length, 1);
      assert.deepEqual(alerts[0]!.key, { src_ip: '203.0.113.66' });
      assert.equal(alerts[0]!.event.reference_ids.length, 10);
    }
  });

  test('no alert below the threshold, across a longer span, per address, for private sources or accepted flows', () => {
    assert.equal(correlate('aws.vpcflow', burst.slice(1), ID).length, 0);
    assert.equal(correlate('aws.vpcflow', Array.from({ length: 10 }, (_, i) => flow('203.0.113.66', 22, i * 60)), ID).length, 0, '10 over 9 minutes');
    assert.equal(correlate('aws.vpcflow', Array.from({ length: 10 }, (_, i) => flow(`203.0.113.${i + 1}`, 22, i)), ID).length, 0);
    assert.equal(correlate('aws.vpcflow', Array.from({ length: 12 }, (_, i) => flow('10.8.0.4', 22, i)), ID).length, 0);
    assert.equal(correlate('aws.vpcflow', Array.from({ length: 12 }, (_, i) => flow('203.0.113.66', 22, i, 'ACCEPT')), ID).length, 0);
  });
});

describe('correlation: CloudFront invalidation burst (CloudTrail)', () => {
  const ID = 'e2c8417a-47e7-4ae5-adb6-1f021af84d7d';
  const ARN = 'arn:aws:iam::123456789012:user/ops/lee.cole';
  const call = (n: number, minute: number, arn = ARN, errorCode?: string) =>
    JSON.stringify({
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn, accountId: '123456789012', accessKeyId: 'AKIAEXAMPLE', userName: arn.split('/').pop() },
      eventTime: new Date(Date.parse('2026-11-20T10:00:00Z') + minute * 60_000).toISOString().replace('.000', ''),
      eventSource: 'cloudfront.amazonaws.com',
      eventName: 'CreateInvalidation',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.1',
      requestParameters: { distributionId: 'E2EXAMPLE3DIST', invalidationBatch: { paths: { quantity: 1, items: ['/*'] }, callerReference: `cli-${n}` } },
      responseElements: errorCode ? null : { invalidation: { id: `I${n}EXAMPLE`, status: 'InProgress' } },
      ...(errorCode ? { errorCode, errorMessage: 'denied' } : {}),
      requestID: `req-${n}`,
      eventID: `7c0e9c3e-1111-4a2b-9c3d-${String(n).padStart(12, '0')}`,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
    });
  const burst = [0, 1, 2, 4, 7].map((m, i) => call(i, m));

  test('5 invalidations by one identity within 10 minutes alert once, in order and out of order', () => {
    for (const order of [burst, [...burst].reverse(), shuffled(burst)]) {
      const alerts = correlate('aws.cloudtrail', order, ID);
      assert.equal(alerts.length, 1);
      assert.deepEqual(alerts[0]!.key, { 'userIdentity.arn': ARN });
    }
  });

  test('no alert below the threshold, across a longer span, per identity, or for failed calls', () => {
    assert.equal(correlate('aws.cloudtrail', burst.slice(1), ID).length, 0);
    assert.equal(correlate('aws.cloudtrail', [0, 4, 8, 12, 16].map((m, i) => call(i, m)), ID).length, 0);
    assert.equal(correlate('aws.cloudtrail', [0, 1, 2, 3, 4].map((m, i) => call(i, m, i % 2 ? ARN : 'arn:aws:iam::123456789012:role/deploy')), ID).length, 0);
    assert.equal(correlate('aws.cloudtrail', [0, 1, 2, 3, 4].map((m, i) => call(i, m, ARN, 'AccessDenied')), ID).length, 0);
  });
});
