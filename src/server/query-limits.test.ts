import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensureAlertsTable } from '../store/duckdb/alerts.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { queryLimitsOf } from '../commands/serve.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-gate.js';

/** Runs until its time limit: DuckDB checks its interrupt flag while it joins. */
const CROSS_JOIN = 'SELECT count(*) FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range < 0';

let db: string;
const servers: ConsoleServer[] = [];

before(async () => {
  db = join(tempDir('packettrail-query-limits-'), 'limits.duckdb');
  const store = await DuckDbStore.open(db);
  await store.query(`CREATE TABLE events AS SELECT TIMESTAMP '2026-11-20 08:00:00' + to_seconds(CAST(i AS BIGINT)) AS "timestamp", 'e' || i AS event_id FROM range(2000) t(i)`);
  await ensureAlertsTable(store);
  await store.query(`INSERT INTO alerts (id, timestamp, rule_id, rule_title, level, severity, rule_kind, tags, key, details, event_ids, events)
    VALUES ('a1', TIMESTAMP '2026-11-20 08:10:00', 'r1', 'Test rule', 'high', 73, 'sigma', [], '{}', '{}', ['e1'], '[]')`);
  await store.close();
});

after(async () => {
  for (const s of servers) await s.close();
});

async function serve(limits: Partial<QueryLimits> = {}): Promise<{ server: ConsoleServer; base: string }> {
  const server = await createConsoleServer({ db, queryLimits: limits });
  servers.push(server);
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { server, base: `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}` };
}

async function post(base: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signal ?? AbortSignal.timeout(20_000) });
  return { status: res.status, body: await res.json(), ms: Date.now() - started };
}

async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - started };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('four runaway cross joins: status and alerts answer within 2 s, each query stops at the time limit with 422 naming it', async () => {
  const { base } = await serve({ timeoutMs: 1500 });
  const runaways = Array.from({ length: 4 }, () => post(base, { query: CROSS_JOIN, language: 'sql' }));
  await sleep(400);
  for (const path of ['/api/status', '/api/alerts', '/api/alerts?level=high', '/api/status']) {
    const r = await timedGet(base + path);
    assert.equal(r.status, 200, path);
    assert.ok(r.ms < 2_000, `${path} took ${r.ms} ms`);
  }
  for (const r of await Promise.all(runaways)) {
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.error, /the query ran longer than the 1\.5 s time limit \(--query-timeout\) and was interrupted/);
  }
  // The queue ran them two at a time: none waited for the others to be dropped.
  assert.equal((await post(base, { query: 'SELECT 42 AS answer', language: 'sql' })).body.rows[0][0], 42, 'the connections are free again');
});

test('a full queue answers 429 naming the limits; the queued query runs when a slot frees', async () => {
  const { base } = await serve({ timeoutMs: 800, maxRunning: 1, maxQueued: 1 });
  const first = post(base, { query: CROSS_JOIN, language: 'sql' });
  await sleep(100);
  const queued = post(base, { query: 'SELECT 1 AS one', language: 'sql' });
  await sleep(100);
  const refused = await post(base, { query: 'SELECT 2 AS two', language: 'sql' });
  assert.equal(refused.status, 429);
  assert.match(refused.body.error, /too many queries: 1 running and 1 waiting.*--max-queries 1, --max-queued-queries 1/);
  assert.equal((await first).status, 422);
  const q = await queued;
  assert.equal(q.status, 200);
  assert.deepEqual(q.body.rows, [[1]]);
});

test('a result past the size limit is refused with 413 naming it, while the heap stays bounded', async () => {
  const { base } = await serve({ maxResultBytes: 16 * 2 ** 20 });
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  try {
    // The audit's query: 100,000 rows of 40,000 characters, 4 GB as JSON; the first 5,000 (the
    // default row limit) are 200 MB.
    const r = await post(base, { query: "SELECT repeat('x', 40000) AS x FROM range(100000)", language: 'sql' });
    assert.equal(r.status, 413, JSON.stringify(r.body).slice(0, 300));
    assert.match(r.body.error, /the result is larger than the 16 MiB limit.*\(--max-result-size\)/);
  } finally {
    clearInterval(sampler);
  }
  assert.ok(peak - start < 200 * 2 ** 20, `heap grew by ${Math.round((peak - start) / 2 ** 20)} MiB`);
  const small = await post(base, { query: "SELECT repeat('x', 100) AS x FROM range(10)", language: 'sql' });
  assert.equal(small.status, 200);
  assert.equal(small.body.rows.length, 10);
});

