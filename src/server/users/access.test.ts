/**
 * Accounts, roles, sessions, CSRF, sign-in limits and the audit log, over real sockets against a
 * real console server (an empty DuckDB database: the routes' data does not matter here, who may
 * reach them does).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { rawRequest } from '../../testing/raw-http.js';
import { tempDir } from '../../testing/tmp.js';
import { createConsoleServer, type ConsoleServer, type ConsoleServerOptions } from '../index.js';
import { FileAuditLog } from './audit.js';
import { hashPassword } from './passwords.js';
import { roleAtLeast, ROLES, type Role } from './roles.js';
import { FileUserStore } from './user-store.js';

const TOKEN = 'users-test-token-0123456789abcdef';
const PASSWORDS: Record<string, string> = { ada: 'ada-the-admin-password', ann: 'ann-the-analyst-password', vic: 'vic-the-viewer-password' };
const ROLE_OF: Record<string, Role> = { ada: 'admin', ann: 'analyst', vic: 'viewer' };

let dir: string;
let db: string;
let users: FileUserStore;
let audit: FileAuditLog;
const servers: ConsoleServer[] = [];

before(async () => {
  dir = tempDir('packettrail-users-');
  db = join(dir, 'empty.duckdb');
  await (await DuckDbStore.open(db)).close();
  users = new FileUserStore(join(dir, 'users.json'));
  audit = new FileAuditLog(join(dir, 'audit.ndjson'));
  for (const [name, pw] of Object.entries(PASSWORDS)) users.add(name, ROLE_OF[name]!, await hashPassword(pw));
});

after(async () => {
  for (const s of servers) await s.close();
});

async function serve(o: Partial<ConsoleServerOptions> = {}): Promise<string> {
  const s = await createConsoleServer({ db, users, audit, ...o });
  servers.push(s);
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}

interface Who {
  cookie?: string;
  csrf?: string;
  token?: string;
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(base: string, method: string, path: string, who: Who = {}, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...extra };
  if (who.cookie) headers.cookie = who.cookie;
  if (who.csrf && method !== 'GET') headers['x-packettrail-csrf'] = who.csrf;
  if (who.token) headers.authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? null : JSON.stringify(body), redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** `name=value; …` of the Set-Cookie headers (cleared cookies left out). */
function cookiesOf(res: Answer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';') as [string];
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(eq + 1)) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

async function signIn(base: string, user: string, password = PASSWORDS[user]!): Promise<Who & { res: Answer }> {
  const res = await call(base, 'POST', '/api/auth/login', {}, { user, password });
  assert.equal(res.status, 200, `sign-in of ${user}: ${JSON.stringify(res.body)}`);
  const c = cookiesOf(res);
  const cookie = Object.entries(c).map(([k, v]) => `${k}=${v}`).join('; ');
  return { cookie, csrf: res.body.csrf, res };
}

const SCHEDULE = { intervalSeconds: 3600, lookBackSeconds: 3600, condition: { kind: 'rows', threshold: 0 }, level: 'low', title: 'roles' };
const WINDOWED = 'SELECT CAST($window_start AS TIMESTAMP) AS window_start, CAST($window_end AS TIMESTAMP) AS window_end';

