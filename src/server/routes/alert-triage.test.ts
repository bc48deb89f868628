/**
 * Alert triage over the API, against a real console server on a real DuckDB database written as
 * serve writes it (the owner's store): roles, CSRF, the audit log, validation, bulk changes, the
 * filters and the grouped list.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OwnerStore } from '../../service/owner-store.js';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { storeTriageAlerts } from '../../testing/triage-alerts.js';
import { tempDir } from '../../testing/tmp.js';
import { createConsoleServer, type ConsoleServer, type ConsoleServerOptions } from '../index.js';
import { FileAuditLog } from '../users/audit.js';
import { hashPassword } from '../users/passwords.js';
import { FileUserStore } from '../users/user-store.js';

const TOKEN = 'triage-test-token-0123456789abcdef';
const PASSWORDS = { ann: 'ann-the-analyst-password', vic: 'vic-the-viewer-password', bob: 'bob-the-analyst-password' };

let db: string;
let store: OwnerStore;
let users: FileUserStore;
let audit: FileAuditLog;
let ids: string[];
const servers: ConsoleServer[] = [];

before(async () => {
  const dir = tempDir('packettrail-triage-api-');
  db = join(dir, 'triage.duckdb');
  store = new OwnerStore(await DuckDbStore.open(db));
  ids = await storeTriageAlerts(store);
  users = new FileUserStore(join(dir, 'users.json'));
  audit = new FileAuditLog(join(dir, 'audit.ndjson'));
  await Promise.all([users.add('ann', 'analyst', await hashPassword(PASSWORDS.ann)), users.add('vic', 'viewer', await hashPassword(PASSWORDS.vic)), users.add('bob', 'analyst', await hashPassword(PASSWORDS.bob))]);
});

after(async () => {
  for (const s of servers) await s.close();
  await store?.close();
});

async function serve(o: Partial<ConsoleServerOptions> = {}): Promise<string> {
  const s = await createConsoleServer({ db, users, audit, token: TOKEN, store, ...o });
  servers.push(s);
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}

interface Who {
  cookie?: string;
  csrf?: string;
  token?: string;
}

async function call(base: string, method: string, path: string, who: Who = {}, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (who.cookie) headers.cookie = who.cookie;
  if (who.csrf) headers['x-packettrail-csrf'] = who.csrf;
  if (who.token) headers.authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function signIn(base: string, user: keyof typeof PASSWORDS): Promise<Required<Pick<Who, 'cookie' | 'csrf'>>> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORDS[user] }) });
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf: ((await res.json()) as { csrf: string }).csrf };
}

const triage = (base: string, who: Who, body: unknown) => call(base, 'POST', '/api/alerts/triage', who, body);

test('a viewer may read alerts but not triage them (403); an analyst needs the CSRF header; the change is in the history and the audit log', async () => {
  const base = await serve();
  const vic = await signIn(base, 'vic');
  const ann = await signIn(base, 'ann');
  assert.equal((await call(base, 'GET', '/api/alerts', vic)).status, 200);
  assert.equal((await triage(base, vic, { ids: [ids[0]], status: 'acknowledged' })).status, 403);
  const noCsrf = await triage(base, { cookie: ann.cookie }, { ids: [ids[0]], status: 'acknowledged' });
  assert.equal(noCsrf.status, 403);
  assert.match(noCsrf.body.error, /x-packettrail-csrf/);
  const ok = await triage(base, ann, { ids: [ids[0]], status: 'acknowledged', assignee: 'ann', note: 'looking' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.changed, 3);
  assert.deepEqual(ok.body.alerts[ids[0]!], { status: 'acknowledged', assignee: 'ann', notes: 1, updated: ok.body.alerts[ids[0]!].updated });
  const shown = await call(base, 'GET', `/api/alerts/${ids[0]}`, vic);
  assert.equal(shown.body.triage.status, 'acknowledged');
  assert.deepEqual(shown.body.history.map((h: any) => [h.actor, h.via, h.field, h.old_value, h.new_value]), [
    ['ann', 'password', 'status', 'new', 'acknowledged'], ['ann', 'password', 'assignee', 'nobody', 'ann'], ['ann', 'password', 'note', null, 'looking'],
  ]);
  const entry = audit.read({ limit: 1, offset: 0, action: 'alert.triage' }).entries[0]!;
  assert.deepEqual([entry.actor, entry.via, entry.role, entry.address, entry.outcome, entry.target, entry.detail], ['ann', 'password', 'analyst', '127.0.0.1', 'ok', `alert ${ids[0]}`, 'status=acknowledged assignee=ann note (7 characters)']);
  const denied = audit.read({ limit: 10, offset: 0, action: 'access' }).entries.find((e) => e.actor === 'vic');
  assert.equal(denied?.target, 'POST /api/alerts/triage');
});

test('bad input is refused with 400 naming what is allowed; an unknown alert is 404 and changes nothing', async () => {
  const base = await serve();
  const ann = await signIn(base, 'ann');
  const badStatus = await triage(base, ann, { ids: [ids[1]], status: 'closed' });
  assert.equal(badStatus.status, 400);
  assert.match(badStatus.body.error, /unknown status 'closed': expected one of new, acknowledged, true_positive, false_positive, benign/);
  assert.match((await triage(base, ann, { ids: [ids[1]], assignee: 'mallory' })).body.error, /unknown assignee 'mallory': expected an account name or nobody/);
  assert.match((await triage(base, ann, { ids: [ids[1]], note: 'x'.repeat(4_001) })).body.error, /at most 4000 characters/);
  assert.equal((await triage(base, ann, { ids: [], status: 'benign' })).status, 400);
  assert.equal((await triage(base, ann, { ids: [ids[1]], status: 'benign', extra: 1 })).status, 400);
  assert.equal((await triage(base, ann, { ids: [ids[1]] })).status, 400);
  const filterBad = await call(base, 'GET', '/api/alerts?status=open', ann);
  assert.equal(filterBad.status, 400);
  assert.match(filterBad.body.error, /expected one of new, acknowledged/);
  const unknown = await triage(base, ann, { ids: [ids[1], 'no-such-alert'], status: 'benign' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error, /no alert with id no-such-alert/);
  assert.equal((await call(base, 'GET', `/api/alerts/${ids[1]}`, ann)).body.triage.status, 'new');
  assert.equal(audit.read({ limit: 1, offset: 0, action: 'alert.triage' }).entries[0]!.outcome, 'failed');
});

test('bulk: two alerts closed in one request; status, assignee and entity filters; the grouped list with its members one filter away', async () => {
  const base = await serve();
  const bob = await signIn(base, 'bob');
  const [, a2, a3, a4, a5] = ids as [string, string, string, string, string];
  const bulk = await triage(base, bob, { ids: [a3, a4], status: 'false_positive', assignee: 'bob' });
  assert.equal(bulk.status, 200);
  assert.equal(bulk.body.changed, 4);
  const list = async (q: string) => ((await call(base, 'GET', `/api/alerts?${q}`, bob)).body.alerts as { id: string; status: string; assignee: string }[]);
  assert.deepEqual((await list('status=false_positive')).map((a) => a.id).sort(), [a3, a4].sort());
  assert.deepEqual((await list('assignee=bob')).map((a) => a.id).sort(), [a3, a4].sort());
  assert.ok((await list('status=new')).every((a) => a.status === 'new' && ![a3, a4].includes(a.id)));
  assert.deepEqual((await list('entity=h2')).map((a) => a.id), [a4]);
  const all = await list('');
  assert.deepEqual(all.find((a) => a.id === a3), { ...all.find((a) => a.id === a3)!, status: 'false_positive', assignee: 'bob' });
  const grouped = await call(base, 'GET', '/api/alerts?group=true', bob);
  assert.equal(grouped.status, 200);
  const group = (grouped.body.groups as { rule_id: string; key: string; count: number; untriaged: number; first_seen: string; last_seen: string }[]).find((g) => g.rule_id === 'rule-a' && g.key.includes('h1'))!;
  assert.deepEqual([group.count, group.first_seen, group.last_seen], [3, '2026-11-20T08:01:00.000Z', '2026-11-20T08:09:00.000Z']);
  const members = await list(`rule=rule-a&key=${encodeURIComponent(group.key)}`);
  assert.equal(members.length, 3);
  assert.ok(!members.some((m) => m.id === a5 || m.id === a4));
  assert.ok(members.some((m) => m.id === a2));
});

test('--read-only refuses triage (403): the operator asked for nothing to be written', async () => {
  const base = await serve({ readOnly: true });
  const r = await triage(base, { token: TOKEN }, { ids: [ids[4]], status: 'acknowledged' });
  assert.equal(r.status, 403);
  assert.match(r.body.error, /read-only/);
});
