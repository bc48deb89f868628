import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_INTAKE_STREAM, intakeSubjectPrefix, PROCESS_BUCKET, workerConsumer } from '../collect/nats/names.js';
import { natsSkip, startNats, type NatsCluster } from '../testing/nats.js';
import { InputMetrics } from './inputs.js';
import { MetricsRegistry } from './metrics.js';
import { listProcesses, registerProcess } from './process-registry.js';
import type { ClusterStatus } from './cluster-status.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const skip = natsSkip();
let nats: NatsCluster;
let nc: NatsConnection;

before(async () => {
  if (skip) return;
  nats = await startNats(1);
  nc = await connect({ servers: nats.url });
});

after(async () => {
  await nc?.close();
  await nats?.stop();
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

// One test drives the bucket's life: the first registration creates it with the short TTL that the expiry is checked against.
test('process registry: heartbeats carry the counts, a process that stops removes itself, one that dies turns stale and then expires', { skip, timeout: 180_000 }, async () => {
  const metrics = new MetricsRegistry();
  const inputs = new InputMetrics(metrics);
  const counted = inputs.observe('edge', { deliver: async () => ({ records: 3, events: 2, stored: 2, duplicates: 0, rejected: 1 }), deliverStream: async () => { throw new Error('no'); }, saturated: false });
  const alive = await registerProcess({ nc, kind: 'worker', metrics, everyMs: 200, ttlMs: 3_000, stream: DEFAULT_INTAKE_STREAM });
  await counted.deliver({ source: 'x', format: 'auto', lines: ['a'] });
  await alive.beat();
  let listed = await listProcesses(nc);
  const mine = listed.processes.find((p) => p.record.id === alive.id)!;
  assert.ok(mine, JSON.stringify(listed));
  assert.equal(mine.stale, false);
  assert.equal(mine.record.kind, 'worker');
  assert.equal(mine.record.pid, process.pid);
  assert.equal(mine.record.stream, DEFAULT_INTAKE_STREAM);
  const stored = mine.record.samples.find((s) => s.name === 'packettrail_input_stored_total' && s.labels.input === 'edge');
  assert.equal(stored?.value, 2);

  // Heartbeats keep coming: the entry's server time moves.
  const first = mine.seenAt.getTime();
  await until('a later heartbeat', async () => ((await listProcesses(nc)).processes.find((p) => p.record.id === alive.id)?.seenAt.getTime() ?? 0) > first);

  // A process that dies (its connection gone, no stop()) stays listed, stale after three missed heartbeats, until the TTL removes it.
  const other = await connect({ servers: nats.url });
  const dying = await registerProcess({ nc: other, kind: 'collect', metrics: new MetricsRegistry(), everyMs: 200 });
  await other.close();
  await until('the dead process marked stale', async () => (await listProcesses(nc)).processes.find((p) => p.record.id === dying.id)?.stale === true);
  listed = await listProcesses(nc);
  assert.equal(listed.processes.find((p) => p.record.id === alive.id)?.stale, false, 'the living one is not stale');
  await until('the dead process expired by the bucket TTL', async () => !(await listProcesses(nc)).processes.some((p) => p.record.id === dying.id), 30_000);
  assert.ok((await listProcesses(nc)).processes.some((p) => p.record.id === alive.id), 'the living one stays');

  // A clean stop removes the key at once.
  await alive.stop();
  assert.ok(!(await listProcesses(nc)).processes.some((p) => p.record.id === alive.id));
});

test('cluster status: processes, inputs, the stream\'s pending batches and the workers\' consumer; exit 1 on a stale process or lag over --max-pending; hostile names escaped', { skip, timeout: 180_000 }, async () => {
  const stream = 'OBSERVE_TEST';
  const jsm = await jetstreamManager(nc);
  // The first test's bucket expires keys after 3 s: this one is made again with the default TTL.
  await jsm.streams.delete(`KV_${PROCESS_BUCKET}`).catch(() => {});
  const prefix = intakeSubjectPrefix(stream);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  await jsm.consumers.add(stream, { durable_name: workerConsumer(stream), ack_policy: AckPolicy.Explicit, ack_wait: 1_000_000_000 });
  const js = jetstream(nc);
  for (let i = 0; i < 12; i++) await js.publish(`${prefix}.app.json`, JSON.stringify({ n: i }));
  // A worker took 2 batches and has not acknowledged them.
  const consumer = await js.consumers.get(stream, workerConsumer(stream));
  const batch = await consumer.fetch({ max_messages: 2, expires: 2_000 });
  let taken = 0;
  for await (const _m of batch) if (++taken === 2) break;
  assert.equal(taken, 2);

  const metrics = new MetricsRegistry();
  const inputs = new InputMetrics(metrics);
  const view = inputs.observe('nats:OBSERVE_TEST', { deliver: async () => ({ records: 10, events: 10, stored: 9, duplicates: 1, rejected: 0 }), deliverStream: async () => { throw new Error('no'); }, saturated: false });
  await view.deliver({ source: 's', format: 'auto', lines: ['x'] });
  await view.deliver({ source: 's', format: 'auto', lines: ['x'] }).catch(() => {});
  inputs.failed('nats:OBSERVE_TEST');
  const worker = await registerProcess({ nc, kind: 'worker', metrics, everyMs: 60_000, stream, metricsUrl: 'http://127.0.0.1:9464/metrics' });
  // What anyone able to write to the bucket may write: terminal escapes and bidi overrides in the names, and garbage.
  const kv = await new Kvm(nc).open(PROCESS_BUCKET);
  const now = new Date().toISOString();
  await kv.put('hostile', JSON.stringify({ id: 'hostile\u001b[2J', kind: 'coll\u202eect', host: 'h\u001b]0;pwned\u0007ost', pid: 7, started: now, version: '1', heartbeat: now, everyMs: 60_000, samples: [{ name: 'packettrail_input_stored_total', labels: { input: 'in\u001b[31mput' }, value: 4 }] }));
  await kv.put('garbage', 'not json at all');
  try {
    const healthy = await cli(['cluster', 'status', '--nats', nats.url, '--stream', stream, '--json', '--max-pending', '100']);
    const status = JSON.parse(healthy.out) as ClusterStatus;
    assert.equal(status.stream.messages, 12);
    assert.equal(status.stream.consumer.pending, 10);
    assert.equal(status.stream.consumer.ackPending, 2);
    const w = status.processes.find((p) => p.id === worker.id)!;
    assert.equal(w.stale, false);
    assert.equal(w.metrics, 'http://127.0.0.1:9464/metrics');
    assert.deepEqual(w.inputs.map((i) => [i.input, i.deliveries, i.events, i.stored, i.duplicates, i.errors, i.lastError !== null]), [['nats:OBSERVE_TEST', 2, 20, 18, 2, 1, true]]);
    // The garbage entry is a problem (exit 1) reported by its key; nothing else is wrong.
    assert.equal(healthy.code, 1, healthy.err);
    assert.deepEqual(status.problems, ['registry entry garbage is unreadable: not JSON']);
    await kv.delete('garbage');

    const lagging = await cli(['cluster', 'status', '--nats', nats.url, '--stream', stream, '--max-pending', '5']);
    assert.equal(lagging.code, 1, lagging.err);
    assert.match(lagging.out, /lag: 12 batches not yet stored by the workers of OBSERVE_TEST \(10 pending, 2 delivered and not acknowledged\), over --max-pending 5/);
    assert.match(lagging.out, /consumer observe_test-workers: 10 pending, 2 delivered and not acknowledged/);
    // Hostile names are shown escaped: no escape sequence or bidi override reaches the terminal.
    assert.doesNotMatch(lagging.out, /[\u001b\u0007\u202e]/);
    assert.match(lagging.out, /hostile\\x1b\[2J/);
    assert.match(lagging.out, /coll\\u202eect/);

    const fine = await cli(['cluster', 'status', '--nats', nats.url, '--stream', stream, '--max-pending', '100']);
    assert.equal(fine.code, 0, fine.out + fine.err);
    assert.match(fine.out, /no problems/);
  } finally {
    await worker.stop();
    await kv.delete('hostile');
  }
  // A process that stopped heartbeating (its key left behind) makes status exit 1 with it named.
  const stale = await registerProcess({ nc, kind: 'worker', metrics: new MetricsRegistry(), everyMs: 100 });
  await new Promise((r) => setTimeout(r, 50));
  const ghost = await kv.get(stale.id);
  await stale.stop();
  await kv.put(stale.id, ghost!.string());
  await new Promise((r) => setTimeout(r, 500));
  const staleRun = await cli(['cluster', 'status', '--nats', nats.url, '--stream', stream, '--max-pending', '100']);
  assert.equal(staleRun.code, 1, staleRun.out);
  assert.match(staleRun.out, new RegExp(`worker ${stale.id} on .* is stale: no heartbeat for \\d+ s`));
  assert.match(staleRun.out, /STALE/);
  await kv.delete(stale.id);
});

test('cluster status: NATS unreachable is exit 3, a bad --nats is exit 2', { timeout: 120_000 }, async () => {
  const down = await cli(['cluster', 'status', '--nats', 'nats://127.0.0.1:1']);
  assert.equal(down.code, 3, down.err);
  assert.match(down.err, /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
  const bad = await cli(['cluster', 'status', '--nats', 'nats://a b']);
  assert.equal(bad.code, 2, bad.err);
});
