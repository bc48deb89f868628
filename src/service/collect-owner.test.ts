/**
 * `collect` alone holds its database as `serve` does: the other commands run through it, `ingest`
 * has it read the files, and it runs the post-ingest analyses over what its inputs stored. Real
 * processes, a real UDP input and socket, temporary directories.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/tmp.js';
import { serviceFileFor } from './service-file.js';
import { cli, ownerStatus, startOwner } from './test-fixture.js';

const DB = 'store.duckdb';

test('collect serves the other commands and runs the post-ingest analyses over what arrived', { timeout: 15 * 60_000 }, async () => {
  const dir = tempDir('packettrail-collect-owner-');
  // Two hours of three sources, then one event three hours later: the three went silent (coverage).
  const gen = await cli(['generate', '--out', 'scenario', '--start', '2026-11-20T08:00:00Z', '--users', '5', '--hours', '2'], { cwd: dir });
  assert.equal(gen.code, 0, gen.stderr);
  const seed = await cli(['ingest', '-q', '--no-builtin-rules', '--db', DB, 'scenario/logs/alb', 'scenario/logs/waf', 'scenario/logs/panos'], { cwd: dir });
  assert.equal(seed.code, 0, seed.stderr);
  const config = join(dir, 'collect.yml');
  writeFileSync(config, `db: ${DB}\nthreads: 0\ndetection: {builtin_rules: false}\ninputs:\n  - {type: syslog, name: edge, udp: {port: 0}, default: app.json}\n`);
  const owner = await startOwner(['collect', '--config', config, '--status-every', '0', '--analyses-every', '1'], { cwd: dir, db: DB, ready: /syslog listening on udp 127\.0\.0\.1:\d+/ });
  try {
    // Nothing silent yet: the seed's ingest raised no alert (no alerts table either).
    const before = await cli(['query', '--db', DB, '-o', 'csv', `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'alerts'`], { cwd: dir });
    assert.equal(before.stdout, 'n\n0\n', before.stderr);
    const port = Number(/syslog listening on udp 127\.0\.0\.1:(\d+)/.exec(owner.stderr())![1]);
    const udp = createSocket('udp4');
    await new Promise((r) => udp.send('<14>1 2026-11-20T13:00:00Z h app - - - {"timestamp":"2026-11-20T13:00:00Z","message":"late"}', port, '127.0.0.1', r));
    udp.close();
    // The analyses ran in collect once the event was stored (the alerts table appears with their
    // first alerts, so wait for them before reading it): then read through collect.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && !/\[analyses\]: over everything stored/.test(owner.stderr())) await new Promise((res) => setTimeout(res, 500));
    const r = await cli(['query', '--db', DB, '-o', 'csv', `SELECT count(*) AS n FROM alerts WHERE rule_title = 'Log Source Went Silent'`], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'n\n3\n');
    assert.match(owner.stderr(), /packettrail collect \[analyses\]: over everything stored: coverage: 3 alert\(s\)/);
    // An insights view and an ingest, through collect.
    const coverage = await cli(['insights', 'coverage', '--db', DB], { cwd: dir });
    assert.equal(coverage.code, 0, coverage.stderr);
    assert.match(coverage.stdout, /3 silences/);
    const ingested = await cli(['ingest', '--no-builtin-rules', '--db', DB, 'scenario/logs/cloudtrail'], { cwd: dir });
    assert.equal(ingested.code, 0, ingested.stderr);
    assert.match(ingested.stderr, /total: [\d,]+ records, [\d,]+ events, [\d,]+ stored/);
    const status = await ownerStatus(dir, DB);
    assert.equal(status.done.ingestJobs, 1);
    assert.ok(status.done.queries >= 3, JSON.stringify(status));
  } finally {
    const stopped = await owner.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /packettrail collect: for other commands: \d+ queries \(0 failed\), 1 ingest job\(s\), 0 index request\(s\)/);
  }
  assert.ok(!existsSync(join(dir, serviceFileFor(DB))));
});
