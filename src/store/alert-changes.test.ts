import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildAlert } from '../detect/alerts/build.js';
import { checkTriageRequest, TriageInputError } from '../detect/alerts/triage.js';
import type { Alert, RuleMeta } from '../detect/types.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { testStoreUrl } from '../testing/clickhouse-store.js';
import { tempDir } from '../testing/tmp.js';
import { alertHistory, applyTriage, hasTable, UnknownAlertsError } from './alert-changes.js';
import { listAlertGroups, listAlerts, oneAlert } from './alert-list.js';
import { ensureAlertsTable, insertAlerts } from './duckdb/alerts.js';
import { openStore } from './open.js';
import type { EventStore } from './store.js';

const rule = (id: string, title: string): RuleMeta => ({ id, title, level: 'high', kind: 'sigma' }) as RuleMeta;
const RULE_A = rule('rule-a', 'Rule A');
const RULE_B = rule('rule-b', 'Rule B');

/** Three alerts of rule A on host h1, one on h2, one of rule B on h1. */
function alerts(): Alert[] {
  const at = (minute: number, host: string, n: number) => ({ '@timestamp': `2026-11-20T08:${String(minute).padStart(2, '0')}:00.000Z`, event: { id: `e-${host}-${n}`, dataset: 'test' }, host: { name: host } });
  const one = (r: RuleMeta, minute: number, host: string, n: number) => buildAlert({ rule: r, events: [at(minute, host, n)] as never, key: { 'host.name': host } }, '2026-11-20T09:00:00.000Z');
  return [one(RULE_A, 1, 'h1', 1), one(RULE_A, 5, 'h1', 2), one(RULE_A, 9, 'h1', 3), one(RULE_A, 3, 'h2', 4), one(RULE_B, 7, 'h1', 5)];
}

const who = (actor: string) => ({ actor, via: 'password' as const });
const known = (name: string) => ['alice', 'bob'].includes(name);
const request = (r: Parameters<typeof checkTriageRequest>[0]) => checkTriageRequest(r, known);

/** Runs the triage scenario on a store and returns what it read back (compared across engines). */
async function scenario(store: EventStore): Promise<unknown> {
  const stored = alerts();
  if (store.insertAlerts) await store.insertAlerts(stored);
  else {
    await ensureAlertsTable(store);
    await insertAlerts(store, stored);
  }
  const [a1, a2, a3, a4, a5] = stored.map((a) => a.event.id) as [string, string, string, string, string];
  const all = await listAlerts(store, {}, { limit: 50, offset: 0 });
  assert.equal(all.total, 5);
  assert.ok(all.alerts.every((a) => a.status === 'new' && a.assignee === 'nobody'), 'untouched alerts are new and unassigned');

  await applyTriage(store, request({ ids: [a1], status: 'acknowledged', assignee: 'alice' }), who('alice'));
  await applyTriage(store, request({ ids: [a1], status: 'false_positive', note: 'the red team <b>scanner</b>' }), who('bob'));
  // Setting what is already set writes nothing.
  const same = await applyTriage(store, request({ ids: [a1], status: 'false_positive' }), who('bob'));
  assert.equal(same.changes.length, 0);
  await applyTriage(store, request({ ids: [a2], assignee: 'bob' }), who('alice'));
  // Bulk: two alerts closed in one request.
  const bulk = await applyTriage(store, request({ ids: [a3, a4], status: 'benign', note: 'maintenance window' }), who('alice'));
  assert.equal(bulk.changes.length, 4);
  assert.deepEqual(Object.values(bulk.states).map((s) => s.status), ['benign', 'benign']);

  // An unknown id among known ones: nothing changes.
  await assert.rejects(applyTriage(store, request({ ids: [a5, 'no-such-alert'], status: 'acknowledged' }), who('alice')), UnknownAlertsError);
  assert.equal((await oneAlert(store, a5))!.status, 'new');

  const history = await alertHistory(store, a1);
  assert.deepEqual(history.map((h) => [h.actor, h.field, h.old_value, h.new_value]), [
    ['alice', 'status', 'new', 'acknowledged'], ['alice', 'assignee', 'nobody', 'alice'], ['bob', 'status', 'acknowledged', 'false_positive'], ['bob', 'note', null, 'the red team <b>scanner</b>'],
  ]);
  const ids = async (f: Parameters<typeof listAlerts>[1]) => (await listAlerts(store, f, { limit: 50, offset: 0 })).alerts.map((a) => a.id).sort();
  assert.deepEqual(await ids({ statuses: ['new'] }), [a2, a5].sort());
  assert.deepEqual(await ids({ statuses: ['new', 'acknowledged'] }), [a2, a5].sort());
  assert.deepEqual(await ids({ statuses: ['benign'] }), [a3, a4].sort());
  assert.deepEqual(await ids({ statuses: ['false_positive', 'benign'] }), [a1, a3, a4].sort());
  assert.deepEqual(await ids({ assignees: ['bob'] }), [a2]);
  assert.deepEqual(await ids({ assignees: ['nobody'] }), [a3, a4, a5].sort());
  assert.deepEqual(await ids({ statuses: ['new'], assignees: ['nobody'] }), [a5]);
  assert.deepEqual(await ids({ entity: 'h2' }), [a4]);

  const groups = await listAlertGroups(store, {}, { limit: 50, offset: 0 });
  assert.equal(groups.total, 3);
  const h1 = groups.groups.find((g) => g.rule_id === 'rule-a' && g.key.includes('h1'))!;
  assert.deepEqual([h1.count, h1.untriaged, h1.first_seen, h1.last_seen, h1.latest_id], [3, 1, '2026-11-20T08:01:00.000Z', '2026-11-20T08:09:00.000Z', a3]);
  // The group's members are one filter away: its rule and exact key.
  assert.deepEqual(await ids({ rule: 'rule-a', key: h1.key }), [a1, a2, a3].sort());
  const shown = await oneAlert(store, a1);
  return {
    list: (await listAlerts(store, {}, { limit: 50, offset: 0 })).alerts.map(({ id, status, assignee, notes, timestamp }) => ({ id, status, assignee, notes, timestamp })),
    groups: groups.groups.map(({ key, ...g }) => ({ ...g, key: JSON.parse(key) as unknown })),
    shown: { ...shown, key: JSON.parse(shown!.key) as unknown, updated: undefined },
    history: history.map(({ seq, changed_at, ...h }) => h),
  };
}

