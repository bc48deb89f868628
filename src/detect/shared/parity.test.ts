import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, LOGS_DIR } from '../../generate/generate.js';
import { openStore } from '../../store/open.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { CLI } from '../../testing/clickhouse-store.js';
import { ENGINE_SCENARIO } from '../../testing/engine-scenario.js';
import { firstDifference } from '../../testing/first-difference.js';
import { tempDir } from '../../testing/tmp.js';

/**
 * Test correlations over built-in rules that fire in the demo scenario, so that every correlation
 * type runs (the built-ins have event_count only), eager (gte) and decided when windows close (lt).
 * `generate: true` keeps the base rules' own alerts, so suppression is exercised too.
 */
const TEST_CORRELATIONS = `title: Bazar Loader beacons to several paths
id: 6f7d0c52-7a11-4a5e-9f00-000000000001
level: high
correlation:
    type: value_count
    rules: [dd40b1db-fa49-4770-afc8-63e33ca1bea1]
    group-by: [src_ip]
    timespan: 1h
    condition: {field: c-uri-stem, gte: 3}
    generate: true
---
title: Telegram bot API looked up and requested by one host
id: 6f7d0c52-7a11-4a5e-9f00-000000000002
level: high
correlation:
    type: temporal
    rules: [e56e032f-013d-4927-8e3d-fcc19825f4e8, 5340987a-808d-47cf-b6bd-fa0c519b889f]
    group-by: [src_ip]
    timespan: 10m
    generate: true
---
title: Telegram bot API looked up, then requested
id: 6f7d0c52-7a11-4a5e-9f00-000000000003
level: critical
correlation:
    type: temporal_ordered
    rules: [e56e032f-013d-4927-8e3d-fcc19825f4e8, 5340987a-808d-47cf-b6bd-fa0c519b889f]
    group-by: [src_ip]
    timespan: 10m
    generate: true
---
title: Burp Suite requests from one client, counted when the window closes
id: 6f7d0c52-7a11-4a5e-9f00-000000000004
level: medium
correlation:
    type: event_count
    rules: [dd3c1c55-0052-46b8-907a-0825154665c5]
    group-by: [c-ip]
    timespan: 30m
    condition: {lt: 1000}
    generate: true
`;

