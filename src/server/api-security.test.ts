/**
 * Keeps the authentication bypass of issue 20 found: every route of the OpenAPI document, asked for
 * under every other spelling of its path (percent-encoded, double-encoded, dot segments, doubled
 * slashes, absolute-form, upper case, trailing slash, `;` parameters, backslashes), without a token or
 * with a wrong one, and of a token-less loopback server under a foreign Host header, must answer
 * nothing but a refusal. Raw request lines over real sockets: fetch would normalize the paths first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rawRequest, type RawResponse } from '../testing/raw-http.js';
import { tempDir } from '../testing/tmp.js';
import { API_ROUTES, createConsoleServer, type ConsoleServer } from './index.js';
import { FileUserStore } from './users/user-store.js';
import { buildConsoleDb, HOSTILE_REQUEST_ID, type ConsoleDb } from './test-fixture.js';

const TOKEN = 'api-security-test-token-0123456789';
const FOREIGN_HOST = 'attacker.example';

let fixture: ConsoleDb;
/** A stand-in for the built console: the page and one asset. */
let consoleDir: string;
let guarded: ConsoleServer;
let open: ConsoleServer;
let guardedPort: number;
let openPort: number;
/** Each server's own accounts (none: the walks leave them so; the open server stays token-less). */
let guardedUsers: FileUserStore;
let openUsers: FileUserStore;

async function listen(s: ConsoleServer): Promise<number> {
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return (s.app.server.address() as AddressInfo).port;
}

before(async () => {
  fixture = await buildConsoleDb();
  consoleDir = tempDir('packettrail-console-dir-');
  mkdirSync(join(consoleDir, 'assets'));
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console page</title><script type="module" src="/assets/app-1234.js"></script>\n');
  writeFileSync(join(consoleDir, 'assets', 'app-1234.js'), 'console.log("console asset");\n');
  guardedUsers = new FileUserStore(join(consoleDir, 'guarded.users.json'));
  openUsers = new FileUserStore(join(consoleDir, 'open.users.json'));
  guarded = await createConsoleServer({ db: fixture.db, token: TOKEN, consoleDir, users: guardedUsers });
  open = await createConsoleServer({ db: fixture.db, consoleDir, users: openUsers });
  guardedPort = await listen(guarded);
  openPort = await listen(open);
});

after(async () => {
  await guarded?.close();
  await open?.close();
});

interface Call {
  method: string;
  /** The request target: a path with its query, or an absolute URL. */
  target: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Anyone may call it (the sign-in endpoints): not part of the refusal walks. */
  public?: boolean;
  /** The status it answers when sent as written with credentials (default 200). */
  status?: number;
}

