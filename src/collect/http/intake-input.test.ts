import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { ConfigIssue } from '../intake.js';
import { RecordingIntake } from '../../testing/recording-intake.js';
import { collectLog } from '../log.js';
import { httpIntakeInputType } from './input-types.js';
import type { HttpIntakeInput } from './intake-input.js';

collectLog.silent = true;

const KEY = 'k-0123456789abcdef-intake';

async function started(extra: Record<string, unknown> = {}): Promise<{ input: HttpIntakeInput; intake: RecordingIntake; url: string }> {
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'intake', port: 0, keys: [KEY, 'k-second-key-0123456789'], max_body_bytes: 4096, ...extra }, 'inputs[0]', issues) as HttpIntakeInput;
  assert.deepEqual(issues, []);
  const intake = new RecordingIntake();
  await input.start(intake);
  return { input, intake, url: `http://127.0.0.1:${input.address!.port}` };
}

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', ...headers } });

test('authenticated NDJSON, raw lines, JSON arrays and gzip bodies: 200 with counts after delivery', async () => {
  const { input, intake, url } = await started();
  try {
    const ndjson = '{"a":1}\n\n{"a":2}\r\n';
    const r1 = await post(`${url}/intake/app.json`, ndjson, { authorization: `Bearer ${KEY}` });
    assert.equal(r1.status, 200);
    assert.deepEqual(await r1.json(), { records: 3, events: 3, stored: 3, duplicates: 0, rejected: 0 });
    assert.deepEqual(intake.deliveries[0], { source: 'intake+http://127.0.0.1/intake/app.json', format: 'app.json', lines: ['{"a":1}', '', '{"a":2}'], firstLine: 1 });
    const r2 = await post(`${url}/intake/auto`, '[{"b":1},"raw line"]', { 'x-packettrail-key': 'k-second-key-0123456789', 'content-type': 'application/json' });
    assert.equal(r2.status, 200);
    assert.deepEqual(intake.deliveries[1]!.lines, ['{"b":1}', 'raw line']);
    const r3 = await post(`${url}/intake/panw.panos`, gzipSync('line one\nline two\n'), { authorization: `Bearer ${KEY}`, 'content-encoding': 'gzip', 'content-type': 'text/plain' });
    assert.equal(r3.status, 200);
    assert.deepEqual(intake.deliveries[2]!.lines, ['line one', 'line two']);
  } finally {
    await input.stop();
  }
});

test('refusals: 401 (no or wrong key), 404 (unknown format), 413 (too large, also once inflated), 429 + Retry-After, 503 on pipeline failure', async () => {
  const { input, intake, url } = await started();
  try {
    const none = await post(`${url}/intake/app.json`, '{}');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.equal((await post(`${url}/intake/app.json`, '{}', { authorization: `Bearer ${KEY}x` })).status, 401);
    assert.equal((await post(`${url}/intake/app.json`, '{}', { authorization: 'Bearer ' })).status, 401);
    // Unknown formats are only revealed to callers with a key.
    assert.equal((await post(`${url}/intake/nope`, '{}')).status, 401);
    const unknown = await post(`${url}/intake/nope`, '{}', { authorization: `Bearer ${KEY}` });
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: string }).error, /unknown format 'nope'/);
    const big = await post(`${url}/intake/app.json`, 'x'.repeat(5000), { authorization: `Bearer ${KEY}` });
    assert.equal(big.status, 413);
    const bomb = await post(`${url}/intake/app.json`, gzipSync('y'.repeat(100_000)), { authorization: `Bearer ${KEY}`, 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.match(((await bomb.json()) as { error: string }).error, /inflates beyond the limit of 4096 bytes/);
    intake.saturated = true;
    const busy = await post(`${url}/intake/app.json`, '{}', { authorization: `Bearer ${KEY}` });
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get('retry-after'), '5');
    intake.saturated = false;
    intake.failNext = 1;
    const failed = await post(`${url}/intake/app.json`, '{}', { authorization: `Bearer ${KEY}` });
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '5');
    assert.equal(intake.deliveries.length, 0);
    assert.equal(input.counts.refused[401], 4);
  } finally {
    await input.stop();
  }
});

test('a formats allow-list limits what may be posted; config problems are located', async () => {
  const { input, url } = await started({ formats: ['aws.waf'] });
  try {
    assert.equal((await post(`${url}/intake/app.json`, '{}', { authorization: `Bearer ${KEY}` })).status, 404);
  } finally {
    await input.stop();
  }
  const issues: ConfigIssue[] = [];
  assert.equal(httpIntakeInputType.create({ type: 'http', name: 'x', keys: ['short'], formats: ['nope'], port: -1 }, 'inputs[3]', issues), undefined);
  const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /inputs\[3\]\.keys: intake keys must be at least 16 characters/);
  assert.match(text, /inputs\[3\]\.formats: unknown format 'nope'/);
  assert.match(text, /inputs\[3\]\.port: expected a whole number from 0 to 65535/);
  const none: ConfigIssue[] = [];
  httpIntakeInputType.create({ type: 'http', name: 'x' }, 'inputs[0]', none);
  assert.match(none.map((i) => i.message).join('\n'), /required: intake keys/);
});
