import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { ConfigIssue } from '../intake.js';
import { RecordingIntake } from '../../testing/recording-intake.js';
import { collectLog } from '../log.js';
import { unwrapEnvelope } from '../../formats/envelopes/index.js';
import { firehoseInputType } from './input-types.js';
import type { FirehoseInput } from './firehose-input.js';

collectLog.silent = true;

const ACCESS_KEY = 'firehose-access-key-0123456789';

async function started(): Promise<{ input: FirehoseInput; intake: RecordingIntake; url: string }> {
  const issues: ConfigIssue[] = [];
  const input = firehoseInputType.create({ type: 'firehose', name: 'fh', port: 0, path: '/firehose', access_key: ACCESS_KEY, format: 'aws.vpcflow' }, 'inputs[0]', issues) as FirehoseInput;
  assert.deepEqual(issues, []);
  const intake = new RecordingIntake();
  await input.start(intake);
  return { input, intake, url: `http://127.0.0.1:${input.address!.port}/firehose` };
}

/** A CloudWatch Logs subscription payload as Firehose carries it: gzip'd JSON, base64 in `data`. */
export function cloudwatchRecord(messageType: string, messages: string[]): { data: string } {
  const payload = {
    messageType, owner: '123456789012', logGroup: '/vpc/flow', logStream: 'eni-0a1b2c3d-all', subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({ id: String(36000000000000000000000000 + i), timestamp: 1763625600000, message })),
  };
  return { data: gzipSync(JSON.stringify(payload)).toString('base64') };
}

function firehoseRequest(requestId: string, records: { data: string }[], key = ACCESS_KEY, gzip = true): RequestInit {
  const body = JSON.stringify({ requestId, timestamp: 1763625600000, records });
  return {
    method: 'POST',
    body: gzip ? gzipSync(body) : body,
    headers: { 'content-type': 'application/json', 'x-amz-firehose-request-id': requestId, 'x-amz-firehose-access-key': key, ...(gzip ? { 'content-encoding': 'GZIP' } : {}) },
  };
}

const FLOW = '2 123456789012 eni-0a1b2c3d 10.0.1.5 10.0.2.9 49152 443 6 10 8400 1763625600 1763625660 ACCEPT OK';

test('a gzip request with CloudWatch Logs data: 200 echoing requestId, records handed over as envelopes', async () => {
  const { input, intake, url } = await started();
  try {
    const id = 'ed4d0a7b-e0c6-4a0e-9d2b-3d3e2b8f1c11';
    const res = await fetch(url, firehoseRequest(id, [cloudwatchRecord('DATA_MESSAGE', [FLOW, FLOW.replace('ACCEPT', 'REJECT')]), cloudwatchRecord('CONTROL_MESSAGE', [])]));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { requestId: string; timestamp: number };
    assert.equal(body.requestId, id);
    assert.ok(Math.abs(body.timestamp - Date.now()) < 60_000);
    const d = intake.deliveries[0]!;
    assert.equal(d.source, `firehose://fh/${id}`);
    assert.equal(d.format, 'aws.vpcflow');
    assert.equal(d.lines.length, 2);
    // The shared envelope reader opens each line: the flow records with their log group, then a skip.
    const first = unwrapEnvelope(d.lines[0]!)!;
    assert.ok('records' in first);
    assert.deepEqual(first.records.map((r) => ('text' in r ? r.text : '')), [FLOW, FLOW.replace('ACCEPT', 'REJECT')]);
    const second = unwrapEnvelope(d.lines[1]!)!;
    assert.ok('records' in second && 'skip' in second.records[0]!);
  } finally {
    await input.stop();
  }
});

test('wrong access key → 401, saturated → 429, malformed bodies → 400; errorMessage and requestId always in the answer', async () => {
  const { input, intake, url } = await started();
  try {
    const wrong = await fetch(url, firehoseRequest('req-1', [cloudwatchRecord('DATA_MESSAGE', [FLOW])], 'not-the-key-0123456789'));
    assert.equal(wrong.status, 401);
    const w = (await wrong.json()) as { requestId: string; errorMessage: string; timestamp: number };
    assert.equal(w.requestId, 'req-1');
    assert.match(w.errorMessage, /X-Amz-Firehose-Access-Key/);
    assert.equal(typeof w.timestamp, 'number');
    const bad = await fetch(url, { method: 'POST', body: '{"records":', headers: { 'x-amz-firehose-access-key': ACCESS_KEY, 'x-amz-firehose-request-id': 'req-2', 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { errorMessage: string }).errorMessage, /not JSON/);
    const mismatch = await fetch(url, { ...firehoseRequest('req-3', []), headers: { ...(firehoseRequest('req-3', []).headers as Record<string, string>), 'x-amz-firehose-request-id': 'other' } });
    assert.equal(mismatch.status, 400);
    const noData = await fetch(url, firehoseRequest('req-4', [{ nodata: 1 } as unknown as { data: string }], ACCESS_KEY, false));
    assert.equal(noData.status, 400);
    assert.match(((await noData.json()) as { errorMessage: string }).errorMessage, /records\[0\] has no data string/);
    intake.saturated = true;
    const busy = await fetch(url, firehoseRequest('req-5', [cloudwatchRecord('DATA_MESSAGE', [FLOW])]));
    assert.equal(busy.status, 429);
    intake.saturated = false;
    intake.failNext = 1;
    const failed = await fetch(url, firehoseRequest('req-6', [cloudwatchRecord('DATA_MESSAGE', [FLOW])]));
    assert.equal(failed.status, 500);
    assert.equal(((await failed.json()) as { requestId: string }).requestId, 'req-6');
    assert.equal(intake.deliveries.length, 0);
  } finally {
    await input.stop();
  }
});
