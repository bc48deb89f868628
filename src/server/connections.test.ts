/**
 * Issue 20, item 5: slow, idle and numerous connections. Real sockets against a real server, with
 * the timeouts shortened through createConsoleServer's `limits` so the test takes seconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { closedWithin, openSocket, rawRequest } from '../testing/raw-http.js';
import { tempDir } from '../testing/tmp.js';
import { startServe } from '../commands/serve.js';
import { createConsoleServer, DEFAULT_CONNECTION_LIMITS, type ConsoleServer } from './index.js';
import { IDLE_AFTER_QUERY_MS } from './limits.js';
import { DEFAULT_QUERY_LIMITS } from './query-gate.js';

const TOKEN = 'connections-test-token-0123456789';
const LIMITS = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300, idleTimeoutMs: 5_000, timeoutCheckIntervalMs: 100, maxConnectionsPerAddress: 4, maxConnections: 8 };
/** Room for the timeout check interval and a loaded machine. */
const SLACK_MS = 1_500;

let db: string;
let server: ConsoleServer;
let port: number;
const sockets: Socket[] = [];

before(async () => {
  db = join(tempDir('packettrail-connections-'), 'empty.duckdb');
  await (await DuckDbStore.open(db)).close();
  server = await createConsoleServer({ db, token: TOKEN, limits: LIMITS });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  port = (server.app.server.address() as AddressInfo).port;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await server?.close();
});

async function socketFrom(localAddress: string, data?: string): Promise<Socket> {
  const s = await openSocket(port, localAddress);
  sockets.push(s);
  s.on('error', () => {});
  if (data !== undefined) s.write(data);
  return s;
}

const legitimate = (localAddress = '127.0.0.1') =>
  rawRequest({ port, localAddress, line: 'GET /api/openapi.json HTTP/1.1', headers: { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${TOKEN}` } });

test('the defaults are the documented ones and keep their order (headers within the request time)', () => {
  assert.deepEqual(DEFAULT_CONNECTION_LIMITS, {
    headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 120_000, timeoutCheckIntervalMs: 1_000, maxConnectionsPerAddress: 64, maxConnections: 512,
  });
  assert.ok(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs <= DEFAULT_CONNECTION_LIMITS.requestTimeoutMs && DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs < DEFAULT_CONNECTION_LIMITS.idleTimeoutMs);
  const s = server.app.server;
  assert.deepEqual([s.headersTimeout, s.requestTimeout, s.keepAliveTimeout], [400, 800, 300]);
  // The idle timeout (5 s asked) outlasts the query time limit, so a long query's answer finds its socket open.
  assert.equal(s.timeout, DEFAULT_QUERY_LIMITS.timeoutMs + IDLE_AFTER_QUERY_MS);
});

test('slow clients are cut off: silent, half a header, one byte of a declared body, an idle keep-alive', async () => {
  // Each from its own address: together they would pass the per-address cap.
  const silent = await socketFrom('127.0.0.11');
  const halfHeader = await socketFrom('127.0.0.12', 'GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const head = (auth: string) => `POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{`;
  const oneByte = await socketFrom('127.0.0.13', head(`Authorization: Bearer ${TOKEN}\r\n`));
  const unauthenticated = await socketFrom('127.0.0.14', head(''));
  const keepAlive = await socketFrom('127.0.0.15', `GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
  const [silentMs, halfHeaderMs, oneByteMs, unauthenticatedMs, keepAliveMs] = await Promise.all([silent, halfHeader, oneByte, unauthenticated, keepAlive].map((s) => closedWithin(s)));
  assert.ok(silentMs! < LIMITS.headersTimeoutMs + SLACK_MS, `silent connection closed after ${silentMs} ms`);
  assert.ok(halfHeaderMs! < LIMITS.headersTimeoutMs + SLACK_MS, `half a header: closed after ${halfHeaderMs} ms`);
  assert.ok(oneByteMs! >= LIMITS.headersTimeoutMs && oneByteMs! < LIMITS.requestTimeoutMs + SLACK_MS, `one byte of a body: closed after ${oneByteMs} ms`);
  assert.ok(unauthenticatedMs! < LIMITS.headersTimeoutMs, `refused at once, not held until the body arrives (${unauthenticatedMs} ms)`);
  assert.ok(keepAliveMs! < LIMITS.keepAliveTimeoutMs + SLACK_MS, `idle keep-alive closed after ${keepAliveMs} ms`);
});

test('one address cannot hold more than its cap; another still gets answered; the total cap holds too', async () => {
  const held = [];
  for (let i = 0; i < LIMITS.maxConnectionsPerAddress; i++) held.push(await socketFrom('127.0.0.2'));
  const refusedBefore = server.connections().refusedPerAddress;
  const extra = await socketFrom('127.0.0.2', 'GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  let answered = '';
  extra.on('data', (d: Buffer) => (answered += d.toString()));
  assert.ok((await closedWithin(extra)) < LIMITS.headersTimeoutMs, 'the connection over the cap is closed on accept');
  assert.equal(answered, '', 'and never answered');
  assert.equal(server.connections().refusedPerAddress, refusedBefore + 1);
  assert.ok(held.every((s) => !s.destroyed), 'the connections within the cap stay');
  assert.equal((await legitimate('127.0.0.1')).status, 200, 'another address is served');

  // Fill the server: 4 from 127.0.0.2 already, 4 more from 127.0.0.3; a ninth connection is dropped.
  for (let i = 0; i < LIMITS.maxConnections - LIMITS.maxConnectionsPerAddress; i++) held.push(await socketFrom('127.0.0.3'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.connections().open, LIMITS.maxConnections);
  await assert.rejects(legitimate('127.0.0.4'), 'over the total cap');
  assert.equal(server.connections().refusedTotal, 1);
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await legitimate('127.0.0.4')).status, 200, 'served again once connections close');
  assert.equal(server.connections().open, 0);
});

test('serve: --max-connections-per-address and --max-connections are checked, applied, and what they refused is reported at stop', async () => {
  await assert.rejects(startServe({ db, host: '127.0.0.1', port: '0', maxConnections: '0' }, () => {}), /--max-connections must be a number from 1 to 1000000, got '0'/);
  await assert.rejects(startServe({ db, host: '127.0.0.1', port: '0', maxConnectionsPerAddress: 'many' }, () => {}), /--max-connections-per-address must be a number/);
  const lines: string[] = [];
  const running = await startServe({ db, host: '127.0.0.1', port: '0', maxConnectionsPerAddress: '2' }, (l) => lines.push(l));
  const servePort = Number(new URL(running.url).port);
  const held = [await openSocket(servePort, '127.0.0.21'), await openSocket(servePort, '127.0.0.21')];
  const extra = await openSocket(servePort, '127.0.0.21');
  assert.ok((await closedWithin(extra)) < 1_000, 'the third connection of one address is closed on accept');
  for (const s of held) s.destroy();
  await running.close();
  assert.match(lines.at(-1)!, /^connections refused over the caps: 1 over --max-connections-per-address 2, 0 over --max-connections 512$/);
});
