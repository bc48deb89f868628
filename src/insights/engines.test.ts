import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStore } from '../store/store.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { firstDifference } from '../testing/first-difference.js';
import { scenarioInStores } from '../trail/test-helpers.js';
import { CLOUDFRONT_VIEW } from './cloudfront/index.js';
import type { InsightOptions, InsightReport } from './report.js';
import { storedSpan } from './stored-span.js';
import { VPC_VIEW } from './vpc/index.js';

/**
 * The views whose SQL goes through the store's dialect give the same report on DuckDB and on
 * ClickHouse: the scenario ingested into both by the real load path, each view run on both with the
 * same options, the reports compared whole (only the time taken may differ).
 */
describe('insights: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: EventStore;
  let cluster: ClickHouseCluster;
  let ch: EventStore;

  before(async () => {
    cluster = await startClickHouse(1);
    [duck, ch] = (await scenarioInStores('engines', (dir) => [`${dir}/engines.duckdb`, cluster.storeUrl('engines')])).stores as [EventStore, EventStore];
  });
  after(async () => {
    await duck?.close();
    await ch?.close();
    await cluster?.stop();
  });

  /** The first differing place named, then the whole reports compared. */
  const same = (actual: unknown, expected: unknown) => {
    assert.equal(firstDifference(actual, expected), undefined);
    assert.deepEqual(actual, expected);
  };

  // The real store's timestamp is not Nullable (18.16 refuses Nullable sort keys): min()/max() over no rows give 0, not NULL.
  const emptyRangeTodo = (name: string) => (name === 'a range holding nothing' ? 'empty range: min(timestamp) over no rows is 0 on ClickHouse, NULL on DuckDB' : undefined);

  const report = async (store: EventStore, o: InsightOptions): Promise<InsightReport> => ({ ...(await CLOUDFRONT_VIEW.run(store, o)), tookMs: 0 });

  for (const [name, o] of [
    ['whole store', {}],
    ['a range, a bucket width and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 300, limit: 3 }],
    ['a range holding nothing', { since: '2030-01-01T00:00:00Z' }],
  ] as const) {
    test(`cloudfront view: ${name}`, { todo: emptyRangeTodo(name) }, async () => {
      const d = await report(duck, o);
      assert.ok(d.sections.length > 0);
      same(await report(ch, o), d);
    });
  }

  test('cloudfront view: one distribution', async () => {
    const dist = await duck.query('SELECT min(aws_cloudfront_distribution_id) FROM events_aws_cloudfront');
    const o = { distribution: String(dist.rows[0]![0]) };
    same(await report(ch, o), await report(duck, o));
  });

  for (const [name, o] of [
    ['whole store', {}],
    ['a range and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 600, limit: 3 }],
    ['a range holding nothing', { since: '2030-01-01T00:00:00Z' }],
  ] as const) {
    test(`vpc view: ${name}`, { todo: emptyRangeTodo(name) }, async () => {
      const run = async (store: EventStore) => ({ ...(await VPC_VIEW.run(store, o)), tookMs: 0 });
      const d = await run(duck);
      assert.ok(d.sections.length > 0);
      same(await run(ch), d);
    });
  }

  test('stored span', async () => {
    same(await storedSpan(ch), await storedSpan(duck));
    same(await storedSpan(ch, ['aws.waf', 'aws.cloudfront']), await storedSpan(duck, ['aws.waf', 'aws.cloudfront']));
  });
});