test('requests are checked: the status names the allowed values, notes are bounded, assignees must be known', () => {
  assert.throws(() => request({ ids: ['x'], status: 'closed' }), (e: Error) => e instanceof TriageInputError && /expected one of new, acknowledged, true_positive, false_positive, benign/.test(e.message));
  assert.throws(() => request({ ids: ['x'], note: 'n'.repeat(4_001) }), /at most 4000 characters/);
  assert.throws(() => request({ ids: ['x'], assignee: 'mallory' }), /unknown assignee 'mallory'/);
  assert.throws(() => request({ ids: [] }), /at least one alert/);
  assert.throws(() => request({ ids: ['x'] }), /nothing to change/);
  assert.deepEqual(request({ ids: ['x', 'x'], assignee: 'nobody' }), { ids: ['x'], assignee: 'nobody' });
});

let duckResult: unknown;

test('DuckDB: status, assignee, notes, history, bulk changes, filters and groups', async () => {
  const store = await openStore(join(tempDir('packettrail-triage-'), 'db.duckdb'));
  try {
    assert.equal(await hasTable(store, 'alert_changes'), false);
    duckResult = await scenario(store);
  } finally {
    await store.close();
  }
});

const skip = clickhouseSkip();
let single: ClickHouseCluster | undefined;
let pair: ClickHouseCluster | undefined;
before(async () => {
  if (skip) return;
  single = await startClickHouse(1);
  pair = await startClickHouse(2);
});
after(async () => {
  await single?.stop();
  await pair?.stop();
});

for (const [name, cluster] of [['one node', () => single], ['two shards', () => pair]] as const) {
  test(`ClickHouse (${name}): the same triage reads back as on DuckDB`, { skip }, async () => {
    const store = await openStore(testStoreUrl(cluster()!, 'triage'));
    try {
      assert.equal(await hasTable(store, 'alert_changes'), true, 'created with the bookkeeping tables');
      const result = await scenario(store);
      assert.deepEqual(result, duckResult);
    } finally {
      await store.close();
    }
  });
}
