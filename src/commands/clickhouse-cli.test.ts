import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../cli/exit-codes.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { CLI, generateScenario } from '../testing/clickhouse-store.js';
import { tempDir } from '../testing/tmp.js';

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** packettrail as a child, PACKETTRAIL_STORE and PACKETTRAIL_DB cleared unless `env` sets them. */
function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Ran> {
  const base = { ...process.env };
  delete base.PACKETTRAIL_STORE;
  delete base.PACKETTRAIL_DB;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...base, ...env }, cwd, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      resolve({ status: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Starts a long-running packettrail and waits for a line of its stderr matching `ready`. */
function start(args: string[], ready: RegExp, cwd?: string): Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }> {
  const env = { ...process.env };
  delete env.PACKETTRAIL_STORE;
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 120 s: ${err}`)), 120_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = ready.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

async function count(url: string, sql: string): Promise<number> {
  const r = await run(['query', '--store', url, '-o', 'csv', sql]);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim().split('\n')[1]);
}

/**
 * The commands that open a store, run as a user runs them against one ClickHouse node: demo --store
 * fills it; trail, insights, detect, index, serve and collect take --store (or PACKETTRAIL_STORE).
 */
describe('the CLI on a ClickHouse store', { skip: clickhouseSkip() }, () => {
  let node: ClickHouseCluster;
  let dir: string;
  let url: string;
  let requestId: string;

  before(async () => {
    node = await startClickHouse(1);
    dir = tempDir('packettrail-ch-cli-');
    generateScenario(dir);
    url = node.storeUrl('cli');
  });
  after(async () => {
    await node?.stop();
  });

  test('demo --store stores the scenario, scores its alerts and follows a request on ClickHouse', async () => {
    const r = await run(['demo', '--dir', dir, '--store', url]);
    assert.ok(r.status === EXIT.OK || r.status === EXIT.REJECTED, r.stderr);
    assert.match(r.stdout, new RegExp(`→ ${url.replace(/[/.?]/g, '\\$&')}`));
    assert.match(r.stdout, /alerts by rule, scored against truth\.json/);
    const followed = /follow the packet \(packettrail trail --store \S+ --request-id (\S+)\):/.exec(r.stdout);
    assert.ok(followed, r.stdout.slice(-1500));
    requestId = followed[1]!;
    assert.match(r.stdout, /anchor: \S+ event \S+ at 2026-11-20T/);
    assert.match(r.stdout, new RegExp(`export PACKETTRAIL_STORE=${url.replace(/[/.?]/g, '\\$&')}`));
    assert.ok((await count(url, 'SELECT count() FROM events')) > 1000);
    assert.ok((await count(url, 'SELECT count() FROM alerts')) >= 5);
  });

  test('trail --store and PACKETTRAIL_STORE: the same trail, by request id and by alert', async () => {
    const byOption = await run(['trail', '--store', url, '--request-id', requestId, '--json']);
    assert.equal(byOption.status, 0, byOption.stderr);
    const trail = JSON.parse(byOption.stdout) as { hops: unknown[]; anchor: { dataset: string } };
    assert.ok(trail.hops.length >= 3, `${trail.hops.length} hops`);
    const byEnv = await run(['trail', '--request-id', requestId, '--json'], { PACKETTRAIL_STORE: url });
    assert.equal(byEnv.status, 0, byEnv.stderr);
    const strip = (t: string) => JSON.stringify({ ...(JSON.parse(t) as object), tookMs: 0, queries: 0 });
    assert.equal(strip(byEnv.stdout), strip(byOption.stdout));
    const alert = (await run(['query', '--store', url, '-o', 'csv', 'SELECT min(id) FROM alerts'])).stdout.trim().split('\n')[1]!;
    const byAlert = await run(['trail', '--store', url, '--alert', alert]);
    assert.equal(byAlert.status, 0, byAlert.stderr);
    assert.match(byAlert.stdout, new RegExp(`trail for alert ${alert.replace(/[-]/g, '\\-')}`));
    const missing = await run(['trail', '--store', url, '--request-id', 'no-such-request']);
    assert.equal(missing.status, EXIT.USAGE);
    assert.match(missing.stderr, /not found/);
  });

  test('insights --store: a view over the ClickHouse store', async () => {
    const r = await run(['insights', 'vpc', '--store', url, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { title: string; findings: unknown[] };
    assert.match(report.title, /VPC/);
    const cf = await run(['insights', 'cloudfront', '--json'], { PACKETTRAIL_STORE: url });
    assert.equal(cf.status, 0, cf.stderr);
    assert.match((JSON.parse(cf.stdout) as { title: string }).title, /CloudFront/);
  });

  test('ingest into ClickHouse runs every post-ingest analysis (none skipped, none failed)', async () => {
    const r = await run(['ingest', '--store', url, '--no-builtin-rules', join(dir, 'bad-vpcflow.log')]);
    assert.equal(r.status, EXIT.REJECTED, r.stderr);
    assert.doesNotMatch(r.stderr, /analysis \S+ (skipped|failed)/);
  });

  test('detect --store puts its alerts in the alerts table once; index --store is refused saying why', async () => {
    const detectUrl = node.storeUrl('detected');
    const first = await run(['detect', '--store', detectUrl, join(dir, 'logs')]);
    assert.equal(first.status, 0, first.stderr);
    const printed = first.stdout.trim().split('\n').filter(Boolean).length;
    assert.ok(printed >= 5, `${printed} alerts printed`);
    assert.equal(await count(detectUrl, 'SELECT count() FROM alerts'), printed);
    assert.match(first.stderr, new RegExp(`alerts table: ${printed} delivered`));
    const again = await run(['detect', '--store', detectUrl, join(dir, 'logs')]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`alerts table: 0 delivered, ${printed} already there`));
    assert.equal(await count(detectUrl, 'SELECT count() FROM alerts'), printed);

    // A reading command's store is read-only on the server too: a write is refused, not run.
    const drop = await run(['query', '--store', detectUrl, 'DROP TABLE alerts']);
    assert.equal(drop.status, EXIT.USAGE, drop.stderr);
    assert.match(drop.stderr, /DROP refused: .* is open for reading only/);
    assert.equal(await count(detectUrl, 'SELECT count() FROM alerts'), printed);

    const index = await run(['index', '--store', url]);
    assert.equal(index.status, EXIT.USAGE);
    assert.match(index.stderr, /is ClickHouse: the trail's exact-id indexes are DuckDB's and it has none to build/);
  });

  test('serve --store: alerts, a query and a trail through the API; --state-dir is required and holds the token', async () => {
    const noState = await run(['serve', '--store', url, '--port', '0']);
    assert.equal(noState.status, EXIT.USAGE);
    assert.match(noState.stderr, /give --state-dir <dir>/);

    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    const { child, match } = await start(['serve', '--store', url, '--state-dir', state, '--port', '0'], /packettrail console: (http:\/\/127\.0\.0\.1:\d+)\//);
    try {
      const base = match[1]!;
      const get = async (path: string) => {
        const res = await fetch(`${base}${path}`);
        assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
        return res.json() as Promise<Record<string, unknown>>;
      };
      const status = await get('/api/status');
      assert.ok(Number(status.events) > 1000 && Number(status.alerts) >= 5, JSON.stringify(status));
      assert.match(String(status.first), /^2026-11-20 /);
      const alerts = (await get('/api/alerts')) as { total: number; alerts: { id: string; sources: string[]; text: string }[]; facets: { sources: unknown[]; rules: unknown[] } };
      assert.equal(alerts.alerts.length, alerts.total);
      assert.ok(alerts.total >= 5);
      assert.ok(alerts.alerts.every((a) => a.sources.length > 0 && a.text.length > 0), JSON.stringify(alerts.alerts[0]));
      assert.ok(alerts.facets.sources.length > 0 && alerts.facets.rules.length > 0);
      const source = alerts.alerts[0]!.sources[0]!;
      const bySource = (await get(`/api/alerts?source=${encodeURIComponent(source)}`)) as { total: number };
      assert.ok(bySource.total >= 1 && bySource.total <= alerts.total);
      const one = (await get(`/api/alerts/${encodeURIComponent(alerts.alerts[0]!.id)}`)) as { events: unknown[]; timestamp: string };
      assert.ok(one.events.length > 0);
      assert.match(one.timestamp, /^2026-11-20T.*Z$/);
      const res = await fetch(`${base}/api/query`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: "SELECT event_dataset, count() AS n FROM events WHERE event_dataset = 'aws.waf' GROUP BY event_dataset", language: 'sql' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const q = (await res.json()) as { rows: unknown[][] };
      assert.equal(q.rows[0]![0], 'aws.waf');
      // SPL from the console compiles to ClickHouse's dialect: the same count as the SQL above.
      const spl = await fetch(`${base}/api/query`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'sourcetype=aws:waf | stats count', language: 'spl' }),
      });
      assert.equal(spl.status, 200, await spl.clone().text());
      assert.equal(Number(((await spl.json()) as { rows: unknown[][] }).rows[0]![0]), Number(q.rows[0]![1]));
      const trail = (await get(`/api/trail?requestId=${encodeURIComponent(requestId)}`)) as { hops: unknown[] };
      assert.ok(trail.hops.length >= 3);
      const sources = (await get('/api/sources')) as { datasets: unknown[] };
      assert.ok(sources.datasets.length >= 5);
      // Console SQL runs read-only on the server.
      const write = await fetch(`${base}/api/query`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'DROP TABLE alerts', language: 'sql' }),
      });
      assert.ok(write.status >= 400, `DROP TABLE answered ${write.status}`);
      assert.ok((await count(url, 'SELECT count() FROM alerts')) >= 5);
      // Nothing but the store's tables: no table functions that read elsewhere, no server tables.
      const query = (text: string) => fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text, language: 'sql' }) });
      for (const refused of [
        "SELECT * FROM file('/etc/passwd', 'TSV', 'line String')",
        "SELECT count() FROM events, url('http://127.0.0.1:1/', 'CSV', 'a String')",
        'SELECT query FROM system.processes',
        'SELECT * FROM `system`.`tables`',
        "SELECT * FROM remote('127.0.0.1', system.one)",
      ]) {
        const res = await query(refused);
        assert.equal(res.status, 403, `${refused}: ${res.status} ${await res.text()}`);
      }
      const text = await query("SELECT count() AS n FROM events WHERE url_path = 'file(/etc/passwd)' -- system.processes");
      assert.equal(text.status, 200, await text.text());
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  test('collect --store: a tail input stores into ClickHouse, with no service file', async () => {
    const collectUrl = node.storeUrl('collected');
    const logs = join(dir, 'tailed');
    mkdirSync(logs);
    const file = join(logs, 'app.log');
    const line = (i: number) => JSON.stringify({ timestamp: `2026-11-20T09:00:${String(i).padStart(2, '0')}Z`, level: 'info', message: `request ${i}`, request_id: `req-${i}` });
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => line(i)).join('\n') + '\n');
    const config = join(dir, 'collect.yml');
    writeFileSync(config, [
      'detection: {builtin_rules: false}',
      `dead_letter: ${join(dir, 'collect-dead.ndjson')}`,
      'inputs:',
      `  - {type: tail, name: app, paths: ['${join(logs, '*.log')}'], format: app.json, checkpoint: '${join(dir, 'tail-checkpoint.json')}', poll_ms: 50}`,
    ].join('\n') + '\n');
    const check = await run(['collect', '--check', '--config', config, '--store', collectUrl]);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /valid; 1 input\(s\): app; store clickhouse:\/\//);
    const { child } = await start(['collect', '--config', config, '--store', collectUrl, '--status-every', '0'], /running 1 input\(s\) into clickhouse:/, dir);
    try {
      const deadline = Date.now() + 120_000;
      let stored = 0;
      while (Date.now() < deadline && stored < 20) {
        await new Promise((r) => setTimeout(r, 500));
        stored = await count(collectUrl, 'SELECT count() FROM events').catch(() => 0);
      }
      assert.equal(stored, 20);
      appendFileSync(file, line(30) + '\n');
      while (Date.now() < deadline && stored < 21) {
        await new Promise((r) => setTimeout(r, 500));
        stored = await count(collectUrl, 'SELECT count() FROM events');
      }
      assert.equal(stored, 21);
    } finally {
      assert.equal(await stop(child), 0);
    }
    // Nothing is held: no service file for the other commands to find.
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.service.json')), []);
  });
  test('searches --store and PACKETTRAIL_STORE: saved, scheduled, run and removed in the store\'s tables, nothing written beside', async () => {
    const at = node.storeUrl('searches');
    const cwd = tempDir('packettrail-ch-searches-');
    assert.equal((await run(['store', 'init', '--store', at])).status, EXIT.OK);
    const added = await run(['searches', 'add', 'edge count', 'index=cloudfront | stats count', '--every', '1h', '--store', at], {}, cwd);
    assert.equal(added.status, EXIT.OK, added.stderr);
    const id = /^saved (\S+) edge count, every 1h/.exec(added.stdout)?.[1];
    assert.ok(id, added.stdout);
    assert.equal(await count(at, 'SELECT count() FROM saved_searches'), 1);
    // PACKETTRAIL_STORE names the same store.
    const listed = await run(['searches', 'list', '--json'], { PACKETTRAIL_STORE: at }, cwd);
    assert.equal(listed.status, EXIT.OK, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { id: string; name: string }[]).map((s) => [s.id, s.name]), [[id, 'edge count']]);
    const ran = await run(['searches', 'run-now', id, '--store', at], {}, cwd);
    assert.equal(ran.status, EXIT.OK, ran.stderr);
    assert.match(ran.stdout, /\(manual, ran .*\): \d+ rows, \d+ alerts/);
    const runs = await run(['searches', 'runs', id, '--store', at], {}, cwd);
    assert.equal(runs.stdout.trim().split('\n').length, 1, runs.stdout);
    assert.equal(await count(at, 'SELECT count() FROM saved_search_runs'), 1);
    assert.equal((await run(['searches', 'unschedule', id, '--store', at], {}, cwd)).status, EXIT.OK);
    assert.equal((await run(['searches', 'remove', id, '--store', at], {}, cwd)).status, EXIT.OK);
    assert.equal((await run(['searches', 'list', '--store', at], {}, cwd)).stdout, 'no saved searches\n');
    // No DuckDB database, audit log or searches file appeared where the commands ran.
    assert.deepEqual(readdirSync(cwd), []);
  });
});
