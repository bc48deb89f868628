import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { MIN_SECRET_LENGTH } from '../util/secrets.js';
import { createConsoleServer, resolveToken, tokenFileFor, type ConsoleServer } from './index.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { buildConsoleDb, HOSTILE_REQUEST_ID, PAYLOADS, type ConsoleDb } from './test-fixture.js';

let fixture: ConsoleDb;
let server: ConsoleServer;
let base: string;

async function listen(s: ConsoleServer): Promise<string> {
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}

before(async () => {
  fixture = await buildConsoleDb();
  server = await createConsoleServer({ db: fixture.db });
  base = await listen(server);
});

after(async () => {
  await server?.close();
});

/** The CLI as a child process, awaited without blocking this process's event loop. */
function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stderr }));
  });
}

async function call(path: string, init: RequestInit & { json?: unknown } = {}, at = base): Promise<{ status: number; body: any; headers: Headers }> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(at + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body ?? null });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

const query = (q: string, extra: Record<string, unknown> = {}) => call('/api/query', { method: 'POST', json: { query: q, ...extra } });

test('the OpenAPI document lists every route, and every response carries the security headers', async () => {
  const doc = await call('/api/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  for (const path of ['/api/alerts', '/api/alerts/{id}', '/api/trail', '/api/query', '/api/searches', '/api/searches/{id}', '/api/insights', '/api/insights/{view}', '/api/sources', '/api/dead-letters', '/api/rules', '/api/status']) {
    assert.ok(doc.body.paths[path], `${path} documented`);
  }
  assert.ok(doc.body.paths['/api/alerts'].get.parameters.some((p: { name: string }) => p.name === 'level'));
  assert.ok(doc.body.paths['/api/query'].post.requestBody);
  for (const r of [doc, await call('/alerts'), await call('/api/nope')]) {
    assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
  assert.equal((await call('/api/nope')).status, 404);
});

test('alerts: list with facets and filters, one alert with its events, 404 for an unknown id', async () => {
  const all = await call('/api/alerts');
  assert.equal(all.status, 200);
  assert.ok(all.body.total >= 10, `alerts stored (${all.body.total})`);
  const hostile = all.body.alerts.find((a: { rule_title: string }) => a.rule_title === PAYLOADS.ruleTitle);
  assert.ok(hostile, 'the hostile rule title comes back verbatim');
  assert.deepEqual(hostile.sources, ['app.json']);
  const high = await call('/api/alerts?level=high');
  assert.ok(high.body.total > 0 && high.body.alerts.every((a: { level: string }) => a.level === 'high'));
  const bySource = await call('/api/alerts?source=aws.cloudtrail');
  assert.ok(bySource.body.total > 0 && bySource.body.alerts.every((a: { sources: string[] }) => a.sources.includes('aws.cloudtrail')));
  const byText = await call(`/api/alerts?text=${encodeURIComponent('window.__pwned')}`);
  assert.ok(byText.body.alerts.some((a: { id: string }) => a.id === hostile.id));
  const byRule = await call(`/api/alerts?rule=${encodeURIComponent(hostile.rule_id)}`);
  assert.equal(byRule.body.total, 1);
  const since = await call('/api/alerts?since=2099-01-01T00:00:00Z');
  assert.equal(since.body.total, 0);
  assert.equal((await call('/api/alerts?since=yesterday')).status, 400);
  assert.equal((await call('/api/alerts?limit=5000')).status, 400);
  // Found by fuzzing: ajv coerced 1e309 to Infinity within the bounds, and the SQL failed (a 500).
  for (const path of ['/api/alerts?limit=1e309', '/api/alerts?offset=1e309', '/api/dead-letters?limit=1e309']) {
    assert.deepEqual(await call(path).then((r) => [r.status, r.body.error]), [400, `invalid request: querystring/${path.split('?')[1]!.split('=')[0]} must be a finite number`]);
  }
  const body = await call('/api/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"SELECT 1","limit":1e309}' });
  assert.equal(body.status, 400, 'a JSON body number that overflows');
  const one = await call(`/api/alerts/${encodeURIComponent(hostile.id)}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.events[0].user_agent.original, PAYLOADS.userAgent);
  assert.deepEqual(one.body.requestIds.includes(HOSTILE_REQUEST_ID) || one.body.requestIds.length > 0, true);
  assert.equal((await call('/api/alerts/does-not-exist')).status, 404);
});

test('trail: by alert id and by request id; no selector is a 400, an unknown request a 404', async () => {
  const alerts = (await call('/api/alerts?source=app.json&limit=50')).body.alerts as { id: string; rule_title: string }[];
  const t = await call(`/api/trail?alertId=${encodeURIComponent(alerts[0]!.id)}`);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.ok(Array.isArray(t.body.hops) && t.body.hops.length > 0);
  const byRequest = await call(`/api/trail?requestId=${encodeURIComponent(HOSTILE_REQUEST_ID)}`);
  assert.equal(byRequest.status, 200, JSON.stringify(byRequest.body));
  const origin = byRequest.body.hops.find((h: { kind: string }) => h.kind === 'origin');
  assert.ok(origin.events.some((e: { user_agent?: { original?: string } }) => e.user_agent?.original === PAYLOADS.userAgent));
  assert.equal((await call('/api/trail')).status, 400);
  assert.equal((await call('/api/trail?requestId=a&url=b')).status, 400);
  assert.equal((await call('/api/trail?requestId=no-such-request')).status, 404);
});

test('query: SPL and SQL, row limit with the total, time histogram, errors as 400 with the message', async () => {
  const spl = await query('index=cloudfront | stats count by edge_location | sort -count');
  assert.equal(spl.status, 200, JSON.stringify(spl.body));
  assert.equal(spl.body.language, 'spl');
  assert.deepEqual(spl.body.columns.map((c: { name: string }) => c.name), ['edge_location', 'count']);
  assert.ok(spl.body.rows.length > 0);
  const sql = await query('SELECT timestamp, event_dataset FROM events ORDER BY timestamp', { limit: 10 });
  assert.equal(sql.status, 200);
  assert.equal(sql.body.rows.length, 10);
  assert.equal(sql.body.truncated, true);
  const total = (await query('SELECT count(*) AS n FROM events', { language: 'sql' })).body.rows[0][0];
  assert.equal(sql.body.total, total);
  assert.equal(sql.body.histogram.column, 'timestamp');
  assert.equal(sql.body.histogram.counts.reduce((a: number, b: number) => a + b, 0), total, 'the histogram counts the whole result');
  const splError = await query('index=cloudfront | stats bogus(x)', { language: 'spl' });
  assert.equal(splError.status, 400);
  assert.match(splError.body.error, /^SPL: /);
  const sqlError = await query('SELECT no_such_column FROM events', { language: 'sql' });
  assert.equal(sqlError.status, 400);
  assert.match(sqlError.body.error, /no_such_column/);
  assert.equal((await query('   ')).status, 400);
});

test('query: injection attempts fail safely (one statement, read-only, no file access, values bound)', async () => {
  const multi = await query("SELECT 1) AS x; CREATE TEMP VIEW alerts AS SELECT 1; SELECT * FROM (SELECT 1", { language: 'sql' });
  assert.equal(multi.status, 400);
  assert.ok((await call('/api/alerts')).body.total > 1, 'alerts untouched');
  // A file read is refused by the console's SQL guard (403), before DuckDB runs anything.
  const file = await query("SELECT * FROM read_csv('/etc/passwd')", { language: 'sql' });
  assert.equal(file.status, 403);
  assert.match(file.body.error, /^query refused: the table function read_csv\(\) is not available in the console/);
  for (const q of ["COPY (SELECT 1) TO '/tmp/packettrail-console-pwned.csv'", "ATTACH '/tmp/x.duckdb' AS x", 'SET lock_configuration = false', 'DELETE FROM alerts']) {
    const r = await query(q, { language: 'sql' });
    assert.equal(r.status, 400, q);
  }
  assert.equal(existsSync('/tmp/packettrail-console-pwned.csv'), false);
  const quoted = await query(`index=app user="x' OR '1'='1" | stats count`, { language: 'spl' });
  assert.equal(quoted.status, 200, JSON.stringify(quoted.body));
  assert.equal(quoted.body.rows[0][0], 0, 'the value is a bound parameter, not SQL');
  assert.equal((await call('/api/status')).body.alerts, (await call('/api/alerts')).body.total);
});

test('status: the events count and time range equal the events view\'s, read from the dataset tables (the view is not scanned on every page)', async () => {
  const store = server.context.store;
  const seen: string[] = [];
  const query = store.query;
  store.query = (sql, params) => {
    seen.push(sql);
    return query.call(store, sql, params);
  };
  let status;
  try {
    status = (await call('/api/status')).body;
  } finally {
    store.query = query;
  }
  const [[events, first, last]] = (await store.query('SELECT count(*), CAST(min(timestamp) AS VARCHAR), CAST(max(timestamp) AS VARCHAR) FROM events')).rows as [[bigint, string, string]];
  assert.deepEqual([status.events, status.first, status.last], [Number(events), first, last]);
  assert.ok(status.events > 0);
  assert.deepEqual(seen.filter((q) => /\bFROM events\b/.test(q)), [], 'no query reads the events view');
});

test('body and size limits: oversized bodies 413, over-long queries and wrong types 400, non-JSON 415', async () => {
  assert.equal((await call('/api/query', { method: 'POST', json: { query: `SELECT '${'x'.repeat(70_000)}'` } })).status, 413);
  assert.equal((await query(`SELECT '${'x'.repeat(21_000)}'`)).status, 400);
  assert.equal((await query('SELECT 1', { limit: 1_000_000 })).status, 400);
  assert.equal((await call('/api/query', { method: 'POST', json: { query: 'SELECT 1', extra: true } })).status, 400);
  assert.equal((await call('/api/query', { method: 'POST', body: 'query=SELECT 1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 415);
});

test('saved searches: save, list, delete; --read-only refuses with 403 and writes nothing', async () => {
  const saved = await call('/api/searches', { method: 'POST', json: { name: PAYLOADS.ruleTitle, query: 'index=waf action=BLOCK', language: 'spl' } });
  assert.equal(saved.status, 200);
  assert.ok((await call('/api/searches')).body.some((s: { id: string }) => s.id === saved.body.id));
  assert.equal((await call(`/api/searches/${saved.body.id}`, { method: 'DELETE' })).status, 200);
  assert.equal((await call(`/api/searches/${saved.body.id}`, { method: 'DELETE' })).status, 404);
  const listed = async () => JSON.stringify((await call('/api/searches')).body);
  const before = await listed();
  const ro = await createConsoleServer({ db: fixture.db, readOnly: true });
  try {
    const at = await listen(ro);
    const refused = await call('/api/searches', { method: 'POST', json: { name: 'n', query: 'SELECT 1' } }, at);
    assert.equal(refused.status, 403);
    assert.equal((await call('/api/status', {}, at)).body.readOnly, true);
    assert.equal((await call('/api/query', { method: 'POST', json: { query: 'SELECT 1' } }, at)).status, 200, 'reading still works');
  } finally {
    await ro.close();
  }
  assert.equal(await listed(), before);
});

test('auth: with a token every API route needs it (401 without or wrong); without one, only loopback Host headers pass', async () => {
  const token = 'correct-horse-battery-staple-0123456789';
  const guarded = await createConsoleServer({ db: fixture.db, token });
  try {
    const at = await listen(guarded);
    for (const path of ['/api/status', '/api/alerts', '/api/openapi.json', '/api/rules']) {
      assert.equal((await call(path, {}, at)).status, 401, path);
      assert.equal((await call(path, { headers: { authorization: 'Bearer wrong' } }, at)).status, 401, path);
      assert.equal((await call(path, { headers: { authorization: `Bearer ${token}` } }, at)).status, 200, path);
    }
    assert.equal((await call('/api/query', { method: 'POST', json: { query: 'SELECT 1' } }, at)).status, 401);
    assert.equal((await call('/api/openapi.json', { headers: { authorization: `Bearer ${token}` } }, at)).body.security[0].token.length, 0);
  } finally {
    await guarded.close();
  }
  // fetch() will not send a foreign Host header: use http.get.
  const status = (host: string) => new Promise<number>((resolve, reject) => {
    get(`${base}/api/status`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  assert.equal(await status('attacker.example'), 403, 'a DNS-rebound name is refused');
  assert.equal(await status(new URL(base).host), 200);
  assert.equal(await status('localhost:8080'), 200);
});

test('resolveToken: none on loopback, generated and kept (0600) elsewhere, the environment wins', () => {
  const dir = tempDir('packettrail-token-');
  const db = join(dir, 'x.duckdb');
  assert.equal(resolveToken('127.0.0.1', db, {}).token, undefined);
  assert.equal(resolveToken('::1', db, {}).token, undefined);
  const first = resolveToken('0.0.0.0', db, {});
  assert.equal(first.origin, 'generated');
  assert.ok(first.token && first.token.length >= 32);
  assert.equal(statSync(tokenFileFor(db)).mode & 0o777, 0o600);
  assert.deepEqual(resolveToken('0.0.0.0', db, {}), { token: first.token, origin: 'file', file: tokenFileFor(db) });
  const fromEnv = 'from-env-0123456789';
  assert.equal(resolveToken('10.0.0.5', db, { PACKETTRAIL_TOKEN: fromEnv }).token, fromEnv);
  assert.equal(resolveToken('127.0.0.1', db, { PACKETTRAIL_TOKEN: fromEnv }).token, fromEnv);
});

test('a token shorter than the intake keys\' minimum (16) is refused everywhere: environment, serve, createConsoleServer', async () => {
  const dir = tempDir('packettrail-token-');
  const db = join(dir, 'x.duckdb');
  for (const short of ['a', '   ', '', '0123456789abcde']) {
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      assert.throws(() => resolveToken(host, db, { PACKETTRAIL_TOKEN: short }), new RegExp(`PACKETTRAIL_TOKEN must be at least ${MIN_SECRET_LENGTH} characters long \\(it has ${short.trim().length}\\)`), JSON.stringify(short));
    }
  }
  assert.equal(resolveToken('0.0.0.0', db, { PACKETTRAIL_TOKEN: '0123456789abcdef' }).token, '0123456789abcdef');
  await assert.rejects(createConsoleServer({ db: fixture.db, token: 'a' }), /access token \(PACKETTRAIL_TOKEN\) must be at least 16 characters long/);
  // The CLI stops with the message (exit 3) instead of serving.
  // Run asynchronously: a spawnSync would block this process's event loop for seconds, long enough for the
  // test server's idle keep-alive sockets to time out while fetch is about to reuse them (a flaky "fetch failed").
  const run = await runCli(['serve', '--db', fixture.db, '--host', '127.0.0.1', '--port', '0'], { ...process.env, PACKETTRAIL_TOKEN: 'a' }, 30_000);
  assert.equal(run.status, 3, `exit status (${run.signal ?? ''}): ${run.stderr}`);
  assert.match(run.stderr, /PACKETTRAIL_TOKEN must be at least 16 characters long \(it has 1\)/);
});

test('insights, sources, dead letters and rules', async () => {
  const views = await call('/api/insights');
  assert.ok(views.body.views.length > 0);
  for (const v of views.body.views as { id: string }[]) {
    const r = await call(`/api/insights/${v.id}`);
    assert.equal(r.status, 200, `${v.id}: ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(r.body.view, v.id);
    assert.ok(Array.isArray(r.body.sections));
  }
  assert.equal((await call('/api/insights/nope')).status, 404);
  assert.equal((await call(`/api/insights/${views.body.views[0].id}?since=garbage`)).status, 400);
  const sources = await call('/api/sources');
  assert.ok(sources.body.datasets.some((d: { dataset: string; events: number }) => d.dataset === 'aws.cloudfront' && d.events > 0));
  const rejection = sources.body.rejections.find((r: { dataset: string }) => r.dataset === 'app.json');
  assert.ok(rejection, 'the hostile line was rejected');
  const dead = await call(`/api/dead-letters?dataset=app.json&reason=${encodeURIComponent(rejection.reason)}`);
  assert.ok(dead.body.samples.some((s: { record: string }) => s.record === PAYLOADS.deadLetter));
  const rules = await call('/api/rules');
  const hostile = rules.body.rules.find((r: { title: string }) => r.title === PAYLOADS.ruleTitle);
  assert.ok(hostile && hostile.hits === 1 && hostile.loaded === false, 'a rule given to ingest only: listed from the alerts table');
  const builtin = rules.body.rules.filter((r: { loaded: boolean }) => r.loaded);
  assert.ok(builtin.length > 5 && builtin.some((r: { hits: number }) => r.hits > 0));
});

