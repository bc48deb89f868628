import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident } from '../generate/model.js';
import { ALERTS_TABLE } from '../store/duckdb/alerts.js';
import type { EventStore } from '../store/store.js';
import { clickhouseSkip } from '../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../testing/engine-scenario.js';
import { firstDifference } from '../testing/first-difference.js';
import { buildTrail, TrailNotFoundError, type Trail, type TrailQuery } from './index.js';

/**
 * The trail built through the store's dialect gives the same answer on DuckDB, on one ClickHouse
 * node and on a two-shard ClickHouse cluster: the scenario ingested into each by the real load path
 * (with detection, so the alerts are stored too), every incident's trail built on all three (by
 * request id, by alert, by URL), compared whole (only the time taken may differ).
 */
describe('trails: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: EventStore;
  let incidents: Incident[];
  let scenario: EngineScenario | undefined;
  let others: { name: string; store: EventStore }[] = [];

  before(async () => {
    scenario = await engineScenario({ single: true, pair: true });
    ({ incidents, duck } = scenario);
    others = [{ name: 'one node', store: scenario.single!.store }, { name: 'two shards', store: scenario.pair!.store }];
  });
  after(() => scenario?.close());

  const trailOn = async (store: EventStore, q: TrailQuery): Promise<Trail | string> => {
    try {
      // The query count depends on what the store's catalog cache (30 s) still holds, not on the engine.
      // event.ingested is when each store's ingest ran.
      const t = { ...(await buildTrail(store, q)), tookMs: 0, queries: 0 };
      return JSON.parse(JSON.stringify(t, (k, v: unknown) => (k === 'ingested' ? undefined : v))) as Trail;
    } catch (e) {
      if (e instanceof TrailNotFoundError) return `not found: ${e.message}`;
      throw e;
    }
  };

  const same = async (q: TrailQuery) => {
    const d = await trailOn(duck, q);
    for (const o of others) {
      const c = await trailOn(o.store, q);
      assert.equal(firstDifference(c, d), undefined, `${o.name}: ${JSON.stringify(q)}`);
      assert.deepEqual(c, d);
    }
    return d;
  };

  // CloudFront and WAF hold each request id, in tables of equal size: the smallest is searched (and
  // anchors) first, so a cluster's sizes must be its shards' sum, and equal ones keep one order.
  test('every incident by request id (its first and last request)', async () => {
    let found = 0;
    for (const inc of incidents) {
      const ids = [...new Set(inc.events.map((e) => e.match['http.request.id']).filter((id) => id !== undefined).map(String))];
      for (const id of new Set([ids[0], ids[ids.length - 1]])) {
        if (id === undefined) continue;
        const t = await same({ requestId: id });
        if (typeof t !== 'string') found++;
      }
    }
    assert.ok(found >= 3, `${found} trails by request id`);
  });

  // The proxy hop's 'SSL inspection' fact reads a boolean column (ClickHouse stores UInt8).
  test('every alert', async () => {
    const alerts = await duck.query(`SELECT id FROM ${ALERTS_TABLE} ORDER BY id`);
    assert.ok(alerts.rows.length >= 5);
    // One alert per rule: alerts of a rule start trails the same way.
    const byRule = await duck.query(`SELECT min(id) FROM ${ALERTS_TABLE} GROUP BY rule_id ORDER BY 1`);
    for (const [id] of byRule.rows) await same({ alertId: String(id) });
  });

  test('by URL, with and without a user and a time', async () => {
    const r = await duck.query(`SELECT url_full, user_name, "timestamp" FROM events_zscaler_zia WHERE url_full IS NOT NULL ORDER BY "timestamp", event_id LIMIT 5`);
    assert.ok(r.rows.length > 0);
    for (const [url, user, ts] of r.rows.map((row) => row.map(String))) {
      await same({ url: url! });
      await same({ url: url!, user: user!, at: `${ts!.replace(' ', 'T')}Z`, windowSeconds: 60 });
    }
    await same({ url: 'https://nothing-here.example/' });
  });
});