function send(port: number, c: Call, host = `127.0.0.1:${port}`): Promise<RawResponse> {
  const headers: Record<string, string> = { Host: host, ...c.headers };
  const body = c.body === undefined ? undefined : JSON.stringify(c.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return rawRequest({ port, line: `${c.method} ${c.target} HTTP/1.1`, headers, ...(body !== undefined ? { body } : {}) });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Other spellings of `path` (which starts with /api/). Each either reaches the same route or none;
 * either way a request without credentials must be refused.
 */
function pathVariants(pathWithQuery: string, port: number): string[] {
  const [path, query] = pathWithQuery.split('?') as [string, string | undefined];
  const q = query === undefined ? '' : `?${query}`;
  const rest = path.slice('/api'.length); // "/status", "/alerts/<id>"
  const encodedRest = `/%${rest.charCodeAt(1).toString(16)}${rest.slice(2)}`;
  return [
    `/%61pi${rest}${q}`,
    `/%61%70%69${rest}${q}`,
    `/%41PI${rest}${q}`,
    `/%2561pi${rest}${q}`,
    `/api${encodedRest}${q}`,
    `/API${rest}${q}`,
    `/Api${rest}${q}`,
    `/x/../api${rest}${q}`,
    `/x/%2e%2e/api${rest}${q}`,
    `/alerts/../api${rest}${q}`,
    `/./api${rest}${q}`,
    `/api/.${rest}${q}`,
    `/api/x/..${rest}${q}`,
    `//api${rest}${q}`,
    `/api/${rest}${q}`,
    `/%2fapi${rest}${q}`,
    `/api%2F${rest.slice(1)}${q}`,
    `${path}/${q}`,
    `${path};x=1${q}`,
    `/api;x=1${rest}${q}`,
    `${path}#fragment`,
    `/api\\${rest.slice(1)}${q}`,
    `\\api\\${rest.slice(1)}${q}`,
    `http://127.0.0.1:${port}${path}${q}`,
    `HTTP://LOCALHOST:${port}${path}${q}`,
    `http://${FOREIGN_HOST}${path}${q}`,
    `http://127.0.0.1:${port}/%61pi${rest}${q}`,
    `http://127.0.0.1:${port}//api${rest}${q}`,
  ];
}

/** A 400 from the router or the HTTP parser (an unparsable target), not from a handler's validation. */
const unparsable = (r: RawResponse) => r.status === 400 && !/invalid request/.test(r.body);

function assertRefused(r: RawResponse, allowed: number, what: string): void {
  assert.ok(r.status === allowed || unparsable(r), `${what}: answered ${r.status} ${r.body.slice(0, 200)}`);
  assert.doesNotMatch(r.body, /console page|"rows"|"alerts"|"paths"|"version"/, `${what}: no data in the refusal`);
}

/** A valid request for every documented operation: sent as written, with the token, it answers 200. */
async function examples(): Promise<Map<string, Call>> {
  const alerts = JSON.parse((await send(guardedPort, { method: 'GET', target: '/api/alerts?limit=1', headers: bearer(TOKEN) })).body) as { alerts: { id: string }[] };
  const alertId = alerts.alerts[0]!.id;
  return new Map<string, Call>([
    ['GET /api/openapi.json', { method: 'GET', target: '/api/openapi.json' }],
    ['GET /api/status', { method: 'GET', target: '/api/status' }],
    ['GET /api/alerts', { method: 'GET', target: '/api/alerts?limit=5' }],
    ['GET /api/alerts/{id}', { method: 'GET', target: `/api/alerts/${encodeURIComponent(alertId)}` }],
    // No such alert: the request is served (404) and the read-only test database is left as it is.
    ['POST /api/alerts/triage', { method: 'POST', target: '/api/alerts/triage', body: { ids: ['walk-no-such-alert'], status: 'acknowledged' }, status: 404 }],
    ['GET /api/trail', { method: 'GET', target: `/api/trail?requestId=${encodeURIComponent(HOSTILE_REQUEST_ID)}` }],
    ['GET /api/entity', { method: 'GET', target: '/api/entity?kind=ip&value=10.0.1.15' }],
    ['POST /api/query', { method: 'POST', target: '/api/query', body: { query: 'SELECT count(*) FROM events' } }],
    ['GET /api/schema', { method: 'GET', target: '/api/schema' }],
    ['GET /api/searches', { method: 'GET', target: '/api/searches' }],
    ['POST /api/searches', { method: 'POST', target: '/api/searches', body: { name: 'api-security', query: 'SELECT 1' } }],
    // The id is filled in per server: a saved search that must survive every refused DELETE.
    ['GET /api/searches/{id}/runs', { method: 'GET', target: '/api/searches/{id}/runs?limit=5' }],
    ['POST /api/searches/{id}/schedule', { method: 'POST', target: '/api/searches/{id}/schedule', body: { intervalSeconds: 3600, lookBackSeconds: 3600, condition: { kind: 'rows', threshold: 0 }, level: 'low', title: 'api-security' } }],
    // Sent after DELETE …/schedule (the document's order): refused, naming the missing schedule.
    ['POST /api/searches/{id}/run', { method: 'POST', target: '/api/searches/{id}/run', status: 400 }],
    ['DELETE /api/searches/{id}/schedule', { method: 'DELETE', target: '/api/searches/{id}/schedule' }],
    ['DELETE /api/searches/{id}', { method: 'DELETE', target: '/api/searches/{id}' }],
    ['GET /api/insights', { method: 'GET', target: '/api/insights' }],
    ['GET /api/insights/{view}', { method: 'GET', target: '/api/insights/coverage' }],
    ['GET /api/sources', { method: 'GET', target: '/api/sources' }],
    ['GET /api/dead-letters', { method: 'GET', target: '/api/dead-letters?limit=5' }],
    ['GET /api/rules', { method: 'GET', target: '/api/rules' }],
    ['GET /api/auth/session', { method: 'GET', target: '/api/auth/session' }],
    ['POST /api/auth/login', { method: 'POST', target: '/api/auth/login', body: { user: 'nobody', password: 'not-the-password' }, status: 401 }],
    ['POST /api/auth/logout', { method: 'POST', target: '/api/auth/logout' }],
    ['GET /api/auth/oidc/start', { method: 'GET', target: '/api/auth/oidc/start', status: 404 }],
    ['GET /api/auth/oidc/callback', { method: 'GET', target: '/api/auth/oidc/callback?code=x&state=y', status: 404 }],
    ['GET /api/users', { method: 'GET', target: '/api/users' }],
    // Added, then removed again by the test (an account would switch the open server to sign-in).
    ['POST /api/users', { method: 'POST', target: '/api/users', body: { name: 'walk-added', role: 'viewer', password: 'walk-password-0123' } }],
    ['POST /api/users/{name}', { method: 'POST', target: '/api/users/walk-nobody', body: { role: 'viewer' }, status: 404 }],
    ['DELETE /api/users/{name}', { method: 'DELETE', target: '/api/users/walk-nobody', status: 404 }],
    ['POST /api/oidc-users', { method: 'POST', target: '/api/oidc-users', body: { subject: 'https://idp.example#walk-nobody', disabled: true }, status: 404 }],
    ['GET /api/audit', { method: 'GET', target: '/api/audit?limit=5' }],
  ]);
}

/** Every documented operation (plus the document itself) has an example: a new route cannot slip past. */
async function documentedCalls(): Promise<Call[]> {
  const doc = JSON.parse((await send(guardedPort, { method: 'GET', target: '/api/openapi.json', headers: bearer(TOKEN) })).body) as { paths: Record<string, Record<string, unknown>> };
  const documented = ['GET /api/openapi.json', ...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))];
  const fromRoutes = API_ROUTES.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  for (const op of fromRoutes) assert.ok(documented.includes(op), `${op} is in the OpenAPI document`);
  const table = await examples();
  assert.deepEqual([...table.keys()].sort(), [...documented].sort(), 'one example per documented operation');
  const isPublicOp = (op: string) => {
    const [method, path] = op.split(' ') as [string, string];
    const security = (doc.paths[path]?.[method.toLowerCase()] as { security?: unknown[] } | undefined)?.security;
    return Array.isArray(security) && security.length === 0;
  };
  return documented.map((op) => ({ ...table.get(op)!, ...(isPublicOp(op) ? { public: true } : {}) }));
}

