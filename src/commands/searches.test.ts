import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { legacyBackupFor, legacySearchFileFor } from '../searches/table.js';
import { auditFileFor } from '../server/users/audit.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// A window-bound SQL search that needs no events: one row per run.
const WINDOWED = 'SELECT CAST($window_start AS TIMESTAMP) AS window_start, CAST($window_end AS TIMESTAMP) AS window_end';

test('searches add|list|schedule|run-now|runs|unschedule|remove: kept in the database, the old JSON file migrated once, alerts stored, changes audited, bad input exits 2', async () => {
  const dir = tempDir('packettrail-searches-cli-');
  const db = join(dir, 'x.duckdb');
  await (await DuckDbStore.open(db)).close();
  writeFileSync(legacySearchFileFor(db), JSON.stringify([{ id: 'old-1', name: 'from the file', query: 'index=waf', language: 'spl', created: '2026-01-01T00:00:00.000Z' }]));

  const listed = await cli(['searches', 'list', '--json', '--db', db]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { id: string }[]).map((s) => s.id), ['old-1']);
  assert.match(listed.stderr, /1 moved from/);
  assert.ok(!existsSync(legacySearchFileFor(db)) && existsSync(legacyBackupFor(legacySearchFileFor(db))));

  const added = await cli(['searches', 'add', 'window', WINDOWED, '--language', 'sql', '--every', '1h', '--condition', 'rows>0', '--level', 'high', '--db', db]);
  assert.equal(added.status, 0, added.stderr);
  const id = /^saved (\S+) window, every 1h over 1h, rows>0, high: window$/m.exec(added.stdout)?.[1];
  assert.ok(id, added.stdout);

  const ran = await cli(['searches', 'run-now', id!, '--db', db]);
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /\(manual, ran .*\): 1 rows, 1 alerts/);
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    const alerts = await store.query(`SELECT rule_kind, rule_title, level FROM alerts WHERE rule_id = $id`, { id: id! });
    assert.deepEqual(alerts.rows, [['search', 'window', 'high']]);
  } finally {
    await store.close();
  }
  assert.match((await cli(['searches', 'runs', id!, '--db', db])).stdout, /1 rows, 1 alerts/);

  const rescheduled = await cli(['searches', 'schedule', id!, '--every', '2h', '--condition', 'per-row', '--db', db]);
  assert.equal(rescheduled.status, 0, rescheduled.stderr);
  assert.match(rescheduled.stdout, /every 2h over 1h, per-row, high: window/);
  const shown = await cli(['searches', 'list', '--db', db]);
  // One line per fact: real line breaks, not the escaped `\n` a log value would get.
  assert.match(shown.stdout, /\n {2}schedule: every 2h over 1h, per-row, high: window\n/);
  assert.doesNotMatch(shown.stdout, /\\n/);
  assert.match(shown.stdout, /next run: \d{4}-/);
  assert.match(shown.stdout, /last run: .*1 rows, 1 alerts/);

  const bad = await cli(['searches', 'schedule', id!, '--every', '1h', '--condition', 'rows>>1', '--db', db]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /rows>N.*per-row/);
  const unbounded = await cli(['searches', 'add', 'x', 'SELECT 1', '--language', 'sql', '--every', '1h', '--db', db]);
  assert.equal(unbounded.status, 2);
  assert.match(unbounded.stderr, /\$window_start/);
  assert.equal((await cli(['searches', 'run-now', 'no-such', '--db', db])).status, 2);

  assert.match((await cli(['searches', 'unschedule', id!, '--db', db])).stdout, /not scheduled/);
  assert.equal((await cli(['searches', 'run-now', id!, '--db', db])).status, 2, 'an unscheduled search has no condition to alert on');
  assert.match((await cli(['searches', 'remove', id!, '--db', db])).stdout, /^removed /);
  assert.deepEqual((JSON.parse((await cli(['searches', 'list', '--json', '--db', db])).stdout) as { id: string }[]).map((s) => s.id), ['old-1']);

  const audit = readFileSync(auditFileFor(db), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string; via: string });
  assert.deepEqual(audit.map((e) => `${e.action} ${e.outcome}`), [
    'search.save ok', 'search.run ok', 'search.schedule ok', 'search.save failed', 'search.run failed', 'search.unschedule ok', 'search.run failed', 'search.delete ok',
  ]);
  assert.ok(audit.every((e) => e.via === 'cli'));
});

test('while serve holds the database, searches go through it, and its scheduler runs the schedule and records the run', async () => {
  const { startOwner } = await import('../service/test-fixture.js');
  const dir = tempDir('packettrail-searches-owner-');
  const db = join(dir, 'x.duckdb');
  await (await DuckDbStore.open(db)).close();
  const owner = await startOwner(['serve', '--db', 'x.duckdb', '--port', '0'], { cwd: dir, db: 'x.duckdb', ready: /packettrail console:/ });
  try {
    const added = await cli(['searches', 'add', 'every minute', WINDOWED, '--language', 'sql', '--every', '1m', '--db', db]);
    assert.equal(added.status, 0, added.stderr);
    const id = /^saved (\S+)/.exec(added.stdout)?.[1];
    const deadline = Date.now() + 60_000;
    let state: { id: string; lastRun?: { rows: number; alerts: number; trigger: string; error: string } } | undefined;
    while (Date.now() < deadline) {
      const listed = await cli(['searches', 'list', '--json', '--db', db]);
      assert.equal(listed.status, 0, listed.stderr);
      state = (JSON.parse(listed.stdout) as (typeof state & {})[]).find((s) => s.id === id);
      if (state?.lastRun) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    assert.deepEqual(state?.lastRun && [state.lastRun.trigger, state.lastRun.rows, state.lastRun.alerts, state.lastRun.error], ['schedule', 1, 1, ''], owner.stderr());
  } finally {
    const stopped = await owner.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  }
});
