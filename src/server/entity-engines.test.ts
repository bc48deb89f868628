/**
 * The entity report reads through the store's dialect: the same scenario ingested into DuckDB and
 * into one ClickHouse node gives the same report for an address, a user and a host (related values,
 * datasets, alerts, timeline pages), and hostile values stay values on both.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickhouseSkip } from '../testing/clickhouse.js';
import { engineScenario, type EngineScenario } from '../testing/engine-scenario.js';
import type { EventStore } from '../store/store.js';
import { entityReport, type EntityKind } from './entity-report.js';

describe('entity reports: the same on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let duck: EventStore;
  let click: EventStore;
  let scenario: EngineScenario | undefined;

  before(async () => {
    scenario = await engineScenario({ single: true });
    [duck, click] = [scenario.duck, scenario.single!.store];
  });
  after(() => scenario?.close());

  /** The most frequent value of a column on DuckDB (the entity to compare). */
  const busiest = async (column: string): Promise<string> => String((await duck.query(`SELECT ${column} AS v, count(*) AS n FROM events WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT 1`)).rows[0]![0]);

  const same = async (kind: EntityKind, value: string, page: { offset?: number; limit?: number } = {}) => {
    const d = await entityReport(duck, kind, value, page);
    const c = await entityReport(click, kind, value, page);
    assert.deepEqual(c, d, `${kind} ${value} ${JSON.stringify(page)}`);
    return d;
  };

  test('an address, a user and a host, two timeline pages each', async () => {
    for (const [kind, column] of [['ip', 'source_ip'], ['user', 'user_name'], ['host', 'host_name']] as const) {
      const value = await busiest(column);
      const first = await same(kind, value, { limit: 20 });
      assert.ok(first.events > 0 && first.timeline.events.length > 0, `${kind} ${value} has events`);
      await same(kind, value, { limit: 20, offset: 20 });
    }
    // The alerts lookup runs on both engines: an alerted user's report lists its alerts on each.
    const user = String((await duck.query(`SELECT json_extract_string(events, '$[0].user.name') AS u FROM alerts WHERE json_extract_string(events, '$[0].user.name') IS NOT NULL ORDER BY timestamp, id LIMIT 1`)).rows[0]![0]);
    assert.ok((await same('user', user)).alerts.length > 0, `${user} has alerts`);
  });

  test('hostile values are bound on both engines', async () => {
    for (const v of [`' OR 1=1 --`, `\\' OR 1=1 --`, `x\\`, `%`, `_`, `$entity_value`, `'); DROP TABLE alerts; --`]) {
      const r = await same('user', v);
      assert.equal(r.events, 0, v);
      assert.deepEqual(r.alerts, []);
    }
  });
});