/** A valid request for every documented operation that is not public. */
function example(op: string): { path: string; body?: unknown; served: number[] } {
  const table: Record<string, { path: string; body?: unknown; served?: number[] }> = {
    'GET /api/openapi.json': { path: '/api/openapi.json' },
    'GET /api/status': { path: '/api/status' },
    'GET /api/alerts': { path: '/api/alerts' },
    'GET /api/alerts/{id}': { path: '/api/alerts/nope', served: [404] },
    'POST /api/alerts/triage': { path: '/api/alerts/triage', body: { ids: ['nope'], status: 'acknowledged' }, served: [404] },
    'GET /api/trail': { path: '/api/trail?requestId=nope', served: [404, 400] },
    'GET /api/entity': { path: '/api/entity?kind=ip&value=10.0.0.5' },
    'POST /api/query': { path: '/api/query', body: { query: 'SELECT 1 AS one' } },
    'GET /api/schema': { path: '/api/schema' },
    'GET /api/searches': { path: '/api/searches' },
    'POST /api/searches': { path: '/api/searches', body: { name: 'roles', query: 'SELECT 1' } },
    'DELETE /api/searches/{id}': { path: '/api/searches/nope', served: [404] },
    'GET /api/searches/{id}/runs': { path: '/api/searches/nope/runs', served: [404] },
    'POST /api/searches/{id}/schedule': { path: '/api/searches/nope/schedule', body: SCHEDULE, served: [404] },
    'DELETE /api/searches/{id}/schedule': { path: '/api/searches/nope/schedule', served: [404] },
    'POST /api/searches/{id}/run': { path: '/api/searches/nope/run', served: [404] },
    'GET /api/insights': { path: '/api/insights' },
    'GET /api/insights/{view}': { path: '/api/insights/coverage' },
    'GET /api/sources': { path: '/api/sources' },
    'GET /api/dead-letters': { path: '/api/dead-letters' },
    'GET /api/rules': { path: '/api/rules' },
    'GET /api/users': { path: '/api/users' },
    'POST /api/users': { path: '/api/users', body: { name: 'walk-added', role: 'viewer', password: 'walk-password-0123' } },
    'POST /api/users/{name}': { path: '/api/users/nobody', body: { role: 'viewer' }, served: [404] },
    'DELETE /api/users/{name}': { path: '/api/users/nobody', served: [404] },
    'POST /api/oidc-users': { path: '/api/oidc-users', body: { subject: 'https://idp.example#nobody', disabled: true }, served: [404] },
    'GET /api/audit': { path: '/api/audit?limit=3' },
  };
  const e = table[op];
  assert.ok(e, `an example for ${op} (a new route needs one here)`);
  return { ...e, served: e.served ?? [200] };
}