test("a query past DuckDB's memory limit is refused with 413 naming the limit", async () => {
  const { base } = await serve({ memoryLimit: '100MB' });
  const r = await post(base, { query: "SELECT string_agg(repeat('x', 1000), ',') FROM range(1000000)", language: 'sql' });
  assert.equal(r.status, 413, JSON.stringify(r.body));
  assert.match(r.body.error, /needs more memory than the server's limit of 100MB \(--query-memory-limit\): Out of Memory Error/);
  assert.doesNotMatch(r.body.error, /SET threads/, 'only the first line: the console cannot change settings');
});

test('a query whose client disconnects is interrupted', async () => {
  const { server, base } = await serve({ timeoutMs: 60_000 });
  const client = new AbortController();
  const running = post(base, { query: CROSS_JOIN, language: 'sql' }, client.signal).catch((e: Error) => e);
  await sleep(500);
  assert.equal(server.context.queries.load.running, 1);
  client.abort();
  assert.ok((await running) instanceof Error);
  await sleep(300);
  // The join used both cores; interrupted, DuckDB's threads are idle.
  const before = process.cpuUsage();
  await sleep(1000);
  const used = process.cpuUsage(before);
  assert.ok((used.user + used.system) / 1000 < 400, `${Math.round((used.user + used.system) / 1000)} ms of CPU in the second after the client left`);
  assert.equal(server.context.queries.load.running, 0);
});

test('SPL: timechart limit=0 by event_id is refused by the series cap before any big statement runs', async () => {
  const { base } = await serve({ timeoutMs: 10_000 });
  const r = await post(base, { query: '| timechart limit=0 count by event_id', language: 'spl' });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error, /SPL: timechart by event_id: limit=0 \(every series\) would make 2,000 series .*more than the 100 columns a timechart may have; give limit=N with N up to 100 /);
  const capped = await post(base, { query: '| stats list(event_id) as ids', language: 'spl' });
  assert.equal(capped.status, 200, JSON.stringify(capped.body));
  assert.equal(capped.body.rows[0][0].length, 100);
  assert.deepEqual(capped.body.warnings, ["list() keeps the first 100 values of each group, as Splunk's list_maxsize does"], 'the cap is said, not silent');
});

test('serve: the first SIGTERM interrupts a running query and stops the server within seconds', async () => {
  // --read-only: this process keeps the database open (read-only) for the tests above. serve that
  // holds its database stops the same way (src/service/service.test.ts).
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'serve', '--db', db, '--read-only', '--port', '0', '--query-timeout', '600'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /packettrail console: (http:\/\/\S+)\//.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve exited: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running = post(url, { query: CROSS_JOIN, language: 'sql' }).catch((e: Error) => e);
  await sleep(500);
  const signalled = Date.now();
  child.kill('SIGTERM');
  const outcome = await Promise.race([exited, sleep(4_000).then(() => 'still running')]);
  if (outcome === 'still running') child.kill('SIGKILL');
  assert.notEqual(outcome, 'still running', `serve still ran 4 s after SIGTERM: ${err}`);
  assert.ok(Date.now() - signalled < 4_000);
  const answer = await running;
  if (!(answer instanceof Error)) assert.equal(answer.status, 503);
  assert.match(err, /SIGTERM: stopping/);
});

test('serve options set the limits; --max-queries stays below the libuv threads the other routes need', () => {
  const base = { db, host: '127.0.0.1', port: '0' };
  assert.deepEqual(queryLimitsOf(base), DEFAULT_QUERY_LIMITS);
  assert.deepEqual(
    queryLimitsOf({ ...base, queryTimeout: '2.5', maxResultSize: '8MB', maxQueries: '1', maxQueuedQueries: '0', queryMemoryLimit: '512MB', maxTempSize: '1GB' }),
    { timeoutMs: 2500, maxResultBytes: 8 * 2 ** 20, maxRunning: 1, maxQueued: 0, memoryLimit: '512MB', maxTempDirectorySize: '1GB' },
  );
  if (!process.env.UV_THREADPOOL_SIZE) assert.throws(() => queryLimitsOf({ ...base, maxQueries: '3' }), /--max-queries 3 is more than 2: .*raise UV_THREADPOOL_SIZE/);
  for (const [option, value] of [['queryTimeout', 'soon'], ['maxResultSize', 'big'], ['maxQueries', '0'], ['queryMemoryLimit', '1 potato']]) {
    assert.throws(() => queryLimitsOf({ ...base, [option]: value }), /must be/, option);
  }
});
