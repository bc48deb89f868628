import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readSync, closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generate, LOGS_DIR } from '../../generate/generate.js';
import { alertsOf, EXPECTED_RULES, TEST_CORRELATIONS } from '../../detect/shared/parity.fixture.js';
import { openStore } from '../../store/open.js';
import { clickhouseSkip, startClickHouse } from '../../testing/clickhouse.js';
import { CLI } from '../../testing/clickhouse-store.js';
import { ENGINE_SCENARIO } from '../../testing/engine-scenario.js';
import { firstDifference } from '../../testing/first-difference.js';
import { natsSkip, startNats } from '../../testing/nats.js';
import { tempDir } from '../../testing/tmp.js';
import { JetStreamIntake } from './intake.js';
import { defaultStreamSettings } from './stream.js';

const STREAM = 'PARITY';

function run(args: string[]): Promise<{ status: number; stderr: string }> {
  const env = { ...process.env };
  delete env.PACKETTRAIL_STORE;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 << 20 }, (e, _stdout, stderr) => resolve({ status: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stderr }));
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  assert.equal(r.status, 0, `packettrail ${args.slice(0, 3).join(' ')} …: exit ${r.status}\n${r.stderr}`);
  return r.stderr;
}

/** Files a push input would carry (text, one record per line): every scenario file but Parquet objects. */
function textFiles(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)).sort();
  return files.filter((f) => {
    const fd = openSync(f, 'r');
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    closeSync(fd);
    return magic.toString('latin1') !== 'PAR1';
  });
}

function linesOf(file: string): string[] {
  const bytes = readFileSync(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter((l) => l !== '');
}

async function count(url: string, sql: string): Promise<number> {
  const store = await openStore(url, { readOnly: true });
  try {
    return Number((await store.query(sql)).rows[0]![0]);
  } catch {
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * The correlation parity through NATS (issue 26): the demo scenario's text logs appended to a
 * JetStream stream and stored by two workers (shared detection: matches stored, one of them running
 * the correlation pass every second), then a final pass, give exactly the alerts of one `ingest` of
 * the same files — per-event alerts after suppression, every type of correlation, the analyses.
 * The files go in dataset by dataset, each over the scenario's two hours: far from event-time order,
 * so the timed pass settles a day behind the newest match (a live feed arrives near time order; a
 * pass that had moved past a match stored later would leave it out: docs/scale-out.md).
 */
test('two workers on one stream with shared detection: the alerts of one ingest', { skip: clickhouseSkip() || natsSkip() }, async () => {
  const [node, nats] = await Promise.all([startClickHouse(1), startNats(1)]);
  const workers: { child: ChildProcess; output: () => string }[] = [];
  try {
    const dir = tempDir('packettrail-worker-parity-');
    await generate({ out: join(dir, 'scenario'), ...ENGINE_SCENARIO });
    const files = textFiles(join(dir, 'scenario', LOGS_DIR));
    const rules = join(dir, 'correlations.yml');
    writeFileSync(rules, TEST_CORRELATIONS);
    const one = node.storeUrl('one_ingest');
    const two = node.storeUrl('two_workers');
    await ok(['ingest', '--quiet', '--store', one, '--rules', rules, '--dead-letter', join(dir, 'dead-one.ndjson'), ...files]);
    const events = await count(one, 'SELECT count() FROM events');
    assert.ok(events > 1_000, `${events} events in the reference`);

    await ok(['store', 'init', '--store', two]);
    const intake = await JetStreamIntake.open({ url: nats.url, stream: defaultStreamSettings(STREAM) });
    try {
      for (const file of files) await intake.deliver({ source: file, format: 'auto', lines: linesOf(file), firstLine: 1 });
    } finally {
      await intake.close();
    }
    for (const i of [0, 1]) {
      const args = ['worker', '--from', nats.url, '--store', two, '--stream', STREAM, '--rules', rules, '--threads', '1', '--status-every', '0', '--dead-letter', join(dir, `dead-w${i}.ndjson`), ...(i === 0 ? ['--correlate-every', '1', '--settle', '1d'] : [])];
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let out = '';
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      workers.push({ child, output: () => out });
    }
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline && (await count(two, 'SELECT count() FROM events')) < events) await new Promise((r) => setTimeout(r, 500));
    assert.equal(await count(two, 'SELECT count() FROM events'), events, 'every event stored once');
    for (const w of workers) {
      w.child.kill('SIGTERM');
      const [code] = (await once(w.child, 'exit')) as [number];
      assert.equal(code, 0, w.output());
    }
    assert.ok(workers.every((w) => /\d+ events stored/.test(w.output())), 'both workers stored batches');
    await ok(['detect', '--correlate', '--final', '--store', two, '--rules', rules]);

    const [expected, actual] = [await alertsOf(one), await alertsOf(two)];
    const seen = new Set(expected.map((a) => a.rule));
    for (const [type, id] of Object.entries(EXPECTED_RULES)) assert.ok(seen.has(id), `one ingest raises an alert of the ${type} correlation ${id}`);
    const describe = (x: { id: string; rule: string; key: unknown; eventIds: string[] }) => `${x.id} (${x.rule} ${JSON.stringify(x.key)} events ${x.eventIds.join(',')})`;
    const missing = expected.filter((x) => !actual.some((y) => y.id === x.id)).map(describe);
    const extra = actual.filter((x) => !expected.some((y) => y.id === x.id)).map(describe);
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${expected.length} alerts from one ingest, ${actual.length} from two workers`);
    for (const [i, e] of expected.entries()) assert.equal(firstDifference(actual[i], e), undefined, `alert ${e.id} (rule ${e.rule})`);
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all([node.stop(), nats.stop()]);
  }
});
