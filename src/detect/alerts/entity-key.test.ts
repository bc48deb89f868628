import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectionStage } from '../stage.js';
import { engineFor, makeSpec } from '../spec.js';
import type { Alert } from '../types.js';
import { runPipeline, type EventSink } from '../../pipeline/run.js';
import { DeadLetterWriter } from '../../pipeline/dead-letter.js';
import { tempDir } from '../../testing/tmp.js';
import { entityKey } from './entity-key.js';
import { MemoryAlertSink } from './memory-sink.js';


const dir = tempDir('packettrail-entity-key-');
const rules = join(dir, 'whoami.yml');
writeFileSync(
  rules,
  `title: Whoami Execution
id: 11111111-2222-3333-4444-555555555555
level: medium
logsource: {category: process_creation, product: windows}
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
`,
);

/** A Sysmon process creation as NXLog/Logstash ship it (OTRF's shape), on `host` by `user`, `minute` minutes past 10:00. */
function sysmon(host: string, user: string, minute: number): string {
  return JSON.stringify({
    '@timestamp': `2020-09-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: host,
    Image: 'C:\\Windows\\System32\\whoami.exe',
    CommandLine: `whoami /all #${minute}`,
    User: user,
  });
}

async function alertsFor(lines: string[]): Promise<Alert[]> {
  const log = join(dir, `events-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(log, `${lines.join('\n')}\n`);
  const spec = makeSpec({ rules: [rules], builtin: false });
  const engine = engineFor(spec);
  const sink = new MemoryAlertSink('collect');
  const stage = new DetectionStage(engine.rules, [sink]);
  const inner: EventSink = { output: 'none', async write() {}, async endSource() {} };
  const summary = await runPipeline({ inputs: [log], format: 'auto', threads: 0, sink: stage.wrap(inner), deadLetters: new DeadLetterWriter(undefined), detection: spec });
  assert.equal(summary.sources[0]!.rejected, 0);
  await stage.finish();
  return sink.alerts;
}

test('the same rule matching on two hosts gives two alerts; repeats on one host are folded', async () => {
  const alerts = await alertsFor([sysmon('WS1.corp.local', 'CORP\\alice', 0), sysmon('WS2.corp.local', 'CORP\\alice', 1), sysmon('WS1.corp.local', 'CORP\\alice', 2)]);
  assert.deepEqual(
    alerts.map((a) => [a.key?.['host.name'], a.details?.suppressed ?? 0]),
    [
      ['WS1.corp.local', 1],
      ['WS2.corp.local', 0],
    ],
  );
});

test('the account is part of the entity: two users on one host are two alerts', async () => {
  const alerts = await alertsFor([sysmon('WS1.corp.local', 'CORP\\alice', 0), sysmon('WS1.corp.local', 'CORP\\bob', 1)]);
  assert.deepEqual(
    alerts.map((a) => a.key),
    [
      { 'host.name': 'WS1.corp.local', 'winlog.event_data.User': 'CORP\\alice' },
      { 'host.name': 'WS1.corp.local', 'winlog.event_data.User': 'CORP\\bob' },
    ],
  );
});

test('a match key of its own (an intel indicator) keeps its fields and gains the entity', () => {
  const event = { event: { dataset: 'aws.cloudtrail' }, cloud: { account: { id: '123456789012' } }, source: { ip: '203.0.113.5' }, user: { name: 'x'.repeat(300) } };
  const key = entityKey(event, { 'threat.indicator.value': '203.0.113.0/24', 'source.ip': 'kept' })!;
  assert.equal(key['threat.indicator.value'], '203.0.113.0/24');
  assert.equal(key['source.ip'], 'kept');
  assert.equal(key['cloud.account.id'], '123456789012');
  assert.equal(key['user.name']!.length, 256);
  assert.equal(entityKey({ event: { dataset: 'aws.cloudfront' } }, undefined), undefined);
});
