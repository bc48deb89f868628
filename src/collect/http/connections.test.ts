import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { ConfigIssue } from '../intake.js';
import { RecordingIntake } from '../../testing/recording-intake.js';
import { collectLog } from '../log.js';
import { firehoseInputType, httpIntakeInputType } from './input-types.js';
import type { FirehoseInput } from './firehose-input.js';
import type { HttpIntakeInput } from './intake-input.js';

collectLog.silent = true;

const KEY = 'k-0123456789abcdef-intake';
const ACCESS_KEY = 'firehose-access-key-0123456789';
const SHORT = { headers_timeout_seconds: 1, request_timeout_seconds: 2, idle_timeout_seconds: 1 };

async function intakeInput(extra: Record<string, unknown>): Promise<{ input: HttpIntakeInput; intake: RecordingIntake; port: number }> {
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'intake', port: 0, keys: [KEY], ...extra }, 'inputs[0]', issues) as HttpIntakeInput;
  assert.deepEqual(issues, []);
  const intake = new RecordingIntake();
  await input.start(intake);
  return { input, intake, port: input.address!.port };
}

/** A raw connection that writes `first` and then whatever the test drips; resolves `closed` with the time it took. */
function rawClient(port: number, first: string, localAddress = '127.0.0.1'): { socket: Socket; received: () => string; closed: Promise<number> } {
  const started = Date.now();
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  socket.on('connect', () => socket.write(first));
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  return { socket, received: () => text, closed };
}

