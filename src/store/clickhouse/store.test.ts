import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { tempDir } from '../../testing/tmp.js';
import { ingest } from '../../pipeline/ingest.js';
import { openStore } from '../open.js';
import type { EventStore } from '../store.js';
import { listFormats } from '../../formats/registry.js';
import { allColumns, columnsFor } from '../schema.js';
import { getFormat } from '../../formats/registry.js';
import { RowEncoder } from '../row-encoder.js';
import { ClickHouseStore } from './store.js';
import { CLI, generateScenario, testStoreUrl } from '../../testing/clickhouse-store.js';
import { NotAReadError, ResultTooLargeError } from '../bounds.js';

const skip = clickhouseSkip();
let single: ClickHouseCluster | undefined;
let pair: ClickHouseCluster | undefined;
let dir = '';
let scenario: { logs: string; bad: string };

before(async () => {
  if (skip) return;
  dir = tempDir('packettrail-ch-store-');
  scenario = generateScenario(join(dir, 'scenario'));
  single = await startClickHouse(1);
  pair = await startClickHouse(2);
});

after(async () => {
  await single?.stop();
  await pair?.stop();
});

async function load(db: string, inputs: string[], format = 'auto') {
  const r = await ingest({ inputs, db, format, threads: 0, deadLetterPath: join(dir, `dl-${Math.random()}.ndjson`), analyses: false });
  assert.equal(r.summary.stopped, undefined, JSON.stringify(r.summary.stopped));
  return r.summary;
}

async function rows(store: EventStore, sql: string, params?: Record<string, string | number | null>, rfc3339 = false): Promise<unknown[][]> {
  return (await store.query(sql, params, { rfc3339Timestamps: rfc3339 })).rows;
}

