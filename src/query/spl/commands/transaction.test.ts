import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../../testing/tmp.js';
import { demoStore, splRows as demoRows } from '../demo-store.fixture.js';
import { cli, spl, splRows } from '../testing.fixture.js';

/*
 * App events (seconds after 10:00:00): alice at 0, 50, 100 (status 201), 130, 200 (status 404),
 * 700, 760; bob at 10 and 20 (bob's at 20 from another client); one event without a user at 5.
 */
const ALICE = [0, 50, 100, 130, 200, 700, 760];
function appLog(): string {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s)).toISOString();
  const rows = [
    ...ALICE.map((s) => ({ time: at(s), level: 'info', method: 'GET', url: `https://app.example.com/${s}`, status: s === 100 ? 201 : s === 200 ? 404 : 200, client_ip: '198.51.100.10', user: 'alice@corp.example' })),
    { time: at(10), level: 'info', method: 'GET', url: 'https://app.example.com/b', status: 200, client_ip: '198.51.100.20', user: 'bob@corp.example' },
    { time: at(20), level: 'info', method: 'GET', url: 'https://app.example.com/b', status: 200, client_ip: '198.51.100.21', user: 'bob@corp.example' },
    { time: at(5), level: 'info', method: 'GET', url: 'https://app.example.com/anon', status: 200, client_ip: '198.51.100.30' },
  ];
  return rows.map((r) => JSON.stringify(r)).join('\n');
}

let store: DuckDbStore;
let demo: DuckDbStore;
before(async () => {
  const dir = tempDir('packettrail-transaction-');
  const log = join(dir, 'app.log');
  writeFileSync(log, `${appLog()}\n`);
  const db = join(dir, 'txn.duckdb');
  const r = cli(['ingest', '-q', '--threads', '0', '--db', db, log]);
  if (r.code !== 0) throw new Error(`ingest failed (${r.code}): ${r.err}`);
  store = await DuckDbStore.open(db, { readOnly: true });
  demo = await demoStore();
});
after(async () => {
  await store.close();
  await demo.close();
});

/** user, first second, duration, eventcount, closed_txn of each transaction (newest first). */
async function txns(options: string, extra = '') {
  const rows = await splRows(store, `index=app | transaction user ${options} | table user _time duration eventcount closed_txn ${extra}`);
  return rows.map((r) => [r.user, Number(String(r._time).slice(-2)) + 60 * Number(String(r._time).slice(-5, -3)), Number(r.duration), Number(r.eventcount), Number(r.closed_txn)]);
}

test('transaction groups by the field, newest first; no option: every transaction, closed_txn 0; events without the field are in none', async () => {
  assert.deepEqual(await txns(''), [
    ['bob', 10, 10, 2, 0],
    ['alice', 0, 760, 7, 0],
  ]);
  // The fields of a transaction: the distinct values of its events, sorted (mvlist=false).
  const [bob] = await splRows(store, 'index=app user=bob | transaction user | table user client_ip url');
  assert.deepEqual(bob, { user: 'bob', client_ip: ['198.51.100.20', '198.51.100.21'], url: ['https://app.example.com/b'] });
  assert.deepEqual(await splRows(store, 'index=app | transaction user | stats sum(eventcount) as n'), [{ n: 9 }], 'the event without a user is left out');
});

test('maxspan cuts greedily from the newest event (Splunk reads backwards); the oldest transactions are evicted unless keepevicted=true', async () => {
  // Newest first: 760,700 | 200,130,100 | 50,0 — reading forwards would give 0,50,100 | 130,200 | 700,760.
  // Closed: latest − the input's earliest event (0) > 120 s.
  assert.deepEqual(await txns('maxspan=2m keepevicted=true'), [
    ['alice', 700, 60, 2, 1],
    ['alice', 100, 100, 3, 1],
    ['bob', 10, 10, 2, 0],
    ['alice', 0, 50, 2, 0],
  ]);
  assert.deepEqual(await txns('maxspan=120s'), [
    ['alice', 700, 60, 2, 1],
    ['alice', 100, 100, 3, 1],
  ]);
});

