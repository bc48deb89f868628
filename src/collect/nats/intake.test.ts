import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConfigIssue } from '../intake.js';
import { collectLog } from '../log.js';
import { httpIntakeInputType } from '../http/input-types.js';
import type { HttpIntakeInput } from '../http/intake-input.js';
import { openTestPipeline, queryStore } from '../../testing/collect-e2e.js';
import { natsSkip, startNats } from '../../testing/nats.js';
import { tempDir } from '../../testing/tmp.js';
import { decodeDelivery, encodeDelivery } from './codec.js';
import { JetStreamIntake, StreamFullError } from './intake.js';
import { intakeSubjectPrefix } from './names.js';
import { defaultStreamSettings, StreamMismatchError } from './stream.js';
import { NatsWorker } from './worker.js';
import { NatsRoutedIntake } from './routed-intake.js';

collectLog.silent = true;

const KEY = 'k-0123456789abcdef-intake';

/** `n` distinct app.json records (each one stored event), numbered from `from`. */
function appLines(n: number, from = 0, pad = 0): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ time: '2026-11-20T10:00:00Z', msg: `event ${from + i}`, pad: 'p'.repeat(pad) }));
}

test('a delivery larger than one message is split into parts that keep their line numbers; a record larger than a message is set aside', () => {
  const lines = [...appLines(30, 0, 100), 'x'.repeat(5000), ...appLines(10, 30, 100)];
  const { parts, tooLarge } = encodeDelivery('S', { source: 'intake+http://10.0.0.1/intake/app.json', format: 'app.json', lines, firstLine: 1, header: ['#h'] }, 4096);
  assert.ok(parts.length > 2, `${parts.length} parts`);
  for (const p of parts) assert.ok(p.data.length <= 4096 - 1024, `part of ${p.data.length} bytes`);
  const decoded = parts.map((p) => decodeDelivery(p.data));
  assert.deepEqual(decoded.flatMap((d) => d.lines), lines.filter((l) => !l.startsWith('x')));
  // Each part starts at its own line of the source; the one too large was line 31.
  for (const d of decoded) assert.equal(lines[d.firstLine! - 1], d.lines[0]);
  assert.ok(decoded.every((d) => d.header?.[0] === '#h'));
  assert.deepEqual(tooLarge.map((t) => t.line), [31]);
  assert.match(tooLarge[0]!.reason, /exceeds what one NATS message carries/);
  assert.equal(new Set(parts.map((p) => p.msgId)).size, parts.length);
  assert.equal(parts[0]!.subject, `${intakeSubjectPrefix('S')}.app.json`);
  // Same delivery, same ids: a re-sent batch is appended once within the duplicate window.
  assert.deepEqual(encodeDelivery('S', { source: 'intake+http://10.0.0.1/intake/app.json', format: 'app.json', lines, firstLine: 1, header: ['#h'] }, 4096).parts.map((p) => p.msgId), parts.map((p) => p.msgId));
  assert.throws(() => decodeDelivery(Buffer.from('{"v":9}')), /version 1/);
  assert.throws(() => decodeDelivery(Buffer.from('nope')), /not JSON/);
});

