import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident } from '../generate/model.js';
import { ALERTS_TABLE } from '../store/duckdb/alerts.js';
import type { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { ClickHouseTestStore, copyTables } from '../testing/clickhouse-query.js';
import { buildTrail, TrailNotFoundError, type Trail, type TrailQuery } from './index.js';
import { scenarioStore } from './test-helpers.js';

/**
 * The trail built through the store's dialect gives the same answer on DuckDB and on ClickHouse:
 * the scenario's tables copied row for row into a ClickHouse node, every incident's trail built on
 * both (by request id, by alert, by URL), compared whole (only the time taken may differ).
 */
describe('trails: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: DuckDbStore;
  let incidents: Incident[];
  let cluster: ClickHouseCluster;
  let ch: ClickHouseTestStore;

  before(async () => {
    ({ store: duck, incidents } = await scenarioStore('engines'));
    cluster = await startClickHouse(1);
    const tables = [...(await duck.datasetColumns()).keys()];
    ch = new ClickHouseTestStore(cluster.http, await copyTables(duck, cluster.http, [...tables, ALERTS_TABLE]));
  });
  after(async () => {
    await duck?.close();
    await cluster?.stop();
  });

  const trailOn = async (store: DuckDbStore | ClickHouseTestStore, q: TrailQuery): Promise<Trail | string> => {
    try {
      // The query count depends on what the store's catalog cache (30 s) still holds, not on the engine.
      return { ...(await buildTrail(store, q)), tookMs: 0, queries: 0 };
    } catch (e) {
      if (e instanceof TrailNotFoundError) return `not found: ${e.message}`;
      throw e;
    }
  };

  const same = async (q: TrailQuery) => {
    const d = await trailOn(duck, q);
    const c = await trailOn(ch, q);
    assert.deepEqual(c, d, JSON.stringify(q));
    return d;
  };

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