/** Sends each call as written and checks its answer; what POST /api/users added is removed again. */
async function answersEach(calls: Call[], port: number, users: FileUserStore, searchId: string, headers: Record<string, string>, host?: string): Promise<void> {
  for (const c of calls) {
    const r = await send(port, { ...c, target: c.target.replace('{id}', searchId), headers }, host);
    assert.equal(r.status, c.status ?? 200, `${c.method} ${c.target}: ${r.body.slice(0, 200)}`);
    if (users.get('walk-added')) users.remove('walk-added');
  }
}

async function savedSearchOn(port: number, host: string, headers: Record<string, string>): Promise<string> {
  const query = 'SELECT count(*) AS n FROM events WHERE timestamp >= $window_start AND timestamp < $window_end';
  const r = await send(port, { method: 'POST', target: '/api/searches', body: { name: 'must survive', query, language: 'sql' }, headers }, host);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { id: string }).id;
}

/** The saved searches and their schedules as the API lists them (the store's table, through the server). */
async function savedSearchesOn(port: number, host: string, headers: Record<string, string>): Promise<string> {
  const r = await send(port, { method: 'GET', target: '/api/searches', headers }, host);
  assert.equal(r.status, 200, r.body);
  return JSON.stringify((JSON.parse(r.body) as { id: string; name: string; schedule?: unknown; lastRun?: unknown }[]).map((s) => [s.id, s.name, s.schedule, s.lastRun]));
}

/** Sends every variant of every call (and HEAD for GETs) and checks each answer. */
async function walk(calls: Call[], port: number, searchId: string, check: (r: RawResponse, what: string) => void, extra: { host?: string; headers?: Record<string, string> }): Promise<number> {
  let sent = 0;
  for (const c of calls) {
    const target = c.target.replace('{id}', searchId);
    const methods = c.method === 'GET' ? ['GET', 'HEAD'] : [c.method];
    for (const method of methods) {
      for (const variant of [target, ...pathVariants(target, port)]) {
        const r = await send(port, { method, target: variant, ...(c.body !== undefined ? { body: c.body } : {}), headers: { ...extra.headers } }, extra.host);
        check(r, `${method} ${variant}${extra.host ? ` (Host ${extra.host})` : ''}`);
        sent++;
      }
    }
  }
  return sent;
}

test('token server: no documented route answers under any spelling without the token or with a wrong one; with it, each answers', async () => {
  const calls = await documentedCalls();
  const host = `127.0.0.1:${guardedPort}`;
  const searchId = await savedSearchOn(guardedPort, host, bearer(TOKEN));
  const searchesBefore = await savedSearchesOn(guardedPort, host, bearer(TOKEN));
  const refused = (r: RawResponse, what: string) => assertRefused(r, 401, what);
  const guardedCalls = calls.filter((c) => !c.public);
  assert.ok(guardedCalls.length >= calls.length - 5, 'only the sign-in endpoints are public');
  const sent = (await walk(guardedCalls, guardedPort, searchId, refused, {})) + (await walk(guardedCalls, guardedPort, searchId, refused, { headers: bearer('wrong-token-wrong-token-wrong') }));
  assert.equal(guardedUsers.count(), 0, 'no refused request added a user');
  assert.ok(sent > 500, `${sent} requests`);
  assert.equal(await savedSearchesOn(guardedPort, host, bearer(TOKEN)), searchesBefore, 'no refused request saved, scheduled, ran or deleted a search');
  await answersEach(calls, guardedPort, guardedUsers, searchId, bearer(TOKEN));
});