function post(port: number, path: string, body: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', localAddress, method: 'POST', path, headers: { 'content-type': 'text/plain', ...headers }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const slowBody = (path: string, auth: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\nx`;

test('HTTP intake: slow-loris headers, a stalled body and a dripped body are closed within their timeouts; a slow pipeline is waited for', async () => {
  const { input, intake, port } = await intakeInput(SHORT);
  try {
    const partialHeaders = rawClient(port, 'POST /intake/app.json HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => partialHeaders.socket.writable && partialHeaders.socket.write('a'), 200);
    const stalledBody = rawClient(port, slowBody('/intake/app.json', `Authorization: Bearer ${KEY}\r\n`));
    const drippedBody = rawClient(port, slowBody('/intake/app.json', `Authorization: Bearer ${KEY}\r\n`));
    const bodyDrip = setInterval(() => drippedBody.socket.writable && drippedBody.socket.write('y'), 200);
    const nothing = rawClient(port, '');
    try {
      const [headersMs, stalledMs, drippedMs, nothingMs] = await Promise.all([partialHeaders.closed, stalledBody.closed, drippedBody.closed, nothing.closed]);
      assert.ok(headersMs < 2500, `headers dripped for ${headersMs} ms`);
      assert.match(partialHeaders.received(), /^HTTP\/1\.1 408 /);
      assert.ok(stalledMs < 2500, `a stalled body held its connection for ${stalledMs} ms`);
      assert.ok(drippedMs >= 1900 && drippedMs < 3500, `a dripped body held its connection for ${drippedMs} ms (request timeout 2 s)`);
      assert.match(drippedBody.received(), /^HTTP\/1\.1 408 /);
      assert.ok(nothingMs < 2500, `a silent connection stayed ${nothingMs} ms`);
    } finally {
      clearInterval(drip);
      clearInterval(bodyDrip);
    }
    assert.equal(intake.deliveries.length, 0);
    assert.ok(input.connections!.timedOut >= 2 && input.connections!.idleClosed >= 1, JSON.stringify(input.connections));
    // The idle timeout is about the client: a request waiting on a slow pipeline keeps its connection.
    intake.delayMs = 1800;
    assert.equal(await post(port, '/intake/app.json', '{"a":1}', { authorization: `Bearer ${KEY}` }), 200);
    assert.match(input.summary(), /timed out \(408\)/);
  } finally {
    await input.stop();
  }
});

test('HTTP intake: a refusal before the body (no key) closes the connection at once', async () => {
  const { input, port } = await intakeInput({});
  try {
    const client = rawClient(port, slowBody('/intake/app.json', ''));
    const ms = await client.closed;
    assert.match(client.received(), /^HTTP\/1\.1 401 /);
    assert.match(client.received(), /connection: close/i);
    assert.ok(ms < 1000, `an unauthenticated connection stayed ${ms} ms`);
  } finally {
    await input.stop();
  }
});

test('HTTP intake: per-address cap: idle connections from one address are refused beyond it, another address still posts', async () => {
  const { input, intake, port } = await intakeInput({ max_connections: 10, max_connections_per_address: 3 });
  const clients: ReturnType<typeof rawClient>[] = [];
  try {
    for (let i = 0; i < 8; i++) clients.push(rawClient(port, 'POST /intake/app.json HTTP/1.1\r\n'));
    const early = await Promise.race([Promise.all(clients.slice(3).map((c) => c.closed)), new Promise<'open'>((r) => setTimeout(() => r('open'), 1500))]);
    assert.notEqual(early, 'open', 'connections beyond the per-address cap are closed at once');
    assert.equal(input.connections!.refused['per-address'], 5);
    assert.deepEqual(clients.slice(0, 3).map((c) => c.socket.destroyed), [false, false, false]);
    assert.equal(await post(port, '/intake/app.json', '{"from":"another address"}', { authorization: `Bearer ${KEY}` }, '127.0.0.2'), 200);
    assert.deepEqual(intake.lines, ['{"from":"another address"}']);
    await assert.rejects(post(port, '/intake/app.json', '{}', { authorization: `Bearer ${KEY}` }), /socket hang up|ECONNRESET/);
    assert.match(input.summary(), /6 connections refused \(max_connections_per_address\)/);
  } finally {
    for (const c of clients) c.socket.destroy();
    await input.stop();
  }
});

test('Firehose: a stalled body is closed within the idle timeout; connections are capped per address', async () => {
  const issues: ConfigIssue[] = [];
  const input = firehoseInputType.create({ type: 'firehose', name: 'fh', port: 0, path: '/firehose', access_key: ACCESS_KEY, format: 'aws.vpcflow', ...SHORT, max_connections_per_address: 2 }, 'inputs[0]', issues) as FirehoseInput;
  assert.deepEqual(issues, []);
  await input.start(new RecordingIntake());
  const port = input.address!.port;
  try {
    const stalled = rawClient(port, slowBody('/firehose', `X-Amz-Firehose-Access-Key: ${ACCESS_KEY}\r\n`));
    const idle = rawClient(port, '');
    const third = rawClient(port, '');
    assert.ok((await third.closed) < 500, 'the third connection from one address is refused');
    assert.ok((await stalled.closed) < 2500);
    await idle.closed;
    assert.equal(input.connections!.refused['per-address'], 1);
  } finally {
    await input.stop();
  }
});

test('HTTP connection limits: defaults, and contradictions are config problems', () => {
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'x', keys: [KEY] }, 'inputs[0]', issues) as HttpIntakeInput;
  assert.deepEqual(issues, []);
  const limits = (input as unknown as { s: { limits: unknown } }).s.limits;
  assert.deepEqual(limits, { headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, idleTimeoutMs: 30_000, maxConnections: 1024, maxConnectionsPerAddress: 256 });
  const bad: ConfigIssue[] = [];
  firehoseInputType.create({ type: 'firehose', name: 'x', access_key: ACCESS_KEY, format: 'aws.vpcflow', headers_timeout_seconds: 30, request_timeout_seconds: 20, max_connections: 10, max_connections_per_address: 20, idle_timeout_seconds: 0 }, 'inputs[2]', bad);
  const text = bad.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /inputs\[2\]\.headers_timeout_seconds: must not exceed request_timeout_seconds \(20\)/);
  assert.match(text, /inputs\[2\]\.max_connections_per_address: must not exceed max_connections \(10\)/);
  assert.match(text, /inputs\[2\]\.idle_timeout_seconds: expected a whole number from 1 to 3600 \(seconds\), got 0/);
});
