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
import { alertsOf, EXPECTED_RULES, TEST_CORRELATIONS } from './parity.fixture.js';
import { tempDir } from '../../testing/tmp.js';

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