test('token-less loopback server: a foreign Host header is refused under every spelling; a loopback one is served', async () => {
  const calls = await documentedCalls();
  const loopback = `127.0.0.1:${openPort}`;
  const searchId = await savedSearchOn(openPort, loopback, {});
  const searchesBefore = await savedSearchesOn(openPort, loopback, {});
  const refused = (r: RawResponse, what: string) => assertRefused(r, 403, what);
  for (const host of [FOREIGN_HOST, `${FOREIGN_HOST}:${openPort}`, `127.0.0.1.${FOREIGN_HOST}`]) await walk(calls, openPort, searchId, refused, { host });
  assert.equal(await savedSearchesOn(openPort, loopback, {}), searchesBefore, 'no refused request saved, scheduled, ran or deleted a search');
  // An absolute-form target names the host the request is for: it must be loopback too.
  assertRefused(await send(openPort, { method: 'GET', target: `http://${FOREIGN_HOST}/api/status` }, loopback), 403, 'absolute-form with a foreign authority');
  await answersEach(calls, openPort, openUsers, searchId, {}, loopback);
});

test('public: the console page and its assets need no token; nothing else does, and no API spelling is taken for a page', async () => {
  for (const target of ['/', '/alerts', '/alerts/', '/alerts/abc%2F%3Cdef%3E', '/trail?requestId=x', '/search?q=index%3Dwaf', '/dashboards/coverage', '/sources', '/index.html', '/entity/ip/10.0.0.5', '/entity/user/%3Cimg%20src%3Dx%3E', '/entity/host/web-01']) {
    for (const method of ['GET', 'HEAD']) {
      const r = await send(guardedPort, { method, target });
      assert.equal(r.status, 200, `${method} ${target}`);
      if (method === 'GET') assert.match(r.body, /console page/, target);
    }
  }
  const asset = await send(guardedPort, { method: 'GET', target: '/assets/app-1234.js' });
  assert.equal(asset.status, 200);
  assert.match(asset.headers['cache-control'] ?? '', /immutable/);
  // Not a console view, or a console view spelled with dot segments, encodings or another method: deny by default.
  for (const [method, target] of [
    ['GET', '/nope'], ['GET', '/alerts/../api/status'], ['GET', '/alerts/%2e%2e/%2e%2e/api/status'], ['GET', '/%61lerts'], ['GET', '/ALERTS'],
    ['GET', '//alerts'], ['GET', '/alerts\\..\\api'], ['POST', '/alerts'], ['DELETE', '/index.html'], ['GET', '/assets/nope.js'], ['GET', '/api'], ['GET', '/api/'], ['GET', '/api/nope'],
    ['GET', '/entity'], ['GET', '/entity/ip'], ['GET', '/entity/planet/x'], ['GET', '/entity/ip/..'], ['GET', '/entity/ip/%2e%2e'], ['GET', '/entity/ip/a/b'], ['GET', '/entity/ip/../../api/status'],
  ] as const) {
    assertRefused(await send(guardedPort, { method, target }), 401, `${method} ${target}`);
  }
  const unknown = await send(guardedPort, { method: 'GET', target: '/api/nope', headers: bearer(TOKEN) });
  assert.equal(unknown.status, 404, 'with the token an unknown path is a 404');
  assert.match(unknown.body, /no route/);
  // A token-less server checks the Host of every request, the page included.
  assertRefused(await send(openPort, { method: 'GET', target: '/alerts' }, FOREIGN_HOST), 403, 'the page under a foreign Host');
  assertRefused(await send(openPort, { method: 'GET', target: '/assets/app-1234.js' }, FOREIGN_HOST), 403, 'an asset under a foreign Host');
  assert.equal((await send(openPort, { method: 'GET', target: '/alerts' })).status, 200);
});

test('refusals close the connection, so unauthenticated clients hold no idle sockets', async () => {
  const r = await send(guardedPort, { method: 'GET', target: '/api/status', headers: { Connection: 'keep-alive' } });
  assert.equal(r.status, 401);
  assert.equal(r.headers.connection, 'close');
});
