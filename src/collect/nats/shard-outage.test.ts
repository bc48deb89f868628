import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { clickhouseSkip, startClickHouse } from '../../testing/clickhouse.js';
import { CLI } from '../../testing/clickhouse-store.js';
import { natsSkip, startNats } from '../../testing/nats.js';
import { tempDir } from '../../testing/tmp.js';
import { openStore } from '../../store/open.js';
import { connectNats } from './connection.js';
import { JetStreamIntake } from './intake.js';
import { workerConsumer } from './names.js';
import { defaultStreamSettings } from './stream.js';

const STREAM = 'OUTAGE';
/** How long the shard stays down (the figure). */
const OUTAGE_MS = 30_000;
const DELIVERIES = 200;
const LINES = 500;

interface Child { child: ChildProcess; output: () => string }

function startWorker(store: string, nats: string, dir: string, name: string): Child {
  const child = spawn(process.execPath, [CLI, 'worker', '--from', nats, '--store', store, '--stream', STREAM, '--no-builtin-rules', '--threads', '1', '--status-every', '0', '--batch', '4', '--ack-wait', '10', '--dead-letter', join(dir, `${name}.dead.ndjson`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function stored(url: string): Promise<[number, number]> {
  const store = await openStore(url, { readOnly: true }).catch(() => undefined);
  if (!store) return [0, 0];
  try {
    const { rows } = await store.query('SELECT count(*), count(DISTINCT event_id) FROM events_app_json');
    return [Number(rows[0]![0]), Number(rows[0]![1])];
  } catch {
    return [0, 0];
  } finally {
    await store.close();
  }
}

async function lag(url: string): Promise<number> {
  const nc = await connectNats(url, 'test');
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(STREAM, workerConsumer(STREAM));
    return info.num_pending + info.num_ack_pending;
  } finally {
    await nc.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, detail: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Issue 26: a ClickHouse shard stopped for 30 s while two workers insert through a two-shard cluster.
 * Worker A writes through the node that stays up (its loads retry with back-off inside the store);
 * worker B writes through the node that goes away with a 3 s retry limit (its batches fail, are
 * handed back unacknowledged and stored once the node is back). Nothing is acknowledged before it is
 * stored: every record is stored exactly once.
 */
test('a ClickHouse shard down for 30 s while two workers insert: every record stored once, nothing acknowledged before it is stored', { skip: clickhouseSkip() || natsSkip() }, async () => {
  const [pair, nats] = await Promise.all([startClickHouse(2), startNats(1)]);
  const dir = tempDir('packettrail-shard-outage-');
  const nodes = pair.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',');
  const via = (i: number, extra = '') => `clickhouse://127.0.0.1:${pair.nodes[i]!.httpPort}/outage?cluster=logs&nodes=${nodes}${extra}`;
  const workers: Child[] = [];
  try {
    const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings(STREAM) });
    try {
      for (let d = 0; d < DELIVERIES; d++) {
        const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ time: '2026-11-20T10:00:00Z', msg: `outage delivery ${d} record ${i}` }));
        await intake.deliver({ source: `intake+http://10.0.0.1/intake/app.json#${d}`, format: 'app.json', lines, firstLine: 1 });
      }
    } finally {
      await intake.close();
    }
    const total = DELIVERIES * LINES;
    workers.push(startWorker(via(0), nats.url, dir, 'a'), startWorker(via(1, '&retry_limit=3'), nats.url, dir, 'b'));
    const detail = () => workers.map((w, i) => `worker ${'ab'[i]}:\n${w.output()}`).join('\n');
    await waitFor('part of the stream stored', async () => (await stored(via(0)))[0] >= total / 20, 180_000, detail);
    await pair.kill(1);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await pair.restart(1);
    await waitFor('every batch acknowledged', async () => (await lag(nats.url)) === 0, 300_000, detail);
    for (const w of workers) {
      w.child.kill('SIGTERM');
      const [code] = (await once(w.child, 'exit')) as [number];
      assert.equal(code, 0, w.output());
    }
    assert.deepEqual(await stored(via(0)), [total, total], 'every record stored exactly once, seen through the node that stayed up');
    assert.deepEqual(await stored(via(1)), [total, total], 'and through the node that came back');
    // The outage reached the writers: A's loads were retried, or B handed batches back.
    const retried = /attempt \d+ in [\d.]+ s/.test(workers[0]!.output());
    const handedBack = Number(/(\d+) handed back/.exec(workers[1]!.output())?.[1] ?? 0);
    assert.ok(retried || handedBack > 0, `the outage hit the inserts:\n${detail()}`);
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all([pair.stop(), nats.stop()]);
  }
});
