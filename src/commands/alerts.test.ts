/**
 * `packettrail alerts list|show|set` end to end: on a DuckDB file, through the serve that holds it,
 * and on a ClickHouse store.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { cli, startOwner } from '../service/test-fixture.js';
import { ClickHouseStore } from '../store/clickhouse/store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { testStoreUrl } from '../testing/clickhouse-store.js';
import { storeTriageAlerts } from '../testing/triage-alerts.js';
import { tempDir } from '../testing/tmp.js';
import { FileAuditLog } from '../server/users/audit.js';

const ME = userInfo().username;

async function newDb(): Promise<{ dir: string; db: string; ids: string[] }> {
  const dir = tempDir('packettrail-alerts-cli-');
  const db = join(dir, 'alerts.duckdb');
  const store = await DuckDbStore.open(db);
  try {
    return { dir, db, ids: await storeTriageAlerts(store) };
  } finally {
    await store.close();
  }
}

test('set, show and list on a DuckDB file: the OS user is the actor, the audit log records it, terminal output is safe', async () => {
  const { dir, db, ids } = await newDb();
  const [a1, , a3, a4] = ids as [string, string, string, string];
  const bad = await cli(['alerts', 'set', a1, '--db', db, '--status', 'closed'], { cwd: dir });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /unknown status 'closed': expected one of new, acknowledged, true_positive, false_positive, benign/);
  const unknownAssignee = await cli(['alerts', 'set', a1, '--db', db, '--assignee', 'mallory'], { cwd: dir });
  assert.equal(unknownAssignee.code, 2);
  const set = await cli(['alerts', 'set', a1, '--db', db, '--status', 'true_positive', '--assignee', ME, '--note', 'confirmed\u001b[2J'], { cwd: dir });
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /3 changes recorded/);
  const bulk = await cli(['alerts', 'set', a3, a4, '--db', db, '--status', 'benign', '--json'], { cwd: dir });
  assert.equal(bulk.code, 0, bulk.stderr);
  assert.equal(JSON.parse(bulk.stdout).changed, 2);
  const missing = await cli(['alerts', 'set', 'no-such-alert', '--db', db, '--status', 'benign'], { cwd: dir });
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /no alert with id no-such-alert/);

  const shown = await cli(['alerts', 'show', a1, '--db', db], { cwd: dir });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /status\s+true_positive/);
  assert.match(shown.stdout, new RegExp(`${ME} \\(cli\\)  status: new → true_positive`));
  assert.doesNotMatch(shown.stdout, /\u001b/, 'escapes from notes are not sent to the terminal');
  const json = JSON.parse((await cli(['alerts', 'show', a1, '--db', db, '--json'], { cwd: dir })).stdout);
  assert.deepEqual(json.history.map((h: { field: string; actor: string; via: string }) => [h.field, h.actor, h.via]), [['status', ME, 'cli'], ['assignee', ME, 'cli'], ['note', ME, 'cli']]);

  const list = await cli(['alerts', 'list', '--db', db], { cwd: dir });
  assert.equal(list.code, 0, list.stderr);
  assert.doesNotMatch(list.stdout, /\u001b/, 'the hostile rule title is shown without its escape');
  assert.match(list.stdout, /5 of 5 alerts/);
  const closed = JSON.parse((await cli(['alerts', 'list', '--db', db, '--status', 'benign,true_positive', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(closed.alerts.map((a: { id: string }) => a.id).sort(), [a1, a3, a4].sort());
  const open = JSON.parse((await cli(['alerts', 'list', '--db', db, '--status', 'new', '--json'], { cwd: dir })).stdout);
  assert.equal(open.total, 2);
  const groups = JSON.parse((await cli(['alerts', 'list', '--db', db, '--group', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(groups.groups.map((g: { count: number }) => g.count).sort(), [1, 1, 3]);
  assert.equal((await cli(['alerts', 'list', '--db', db, '--status', 'open'], { cwd: dir })).code, 2);

  const entries = new FileAuditLog(`${db}.audit.ndjson`).read({ limit: 10, offset: 0, action: 'alert.triage' }).entries;
  assert.deepEqual(entries.map((e) => [e.actor, e.via, e.outcome]), [[`cli:${ME}`, 'cli', 'failed'], [`cli:${ME}`, 'cli', 'ok'], [`cli:${ME}`, 'cli', 'ok']]);
});

test('while serve holds the database, alerts set is carried out by it and serve sees the change', async () => {
  const { dir, ids } = await newDb();
  // Named from the working directory, as the fixture finds the service file.
  const db = 'alerts.duckdb';
  const owner = await startOwner(['serve', '--db', db, '--port', '0'], { cwd: dir, db, ready: /packettrail console: (http:\/\/\S+)\//, timeoutMs: 120_000 });
  try {
    const set = await cli(['alerts', 'set', ids[1]!, '--db', db, '--status', 'acknowledged', '--note', 'through the owner'], { cwd: dir });
    assert.equal(set.code, 0, set.stderr);
    const url = /packettrail console: (http:\/\/\S+)\//.exec(owner.stderr())![1]!;
    const res = await fetch(`${url}/api/alerts/${ids[1]}`);
    const body = (await res.json()) as { triage: { status: string; notes: number }; history: { actor: string }[] };
    assert.equal(body.triage.status, 'acknowledged');
    assert.equal(body.triage.notes, 1);
    assert.equal(body.history[0]!.actor, ME);
  } finally {
    const stopped = await owner.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  }
  const shown = JSON.parse((await cli(['alerts', 'show', ids[1]!, '--db', db, '--json'], { cwd: dir })).stdout);
  assert.equal(shown.status, 'acknowledged', 'written to the file by the owner');
});

const skip = clickhouseSkip();
let cluster: ClickHouseCluster | undefined;
before(async () => {
  if (!skip) cluster = await startClickHouse(1);
});
after(async () => {
  await cluster?.stop();
});

test('alerts set, show and list on a ClickHouse store (--store)', { skip }, async () => {
  const url = testStoreUrl(cluster!, 'alerts_cli');
  const store = await ClickHouseStore.open(url);
  const ids = await storeTriageAlerts(store).finally(() => store.close());
  const dir = tempDir('packettrail-alerts-ch-');
  const set = await cli(['alerts', 'set', ids[0]!, ids[1]!, '--store', url, '--status', 'false_positive', '--assignee', ME], { cwd: dir });
  assert.equal(set.code, 0, set.stderr);
  const shown = JSON.parse((await cli(['alerts', 'show', ids[0]!, '--store', url, '--json'], { cwd: dir })).stdout);
  assert.deepEqual([shown.status, shown.assignee, shown.history.length], ['false_positive', ME, 2]);
  const list = JSON.parse((await cli(['alerts', 'list', '--store', url, '--status', 'false_positive', '--json'], { cwd: dir })).stdout);
  assert.deepEqual(list.alerts.map((a: { id: string }) => a.id).sort(), [ids[0], ids[1]].sort());
  const other = await cli(['alerts', 'set', ids[2]!, '--store', url, '--assignee', 'someone-else'], { cwd: dir });
  assert.equal(other.code, 2, 'no accounts file on ClickHouse: only the caller or nobody');
});