test('maxpause cuts where the pause between events of a transaction exceeds it; maxevents counts from the newest', async () => {
  assert.deepEqual(await txns('maxpause=100 keepevicted=t'), [
    ['alice', 700, 60, 2, 1],
    ['bob', 10, 10, 2, 0],
    ['alice', 0, 200, 5, 0],
  ]);
  assert.deepEqual(await txns('maxevents=2 keepevicted=true'), [
    ['alice', 700, 60, 2, 1],
    ['alice', 130, 70, 2, 1],
    ['alice', 50, 50, 2, 1],
    ['bob', 10, 10, 2, 1],
    ['alice', 0, 0, 1, 0],
  ]);
  assert.deepEqual((await txns('maxevents=2')).length, 4);
  // maxspan and maxevents together: each transaction ends at the first limit reached.
  assert.deepEqual(await txns('maxspan=2m maxevents=2 keepevicted=true'), [
    ['alice', 700, 60, 2, 1],
    ['alice', 130, 70, 2, 1],
    ['alice', 50, 50, 2, 1],
    ['bob', 10, 10, 2, 1],
    ['alice', 0, 0, 1, 0],
  ].sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))));
});

test('startswith closes a transaction at its start event (as search, (search) or eval(…)); endswith begins one at its end event', async () => {
  const started = [['alice', 100, 660, 5, 1]];
  assert.deepEqual(await txns('startswith="status=201"'), started);
  assert.deepEqual(await txns('startswith=(status=201)'), started);
  assert.deepEqual(await txns('startswith=eval(status==201)'), started);
  assert.deepEqual(await txns('startswith="status=201" keepevicted=true'), [
    ['alice', 100, 660, 5, 1],
    ['bob', 10, 10, 2, 0],
    ['alice', 0, 50, 2, 0],
  ]);
  // endswith alone is no closing condition: every transaction, closed_txn 0.
  assert.deepEqual(await txns('endswith="status=404"'), [
    ['alice', 700, 60, 2, 0],
    ['bob', 10, 10, 2, 0],
    ['alice', 0, 200, 5, 0],
  ]);
  // Both: the transactions from a start to an end.
  assert.deepEqual(await txns('startswith="status=201" endswith="status=404"'), [['alice', 100, 100, 3, 1]]);
});

test('several fields: grouped by the combination when every event has all of them; otherwise the query fails naming the construct', async () => {
  const rows = await splRows(store, 'index=app user=* | transaction user client_ip | table user client_ip eventcount');
  assert.deepEqual(rows.map((r) => [r.user, r.client_ip, Number(r.eventcount)]), [
    ['bob', '198.51.100.21', 1],
    ['bob', '198.51.100.20', 1],
    ['alice', '198.51.100.10', 7],
  ]);
  await assert.rejects(splRows(store, 'index=app | eval u=if(status==404, null(), user) | transaction u client_ip'), /transaction: events having some but not all of the fields u, client_ip/);
});

test('transaction refuses what it does not reproduce, naming it', async () => {
  const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);
  refused('index=app | transaction user mvlist=true', /mvlist=true is not supported/);
  refused('index=app | transaction user keeporphans=true', /keeporphans=true is not supported/);
  refused('index=app | transaction user name=web', /transaction option 'name' is not supported: transaction types/);
  refused('index=app | transaction user endswith="status=404" maxspan=5m', /endswith= with maxspan= or maxpause= is not supported/);
  refused('index=app | transaction user maxspan=5x', /expected a time span/);
  refused('index=app | transaction user maxevents=0', /maxevents must be a whole number other than 0/);
  refused('index=app | stats count by user | transaction user', /transaction groups raw events/);
  refused('index=app | transaction user | rex field=_raw "(?<x>a)"', /_raw after transaction is not supported/);
  refused('index=app | transaction user startswith=', /expected a search in quotes/);
  refused('index=app | transaction user startswith="earliest=-1h"', /earliest= bounds the whole search/);
  refused('index=app | transaction user | table *', /transaction on raw events followed by a wildcard/);
});

/**
 * Splunk's algorithm, written out: events newest first, one open transaction per value; an event
 * closes the open one when a limit is passed, a start event closes it after joining.
 */
function reference(events: { key: string; t: number; sw: boolean }[], o: { maxspan?: number; maxpause?: number; maxevents?: number }) {
  type Txn = { key: string; latest: number; earliest: number; n: number; started: boolean };
  const open = new Map<string, Txn>();
  const all: Txn[] = [];
  for (const e of events) {
    let t = open.get(e.key);
    if (t && ((o.maxspan !== undefined && t.latest - e.t > o.maxspan) || (o.maxpause !== undefined && t.earliest - e.t > o.maxpause) || (o.maxevents !== undefined && t.n >= o.maxevents))) t = undefined;
    if (!t) {
      t = { key: e.key, latest: e.t, earliest: e.t, n: 0, started: false };
      open.set(e.key, t);
      all.push(t);
    }
    t.earliest = e.t;
    t.n++;
    if (e.sw) {
      t.started = true;
      open.delete(e.key);
    }
  }
  return all;
}

