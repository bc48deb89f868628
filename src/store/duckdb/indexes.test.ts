import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../pipeline/ingest.js';
import { tempDir } from '../../testing/tmp.js';
import { DuckDbStore, megabytes } from './duckdb-store.js';
import { singleColumn, TRAIL_INDEXES } from './indexes.js';

const HEADER = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';
const line = (time: string, id: string) => `2026-11-20\t${time}\tLAX1\t392\t192.0.2.7\tGET\td1.cloudfront.net\t/\t200\t-\tcurl/8.5.0\t-\t-\tHit\t${id}\tapp.example.com\thttps\t23\t0.001`;

async function load(dir: string, db: string, name: string, ids: string[], index = false) {
  const logs = join(dir, name);
  mkdirSync(logs);
  writeFileSync(join(logs, `E2EXAMPLE.2026-11-20-10.${name}.log`), `${HEADER}\n${ids.map((id, i) => line(`10:00:${String(i).padStart(2, '0')}`, id)).join('\n')}\n`);
  return ingest({ inputs: [logs], db, format: 'aws.cloudfront', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'), analyses: false, index });
}

const indexNames = async (store: DuckDbStore) => (await store.query(`SELECT index_name FROM duckdb_indexes() ORDER BY 1`)).rows.map((r) => String(r[0]));
/** Whether DuckDB answers the lookup by the id from the index (EXPLAIN ANALYZE names the scan type it ran). */
const usesIndex = async (store: DuckDbStore, id: string) =>
  /Index Scan/i.test((await store.query(`EXPLAIN ANALYZE SELECT * FROM events_aws_cloudfront WHERE http_request_id = $id`, { id })).rows.map((r) => String(r[1])).join('\n'));

test('DuckDB index expressions: a plain column is one, anything else is not', () => {
  assert.equal(singleColumn('[http_request_id]'), 'http_request_id');
  assert.equal(singleColumn(['"trace_id"']), 'trace_id');
  assert.equal(singleColumn('[a, b]'), undefined);
  assert.equal(singleColumn('[hash(http_request_id)]'), undefined);
  assert.deepEqual(['512MB', '1GB', '1.5 GiB', '64KB', 'lots'].map(megabytes), [512, 1024, 1536, 1 / 16, 0], 'memory sizes for the index build');
  assert.equal(new Set(TRAIL_INDEXES.map((s) => `${s.dataset}.${s.column}`)).size, TRAIL_INDEXES.length, 'no duplicates');
});

test('trail indexes: created for the tables present, idempotent, used by id lookups, kept up to date by later loads, dropped', async () => {
  const dir = tempDir();
  const db = join(dir, 'store.duckdb');
  await load(dir, db, 'a', ['one==', 'two==']);
  const store = await DuckDbStore.open(db);
  try {
    assert.equal(await usesIndex(store, 'one=='), false);
    const first = await store.createIndexes();
    assert.deepEqual(first.filter((o) => o.status === 'created').map((o) => `${o.table}.${o.column}`), ['events_aws_cloudfront.http_request_id']);
    assert.ok(first.filter((o) => o.table !== 'events_aws_cloudfront').every((o) => o.status === 'skipped'), 'tables that do not exist are skipped');
    const again = await store.createIndexes();
    assert.deepEqual(again.filter((o) => o.status !== 'skipped').map((o) => o.status), ['exists']);
    assert.deepEqual(await indexNames(store), ['trail_events_aws_cloudfront_http_request_id']);
    assert.equal(await usesIndex(store, 'one=='), true);
  } finally {
    await store.close();
  }
  // A plain ingest into the indexed store: DuckDB maintains the index, new ids are found through it.
  await load(dir, db, 'b', ['three==']);
  const after = await DuckDbStore.open(db);
  try {
    assert.deepEqual(await indexNames(after), ['trail_events_aws_cloudfront_http_request_id']);
    assert.deepEqual((await after.query(`SELECT url_domain FROM events_aws_cloudfront WHERE http_request_id = $id`, { id: 'three==' })).rows, [['app.example.com']]);
    assert.deepEqual(await after.dropIndexes(), ['trail_events_aws_cloudfront_http_request_id']);
    assert.deepEqual(await indexNames(after), []);
    assert.equal(await usesIndex(after, 'one=='), false);
  } finally {
    await after.close();
  }
  // ingest --index: created after the load when missing, left alone when present.
  const r = await load(dir, db, 'c', ['four=='], true);
  assert.deepEqual(r.indexes?.filter((o) => o.status === 'created').map((o) => o.name), ['trail_events_aws_cloudfront_http_request_id']);
  const again = await load(dir, db, 'd', ['five=='], true);
  assert.deepEqual(again.indexes?.filter((o) => o.status !== 'skipped').map((o) => o.status), ['exists']);
  const last = await DuckDbStore.open(db, { readOnly: true });
  try {
    assert.deepEqual(await indexNames(last), ['trail_events_aws_cloudfront_http_request_id']);
    assert.equal((await last.query(`SELECT count(*) FROM events_aws_cloudfront`)).rows[0]![0], 5);
    await assert.rejects(last.createIndexes(), /read-only/);
  } finally {
    await last.close();
  }
});
