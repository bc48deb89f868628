import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { EXIT } from '../cli/exit-codes.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

test('the demo ends by saying how to point the tour at its database, and the tour then reads it from anywhere', () => {
  const root = tempDir('packettrail-demo-');
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(root, 'xdg') };
  delete env.PACKETTRAIL_DB;
  // The smallest scenario: the tour's hint is the same for any size.
  const demo = spawnSync(process.execPath, [CLI, 'demo', '--dir', 'scenario', '--users', '5', '--hours', '1'], { cwd: root, env, encoding: 'utf8' });
  assert.ok(demo.status === EXIT.OK || demo.status === EXIT.REJECTED, demo.stderr);
  const exported = /^ {2}export PACKETTRAIL_DB=(\S+)$/m.exec(demo.stdout);
  assert.ok(exported, `the demo says how to point the other commands at its database:\n${demo.stdout.slice(-600)}`);
  assert.equal(exported[1], join(root, 'scenario', 'packettrail.duckdb'), 'absolute: it still names the database after a cd');

  // As the README's tour runs it: another directory, no --db, the variable exported.
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  const query = spawnSync(process.execPath, [CLI, 'query', '-o', 'csv', 'SELECT count(*) > 0 AS stored FROM events'], {
    cwd: elsewhere, env: { ...env, PACKETTRAIL_DB: exported[1] }, encoding: 'utf8',
  });
  assert.equal(query.status, EXIT.OK, query.stderr);
  assert.equal(query.stdout, 'stored\ntrue\n');
  // Without it, the error says what to do.
  const without = spawnSync(process.execPath, [CLI, 'query', 'SELECT 1'], { cwd: elsewhere, env, encoding: 'utf8' });
  assert.equal(without.status, EXIT.FATAL);
  assert.match(without.stderr, /database packettrail\.duckdb does not exist .*give --db PATH or set PACKETTRAIL_DB/);
});
