import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, LOGS_DIR } from '../generate/generate.js';
import { ingestDir } from '../insights/test-store.js';
import { queryCatalog } from '../server/context.js';
import { DEFAULT_QUERY_LIMITS } from '../server/query-gate.js';
import type { QueryContext } from '../server/query-runner.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';
import { SearchBook } from './scheduler.js';
import { legacyBackupFor, migrateSearchFile, SearchTable } from './table.js';
import type { SearchSchedule } from './types.js';

// The demo scenario (packettrail demo's default): its 24 CloudFront 404s fall between 10:00 and 11:00 UTC.
let store: DuckDbStore;
let ctx: QueryContext;
let dir: string;
let now = 0;
const clock = () => now;
const at = (iso: string) => (now = Date.parse(iso));

before(async () => {
  dir = tempDir('packettrail-searches-');
  await generate({ out: dir });
  const t = await ingestDir(join(dir, LOGS_DIR), dir, false);
  store = await DuckDbStore.open(t.db);
  ctx = { store, ...queryCatalog(), queries: { limits: DEFAULT_QUERY_LIMITS } };
});

after(async () => {
  await store?.close();
});

const hourly = (o: Partial<SearchSchedule>): SearchSchedule => ({ intervalSeconds: 3600, lookBackSeconds: 3600, condition: { kind: 'rows', threshold: 0 }, level: 'high', title: 'CloudFront 404s', ...o });

async function storedAlerts(ruleId: string) {
  const r = await store.query(`SELECT rule_kind, rule_title, level, event_ids, key FROM alerts WHERE rule_id = $id ORDER BY timestamp, id`, { id: ruleId });
  return r.rows.map(([kind, title, level, ids, key]) => ({ kind, title, level, ids: ids as string[], key: JSON.parse(String(key)) as Record<string, string> }));
}

test('rows > N: one alert per window past the threshold, with the rows\' event ids; a restart evaluates no window twice; missed windows are skipped and counted', async () => {
  const says: string[] = [];
  const book = new SearchBook({ table: new SearchTable(store), query: ctx, clock, say: (l) => says.push(l) });
  at('2026-11-20T10:30:00Z');
  const s = await book.add({ name: '404s', query: 'index=cloudfront status=404 | table _time event.id source.ip', language: 'spl', schedule: hourly({}) });

  const first = await book.tick();
  assert.deepEqual(first.map((r) => [r.windowStart, r.windowEnd, r.rows, r.alerts, r.error]), [['2026-11-20T09:00:00.000Z', '2026-11-20T10:00:00.000Z', 0, 0, '']]);
  assert.deepEqual(await book.tick(), [], 'the same window is not evaluated twice');

  at('2026-11-20T11:05:00Z');
  const second = await book.tick();
  const expected = (await store.query(`SELECT event_id FROM events_aws_cloudfront WHERE http_response_status_code = 404 AND timestamp >= '2026-11-20 10:00:00' AND timestamp < '2026-11-20 11:00:00' ORDER BY event_id`)).rows.map((r) => r[0]);
  assert.equal(expected.length, 24);
  assert.deepEqual(second.map((r) => [r.windowEnd, r.rows, r.alerts, r.skipped]), [['2026-11-20T11:00:00.000Z', 24, 1, 0]]);
  const alerts = await storedAlerts(s.id);
  assert.equal(alerts.length, 1);
  assert.deepEqual([alerts[0]!.kind, alerts[0]!.title, alerts[0]!.level], ['search', 'CloudFront 404s', 'high']);
  assert.deepEqual([...alerts[0]!.ids].sort(), expected);

  // A new process on the same store (a restart) reads the last window from saved_search_runs.
  const restarted = new SearchBook({ table: new SearchTable(store), query: ctx, clock });
  assert.deepEqual(await restarted.tick(), []);
  const state = await restarted.get(s.id);
  assert.equal(state.lastRun?.windowEnd, '2026-11-20T11:00:00.000Z');
  assert.equal(state.nextRun, '2026-11-20T12:00:00.000Z');

  // Down for three hours: only the latest window runs, the two before it are counted as skipped.
  at('2026-11-20T14:10:00Z');
  const caughtUp = await restarted.tick();
  assert.deepEqual(caughtUp.map((r) => [r.windowStart, r.windowEnd, r.skipped]), [['2026-11-20T13:00:00.000Z', '2026-11-20T14:00:00.000Z', 2]]);
  assert.deepEqual(await restarted.runs(s.id, 10).then((runs) => runs.map((r) => r.windowEnd)), ['2026-11-20T14:00:00.000Z', '2026-11-20T11:00:00.000Z', '2026-11-20T10:00:00.000Z']);

  // Unscheduled: not run any more.
  await restarted.schedule(s.id, undefined);
  at('2026-11-20T16:10:00Z');
  assert.deepEqual(await restarted.tick(), []);
  assert.equal((await restarted.get(s.id)).nextRun, undefined);
});