test('concurrent requests run side by side on the read connections and answer what they answer one at a time', async () => {
  const paths = [
    `/api/trail?requestId=${encodeURIComponent(HOSTILE_REQUEST_ID)}`, '/api/alerts?limit=50', '/api/insights/coverage', '/api/insights/vpc', '/api/sources', '/api/status',
  ];
  const queries = ['SELECT event_dataset, count(*) AS n FROM events GROUP BY 1 ORDER BY 1', 'index=cloudfront | stats count by status'];
  // Volatile parts (timings, "now") differ between runs; everything else must not.
  const stable = (body: unknown) => JSON.stringify(body, (k, v) => (/^(tookMs|took|generatedAt|now|uptimeS|uptime)$/.test(k) ? undefined : v));
  const round = () => [...paths.map((p) => () => call(p)), ...queries.map((q) => () => query(q))];
  const alone = [];
  for (const request of round()) alone.push(stable((await request()).body));
  const together = await Promise.all([...round(), ...round(), ...round()].map((request) => request()));
  for (const [i, r] of together.entries()) {
    assert.equal(r.status, 200, `request ${i}: ${JSON.stringify(r.body).slice(0, 200)}`);
    assert.equal(stable(r.body), alone[i % alone.length], `request ${i} answered as when alone`);
  }
});