test('HTTP intake → JetStream → worker → DuckDB: 200 once appended, exact counts stored, a re-post appended once', { skip: natsSkip() }, async () => {
  const nats = await startNats(1);
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'worker');
  const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('E2E') });
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'intake', port: 0, keys: [KEY] }, 'inputs[0]', issues) as HttpIntakeInput;
  assert.deepEqual(issues, []);
  await input.start(new NatsRoutedIntake(intake, pipeline));
  const post = (lines: string[]) => fetch(`http://127.0.0.1:${input.address!.port}/intake/app.json`, { method: 'POST', body: lines.join('\n'), headers: { authorization: `Bearer ${KEY}` } });
  let worker: NatsWorker | undefined;
  try {
    for (let i = 0; i < 20; i++) {
      const r = await post(appLines(50, i * 50));
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { records: 50, events: 0, stored: 0, duplicates: 0, rejected: 0, queued: 50 });
    }
    // The same body again (a client that lost the answer): the stream already has it.
    assert.equal((await post(appLines(50, 0))).status, 200);
    assert.equal(intake.counts.messages, 20);
    assert.equal(intake.counts.duplicates, 1);
    worker = await NatsWorker.open(pipeline, { url: nats.url, stream: 'E2E', batch: 4 });
    void worker.start();
    const w = worker;
    const deadline = Date.now() + 60_000;
    while (w.stats().acked < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stats = worker.stats();
    assert.equal(stats.acked, 20);
    assert.equal(stats.stored, 1000);
    assert.equal(stats.naked, 0);
    assert.deepEqual(await worker.lag(), { pending: 0, ackPending: 0, redelivered: 0 });
  } finally {
    await input.stop();
    await worker?.stop();
    await intake.close();
    await pipeline.close();
    await nats.stop();
  }
  const [[events, distinct]] = (await queryStore(db, 'SELECT count(*), count(DISTINCT event_id) FROM events_app_json')) as [[bigint, bigint]];
  assert.equal(Number(events), 1000);
  assert.equal(Number(distinct), 1000);
});

