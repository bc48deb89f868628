import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import type { Incident } from '../generate/model.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { buildTrail, type Trail } from './index.js';
import { lookupSql, type QueryContext } from './joins/lookup.js';
import { tableCatalog } from './rows.js';
import { scenarioStore } from './test-helpers.js';

let plain: DuckDbStore;
let indexed: DuckDbStore;
let incidents: Incident[];

before(async () => {
  let db: string;
  ({ store: plain, db, incidents } = await scenarioStore('trail-indexes'));
  const copy = db.replace(/\.duckdb$/, '-indexed.duckdb');
  copyFileSync(db, copy);
  const w = await DuckDbStore.open(copy);
  try {
    assert.ok((await w.createIndexes()).filter((o) => o.status === 'created').length >= 5);
  } finally {
    await w.close();
  }
  indexed = await DuckDbStore.open(copy, { readOnly: true });
});
after(async () => {
  await plain.close();
  await indexed.close();
});

/** The trail without its timing and query count: what a user reads. */
const content = (t: Trail) => JSON.stringify({ ...t, tookMs: 0, queries: 0 });

test('every incident request id gives the same trail with and without the trail indexes', async () => {
  // Two per incident keep the test short; every incident's hops are covered.
  const ids = incidents.flatMap((i) => [...new Set(i.events.filter((e) => e.dataset === 'aws.cloudfront' || e.dataset === 'aws.waf').map((e) => String(e.match['http.request.id'] ?? '')).filter(Boolean))].slice(0, 2));
  const unique = [...new Set(ids)];
  assert.ok(unique.length >= 5, `${unique.length} request ids`);
  for (const id of unique) {
    const [a, b] = [await buildTrail(plain, { requestId: id }), await buildTrail(indexed, { requestId: id })];
    assert.equal(content(b), content(a), id);
  }
  // A bulk CloudFront line no other source logged, and an alert: the same too.
  const bulk = (await plain.query(`SELECT http_request_id FROM events_aws_cloudfront ORDER BY event_id LIMIT 1 OFFSET 17`)).rows[0]![0] as string;
  assert.equal(content(await buildTrail(indexed, { requestId: bulk })), content(await buildTrail(plain, { requestId: bulk })));
});

test('with the indexes, exact-id lookups drop the time bounds so DuckDB fetches through the index', async () => {
  const ctx: QueryContext = { store: indexed, catalog: await tableCatalog(indexed), queries: 0 };
  assert.ok(ctx.catalog.indexed.get('events_aws_cloudfront')?.has('http_request_id'));
  const byId = lookupSql(ctx, { station: 'edge', conditions: [{ column: 'http_request_id', value: 'x==' }], from: 0, to: 1, center: 0 })!;
  assert.equal(byId.byIndex, true);
  assert.doesNotMatch(byId.sql, /timestamp/);
  const plan = (await indexed.query(`EXPLAIN ANALYZE ${byId.sql}`, byId.params)).rows.map((r) => String(r[1])).join('\n');
  assert.match(plan, /Index Scan/i);
  // Not by an indexed column, or the index disabled: the time window as before.
  const bySocket = lookupSql(ctx, { station: 'edge', conditions: [{ column: 'source_ip', value: '192.0.2.1' }], from: 0, to: 1, center: 0 })!;
  assert.equal(bySocket.byIndex, false);
  assert.match(bySocket.sql, /"timestamp" BETWEEN/);
  assert.equal(lookupSql(ctx, { station: 'edge', conditions: [{ column: 'http_request_id', value: 'x==' }], from: 0, to: 1, center: 0 }, false)!.byIndex, false);
  const plainCtx: QueryContext = { store: plain, catalog: await tableCatalog(plain), queries: 0 };
  assert.equal(lookupSql(plainCtx, { station: 'edge', conditions: [{ column: 'http_request_id', value: 'x==' }], from: 0, to: 1, center: 0 })!.byIndex, false);
});