async function nodeSql(http: string, sql: string): Promise<string> {
  const res = await fetch(`${http}/`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: ${text}`);
  return text.trim();
}

/** Queries written to run on both engines (time rendered, parameters bound, aggregates, the view). */
const PARITY_QUERIES: { sql: string; params?: Record<string, string | number | null> }[] = [
  { sql: 'SELECT event_dataset, count(*) AS n FROM events GROUP BY event_dataset ORDER BY event_dataset' },
  { sql: 'SELECT event_id, timestamp, source_ip, url_path, http_response_status_code, http_request_id FROM events_aws_cloudfront ORDER BY timestamp, event_id LIMIT 40' },
  { sql: 'SELECT source_ip, count(*) AS n, max(http_response_bytes) AS most, min(timestamp) AS first FROM events_aws_cloudfront GROUP BY source_ip ORDER BY n DESC, source_ip LIMIT 15' },
  { sql: 'SELECT event_dataset, event_id, timestamp FROM events WHERE source_ip = $ip ORDER BY timestamp, event_id LIMIT 30', params: { ip: '10.0.1.15' } },
  { sql: "SELECT count(*) AS n FROM events WHERE timestamp >= $since AND event_dataset <> 'x'", params: {} },
  { sql: 'SELECT path, dataset, records, events, stored, duplicates, rejected, skipped, bytes FROM ingested_files ORDER BY path' },
  { sql: 'SELECT source, line, dataset, reason, record FROM dead_letters ORDER BY source, line' },
];

test('ingest of the same logs into DuckDB, one ClickHouse node and a two-shard cluster: same counts, rows, times, files and dead letters; a re-ingest stores 0', { skip }, async () => {
  const duck = join(dir, 'parity.duckdb');
  const stores = [duck, testStoreUrl(single!, 'parity'), testStoreUrl(pair!, 'parity')];
  const firsts = [];
  for (const db of stores) {
    firsts.push(await load(db, [scenario.logs]));
    await load(db, [scenario.bad], 'aws.vpcflow');
  }
  assert.ok(firsts[0]!.sources.length > 20);
  for (const s of firsts.slice(1)) assert.deepEqual(s.sources.map((x) => [x.source, x.stored]), firsts[0]!.sources.map((x) => [x.source, x.stored]));
  const opened = await Promise.all(stores.map((db) => openStore(db, { readOnly: true })));
  try {
    // 2026-11-20 08:30 UTC: a time given as a parameter compares with stored times on both engines.
    const since = opened.map((s) => (s.dialect.name === 'clickhouse' ? 1795163400 : '2026-11-20 08:30:00'));
    for (const q of PARITY_QUERIES) {
      for (const rfc of [false, true]) {
        const results: unknown[][][] = [];
        for (const [i, s] of opened.entries()) results.push(await rows(s, q.sql.replace('$since', s.dialect.name === 'clickhouse' ? `toDecimal64(${since[i]}, 3)` : `CAST('${since[i]}' AS TIMESTAMP)`), q.params, rfc));
        assert.ok(results[0]!.length > 0, `${q.sql} returns rows`);
        for (const [i, r] of results.entries()) {
          const first = r.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(results[0]![k]));
          assert.ok(first < 0 && r.length === results[0]!.length, `${stores[i]}: ${q.sql}: first differing row ${first}: ${JSON.stringify(r[first])} vs DuckDB ${JSON.stringify(results[0]![first])}`);
        }
      }
    }
    const deadLetters = await rows(opened[1]!, 'SELECT count(*) FROM dead_letters');
    assert.equal(deadLetters[0]![0], 2);
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
  for (const db of stores.slice(1)) {
    const again = await load(db, [scenario.logs]);
    assert.equal(again.sources.reduce((n, s) => n + (s.stored ?? 0), 0), 0, `${db}: a re-ingest stores nothing`);
    assert.equal(again.sources.reduce((n, s) => n + (s.duplicates ?? 0), 0), firsts[0]!.sources.reduce((n, s) => n + s.events, 0));
  }
  for (const node of pair!.nodes) {
    const tables = (await nodeSql(node.http, "SELECT name, engine FROM system.tables WHERE database = 'parity' ORDER BY name FORMAT TSV")).split('\n');
    for (const t of ['alerts', 'dead_letters', 'ingested_files', 'saved_searches', 'events_aws_cloudfront']) {
      assert.ok(tables.includes(`${t}\tDistributed`), `${node.http}: ${t} Distributed`);
      assert.ok(tables.includes(`${t}_local\tMergeTree`), `${node.http}: ${t}_local MergeTree`);
    }
    assert.ok(tables.includes('events\tView'), `${node.http}: the events view`);
    // Rows reached both shards.
    assert.ok(Number(await nodeSql(node.http, 'SELECT count() FROM parity.events_aws_cloudfront_local')) > 0);
  }
});

/** A staged file of `events` for `dataset`, as StoreSink writes it. */
function staged(name: string, dataset: string, events: Record<string, unknown>[]) {
  const columns = columnsFor(getFormat(dataset));
  const encoder = new RowEncoder(columns);
  const file = join(dir, name);
  writeFileSync(file, events.map((e) => encoder.encode(e as never) + '\n').join(''));
  const used = encoder.takeUsed().map((i) => columns[i]!);
  return { file, dataset, columns, used, minTime: '2026-11-20 08:00:00.000', maxTime: '2026-11-20 09:00:00.000' };
}

const HOSTILE = ["it's", 'back\\slash', 'tab\there', 'new\nline', 'nul\0byte', 'quote"d', 'unicode ✓ 😀', "x'); DROP TABLE events; --", '$name inside', '/* comment */ -- too', '\\N'];

test('ensureSchema on one node and on two shards; a new column reaches every node; hostile values are stored and read back exactly', { skip }, async () => {
  for (const cluster of [single!, pair!]) {
    const store = await ClickHouseStore.open(testStoreUrl(cluster, 'schema'));
    try {
      await store.ensureSchema(allColumns(listFormats()));
      const base = { '@timestamp': '2026-11-20T08:00:00.125Z', event: { dataset: 'app.json', kind: 'event' } };
      const first = staged('a.tsv', 'app.json', HOSTILE.map((v, i) => ({ ...base, event: { ...base.event, id: `id-${i}` }, message: v })));
      assert.equal(await store.loadStaged(first), HOSTILE.length);
      const wider = staged('b.tsv', 'app.json', [{ ...base, event: { ...base.event, id: 'id-new' }, message: 'm', http: { request: { method: 'POST' } }, source: { ip: '10.1.2.3' } }]);
      assert.equal(await store.loadStaged(wider), 1);
      assert.equal(await store.loadStaged(wider), 0, 'loaded again: nothing new');
      for (const node of cluster.nodes) {
        const tables = cluster.nodes.length > 1 ? ['events_app_json_local', 'events_app_json'] : ['events_app_json'];
        for (const t of tables) {
          assert.equal(await nodeSql(node.http, `SELECT count() FROM system.columns WHERE database = 'schema' AND table = '${t}' AND name IN ('http_request_method', 'source_ip')`), '2', `${node.http} ${t}`);
        }
      }
      const back = await store.query('SELECT message FROM events_app_json WHERE event_id LIKE $p ORDER BY event_id', { p: 'id-%' });
      assert.deepEqual(back.rows.map((r) => r[0]).sort(), [...HOSTILE, 'm'].sort());
      const viaView = await store.query('SELECT count(*) AS n, min(timestamp) AS t FROM events WHERE event_dataset = $d', { d: 'app.json' });
      assert.deepEqual(viaView.rows, [[HOSTILE.length + 1, '2026-11-20 08:00:00.125']]);
    } finally {
      await store.close();
    }
  }
});

test('a batch overlapping stored rows stores only its new ones, whether the client or the server leaves the stored ids out, on one node and two shards', { skip }, async () => {
  const base = { '@timestamp': '2026-11-20T08:00:00.125Z', event: { dataset: 'app.json', kind: 'event' } };
  const events = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ ...base, event: { ...base.event, id: `ov-${from + i}` }, message: `m${from + i}` }));
  for (const cluster of [single!, pair!]) {
    for (const clientDedupMaxIds of [undefined, 0]) {
      const db = `overlap_${clientDedupMaxIds ?? 'client'}`;
      const store = await ClickHouseStore.open(testStoreUrl(cluster, db), { clientDedupMaxIds });
      try {
        await store.ensureSchema(allColumns(listFormats()));
        assert.equal(await store.loadStaged(staged('o1.tsv', 'app.json', events(0, 10))), 10);
        assert.equal(await store.loadStaged(staged('o2.tsv', 'app.json', events(5, 15))), 5, `${db}: only the 5 new rows`);
        assert.equal(await store.loadStaged(staged('o3.tsv', 'app.json', events(0, 15))), 0, `${db}: nothing new`);
        const r = await store.query('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events_app_json');
        assert.deepEqual(r.rows, [[15, 15]], `${cluster.nodes.length} node(s), ${db}`);
      } finally {
        await store.close();
      }
    }
  }
});

test('hostile parameter values come back exactly: nothing escapes the literal they are written as', { skip }, async () => {
  const store = await ClickHouseStore.open(testStoreUrl(single!, 'literals'));
  try {
    for (const v of [...HOSTILE, "'", "\\'", "''", '\\', '\ud83d\ude00', '-- x\n1', '\u2028\u2029\x7f\x01']) {
      const r = await store.query(`SELECT $v AS v, '$v' AS text -- $v\n, $n AS n /* $v */`, { v, n: -3 });
      assert.deepEqual(r.rows, [[v, '$v', -3]], JSON.stringify(v));
    }
  } finally {
    await store.close();
  }
});

test('query bounds on ClickHouse: maxRows says more, maxResultBytes refuses, readsOnly refuses writes, an abort stops the server query', { skip }, async () => {
  const store = await ClickHouseStore.open(testStoreUrl(single!, 'bounds'));
  try {
    const capped = await store.query('SELECT number FROM system.numbers LIMIT 100000', undefined, { maxRows: 5 });
    assert.deepEqual([capped.rows.length, capped.more], [5, true]);
    assert.deepEqual(capped.columns, [{ name: 'number', type: 'UBIGINT' }]);
    await assert.rejects(store.query("SELECT arrayStringConcat(arrayMap(x -> 'x', range(1000))) FROM system.numbers LIMIT 1000", undefined, { maxResultBytes: 10_000 }), ResultTooLargeError);
    await assert.rejects(store.query('CREATE TABLE sneaky (a UInt8) ENGINE = Memory', undefined, { readsOnly: true }), NotAReadError);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stopped by the test')), 300);
    await assert.rejects(store.query('SELECT count() FROM system.numbers WHERE NOT ignore(sipHash64(number))', undefined, { signal: controller.signal }), /stopped by the test/);
    assert.ok(Date.now() - started < 10_000);
    let running = '1';
    for (let i = 0; i < 50 && running !== '0'; i++) {
      running = await nodeSql(single!.http, "SELECT count() FROM system.processes WHERE query LIKE '%sipHash64(number)%' AND query NOT LIKE '%system.processes%'");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(running, '0', 'the query was killed on the server');
  } finally {
    await store.close();
  }
});

test('packettrail query --store (and PACKETTRAIL_STORE) prints what query --db prints for the same SQL; a bad store is named without its password', { skip }, async () => {
  const sql = 'SELECT event_dataset, count(*) AS n, min(timestamp) AS first FROM events GROUP BY event_dataset ORDER BY event_dataset';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, 'query', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const duck = run(['--db', join(dir, 'parity.duckdb'), '-o', 'json', sql]);
  assert.equal(duck.status, 0, duck.stderr);
  const url = testStoreUrl(single!, 'parity');
  const viaStore = run(['--store', url, '-o', 'json', sql]);
  assert.equal(viaStore.status, 0, viaStore.stderr);
  assert.equal(viaStore.stdout, duck.stdout);
  const viaEnv = run(['-o', 'json', sql], { PACKETTRAIL_STORE: url });
  assert.equal(viaEnv.stdout, duck.stdout);
  const table = run(['--store', url, 'SELECT count(*) AS n FROM events_aws_cloudfront']);
  assert.match(table.stdout, /\(1 row\)/);
  // A statement that does not begin as a read is refused before it is sent, saying what a read begins with.
  const mistake = run(['--store', url, 'SELEC 1']);
  assert.equal(mistake.status, 2, mistake.stderr);
  assert.match(mistake.stderr, /query is not valid: SELEC refused: .* is open for reading only: a statement begins with SELECT, WITH/);
  // A read the server cannot parse is named as such.
  const garbled = run(['--store', url, 'SELECT FROM WHERE']);
  assert.equal(garbled.status, 2, garbled.stderr);
  assert.match(garbled.stderr, /query is not valid: .*Syntax error/);
  const both = run(['--store', url, '--db', 'x.duckdb', sql]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--db or --store, not both/);
  const unreachable = run(['--store', 'clickhouse://me:hunter2@127.0.0.1:1/db', sql]);
  assert.notEqual(unreachable.status, 0);
  assert.match(unreachable.stderr, /cannot open the store clickhouse:\/\/me:\*\*\*@127\.0\.0\.1:1\/db/);
  assert.ok(!unreachable.stderr.includes('hunter2'), unreachable.stderr);
  const badUrl = run(['--store', 'clickhouse://me:hunter2@127.0.0.1/db?cluster=x;y', sql]);
  assert.equal(badUrl.status, 2);
  assert.ok(!badUrl.stderr.includes('hunter2') && /cluster name must be/.test(badUrl.stderr), badUrl.stderr);
});