test('on the demo store, transaction agrees with Splunk\'s algorithm run over the events (user, _time, eventName)', async () => {
  const { rows } = await demoRows(demo, 'sourcetype=aws:cloudtrail user=* | table _time event_id user eventName');
  const secs = (v: unknown) => Date.parse(`${String(v).replace(' ', 'T')}Z`) / 1000;
  const events = rows.map((r) => ({ key: String(r.user), t: secs(r._time), id: String(r.event_id), sw: r.eventName === 'ConsoleLogin' }));
  events.sort((a, b) => b.t - a.t || a.id.localeCompare(b.id));
  const tmin = Math.min(...events.map((e) => e.t));
  assert.ok(events.length > 20 && new Set(events.map((e) => e.key)).size > 1, 'the demo store has CloudTrail events of several users');
  const cases: [string, Parameters<typeof reference>[1], boolean][] = [
    ['maxspan=60s', { maxspan: 60 }, false],
    ['maxpause=2m', { maxpause: 120 }, false],
    ['maxevents=5', { maxevents: 5 }, false],
    ['maxspan=5m maxevents=4', { maxspan: 300, maxevents: 4 }, false],
    ['startswith="eventName=ConsoleLogin"', {}, true],
  ];
  let cut = 0;
  for (const [options, o, starts] of cases) {
    const expected = reference(events.map((e) => ({ ...e, sw: starts && e.sw })), o)
      .map((t) => {
        const closed = (starts && t.started) || (o.maxevents !== undefined && t.n >= o.maxevents) || (o.maxpause !== undefined && t.earliest - tmin > o.maxpause) || (o.maxspan !== undefined && t.latest - tmin > o.maxspan);
        return [t.key, t.earliest, t.latest - t.earliest, t.n, closed ? 1 : 0];
      })
      .filter((t) => t[4] === 1)
      .sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])));
    const got = (await demoRows(demo, `sourcetype=aws:cloudtrail user=* | transaction user ${options} | table user _time duration eventcount closed_txn`)).rows;
    assert.deepEqual(got.map((r) => [r.user, secs(r._time), Number(r.duration), Number(r.eventcount), Number(r.closed_txn)]), expected, options);
    cut += expected.length;
  }
  assert.ok(cut > 10, 'the options cut the users\' events into several transactions');
});

test("maxopentxn/maxopenevents count the transactions open at once while reading, as Splunk does, not every transaction made", async () => {
  // 5,100 events of one user two minutes apart (with maxspan=1m, one open at a time: 5,100
  // transactions, each closed by the next, older event but the oldest), and 5,001 users whose one
  // event each falls in the same second (all open together at the end of the input).
  const dir = tempDir('packettrail-transaction-open-');
  const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 0, 0, s)).toISOString();
  const lines = [
    ...Array.from({ length: 5100 }, (_, i) => ({ time: at(i * 120), level: 'info', method: 'GET', url: 'https://app.example.com/u', status: 200, client_ip: '198.51.100.10', user: 'serial@corp.example' })),
    ...Array.from({ length: 5001 }, (_, i) => ({ time: at(1_000_000), level: 'info', method: 'GET', url: 'https://app.example.com/v', status: 200, client_ip: '198.51.100.11', user: `v${i}@corp.example` })),
  ];
  const log = join(dir, 'app.log');
  writeFileSync(log, `${lines.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const db = join(dir, 'open.duckdb');
  const r = cli(['ingest', '-q', '--threads', '0', '--db', db, log]);
  if (r.code !== 0) throw new Error(`ingest failed (${r.code}): ${r.err}`);
  const many = await DuckDbStore.open(db, { readOnly: true });
  try {
    assert.deepEqual(await splRows(many, 'index=app user=serial | transaction user maxspan=1m | stats count, sum(eventcount) as n'), [{ count: 5099, n: 5099 }]);
    assert.deepEqual(await splRows(many, 'index=app user=serial | transaction user maxspan=1m keepevicted=true | stats count'), [{ count: 5100 }]);
    // The serial user's transactions close while reading; the 5,001 others stay open together.
    await assert.rejects(splRows(many, 'index=app | transaction user maxspan=1m'), /transaction: more than 5000 transactions open at once: past Splunk's maxopentxn/);
    assert.deepEqual(await splRows(many, 'index=app user=v1* | transaction user maxspan=1m keepevicted=true | stats count'), [{ count: 1111 }]);
  } finally {
    await many.close();
  }
});