test('with no worker the intake keeps accepting until the stream is full, then answers 429; a worker started later stores every accepted record', { skip: natsSkip() }, async () => {
  const nats = await startNats(1);
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'full');
  const intake = await JetStreamIntake.open({ url: nats.url, stream: { ...defaultStreamSettings('FULL'), maxBytes: 64 * 1024 } });
  const issues: ConfigIssue[] = [];
  const input = httpIntakeInputType.create({ type: 'http', name: 'intake', port: 0, keys: [KEY] }, 'inputs[0]', issues) as HttpIntakeInput;
  await input.start(new NatsRoutedIntake(intake, pipeline));
  const post = (lines: string[]) => fetch(`http://127.0.0.1:${input.address!.port}/intake/app.json`, { method: 'POST', body: lines.join('\n'), headers: { authorization: `Bearer ${KEY}` } });
  let accepted = 0;
  const statuses: number[] = [];
  let worker: NatsWorker | undefined;
  try {
    for (let i = 0; i < 60; i++) {
      const r = await post(appLines(20, i * 20, 40));
      statuses.push(r.status);
      if (r.status === 200) accepted += ((await r.json()) as { queued: number }).queued;
      else await r.body?.cancel();
    }
    assert.ok(accepted >= 200, `${accepted} accepted before the stream filled`);
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(' ')}`);
    // Once full, it stays refused (nothing is dropped to make room: discard new).
    // The request that found the stream full gets 429 too (not 503), like those refused before their body is read.
    const refusedFrom = statuses.findIndex((s) => s !== 200);
    assert.ok(statuses.slice(refusedFrom).every((s) => s === 429), statuses.join(' '));
    assert.ok(intake.saturated);
    await assert.rejects(intake.deliver({ source: 'direct', format: 'app.json', lines: appLines(400, 5000, 200) }), StreamFullError);
    worker = await NatsWorker.open(pipeline, { url: nats.url, stream: 'FULL', batch: 8 });
    void worker.start();
    const w = worker;
    const deadline = Date.now() + 60_000;
    while (w.stats().stored < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(worker.stats().stored, accepted);
    // Drained: after the stream's fill is read again, the intake accepts again.
    const until = Date.now() + 10_000;
    while (intake.saturated && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(intake.saturated, false);
    const again = await post(appLines(5, 90_000));
    assert.equal(again.status, 200);
    await again.body?.cancel();
    while (w.stats().stored < accepted + 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(worker.stats().stored, accepted + 5);
  } finally {
    await input.stop();
    await worker?.stop();
    await intake.close();
    await pipeline.close();
    await nats.stop();
  }
  const [[events]] = (await queryStore(db, 'SELECT count(*) FROM events_app_json')) as [[bigint]];
  assert.equal(Number(events), accepted + 5);
});

test('a stream made with other settings is refused with what differs; a message that is not a delivery is dead-lettered and acknowledged', { skip: natsSkip() }, async () => {
  const nats = await startNats(1);
  const nc = await connect({ servers: nats.url });
  const dir = tempDir();
  const { pipeline, deadLetterPath } = await openTestPipeline(dir, 'odd');
  let worker: NatsWorker | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'OLD', subjects: [`${intakeSubjectPrefix('OLD')}.>`], discard: DiscardPolicy.Old });
    await assert.rejects(JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('OLD') }), (e: Error) => e instanceof StreamMismatchError && /discard is old, expected new/.test(e.message));
    const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('ODD') });
    await intake.close();
    await jetstream(nc).publish(`${intakeSubjectPrefix('ODD')}.app.json`, 'garbage, not JSON');
    worker = await NatsWorker.open(pipeline, { url: nats.url, stream: 'ODD' });
    void worker.start();
    const w = worker;
    const deadline = Date.now() + 30_000;
    while (w.stats().acked < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(worker.stats().rejected, 1);
  } finally {
    await worker?.stop();
    await pipeline.close();
    await nc.close();
    await nats.stop();
  }
  const dead = readFileSync(deadLetterPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; reason: string });
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.source, 'nats://ODD/1');
  assert.match(dead[0]!.reason, /is not a packettrail delivery: not JSON/);
});

test('a delivery whose store fails is handed back with a delay and stored on redelivery; a stop hands back what is still in flight', { skip: natsSkip() }, async () => {
  const nats = await startNats(1);
  const dir = tempDir();
  const { pipeline, db } = await openTestPipeline(dir, 'nak');
  const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('NAK') });
  let failuresLeft = 3;
  let hold: Promise<void> | undefined;
  // The real pipeline behind a gate: the first three deliveries fail as a store outage would, and a held one stays in flight.
  const gated = {
    deliver: async (d: Parameters<typeof pipeline.deliver>[0]) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('store load failed: connection refused');
      }
      if (hold) await hold;
      return pipeline.deliver(d);
    },
    deadLetter: pipeline.deadLetter.bind(pipeline),
  };
  let worker: NatsWorker | undefined;
  try {
    for (let i = 0; i < 6; i++) await intake.deliver({ source: `s${i}`, format: 'app.json', lines: appLines(10, i * 10), firstLine: 1 });
    worker = await NatsWorker.open(gated, { url: nats.url, stream: 'NAK', batch: 2 });
    void worker.start();
    const w = worker;
    const deadline = Date.now() + 60_000;
    while (w.stats().acked < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stats = worker.stats();
    assert.equal(stats.acked, 6);
    assert.equal(stats.naked, 3);
    assert.equal(stats.errors, 3);
    assert.ok(stats.redelivered >= 3, `${stats.redelivered} redelivered`);
    assert.match(stats.lastError!, /store load failed/);
    assert.equal(stats.stored, 60);

    // A stop while a delivery is held: after the grace it is handed back, and the next worker stores it.
    let release!: () => void;
    hold = new Promise((r) => { release = r; });
    await intake.deliver({ source: 'late', format: 'app.json', lines: appLines(10, 1000), firstLine: 1 });
    while (w.stats().received < stats.received + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await worker.stop(200);
    assert.equal(worker.stats().naked, 4);
    release();
    hold = undefined;
    worker = await NatsWorker.open(gated, { url: nats.url, stream: 'NAK', batch: 2 });
    void worker.start();
    const w2 = worker;
    while (w2.stats().acked < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Handed back at once (not after the 60 s ack wait): the next worker got it and stored it, or found it stored by the first once released.
    assert.deepEqual([w2.stats().received, w2.stats().acked, w2.stats().stored + w2.stats().duplicates], [1, 1, 10]);
    assert.deepEqual(await w2.lag(), { pending: 0, ackPending: 0, redelivered: 0 });
  } finally {
    await worker?.stop();
    await intake.close();
    await pipeline.close();
    await nats.stop();
  }
  const [[events, distinct]] = (await queryStore(db, 'SELECT count(*), count(DISTINCT event_id) FROM events_app_json')) as [[bigint, bigint]];
  assert.deepEqual([Number(events), Number(distinct)], [70, 70]);
});