test('per row: one alert per row keyed by its values; a second run inside the suppression window is suppressed', async () => {
  const book = new SearchBook({ table: new SearchTable(store), query: ctx, clock });
  at('2026-11-20T11:05:00Z');
  const s = await book.add({ name: '404 sources', query: 'index=cloudfront status=404 | stats count by source.ip', language: 'spl', schedule: hourly({ condition: { kind: 'per-row' }, level: 'medium', title: '404s from one address' }) });
  const ips = (await store.query(`SELECT DISTINCT source_ip FROM events_aws_cloudfront WHERE http_response_status_code = 404 AND timestamp >= '2026-11-20 10:00:00' AND timestamp < '2026-11-20 11:00:00' ORDER BY 1`)).rows.map((r) => String(r[0]));
  assert.ok(ips.length > 0);
  const [run] = await book.tick();
  assert.deepEqual([run!.rows, run!.alerts, run!.error], [ips.length, ips.length, '']);
  const alerts = await storedAlerts(s.id);
  assert.deepEqual(alerts.map((a) => a.key['source.ip']).sort(), ips);
  // run-now five minutes after the window's end: the same keys within DEFAULT_SUPPRESS_WINDOW_MS are suppressed.
  const again = await book.runNow(s.id);
  assert.deepEqual([again.trigger, again.windowEnd, again.alerts, again.error], ['manual', '2026-11-20T11:05:00.000Z', 0, '']);
  assert.ok(again.rows > 0);
  assert.equal((await storedAlerts(s.id)).length, ips.length);
});

test('a failing search is recorded with its reason and shown on the search; the scheduler goes on to the next window', async () => {
  const says: string[] = [];
  const book = new SearchBook({ table: new SearchTable(store), query: ctx, clock, say: (l) => says.push(l) });
  at('2026-11-20T12:01:00Z');
  const s = await book.add({ name: 'broken', query: 'SELECT no_such_column FROM events WHERE timestamp >= $window_start AND timestamp < $window_end', language: 'sql', schedule: hourly({}) });
  const run = (await book.tick()).find((r) => r.searchId === s.id);
  assert.match(run!.error, /no_such_column/);
  assert.match((await book.get(s.id)).lastRun?.error ?? '', /no_such_column/);
  assert.ok(says.some((l) => l.includes('broken') && l.includes('no_such_column')), says.join('\n'));
  assert.equal((await book.tick()).length, 0, 'the failed window is not retried in a loop');
});

test('schedules are checked: SQL must bound its window, SPL must start with a search, limits are named', async () => {
  const book = new SearchBook({ table: new SearchTable(store), query: ctx, clock });
  await assert.rejects(book.add({ name: 'x', query: 'SELECT * FROM events', language: 'sql', schedule: hourly({}) }), /\$window_start/);
  await assert.rejects(book.add({ name: 'x', query: '| tstats count', language: 'spl', schedule: hourly({}) }), /start with a search/);
  await assert.rejects(book.add({ name: 'x', query: 'index=cloudfront', language: 'spl', schedule: hourly({ intervalSeconds: 5 }) }), /interval must be from 1m/);
  await assert.rejects(book.runNow('no-such-id'), /no saved search/);
});

test('the old JSON file moves into the table once and stays as a backup', async () => {
  const table = new SearchTable(store);
  const file = join(dir, 'legacy.saved-searches.json');
  writeFileSync(file, JSON.stringify([{ id: 'legacy-1', name: 'old one', query: 'index=waf', language: 'spl', created: '2026-01-01T00:00:00.000Z' }]));
  assert.equal(await migrateSearchFile(table, file), 1);
  assert.ok(!existsSync(file) && existsSync(legacyBackupFor(file)));
  assert.deepEqual(await table.get('legacy-1'), { id: 'legacy-1', name: 'old one', query: 'index=waf', language: 'spl', created: '2026-01-01T00:00:00.000Z' });
  assert.equal(await migrateSearchFile(table, file), undefined);
  await table.remove((await table.get('legacy-1'))!);
  assert.equal(await table.get('legacy-1'), undefined);
});
