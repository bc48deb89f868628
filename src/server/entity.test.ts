/**
 * GET /api/entity on the console test store: what the report says agrees with SQL over the events
 * view, the timeline pages, the limits are refused past their bounds, hostile values are bound (never
 * SQL), and the route's least role is viewer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { datasetTable, type EventStore } from '../store/store.js';
import { ENTITY_TIMELINE_MAX_OFFSET, ENTITY_TIMELINE_MAX_PAGE, ENTITY_VALUE_MAX_LENGTH, entityReport } from './entity-report.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { buildConsoleDb, PAYLOADS, type ConsoleDb } from './test-fixture.js';

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

const entity = async (params: Record<string, string | number>, at = base, headers: Record<string, string> = {}) => {
  const res = await fetch(`${at}/api/entity?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

const sql = async (query: string): Promise<unknown[][]> => {
  const res = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, language: 'sql', limit: 1000 }) });
  const body = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.rows;
};

const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

test('an address: its events, datasets and related users agree with SQL; its timeline pages newest first', async () => {
  const [[ip, n]] = (await sql(`SELECT ip, count(*) AS n FROM (SELECT unnest(related_ip) AS ip FROM events) AS x GROUP BY ip ORDER BY n DESC, ip LIMIT 1`)) as [string, number][];
  const r = await entity({ kind: 'ip', value: ip! });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.value, ip);
  assert.equal(r.body.events, Number(n));
  const perDataset = await sql(`SELECT event_dataset, count(*) FROM events WHERE list_contains(related_ip, ${lit(ip!)}) GROUP BY 1 ORDER BY 2 DESC, 1`);
  assert.deepEqual(r.body.datasets.map((d: any) => [d.dataset, d.count]), perDataset.map(([d, c]) => [d, Number(c)]));
  const users = await sql(`SELECT user_name, count(*) FROM events WHERE list_contains(related_ip, ${lit(ip!)}) AND user_name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`);
  assert.deepEqual(r.body.related.find((f: any) => f.label === 'users').values.map((v: any) => [v.value, v.count]), users.map(([u, c]) => [u, Number(c)]));
  assert.equal(typeof r.body.address.private, 'boolean');

  // Pages: two of 7 are the first 14 events of one of 14, newest first.
  const p1 = await entity({ kind: 'ip', value: ip!, limit: 7 });
  const p2 = await entity({ kind: 'ip', value: ip!, limit: 7, offset: 7 });
  const both = await entity({ kind: 'ip', value: ip!, limit: 14 });
  assert.equal(p1.body.timeline.events.length, Math.min(7, Number(n)));
  assert.deepEqual([...p1.body.timeline.events, ...p2.body.timeline.events].map((e: any) => e.id), both.body.timeline.events.map((e: any) => e.id));
  const times = both.body.timeline.events.map((e: any) => Date.parse(e.timestamp));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
});

test('an address: only the datasets query reads every table; the other sections read the tables of its events, within their time range', async () => {
  const store = server.context.store;
  const seen: string[] = [];
  // The server's store, its queries recorded (the report reads through query, datasetColumns and dialect).
  const spy = Object.create(store) as EventStore;
  spy.query = (query, params) => {
    seen.push(query);
    return store.query(query, params);
  };
  const ip = '192.0.2.150'; // the Burp Suite scanner: CloudFront, WAF and the app's logs, minutes of one day
  const report = await entityReport(spy, 'ip', ip);
  const again = await entityReport(store, 'ip', ip);
  assert.deepEqual(report, again, 'the same report either way');
  const tablesWithIps = [...(await store.datasetColumns()).entries()].filter(([, have]) => have.has('related_ip')).map(([t]) => t);
  const own = new Set(report.datasets.map((d) => datasetTable(d.dataset)));
  assert.ok(report.events > 0 && own.size < tablesWithIps.length, `${ip}: events in ${[...own].join(', ')} of ${tablesWithIps.length} tables`);
  const sections = seen.filter((q) => !q.includes('dataset_count') && !/\bFROM alerts\b/.test(q));
  assert.equal(seen.length - sections.length, 2, 'one datasets query and one alerts query');
  for (const q of sections) {
    const read = [...q.matchAll(/FROM "(events_[a-z0-9_]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(read.filter((t) => !own.has(t)), [], `reads only the tables of its events: ${q.slice(0, 120)}`);
    assert.equal(read.length, own.size);
    assert.equal((q.match(/timestamp >= /g) ?? []).length, own.size, `each table within the events' time range: ${q.slice(0, 120)}`);
  }
});

test('a public address gets its country and ASN; an address is matched in its canonical form', async () => {
  const r = await entity({ kind: 'ip', value: '8.8.8.8' });
  assert.equal(r.status, 200);
  assert.equal(r.body.address.private, false);
  assert.equal(r.body.address.geo.asn, 15169);
  const v6 = await entity({ kind: 'ip', value: '2001:DB8:0:0::1' });
  assert.equal(v6.body.value, '2001:db8::1');
  assert.deepEqual(v6.body.address, { private: true, geo: {} });
});

test('a user: hostile names are values, never SQL or markup; their events and alerts are found', async () => {
  const r = await entity({ kind: 'user', value: PAYLOADS.userName });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.events, 2, 'the two hostile app requests');
  assert.ok(r.body.timeline.events.every((e: any) => e.user === PAYLOADS.userName));
  assert.ok(r.body.alerts.some((a: any) => a.ruleTitle === PAYLOADS.ruleTitle), JSON.stringify(r.body.alerts));
  for (const hostile of [`' OR 1=1 --`, `x'); DROP TABLE alerts; --`, `%`, `_`, `\\`, `"`, `$entity_value`, '*', 'a\u0000b']) {
    const h = await entity({ kind: 'user', value: hostile });
    assert.equal(h.status, 200, `${hostile}: ${JSON.stringify(h.body)}`);
    assert.equal(h.body.events, 0, `${hostile} names no user`);
    assert.deepEqual(h.body.alerts, [], `${hostile} is in no alert`);
    assert.deepEqual(h.body.timeline.events, []);
  }
  const host = await entity({ kind: 'host', value: `' OR ''='` });
  assert.equal(host.status, 200);
  assert.equal(host.body.events, 0);
});

test('a host: its users and addresses', async () => {
  const [[host, n]] = (await sql(`SELECT host_name, count(*) AS n FROM events WHERE host_name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`)) as [string, number][];
  const r = await entity({ kind: 'host', value: host! });
  assert.equal(r.status, 200);
  const [[all]] = await sql(`SELECT count(*) FROM events WHERE list_contains(related_hosts, ${lit(host!)})`);
  assert.equal(r.body.events, Number(all));
  assert.ok(r.body.events >= Number(n));
  assert.ok(r.body.related.some((f: any) => f.label === 'users'));
});

test('a time range: the report (events, datasets, related values, alerts, chart, timeline) is of the events in it', async () => {
  const [[ip, first, last]] = (await sql(
    `SELECT ip, CAST(min(timestamp) AS VARCHAR), CAST(max(timestamp) AS VARCHAR) FROM (SELECT unnest(related_ip) AS ip, timestamp FROM events) AS x GROUP BY ip ORDER BY count(*) DESC, ip LIMIT 1`,
  )) as [string, string, string][];
  const firstMs = Date.parse(`${first!.replace(' ', 'T')}Z`);
  const lastMs = Date.parse(`${last!.replace(' ', 'T')}Z`);
  const mid = new Date(Math.round((firstMs + lastMs) / 2000) * 1000).toISOString();
  const all = await entity({ kind: 'ip', value: ip! });
  assert.ok(all.body.histogram.counts.reduce((a: number, b: number) => a + b, 0) === all.body.events, 'the chart counts every event');
  const early = await entity({ kind: 'ip', value: ip!, until: mid, limit: 200 });
  const late = await entity({ kind: 'ip', value: ip!, since: mid, limit: 200 });
  assert.equal(early.status, 200, JSON.stringify(early.body));
  assert.deepEqual(early.body.range, { since: null, until: mid.replace('.000Z', 'Z') });
  const [[inEarly]] = await sql(`SELECT count(*) FROM events WHERE list_contains(related_ip, ${lit(ip!)}) AND timestamp <= TIMESTAMP ${lit(mid.slice(0, 19).replace('T', ' '))}`);
  assert.equal(early.body.events, Number(inEarly));
  assert.ok(early.body.events > 0 && early.body.events < all.body.events, `${early.body.events} of ${all.body.events}`);
  assert.ok(early.body.timeline.events.every((e: any) => Date.parse(e.timestamp) <= Date.parse(mid)));
  assert.ok(late.body.timeline.events.every((e: any) => Date.parse(e.timestamp) >= Date.parse(mid)));
  assert.ok(early.body.datasets.every((d: any) => Date.parse(d.last) <= Date.parse(mid)));
  assert.equal(early.body.histogram.counts.reduce((a: number, b: number) => a + b, 0), early.body.events);
  assert.ok(early.body.alerts.every((a: any) => Date.parse(a.timestamp) <= Date.parse(mid)));
  const none = await entity({ kind: 'ip', value: ip!, since: '2001-01-01T00:00:00Z', until: '2001-01-02T00:00:00Z' });
  assert.equal(none.body.events, 0);
  assert.deepEqual(none.body.alerts, []);
  assert.equal(none.body.histogram, undefined);
  for (const [params, message] of [[{ since: 'yesterday' }, /RFC 3339/], [{ since: '2026-11-21T00:00:00Z', until: '2026-11-20T00:00:00Z' }, /after/], [{ until: 'x'.repeat(41) }, /until/]] as const) {
    const r = await entity({ kind: 'ip', value: ip!, ...params });
    assert.equal(r.status, 400, JSON.stringify(params));
    assert.match(r.body.error, message);
  }
});

test("/api/query takes the console's time range: an SPL search is bounded by it unless it gives its own; SQL is told it is not", async () => {
  const query = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'spl', limit: 10_000, ...body }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const [[first, last]] = await sql(`SELECT epoch_ms(min(timestamp)), epoch_ms(max(timestamp)) FROM events`);
  const mid = new Date(Math.round((Number(first) + Number(last)) / 2000) * 1000).toISOString();
  const all = await query({ query: 'index=* | stats count' });
  const before = await query({ query: 'index=* | stats count', until: mid });
  const inline = await query({ query: `index=* latest="${mid}" | stats count` });
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.equal(Number(before.body.rows[0][0]), Number(inline.body.rows[0][0]), 'as latest= in the query');
  assert.ok(Number(before.body.rows[0][0]) < Number(all.body.rows[0][0]));
  const own = await query({ query: `index=* earliest=0 | stats count`, until: mid });
  assert.equal(Number(own.body.rows[0][0]), Number(all.body.rows[0][0]), "the query's earliest= wins over the range");
  const asSql = await query({ query: 'SELECT count(*) FROM events', language: 'sql', since: mid });
  assert.equal(Number(asSql.body.rows[0][0]), Number(all.body.rows[0][0]));
  assert.ok(asSql.body.warnings.some((w: string) => /applies to SPL/.test(w)));
  for (const bad of [{ since: 'soon' }, { since: mid, until: '2000-01-01T00:00:00Z' }, { until: 'x'.repeat(41) }]) {
    const r = await query({ query: 'index=*', ...bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
});

test('bounds and bad values are refused with 400 and say why', async () => {
  const cases: [Record<string, string | number>, RegExp][] = [
    [{ kind: 'ip', value: 'not-an-address' }, /IPv4 or IPv6/],
    [{ kind: 'ip', value: '10.0.0.256' }, /IPv4 or IPv6/],
    [{ kind: 'planet', value: 'x' }, /kind/],
    [{ kind: 'user', value: '' }, /value/],
    [{ kind: 'user', value: '   ' }, /empty/],
    [{ kind: 'user', value: 'u'.repeat(ENTITY_VALUE_MAX_LENGTH + 1) }, /value/],
    [{ kind: 'user', value: 'x', limit: ENTITY_TIMELINE_MAX_PAGE + 1 }, /limit/],
    [{ kind: 'user', value: 'x', limit: 0 }, /limit/],
    [{ kind: 'user', value: 'x', offset: ENTITY_TIMELINE_MAX_OFFSET + 1 }, /offset/],
    [{ kind: 'user', value: 'x', offset: -1 }, /offset/],
    [{ kind: 'user', value: 'x', offset: '1e309' }, /offset|finite/],
    [{ value: 'x' }, /kind/],
  ];
  for (const [params, message] of cases) {
    const r = await entity(params);
    assert.equal(r.status, 400, `${JSON.stringify(params).slice(0, 80)}: ${r.status}`);
    assert.match(r.body.error, message, JSON.stringify(params).slice(0, 80));
  }
});

test('roles: anonymous is refused when a token guards the server; a viewer token reads entities', async () => {
  const token = 'entity-test-token-0123456789abcdef0123456789';
  const guarded = await createConsoleServer({ db: fixture.db, token, tokenRole: 'viewer' });
  try {
    const at = await listen(guarded);
    assert.equal((await entity({ kind: 'ip', value: '10.0.0.5' }, at)).status, 401);
    assert.equal((await entity({ kind: 'ip', value: '10.0.0.5' }, at, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await entity({ kind: 'ip', value: '10.0.0.5' }, at, { authorization: `Bearer ${token}` })).status, 200);
  } finally {
    await guarded.close();
  }
});
