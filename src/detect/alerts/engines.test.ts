import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERTS_TABLE } from '../../store/duckdb/alerts.js';
import type { EventStore } from '../../store/store.js';
import { clickhouseSkip } from '../../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../../testing/engine-scenario.js';
import { firstDifference } from '../../testing/first-difference.js';

/** An alert as the parity compares it: its id, rule, correlation key and events (JSON text parsed). */
interface StoredAlert {
  id: string;
  rule: string;
  key: unknown;
  eventIds: string[];
  events: unknown;
}

/**
 * The alerts of a store, by id. `event.ingested` is when each store's ingest ran, so it is left out;
 * everything else the rule matched on must be the same.
 */
async function alertsOf(store: EventStore): Promise<StoredAlert[]> {
  const json = store.dialect.name === 'duckdb' ? (c: string) => `CAST(${c} AS VARCHAR)` : (c: string) => c;
  const r = await store.query(`SELECT id, rule_id, ${json('key')}, event_ids, ${json('events')} FROM ${ALERTS_TABLE} ORDER BY id`);
  const parse = (v: unknown) => JSON.parse(String(v), (k, x: unknown) => (k === 'ingested' ? undefined : x)) as unknown;
  return r.rows.map(([id, rule, key, eventIds, events]) => ({
    id: String(id), rule: String(rule), key: parse(key), eventIds: ((eventIds as string[] | null) ?? []).map(String), events: parse(events),
  }));
}

/**
 * The demo scenario ingested with the built-in rules into DuckDB and into a two-shard ClickHouse
 * cluster (the real load path, detection on the way): the same alerts, to the rule, key and events.
 * A difference names the first alert that differs.
 */
describe('alerts: the same on DuckDB and a ClickHouse cluster', { skip: clickhouseSkip() }, () => {
  let scenario: EngineScenario | undefined;
  let stores: EventStore[] = [];

  before(async () => {
    scenario = await engineScenario({ pair: true });
    stores = [scenario.duck, scenario.pair!.store];
  });
  after(() => scenario?.close());

  test('same alerts (rule, key, events), named by the first that differs', async () => {
    const [duck, house] = [await alertsOf(stores[0]!), await alertsOf(stores[1]!)];
    assert.ok(duck.length >= 5, `${duck.length} alerts in DuckDB`);
    assert.ok(new Set(duck.map((a) => a.rule)).size >= 4, 'alerts of several rules');
    for (let i = 0; i < Math.max(duck.length, house.length); i++) {
      const d = duck[i];
      const c = house[i];
      if (!d || !c || d.id !== c.id) {
        assert.fail(`alert #${i}: DuckDB has ${d ? `${d.id} (${d.rule})` : 'none'}, the cluster ${c ? `${c.id} (${c.rule})` : 'none'}`);
      }
      const diff = firstDifference(c, d);
      assert.equal(diff, undefined, `alert ${d.id} (rule ${d.rule}): ${diff}`);
    }
  });
});
