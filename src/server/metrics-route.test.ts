import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EXPOSITION_CONTENT_TYPE } from '../observe/exposition.js';
import { MetricsRegistry } from '../observe/metrics.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { parsePrometheusText, valueOf } from '../testing/prometheus-text.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { FileUserStore } from './users/user-store.js';
import { getWithHeaders } from '../testing/raw-http.js';

const TOKEN = 'metrics-route-test-token-0123456789';
let dir: string;
let guarded: ConsoleServer;
let viewerToken: ConsoleServer;
let open: ConsoleServer;
const metrics = new MetricsRegistry();

const portOf = (s: ConsoleServer) => (s.app.server.address() as AddressInfo).port;

const get = (port: number, path: string, headers: Record<string, string> = {}) => getWithHeaders(`http://127.0.0.1:${port}${path}`, headers);

before(async () => {
  dir = tempDir('packettrail-metrics-route-');
  const db = join(dir, 'm.duckdb');
  await (await DuckDbStore.open(db)).close();
  metrics.counter('packettrail_input_events_total', 'Events.', ['input']).inc({ input: 'web' }, 5);
  const users = (name: string) => new FileUserStore(join(dir, `${name}.users.json`));
  guarded = await createConsoleServer({ db, token: TOKEN, users: users('guarded'), metrics, consoleDir: dir });
  viewerToken = await createConsoleServer({ db, token: TOKEN, tokenRole: 'viewer', users: users('viewer'), consoleDir: dir });
  open = await createConsoleServer({ db, users: users('open'), consoleDir: dir });
  for (const s of [guarded, viewerToken, open]) await s.app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  for (const s of [guarded, viewerToken, open]) await s?.close();
});

test('serve: GET /metrics is denied without the access token or with a wrong one, and answers Prometheus text with it', async () => {
  const port = portOf(guarded);
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-wrong-token-wrong' }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }]) {
    const r = await get(port, '/metrics', headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.doesNotMatch(r.body, /packettrail_/);
  }
  // Other spellings reach the same route or none: never the metrics without the token.
  for (const path of ['/metrics/', '/METRICS', '/metrics?x=1', '//metrics']) assert.ok([401, 404].includes((await get(port, path)).status), path);
  const ok = await get(port, '/metrics', { authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 200);
  assert.equal(ok.type, EXPOSITION_CONTENT_TYPE);
  const families = parsePrometheusText(ok.body);
  // The process's registry (what its inputs count) and the console's own.
  assert.equal(valueOf(families, 'packettrail_input_events_total', { input: 'web' }), 5);
  assert.ok(valueOf(families, 'packettrail_console_connections')! >= 1);
  assert.equal(valueOf(families, 'packettrail_console_queries', { state: 'running' }), 0);
});

test('serve: a token that acts as viewer may scrape /metrics; a console without a registry has the process metrics of its own', async () => {
  const r = await get(portOf(viewerToken), '/metrics', { authorization: `Bearer ${TOKEN}` });
  assert.equal(r.status, 200);
  const families = parsePrometheusText(r.body);
  assert.deepEqual(families.find((f) => f.name === 'packettrail_build_info')!.samples.map((s) => s.labels.kind), ['serve']);
  assert.ok(valueOf(families, 'process_cpu_seconds_total')! > 0);
});

test('serve without a token on loopback: /metrics answers requests that name a loopback host, and refuses a foreign Host (DNS rebinding)', async () => {
  const port = portOf(open);
  assert.equal((await get(port, '/metrics', { host: `127.0.0.1:${port}` })).status, 200);
  assert.equal((await get(port, '/metrics', { host: 'attacker.example' })).status, 403);
});
