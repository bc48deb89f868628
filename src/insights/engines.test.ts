import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { EventStore } from '../store/store.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { ClickHouseTestStore, copyTables } from '../testing/clickhouse-query.js';
import { scenarioStore } from '../trail/test-helpers.js';
import { CLOUDFRONT_VIEW } from './cloudfront/index.js';
import type { InsightOptions, InsightReport } from './report.js';
import { storedSpan } from './stored-span.js';
import { VPC_VIEW } from './vpc/index.js';

/**
 * The views whose SQL goes through the store's dialect give the same report on DuckDB and on
 * ClickHouse: the scenario's tables copied row for row into a ClickHouse node, each view run on
 * both with the same options, the reports compared whole (only the time taken may differ).
 */
describe('insights: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: DuckDbStore;
  let cluster: ClickHouseCluster;
  let ch: ClickHouseTestStore;

  before(async () => {
    ({ store: duck } = await scenarioStore('engines'));
    cluster = await startClickHouse(1);
    ch = new ClickHouseTestStore(cluster.http, await copyTables(duck, cluster.http, [...(await duck.datasetColumns()).keys()]));
  });
  after(async () => {
    await duck?.close();
    await cluster?.stop();
  });

  const report = async (store: EventStore, o: InsightOptions): Promise<InsightReport> => ({ ...(await CLOUDFRONT_VIEW.run(store, o)), tookMs: 0 });

  for (const [name, o] of [
    ['whole store', {}],
    ['a range, a bucket width and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 300, limit: 3 }],
    ['a range holding nothing', { since: '2030-01-01T00:00:00Z' }],
  ] as const) {
    test(`cloudfront view: ${name}`, async () => {
      const d = await report(duck, o);
      assert.ok(d.sections.length > 0);
      assert.deepEqual(await report(ch, o), d);
    });
  }

  test('cloudfront view: one distribution', async () => {
    const dist = await duck.query('SELECT min(aws_cloudfront_distribution_id) FROM events_aws_cloudfront');
    const o = { distribution: String(dist.rows[0]![0]) };
    assert.deepEqual(await report(ch, o), await report(duck, o));
  });

  for (const [name, o] of [
    ['whole store', {}],
    ['a range and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 600, limit: 3 }],
    ['a range holding nothing', { since: '2030-01-01T00:00:00Z' }],
  ] as const) {
    test(`vpc view: ${name}`, async () => {
      const run = async (store: EventStore) => ({ ...(await VPC_VIEW.run(store, o)), tookMs: 0 });
      const d = await run(duck);
      assert.ok(d.sections.length > 0);
      assert.deepEqual(await run(ch), d);
    });
  }

  test('stored span', async () => {
    assert.deepEqual(await storedSpan(ch), await storedSpan(duck));
    assert.deepEqual(await storedSpan(ch, ['aws.waf', 'aws.cloudfront']), await storedSpan(duck, ['aws.waf', 'aws.cloudfront']));
  });
});
