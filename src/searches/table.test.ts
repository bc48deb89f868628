import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ClickHouseStore } from '../store/clickhouse/store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { EventStore } from '../store/store.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { testStoreUrl } from '../testing/clickhouse-store.js';
import { tempDir } from '../testing/tmp.js';
import { SearchTable } from './table.js';
import type { SavedSearch, SearchRun } from './types.js';

const skip = clickhouseSkip();
let cluster: ClickHouseCluster | undefined;

before(async () => {
  if (!skip) cluster = await startClickHouse(1);
});

after(async () => {
  await cluster?.stop();
});

const search = (id: string, name: string): SavedSearch => ({ id, name, query: `index=waf name="${name}" 'quoted' \\ back`, language: 'spl', created: `2026-11-20T0${id.length}:00:00.000Z` });
const run = (searchId: string, end: string, error = '', trigger: SearchRun['trigger'] = 'schedule'): SearchRun => ({
  searchId, windowStart: '2026-11-20T09:00:00.000Z', windowEnd: end, ranAt: end, tookMs: 12, rows: 3, alerts: 1, skipped: 0, error, trigger,
});

/** The same operations on either engine, and what they read back. */
async function exercise(store: EventStore): Promise<unknown> {
  const table = new SearchTable(store);
  assert.deepEqual(await table.list(), []);
  await table.put(search('a', 'first'));
  await table.put(search('bb', 'second'));
  await table.put({ ...search('a', 'first, renamed'), schedule: { intervalSeconds: 3600, lookBackSeconds: 7200, condition: { kind: 'per-row' }, level: 'high', title: 'T' } });
  await table.remove(search('bb', 'second'));
  await table.recordRun(run('a', '2026-11-20T10:00:00.000Z'));
  await table.recordRun(run('a', '2026-11-20T11:00:00.000Z', 'Binder Error: "x" \'y\''));
  await table.recordRun(run('a', '2026-11-20T11:20:00.000Z', '', 'manual'));
  const last = await table.lastRuns();
  return { list: await table.list(), last: Object.fromEntries(last), runs: await table.runs('a', 2) };
}

test('saved searches and runs: the latest version of each id, removals, last scheduled window, on DuckDB and ClickHouse alike', { skip }, async () => {
  const duck = await DuckDbStore.open(join(tempDir('packettrail-searches-table-'), 'x.duckdb'));
  const ch = await ClickHouseStore.open(testStoreUrl(cluster!, 'searches_table'));
  try {
    const onDuck = await exercise(duck);
    const onClickHouse = await exercise(ch);
    assert.deepEqual(onClickHouse, onDuck);
    const d = onDuck as { list: SavedSearch[]; last: Record<string, { scheduledUpTo: string; last: SearchRun }>; runs: SearchRun[] };
    assert.deepEqual(d.list.map((s) => [s.id, s.name, s.schedule?.title]), [['a', 'first, renamed', 'T']]);
    assert.equal(d.last.a!.scheduledUpTo, '2026-11-20T11:00:00.000Z', 'a manual run does not move the schedule');
    assert.equal(d.last.a!.last.trigger, 'manual');
    assert.deepEqual(d.runs.map((r) => [r.windowEnd, r.error]), [['2026-11-20T11:20:00.000Z', ''], ['2026-11-20T11:00:00.000Z', 'Binder Error: "x" \'y\'']]);
  } finally {
    await duck.close();
    await ch.close();
  }
});
