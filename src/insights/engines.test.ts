import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../detect/types.js';
import type { EventStore } from '../store/store.js';
import { clickhouseSkip } from '../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../testing/engine-scenario.js';
import { firstDifference } from '../testing/first-difference.js';
import type { CoverageOptions } from './coverage/silence.js';
import type { InsightOptions, InsightReport } from './report.js';
import { storedSpan } from './stored-span.js';
import { INGEST_ANALYSES, INSIGHT_VIEWS } from './views.js';
import type { VpcInsightOptions } from './vpc/view.js';
import { readFlowRows, readInterfaceAddresses } from './vpcflow/flow-rows.js';

/** Options a view is run with: fixed, or read from the store (a distribution that exists). */
type OptionSet = [name: string, options: InsightOptions | ((duck: EventStore) => Promise<InsightOptions>)];

const WHOLE: OptionSet = ['whole store', {}];
const NOTHING: OptionSet = ['a range holding nothing', { since: '2030-01-01T00:00:00Z' }];
const oneDistribution: OptionSet = ['one distribution', async (duck) => {
  const r = await duck.query('SELECT min(aws_cloudfront_distribution_id) FROM events_aws_cloudfront');
  return { distribution: String(r.rows[0]![0]) };
}];

/** Silences of ten minutes count, whatever the usual gap: the scenario's quieter sources have some. */
const SHORT_SILENCES: CoverageOptions = { minSilenceSeconds: 600, factor: 1 };

/** The VPC view's diagnosis of rejected connections (flow records read row by row). */
const DIAGNOSE: VpcInsightOptions = { diagnose: true, since: '2026-11-20T08:30:00Z' };

/**
 * Every view of INSIGHT_VIEWS with the option sets it is compared with (a view missing here fails
 * the test: a new view must say how it is exercised). The scenario runs 2026-11-20 08:00–10:00 UTC.
 */
const OPTION_SETS: Record<string, OptionSet[]> = {
  cloudtrail: [WHOLE, ['a range and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:40:00Z', limit: 3 }], NOTHING],
  vpc: [WHOLE, ['a range and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 600, limit: 3 }], NOTHING, ['rejections diagnosed', DIAGNOSE]],
  coverage: [WHOLE, ['a range and a bucket width', { since: '2026-11-20T08:20:00Z', until: '2026-11-20T09:50:00Z', bucketSeconds: 120 }], NOTHING, ['short silences', SHORT_SILENCES]],
  cloudfront: [WHOLE, ['a range, a bucket width and a short top list', { since: '2026-11-20T08:30:00Z', until: '2026-11-20T09:10:00Z', bucketSeconds: 300, limit: 3 }], NOTHING, oneDistribution],
  anomalies: [WHOLE, ['a range', { since: '2026-11-20T09:00:00Z', until: '2026-11-20T09:50:00Z' }], NOTHING, oneDistribution],
};

/** The report without the time it took (the only field that may differ). */
const report = async (view: (typeof INSIGHT_VIEWS)[number], store: EventStore, o: InsightOptions): Promise<InsightReport> => ({ ...(await view.run(store, o)), tookMs: 0 });

/** The first differing place named, then the whole values compared. */
function same(actual: unknown, expected: unknown, what: string): void {
  const difference = firstDifference(actual, expected);
  assert.equal(difference, undefined, `${what}: ${difference}`);
  assert.deepEqual(actual, expected);
}

/**
 * Every insights view and every post-ingest analysis gives the same answer on DuckDB, on one
 * ClickHouse node and on the two-shard cluster: the scenario ingested into all three by the real
 * load path, each view run with the same options, the reports compared whole (only the time taken
 * may differ).
 */
describe('insights: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: EventStore;
  let scenario: EngineScenario | undefined;
  const engines: [string, EventStore][] = [];

  before(async () => {
    scenario = await engineScenario({ single: true, pair: true });
    duck = scenario.duck;
    engines.push(['one node', scenario.single!.store], ['two shards', scenario.pair!.store]);
  });
  after(() => scenario?.close());

  test('every view has option sets', () => {
    assert.deepEqual(INSIGHT_VIEWS.map((v) => v.id).filter((id) => !OPTION_SETS[id]), []);
  });

  for (const view of INSIGHT_VIEWS) {
    for (const [name, options] of OPTION_SETS[view.id] ?? []) {
      test(`${view.id} view: ${name}`, async () => {
        const o = typeof options === 'function' ? await options(duck) : options;
        const expected = await report(view, duck, o);
        assert.ok(expected.sections.length > 0);
        for (const [engine, store] of engines) {
          let actual: InsightReport;
          try {
            actual = await report(view, store, o);
          } catch (e) {
            throw new Error(`${view.id} view, ${name}, ${engine}: ${(e as Error).message}`);
          }
          same(actual, expected, `${view.id} view, ${name} (${JSON.stringify(o)}), ${engine}`);
        }
      });
    }
  }

  // An analysis's alerts in a fixed order (the order they are found in is not part of the answer),
  // without the time each was built.
  const alertsOf = (alerts: Alert[]) => [...alerts].sort((a, b) => a.event.id.localeCompare(b.event.id)).map((a) => ({ ...a, event: { ...a.event, created: undefined } }));
  // Options under which each analysis finds something in the scenario.
  const ANALYSIS_OPTIONS: Record<string, InsightOptions> = { coverage: SHORT_SILENCES };

  for (const analysis of INGEST_ANALYSES) {
    test(`post-ingest analysis ${analysis.id}`, async () => {
      const o = ANALYSIS_OPTIONS[analysis.id] ?? {};
      const expected = alertsOf(await analysis.run(duck, o));
      assert.ok(expected.length > 0, `${analysis.id} finds something in the scenario`);
      for (const [engine, store] of engines) same(alertsOf(await analysis.run(store, o)), expected, `${analysis.id}, ${engine}`);
    });
  }

  test('vpcflow diagnose: flow records and interface addresses', async () => {
    for (const q of [{ rejectedOnly: true, limit: 10_000 }, { rejectedOnly: false, limit: 25, sinceMs: Date.parse('2026-11-20T08:40:00Z') }, { rejectedOnly: false, limit: 10_000, port: 3389 }]) {
      const expected = await readFlowRows(duck, q);
      assert.ok(expected.rows.length > 0, JSON.stringify(q));
      const addresses = [...(await readInterfaceAddresses(duck, q))];
      for (const [engine, store] of engines) {
        same(await readFlowRows(store, q), expected, `flow rows ${JSON.stringify(q)}, ${engine}`);
        same([...(await readInterfaceAddresses(store, q))], addresses, `interface addresses ${JSON.stringify(q)}, ${engine}`);
      }
    }
  });

  test('stored span', async () => {
    for (const [engine, store] of engines) {
      same(await storedSpan(store), await storedSpan(duck), engine);
      same(await storedSpan(store, ['aws.waf', 'aws.cloudfront']), await storedSpan(duck, ['aws.waf', 'aws.cloudfront']), engine);
    }
  });
});