test('every documented operation refuses an anonymous request (401) and every role below its minimum (403), and serves its minimum role and the token', async () => {
  const base = await serve({ token: TOKEN });
  const doc = (await call(base, 'GET', '/api/openapi.json', { token: TOKEN })).body as { paths: Record<string, Record<string, { 'x-minimum-role': string; security: unknown[] }>> };
  const sessions: Record<Role, Who> = { viewer: await signIn(base, 'vic'), analyst: await signIn(base, 'ann'), admin: await signIn(base, 'ada') };
  const ops = [['GET', '/api/openapi.json', 'viewer'] as const, ...Object.entries(doc.paths).flatMap(([path, o]) => Object.entries(o).map(([m, d]) => [m.toUpperCase(), path, d['x-minimum-role']] as const))];
  const counted: Record<string, number> = {};
  for (const [method, path, need] of ops) {
    counted[need] = (counted[need] ?? 0) + 1;
    if (need === 'public') {
      assert.deepEqual(doc.paths[path]![method.toLowerCase()]!.security, [], `${method} ${path} is documented as public`);
      assert.match(path, /^\/api\/auth\//, `only the sign-in endpoints are public, not ${method} ${path}`);
      continue;
    }
    assert.ok((ROLES as readonly string[]).includes(need), `${method} ${path} declares a role (${need})`);
    const e = example(`${method} ${path}`);
    const what = `${method} ${path}`;
    const anonymous = await call(base, method, e.path, {}, e.body);
    assert.equal(anonymous.status, 401, `${what} anonymous: ${JSON.stringify(anonymous.body)}`);
    for (const role of ROLES) {
      const r = await call(base, method, e.path, sessions[role], e.body);
      if (roleAtLeast(role, need as Role)) assert.ok(e.served.includes(r.status), `${what} as ${role}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      else assert.equal(r.status, 403, `${what} as ${role} (needs ${need}): ${r.status}`);
      if (users.get('walk-added')) users.remove('walk-added');
    }
    if (method === 'GET') {
      // fastify's automatic HEAD route must carry the same least role.
      assert.equal((await call(base, 'HEAD', e.path)).status, 401, `HEAD ${path} anonymous`);
      for (const role of ROLES) if (!roleAtLeast(role, need as Role)) assert.equal((await call(base, 'HEAD', e.path, sessions[role])).status, 403, `HEAD ${path} as ${role}`);
    }
    const byToken = await call(base, method, e.path, { token: TOKEN }, e.body);
    assert.ok(e.served.includes(byToken.status), `${what} with the token: ${byToken.status}`);
    if (users.get('walk-added')) users.remove('walk-added');
  }
  assert.ok(counted.viewer! > 5 && counted.analyst! >= 2 && counted.admin! >= 5 && counted.public! >= 4, JSON.stringify(counted));
});

test('the token role is configurable: a viewer token cannot run queries', async () => {
  const base = await serve({ token: TOKEN, tokenRole: 'viewer' });
  assert.equal((await call(base, 'GET', '/api/alerts', { token: TOKEN })).status, 200);
  assert.equal((await call(base, 'POST', '/api/query', { token: TOKEN }, { query: 'SELECT 1' })).status, 403);
  assert.equal((await call(base, 'GET', '/api/alerts', { token: 'wrong-token-0123456789abcdef' })).status, 401);
});

test('the token-less loopback console is open only while no account exists; the first account closes it at once', async () => {
  const own = new FileUserStore(join(dir, 'loopback.users.json'));
  const base = await serve({ users: own });
  assert.equal((await call(base, 'GET', '/api/status')).status, 200);
  assert.equal((await call(base, 'GET', '/api/auth/session')).body.user.via, 'loopback');
  own.add('first', 'admin', await hashPassword('first-admin-password'));
  const closed = await call(base, 'GET', '/api/status');
  assert.equal(closed.status, 401);
  assert.match(closed.body.error, /sign in/);
  assert.equal((await call(base, 'POST', '/api/query', {}, { query: 'SELECT 1' })).status, 401);
  const who = await signIn(base, 'first', 'first-admin-password');
  assert.equal((await call(base, 'GET', '/api/status', who)).status, 200);
});

test('sessions: HttpOnly SameSite=Strict cookies, a new id at every sign-in, logout, and role and password changes take effect at once', async () => {
  const base = await serve();
  const first = await signIn(base, 'vic');
  const setCookies = first.res.headers.getSetCookie();
  const session = setCookies.find((c) => c.startsWith('packettrail-session='))!;
  assert.match(session, /HttpOnly/i);
  assert.match(session, /SameSite=Strict/i);
  assert.match(session, /Path=\//);
  assert.doesNotMatch(session, /Secure/i, 'plain HTTP on loopback: not Secure (the browser would not send it back)');
  const id = /^packettrail-session=([^;]+)/.exec(session)![1]!;
  assert.ok(Buffer.from(decodeURIComponent(id), 'base64url').length >= 32, 'a 256-bit session id');
  assert.match(setCookies.find((c) => c.startsWith('packettrail-csrf='))!, /SameSite=Strict/i);
  assert.equal((await call(base, 'GET', '/api/auth/session', first)).body.user.name, 'vic');
  // Signing in again with the old cookie: a new session, and the old id is gone (no fixation).
  const again = await call(base, 'POST', '/api/auth/login', first, { user: 'vic', password: PASSWORDS.vic });
  assert.equal(again.status, 200);
  assert.notEqual(cookiesOf(again)['packettrail-session'], id);
  assert.equal((await call(base, 'GET', '/api/status', first)).status, 401, 'the session of the earlier sign-in has ended');
  // Logout ends it.
  const s = await signIn(base, 'ann');
  assert.equal((await call(base, 'POST', '/api/auth/logout', s)).body.signedOut, true);
  assert.equal((await call(base, 'GET', '/api/status', s)).status, 401);
  // A role change applies to running sessions; a new password ends them.
  const t = await signIn(base, 'ann');
  assert.equal((await call(base, 'POST', '/api/query', t, { query: 'SELECT 1' })).status, 200);
  users.setRole('ann', 'viewer');
  try {
    assert.equal((await call(base, 'POST', '/api/query', t, { query: 'SELECT 1' })).status, 403);
  } finally {
    users.setRole('ann', 'analyst');
  }
  users.setPassword('ann', await hashPassword(PASSWORDS.ann!));
  assert.equal((await call(base, 'GET', '/api/status', t)).status, 401, 'a new password ends the sessions made before it');
  // Secure cookies: __Host- prefix and Secure.
  const secure = await serve({ secureCookies: true });
  const sc = (await call(secure, 'POST', '/api/auth/login', {}, { user: 'vic', password: PASSWORDS.vic })).headers.getSetCookie();
  assert.ok(sc.some((c) => /^__Host-packettrail-session=[^;]+;.*Secure/i.test(c)), sc.join(' | '));
});

test('sessions expire when idle and at their absolute limit', async () => {
  const base = await serve({ sessionLimits: { idleMs: 600, absoluteMs: 1_500 } });
  const idle = await signIn(base, 'vic');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal((await call(base, 'GET', '/api/status', idle)).status, 401, 'idle past the limit');
  const busy = await signIn(base, 'vic');
  const start = Date.now();
  while (Date.now() - start < 1_300) {
    assert.equal((await call(base, 'GET', '/api/status', busy)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
  }
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await call(base, 'GET', '/api/status', busy)).status, 401, 'past the absolute limit, however busy');
});

test('CSRF: a cookie-authenticated change needs the x-packettrail-csrf header and the console origin; the token needs neither', async () => {
  const base = await serve({ token: TOKEN });
  const who = await signIn(base, 'ann');
  const body = { name: 'csrf', query: 'SELECT 1' };
  const noHeader = await call(base, 'POST', '/api/searches', { cookie: who.cookie! }, body);
  assert.equal(noHeader.status, 403);
  assert.match(noHeader.body.error, /x-packettrail-csrf/);
  assert.equal((await call(base, 'POST', '/api/searches', { cookie: who.cookie!, csrf: 'forged-forged-forged' }, body)).status, 403);
  assert.equal((await call(base, 'POST', '/api/searches', who, body, { origin: 'http://attacker.example' })).status, 403);
  assert.equal((await call(base, 'POST', '/api/auth/logout', { cookie: who.cookie! })).status, 403, 'logout needs it too');
  const ok = await call(base, 'POST', '/api/searches', who, body, { origin: base });
  assert.equal(ok.status, 200);
  assert.equal((await call(base, 'DELETE', `/api/searches/${ok.body.id}`, { token: TOKEN })).status, 200);
});

test('sign-in limits: an account is locked after repeated failures (even for the right password), an address after more; memory is bounded', async () => {
  const base = await serve({ loginLimits: { maxPerAccount: 3, maxPerAddress: 6 } });
  const port = Number(new URL(base).port);
  const login = (user: string, password: string, from = '127.0.0.1') =>
    rawRequest({ port, localAddress: from, line: 'POST /api/auth/login HTTP/1.1', headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ user, password }) });
  for (let i = 0; i < 3; i++) assert.equal((await login('vic', 'wrong-password-123')).status, 401);
  const locked = await login('vic', PASSWORDS.vic!);
  assert.equal(locked.status, 429, 'the account is locked: the right password does not help');
  assert.ok(Number(locked.headers['retry-after']) > 0);
  assert.match(locked.body, /account/);
  assert.equal((await login('vic', PASSWORDS.vic!, '127.0.0.2')).status, 429, 'from another address too');
  assert.equal((await login('ann', PASSWORDS.ann!)).status, 200, 'other accounts are not locked');
  // A name that is no account locks the same way (a lock does not reveal whether an account exists).
  for (let i = 0; i < 3; i++) assert.equal((await login('nobody', 'wrong-password-123', '127.0.0.4')).status, 401);
  assert.equal((await login('nobody', 'wrong-password-123', '127.0.0.4')).status, 429);
  for (let i = 0; i < 3; i++) assert.equal((await login(`nobody${i}`, 'wrong-password-123')).status, 401);
  const byAddress = await login('ada', PASSWORDS.ada!);
  assert.equal(byAddress.status, 429, '6 failures from 127.0.0.1');
  assert.match(byAddress.body, /address/);
  assert.equal((await login('ada', PASSWORDS.ada!, '127.0.0.3')).status, 200, 'another address still signs in');
});

test('audit: sign-ins (ok and failed), sign-out, saved searches, queries, user changes and refusals are written with who, what, when and from where; admins read them paged', async () => {
  const own = new FileAuditLog(join(dir, 'own-audit.ndjson'));
  const base = await serve({ audit: own });
  assert.equal((await call(base, 'POST', '/api/auth/login', {}, { user: 'ann', password: 'not-her-password' })).status, 401);
  const ann = await signIn(base, 'ann');
  const saved = await call(base, 'POST', '/api/searches', ann, { name: 'audited', query: WINDOWED, language: 'sql' });
  assert.equal((await call(base, 'POST', '/api/query', ann, { query: 'SELECT 42 AS answer' })).status, 200);
  assert.equal((await call(base, 'POST', `/api/searches/${saved.body.id}/schedule`, ann, SCHEDULE)).status, 200);
  const ran = await call(base, 'POST', `/api/searches/${saved.body.id}/run`, ann);
  assert.equal(ran.status, 200);
  assert.equal(ran.body.error, '');
  assert.equal((await call(base, 'GET', `/api/searches/${saved.body.id}/runs`, ann)).body.length, 1);
  assert.equal((await call(base, 'DELETE', `/api/searches/${saved.body.id}/schedule`, ann)).status, 200);
  assert.equal((await call(base, 'DELETE', `/api/searches/${saved.body.id}`, ann)).status, 200);
  assert.equal((await call(base, 'GET', '/api/audit', ann)).status, 403);
  await call(base, 'POST', '/api/auth/logout', ann);
  const ada = await signIn(base, 'ada');
  assert.equal((await call(base, 'POST', '/api/users', ada, { name: 'Temp', role: 'viewer', password: 'temporary-password' })).status, 200);
  assert.equal((await call(base, 'POST', '/api/users/temp', ada, { role: 'analyst' })).status, 200);
  assert.equal((await call(base, 'DELETE', '/api/users/temp', ada)).status, 200);
  assert.equal((await call(base, 'DELETE', '/api/users/ada', ada)).status, 409, 'the last admin stays');
  const all = await call(base, 'GET', '/api/audit?limit=1000', ada);
  assert.equal(all.status, 200);
  const actions = (all.body.entries as { action: string; outcome: string; actor: string }[]).map((e) => `${e.actor} ${e.action} ${e.outcome}`).reverse();
  assert.deepEqual(actions, [
    'ann sign-in failed', 'ann sign-in ok', 'ann search.save ok', 'ann query ok', 'ann search.schedule ok', 'ann search.run ok', 'ann search.unschedule ok', 'ann search.delete ok', 'ann access denied', 'ann sign-out ok',
    'ada sign-in ok', 'ada user.add ok', 'ada user.change ok', 'ada user.remove ok', 'ada user.remove failed',
  ]);
  const q = (all.body.entries as { action: string; detail?: string; address: string; time: string; via: string; role?: string }[]).find((e) => e.action === 'query')!;
  assert.match(q.detail!, /SELECT 42/);
  assert.equal(q.address, '127.0.0.1');
  assert.equal(q.via, 'password');
  assert.equal(q.role, 'analyst');
  assert.match(q.time, /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.ok(!JSON.stringify(all.body).includes('temporary-password') && !JSON.stringify(all.body).includes('not-her-password'), 'no password is ever written');
  // Paging, newest first, and filters.
  const p1 = await call(base, 'GET', '/api/audit?limit=5', ada);
  const p2 = await call(base, 'GET', `/api/audit?limit=5&offset=${p1.body.next}`, ada);
  assert.equal(p1.body.next, 5);
  assert.deepEqual([...p1.body.entries, ...p2.body.entries], all.body.entries.slice(0, 10));
  const signIns = await call(base, 'GET', '/api/audit?action=sign-in', ada);
  assert.equal(signIns.body.entries.length, 3);
  assert.equal(signIns.body.next, null);
  assert.equal(statSync(own.file).mode & 0o777, 0o600);
});

test('behind a trusted proxy the forwarded client address is audited and limited, and X-Forwarded-Proto https makes cookies Secure; an untrusted one is ignored', async () => {
  const own = new FileAuditLog(join(dir, 'proxy-audit.ndjson'));
  const proxied = await serve({ audit: own, trustProxy: ['127.0.0.1'] });
  const forwarded = { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' };
  const r = await call(proxied, 'POST', '/api/auth/login', {}, { user: 'vic', password: PASSWORDS.vic }, forwarded);
  assert.equal(r.status, 200);
  assert.ok(r.headers.getSetCookie().some((c) => /^__Host-packettrail-session=.*Secure/i.test(c)));
  assert.equal(own.read({ limit: 1, offset: 0 }).entries[0]!.address, '198.51.100.7');
  const direct = await serve({ audit: own });
  const d = await call(direct, 'POST', '/api/auth/login', {}, { user: 'vic', password: PASSWORDS.vic }, forwarded);
  assert.ok(d.headers.getSetCookie().some((c) => /^packettrail-session=/.test(c) && !/Secure/i.test(c)));
  assert.equal(own.read({ limit: 1, offset: 0 }).entries[0]!.address, '127.0.0.1', 'a client cannot choose its audited address');
});

test('scheduling: a viewer reads saved searches but cannot schedule, run or unschedule them (403); a cookie needs the CSRF header for each', async () => {
  const base = await serve({ token: TOKEN });
  const saved = await call(base, 'POST', '/api/searches', { token: TOKEN }, { name: 'sched', query: WINDOWED, language: 'sql' });
  assert.equal(saved.status, 200);
  const vic = await signIn(base, 'vic');
  const ann = await signIn(base, 'ann');
  assert.equal((await call(base, 'GET', '/api/searches', vic)).status, 200);
  for (const [method, path, body] of [['POST', 'schedule', SCHEDULE], ['POST', 'run', undefined], ['DELETE', 'schedule', undefined]] as const) {
    assert.equal((await call(base, method, `/api/searches/${saved.body.id}/${path}`, vic, body)).status, 403, `viewer ${method} ${path}`);
    assert.equal((await call(base, method, `/api/searches/${saved.body.id}/${path}`, { cookie: ann.cookie! }, body)).status, 403, `no CSRF header: ${method} ${path}`);
  }
  const scheduled = await call(base, 'POST', `/api/searches/${saved.body.id}/schedule`, ann, SCHEDULE);
  assert.equal(scheduled.status, 200);
  assert.deepEqual(scheduled.body.schedule, SCHEDULE);
  const refused = await call(base, 'POST', `/api/searches/${saved.body.id}/schedule`, ann, { ...SCHEDULE, intervalSeconds: 5 });
  assert.equal(refused.status, 400);
  const unbounded = await call(base, 'POST', '/api/searches', ann, { name: 'x', query: 'SELECT 1', language: 'sql', schedule: SCHEDULE });
  assert.equal(unbounded.status, 400);
  assert.match(unbounded.body.error, /\$window_start/);
  assert.equal((await call(base, 'DELETE', `/api/searches/${saved.body.id}`, ann)).status, 200);
});

test('disabling an account ends its sessions at once and refuses its sign-in (right password only); enabling lets it back; the last enabled admin cannot be disabled', async () => {
  const base = await serve();
  const ada = await signIn(base, 'ada');
  const vic = await signIn(base, 'vic');
  assert.equal((await call(base, 'GET', '/api/status', vic)).status, 200);
  const off = await call(base, 'POST', '/api/users/vic', ada, { disabled: true });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal(off.body.disabled, true);
  assert.equal((await call(base, 'GET', '/api/status', vic)).status, 401, 'the disabled account\'s session ended');
  const wrong = await call(base, 'POST', '/api/auth/login', {}, { user: 'vic', password: 'not-vics-password' });
  assert.equal(wrong.status, 401, 'a wrong password gets the usual answer');
  const refused = await call(base, 'POST', '/api/auth/login', {}, { user: 'vic', password: PASSWORDS.vic });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error, /disabled/);
  const listed = (await call(base, 'GET', '/api/users', ada)).body as { users: { name: string; disabled: boolean }[]; oidcUsers: unknown[] };
  assert.deepEqual(listed.users.find((u) => u.name === 'vic')?.disabled, true);
  assert.deepEqual(listed.oidcUsers, []);
  assert.equal((await call(base, 'POST', '/api/users/vic', ada, { disabled: false })).status, 200);
  assert.equal((await call(base, 'POST', '/api/auth/login', {}, { user: 'vic', password: PASSWORDS.vic })).status, 200);
  const last = await call(base, 'POST', '/api/users/ada', ada, { disabled: true });
  assert.equal(last.status, 409, 'the last enabled admin stays enabled');
  assert.match(last.body.error, /last enabled admin/);
  const actions = audit.read({ limit: 20, offset: 0, action: 'user.change' }).entries.map((e) => `${e.target} ${e.detail ?? ''} ${e.outcome}`);
  assert.ok(actions.includes('vic disabled ok') && actions.includes('vic enabled ok'), actions.join(' | '));
});

test('audit log filters by time range (since inclusive, until exclusive); a malformed time is a 400 naming the parameter', async () => {
  const base = await serve();
  const ada = await signIn(base, 'ada');
  const all = (await call(base, 'GET', '/api/audit?limit=1000', ada)).body.entries as { time: string }[];
  assert.ok(all.length >= 2);
  const newest = all[0]!.time;
  const since = (await call(base, 'GET', `/api/audit?limit=1000&since=${encodeURIComponent(newest)}`, ada)).body.entries as { time: string }[];
  assert.ok(since.length >= 1 && since.every((e) => e.time >= newest), 'since keeps entries at or after');
  const until = (await call(base, 'GET', `/api/audit?limit=1000&until=${encodeURIComponent(newest)}`, ada)).body.entries as { time: string }[];
  assert.ok(until.every((e) => e.time < newest), 'until keeps entries before');
  assert.equal(since.filter((e) => e.time === newest).length + until.length, all.filter((e) => e.time <= newest).length);
  const bad = await call(base, 'GET', '/api/audit?since=yesterday', ada);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'since');
});