/** The correlations the comparison must see alerts of: one per type (and the built-in burst). */
const EXPECTED_RULES: Record<string, string> = {
  event_count: '1fa2c55f-8f63-4daf-b30b-e5b59ac9b424',
  value_count: '6f7d0c52-7a11-4a5e-9f00-000000000001',
  temporal: '6f7d0c52-7a11-4a5e-9f00-000000000002',
  temporal_ordered: '6f7d0c52-7a11-4a5e-9f00-000000000003',
  'event_count (lt)': '6f7d0c52-7a11-4a5e-9f00-000000000004',
};

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Ran> {
  const env = { ...process.env };
  delete env.PACKETTRAIL_STORE;
  delete env.PACKETTRAIL_DB;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      resolve({ status: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<Ran> {
  const r = await run(args);
  assert.equal(r.status, 0, `packettrail ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r;
}

/**
 * An alert as the parity compares it: rule, key, the events behind it. Not `details.suppressed`: one
 * process releases a kept alert once the newest event time it has read (in input order, across
 * datasets) passes the alert's window, and counts later duplicates in its summary only; the pass
 * reads in event-time order and counts more of them into the alert (docs/scale-out.md).
 */
interface Compared {
  id: string;
  rule: string;
  key: unknown;
  eventIds: string[];
  kind: string;
}

async function alertsOf(url: string): Promise<Compared[]> {
  const store = await openStore(url, { readOnly: true });
  try {
    const r = await store.query('SELECT id, rule_id, key, event_ids, rule_kind FROM alerts ORDER BY id');
    return r.rows.map(([id, rule, key, ids, kind]) => ({
      id: String(id), rule: String(rule), key: JSON.parse(String(key)) as unknown, eventIds: (ids as string[]).map(String), kind: String(kind),
    }));
  } finally {
    await store.close();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)).sort();
}

/**
 * The correlation parity: the demo scenario ingested by two processes at once (alternate files each,
 * shared detection: matches stored, no alerts) into one ClickHouse store, then correlation passes,
 * gives exactly the alerts of one ingest of everything — per-event alerts after suppression,
 * correlations of every type, and the post-ingest analyses. A difference names the first alert.
 */
describe('detection across processes: the alerts of one ingest', { skip: clickhouseSkip() }, () => {
  let node: ClickHouseCluster;
  let dir: string;
  let logs: string;
  let rules: string;

  before(async () => {
    node = await startClickHouse(1);
    dir = tempDir('packettrail-shared-detection-');
    await generate({ out: join(dir, 'scenario'), ...ENGINE_SCENARIO });
    logs = join(dir, 'scenario', LOGS_DIR);
    rules = join(dir, 'correlations.yml');
    writeFileSync(rules, TEST_CORRELATIONS);
  });
  after(async () => {
    await node?.stop();
  });

  test('two ingests in parallel with shared detection, then the correlation pass: the same alerts as one ingest', async () => {
    const one = node.storeUrl('one_process');
    const two = node.storeUrl('two_processes');
    await ok(['ingest', '--quiet', '--store', one, '--rules', rules, '--dead-letter', join(dir, 'dead-one.ndjson'), logs]);

    await ok(['store', 'init', '--store', two]);
    const files = filesUnder(logs);
    const halves = [files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)];
    const ingests = await Promise.all(halves.map((half, i) => run(['ingest', '--store', two, '--shared-detection', '--rules', rules, '--dead-letter', join(dir, `dead-${i}.ndjson`), ...half])));
    for (const r of ingests) assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await alertsOf(two), [], 'ingest with --shared-detection raises no alert itself');

    // A pass as a live deployment runs it (matches settle), then the operator's final one.
    const first = await ok(['detect', '--correlate', '--store', two, '--rules', rules, '--settle', '30m', '--skip-analyses']);
    assert.match(first.stderr, /correlation pass: \d+ match\(es\)/);
    const final = await ok(['detect', '--correlate', '--final', '--store', two, '--rules', rules]);
    assert.match(final.stderr, /correlation pass \(final\)/);

    const [expected, actual] = [await alertsOf(one), await alertsOf(two)];
    const rulesSeen = new Set(expected.map((a) => a.rule));
    for (const [type, id] of Object.entries(EXPECTED_RULES)) assert.ok(rulesSeen.has(id), `one ingest raises an alert of the ${type} correlation ${id}`);
    assert.ok(expected.some((a) => a.kind === 'anomaly'), 'the post-ingest analyses raise alerts (CloudFront anomalies)');
    assert.ok(expected.length < 40, `${expected.length} alerts: duplicates were suppressed (the rules match about 200 times)`);
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const e = expected[i];
      const a = actual[i];
      if (!e || !a || e.id !== a.id) {
        const missing = expected.filter((x) => !actual.some((y) => y.id === x.id)).map((x) => `${x.id} (${x.rule} ${JSON.stringify(x.key)})`);
        const extra = actual.filter((x) => !expected.some((y) => y.id === x.id)).map((x) => `${x.id} (${x.rule} ${JSON.stringify(x.key)})`);
        assert.fail(`alert #${i}: one ingest has ${e ? `${e.id} (${e.rule})` : 'none'}, two processes ${a ? `${a.id} (${a.rule})` : 'none'}; missing: ${missing.slice(0, 3).join(', ')}; extra: ${extra.slice(0, 3).join(', ')}`);
      }
      const diff = firstDifference(a, e);
      assert.equal(diff, undefined, `alert ${e.id} (rule ${e.rule}): ${diff}`);
    }

    // Another final pass finds nothing new and stores nothing twice.
    const again = await ok(['detect', '--correlate', '--final', '--store', two, '--rules', rules]);
    assert.match(again.stderr, /nothing new to read/);
    assert.equal((await alertsOf(two)).length, actual.length);
  });

  test('two collect processes with shared detection, one running the pass every second: the alerts of one ingest', async () => {
    const one = node.storeUrl('app_one');
    const two = node.storeUrl('app_two');
    const files = filesUnder(join(logs, 'app'));
    assert.equal(files.length, 2, files.join(', '));
    await ok(['ingest', '--quiet', '--store', one, '--rules', rules, '--dead-letter', join(dir, 'dead-app.ndjson'), ...files]);
    await ok(['store', 'init', '--store', two]);
    const lines = files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 0);
    const collectors: { child: ChildProcess; stderr: () => string }[] = [];
    try {
      for (const [i, file] of files.entries()) {
        const config = join(dir, `collect-${i}.yml`);
        writeFileSync(config, [
          `detection: {rules: ['${rules}']}`,
          `dead_letter: ${join(dir, `collect-dead-${i}.ndjson`)}`,
          'inputs:',
          `  - {type: tail, name: app${i}, paths: ['${file}'], format: app.json, checkpoint: '${join(dir, `tail-${i}.json`)}', poll_ms: 50}`,
        ].join('\n') + '\n');
        const args = ['collect', '--config', config, '--store', two, '--status-every', '0', '--shared-detection', ...(i === 0 ? ['--correlate-every', '1'] : [])];
        collectors.push(await startCollect(args));
      }
      const deadline = Date.now() + 180_000;
      const stored = async () => Number((await storeRows(two, 'SELECT count() FROM events_app_json').catch(() => [[0]]))[0]![0]);
      while (Date.now() < deadline && (await stored()) < lines) await new Promise((r) => setTimeout(r, 500));
      assert.equal(await stored(), lines);
      // The pass runs on its timer: it saves a state once it has read what settled.
      while (Date.now() < deadline && Number((await storeRows(two, 'SELECT count() FROM correlation_state'))[0]![0]) === 0) await new Promise((r) => setTimeout(r, 500));
    } finally {
      for (const c of collectors) assert.equal(await stopChild(c.child), 0, c.stderr());
    }
    await ok(['detect', '--correlate', '--final', '--store', two, '--rules', rules, '--skip-analyses']);
    const [expected, actual] = [(await alertsOf(one)).filter((a) => a.kind === 'sigma'), await alertsOf(two)];
    assert.ok(expected.length > 0, 'the app logs raise alerts');
    assert.deepEqual(actual, expected);
  });
});

/** A collect process, once it says it runs. */
function startCollect(args: string[]): Promise<{ child: ChildProcess; stderr: () => string }> {
  const env = { ...process.env };
  delete env.PACKETTRAIL_STORE;
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collect not running within 120 s: ${err}`)), 120_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (/running 1 input\(s\)/.test(err)) {
        clearTimeout(timer);
        resolve({ child, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`collect exited with ${code}: ${err}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

async function storeRows(url: string, sql: string): Promise<unknown[][]> {
  const store = await openStore(url, { readOnly: true });
  try {
    return (await store.query(sql)).rows;
  } finally {
    await store.close();
  }
}

