import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { collectLog } from '../log.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { CLI, testStoreUrl } from '../../testing/clickhouse-store.js';
import { natsSkip, startNats } from '../../testing/nats.js';
import { tempDir } from '../../testing/tmp.js';
import { openStore } from '../../store/open.js';
import { JetStreamIntake } from './intake.js';
import { defaultStreamSettings } from './stream.js';
import { connectNats } from './connection.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { workerConsumer } from './names.js';

collectLog.silent = true;

const skip = natsSkip() || clickhouseSkip();
let clickhouse: ClickHouseCluster;
let dir: string;

/** Deliveries of `size` distinct app.json records each: `count` of them, numbered apart per test by `seed`. */
function deliveries(seed: string, count: number, size: number): { source: string; format: string; lines: string[]; firstLine: number }[] {
  return Array.from({ length: count }, (_, d) => ({
    source: `intake+http://10.0.0.${d % 250}/intake/app.json`, format: 'app.json', firstLine: 1,
    lines: Array.from({ length: size }, (_, i) => JSON.stringify({ time: '2026-11-20T10:00:00Z', msg: `${seed} delivery ${d} record ${i}`, user: `u${i % 50}` })),
  }));
}

interface Child { child: ChildProcess; output: () => string }

/** `packettrail worker` as a child process; resolves once it pulls. */
async function startWorker(nats: string, store: string, stream: string, extra: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [CLI, 'worker', '--from', nats, '--store', store, '--stream', stream, '--no-builtin-rules', '--threads', '1', '--status-every', '0', '--dead-letter', join(dir, `${stream}.dead.ndjson`), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 60_000;
  while (!/pulling from/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`worker did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

async function stopWorker(w: Child): Promise<number> {
  if (w.child.exitCode !== null) return w.child.exitCode;
  w.child.kill('SIGTERM');
  const [code] = (await once(w.child, 'exit')) as [number];
  return code;
}

/** Rows stored and distinct event ids in the test's database. */
async function storedCounts(database: string): Promise<[number, number]> {
  const store = await openStore(testStoreUrl(clickhouse, database), { readOnly: true });
  try {
    const { rows } = await store.query('SELECT count(*), count(DISTINCT event_id) FROM events_app_json');
    return [Number(rows[0]![0]), Number(rows[0]![1])];
  } catch (e) {
    if (/doesn't exist|does not exist|UNKNOWN_TABLE/i.test((e as Error).message)) return [0, 0];
    throw e;
  } finally {
    await store.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function consumerLag(url: string, stream: string): Promise<{ pending: number; ackPending: number }> {
  const nc = await connectNats(url, 'test');
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(stream, workerConsumer(stream));
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  } finally {
    await nc.close();
  }
}

/** The index of the node leading the stream (server names are n1, n2, n3). */
async function streamLeader(url: string, stream: string): Promise<number> {
  const nc = await connectNats(url, 'test');
  try {
    const leader = (await (await jetstreamManager(nc)).streams.info(stream)).cluster?.leader;
    const i = Number(/^n(\d)$/.exec(leader ?? '')?.[1]) - 1;
    assert.ok(i >= 0, `stream leader ${leader}`);
    return i;
  } finally {
    await nc.close();
  }
}

describe('workers through NATS into ClickHouse, with failures', { skip }, () => {
  before(async () => {
    dir = tempDir('packettrail-workers-');
    clickhouse = await startClickHouse(1);
  });
  after(async () => {
    await clickhouse?.stop();
  });

  it('a worker killed with -9 mid-batch and started again: every record stored exactly once', async () => {
    const nats = await startNats(1);
    const database = 'killed_worker';
    const store = testStoreUrl(clickhouse, database);
    const total = 80 * 250;
    let first: Child | undefined;
    let second: Child | undefined;
    try {
      const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('KILL') });
      for (const d of deliveries('kill', 80, 250)) await intake.deliver(d);
      await intake.close();
      first = await startWorker(nats.url, store, 'KILL', ['--batch', '8', '--ack-wait', '5']);
      const f = first;
      await waitFor('part of the stream stored', async () => (await storedCounts(database))[0] > 0, 120_000, () => f.output());
      f.child.kill('SIGKILL');
      await once(f.child, 'exit');
      const [partial] = await storedCounts(database);
      assert.ok(partial < total, `killed before the end (${partial} of ${total} stored)`);
      const lag = await consumerLag(nats.url, 'KILL');
      assert.ok(lag.pending + lag.ackPending > 0, 'batches were left unacknowledged by the killed worker');
      second = await startWorker(nats.url, store, 'KILL', ['--batch', '8', '--ack-wait', '5']);
      const s = second;
      await waitFor('every batch acknowledged', async () => { const l = await consumerLag(nats.url, 'KILL'); return l.pending === 0 && l.ackPending === 0; }, 180_000, () => s.output());
      assert.equal(await stopWorker(second), 0, second.output());
      // The batches the killed worker had stored but not acknowledged came again: found already stored.
      assert.ok(Number(/\((\d+) redelivered\)/.exec(second.output())?.[1]) > 0, second.output());
      assert.deepEqual(await storedCounts(database), [total, total], 'every record stored exactly once');
    } finally {
      first?.child.kill('SIGKILL');
      if (second) await stopWorker(second);
      await nats.stop();
    }
  });

  it('two workers share the stream while one NATS node of three is killed during the flood: exact counts, both workers worked', async () => {
    const nats = await startNats(3);
    const database = 'two_workers';
    const store = testStoreUrl(clickhouse, database);
    const count = 120;
    const size = 100;
    const workers: Child[] = [];
    try {
      const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings('PAIR') });
      workers.push(await startWorker(nats.url, store, 'PAIR', ['--batch', '4']));
      workers.push(await startWorker(nats.url, store, 'PAIR', ['--batch', '4']));
      const all = deliveries('pair', count, size);
      let sent = 0;
      // Four publishers at once; the node that is killed is one of the three, whichever leads the stream.
      const publishers = Array.from({ length: 4 }, async () => {
        for (let d = sent++; d < count; d = sent++) {
          await intake.deliver(all[d]!);
          if (d === count / 3) await nats.kill(await streamLeader(nats.url, 'PAIR'));
        }
      });
      await Promise.all(publishers);
      assert.equal(intake.counts.failed, 0);
      assert.ok(intake.counts.retries > 0, 'publishes were retried while a new stream leader was elected');
      await intake.close();
      await waitFor('every record stored', async () => (await storedCounts(database))[0] >= count * size, 240_000, () => workers.map((w) => w.output()).join('\n---\n'));
      await waitFor('every batch acknowledged', async () => { const l = await consumerLag(nats.url, 'PAIR'); return l.pending === 0 && l.ackPending === 0; }, 60_000);
      const outputs: string[] = [];
      for (const w of workers) {
        assert.equal(await stopWorker(w), 0, w.output());
        outputs.push(w.output());
      }
      const received = outputs.map((o) => Number(/(\d+) batches received/.exec(o)?.[1]));
      assert.ok(received.every((n) => n > 0), `each worker took batches: ${received.join(', ')}`);
      assert.ok(received.reduce((a, b) => a + b, 0) >= count, `${received.join(' + ')} batches for ${count} deliveries`);
      assert.deepEqual(await storedCounts(database), [count * size, count * size], 'every record stored exactly once');
    } finally {
      for (const w of workers) await stopWorker(w).catch(() => 0);
      await nats.stop();
    }
  });
});
