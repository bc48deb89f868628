import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { ConfigIssue } from '../intake.js';
import { collectLog } from '../log.js';
import { tempDir } from '../../testing/tmp.js';
import { openTestPipeline, queryStore } from '../../testing/collect-e2e.js';
import { firehoseInputType, httpIntakeInputType } from './input-types.js';
import type { FirehoseInput } from './firehose-input.js';
import type { HttpIntakeInput } from './intake-input.js';

collectLog.silent = true;

const KEY = 'k-0123456789abcdef-intake';
const ACCESS_KEY = 'firehose-access-key-0123456789';

test('HTTP intake → real pipeline → DuckDB: 200 with counts once stored, bad lines dead-lettered with line numbers, re-post stores nothing twice', async () => {
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'intake');
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'intake', port: 0, keys: [KEY] }, 'inputs[0]', issues) as HttpIntakeInput;
  assert.deepEqual(issues, []);
  await input.start(pipeline);
  const body = ['{"time":"2026-11-20T10:00:00Z","msg":"login","user":"lee"}', '{"time":"2026-11-20T10:00:01Z","msg":"logout","user":"lee"}', 'not json', '{"time":"2026-11-20T10:00:02Z","msg":"x"}'].join('\n');
  const post = () => fetch(`http://127.0.0.1:${input.address!.port}/intake/app.json`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' } });
  try {
    const r1 = await post();
    assert.equal(r1.status, 200);
    assert.deepEqual(await r1.json(), { records: 4, events: 3, stored: 3, duplicates: 0, rejected: 1 });
    const r2 = await post();
    assert.deepEqual(await r2.json(), { records: 4, events: 3, stored: 0, duplicates: 3, rejected: 1 });
  } finally {
    await input.stop();
    await pipeline.close();
  }
  const [[events]] = (await queryStore(db, 'SELECT count(*) FROM events_app_json')) as [[bigint]];
  assert.equal(Number(events), 3);
  const dead = (await queryStore(db, 'SELECT source, line, reason FROM dead_letters')) as [string, number, string][];
  assert.equal(dead.length, 2);
  assert.deepEqual(dead[0]!.slice(0, 2), ['intake+http://127.0.0.1/intake/app.json', 3]);
  assert.match(dead[0]![2], /expected one JSON object per line/);
});

const FLOW = (i: number, action: string) => `2 123456789012 eni-0a1b2c3d 10.0.1.${i} 10.0.2.9 49152 443 6 10 8400 1763625600 1763625660 ${action} OK`;

function cloudwatch(messageType: string, messages: string[]): { data: string } {
  const payload = { messageType, owner: '123456789012', logGroup: '/vpc/flow', logStream: 'eni-0a1b2c3d-all', subscriptionFilters: ['to-firehose'], logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1763625600000, message })) };
  return { data: gzipSync(JSON.stringify(payload)).toString('base64') };
}

test('Firehose → real pipeline → DuckDB: CloudWatch Logs VPC flow records stored, control messages skipped, bad records dead-lettered', async () => {
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'firehose');
  const issues: ConfigIssue[] = [];
  const input = firehoseInputType.create({ type: 'firehose', name: 'fh', port: 0, access_key: ACCESS_KEY, format: 'aws.vpcflow' }, 'inputs[0]', issues) as FirehoseInput;
  assert.deepEqual(issues, []);
  await input.start(pipeline);
  const requestId = '5f1a2b3c-0000-4000-8000-00000000abcd';
  const records = [cloudwatch('DATA_MESSAGE', [FLOW(1, 'ACCEPT'), FLOW(2, 'REJECT')]), cloudwatch('CONTROL_MESSAGE', []), { data: 'not base64!' }, cloudwatch('DATA_MESSAGE', [FLOW(3, 'ACCEPT')])];
  try {
    const res = await fetch(`http://127.0.0.1:${input.address!.port}/`, {
      method: 'POST',
      body: gzipSync(JSON.stringify({ requestId, timestamp: 1763625600000, records })),
      headers: { 'content-type': 'application/json', 'content-encoding': 'GZIP', 'x-amz-firehose-request-id': requestId, 'x-amz-firehose-access-key': ACCESS_KEY },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { requestId: string }).requestId, requestId);
  } finally {
    await input.stop();
    await pipeline.close();
  }
  const rows = (await queryStore(db, 'SELECT source_ip, event_action FROM events_aws_vpcflow ORDER BY source_ip')) as [string, string][];
  assert.deepEqual(rows.map((r) => r[0]), ['10.0.1.1', '10.0.1.2', '10.0.1.3']);
  const dead = (await queryStore(db, 'SELECT source, line, reason FROM dead_letters')) as [string, number, string][];
  assert.equal(dead.length, 1);
  assert.equal(dead[0]![0], `firehose://fh/${requestId}`);
  assert.equal(Number(dead[0]![1]), 3, 'the line is the record position in the request');
  assert.match(dead[0]![2], /data is not base64/);
});

test('Firehose → real pipeline: CloudFront real-time log records read with the field list from the config', async () => {
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'realtime');
  const fields = 'timestamp c-ip sc-status cs-method cs-host cs-uri-stem x-edge-location x-edge-request-id time-taken cs-user-agent';
  const issues: ConfigIssue[] = [];
  const input = firehoseInputType.create({ type: 'firehose', name: 'cf-rt', port: 0, access_key: ACCESS_KEY, format: 'aws.cloudfront', options: { fields } }, 'inputs[0]', issues) as FirehoseInput;
  assert.deepEqual(issues, []);
  await input.start(pipeline);
  const line = (i: number, status: number) => ['1763625600.123', `198.51.100.${i}`, String(status), 'GET', 'd111111abcdef8.cloudfront.net', `/img/${i}.png`, 'FRA56-C1', `req-${i}-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij==`, '0.005', 'Mozilla/5.0'].join('\t');
  // Kinesis Data Streams → Firehose: one log line (newline-terminated) per record, base64.
  const records = [line(1, 200), line(2, 503)].map((l) => ({ data: Buffer.from(`${l}\n`).toString('base64') }));
  try {
    const res = await fetch(`http://127.0.0.1:${input.address!.port}/`, {
      method: 'POST',
      body: JSON.stringify({ requestId: 'rt-1', timestamp: 1763625600000, records }),
      headers: { 'content-type': 'application/json', 'x-amz-firehose-request-id': 'rt-1', 'x-amz-firehose-access-key': ACCESS_KEY },
    });
    assert.equal(res.status, 200);
  } finally {
    await input.stop();
    await pipeline.close();
  }
  const rows = (await queryStore(db, 'SELECT source_ip, http_response_status_code FROM events_aws_cloudfront ORDER BY source_ip')) as [string, number][];
  assert.deepEqual(rows.map((r) => [r[0], Number(r[1])]), [['198.51.100.1', 200], ['198.51.100.2', 503]]);
});
