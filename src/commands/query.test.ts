import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const CROSS_JOIN = 'SELECT count(*) FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range < 0';

let db: string;
/** A database whose events view never ends: SPL over it runs until stopped. */
let endless: string;
before(async () => {
  const dir = tempDir('packettrail-query-cli-');
  db = join(dir, 'q.duckdb');
  let store = await DuckDbStore.open(db);
  await store.query(`CREATE TABLE events AS SELECT TIMESTAMP '2026-11-20 08:00:00' + to_seconds(CAST(i AS BIGINT)) AS "timestamp", 'e' || i AS event_id FROM range(100) t(i)`);
  await store.close();
  endless = join(dir, 'endless.duckdb');
  store = await DuckDbStore.open(endless);
  await store.query(`CREATE VIEW events AS SELECT TIMESTAMP '2026-11-20 08:00:00' AS "timestamp", 'e' || a.range AS event_id FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range >= 0`);
  await store.close();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  err: string;
  out: string;
  ms: number;
}

/** Runs the CLI; `during` gets the child's pid and its stderr so far while it runs. Killed after 30 s whatever happens. */
function cli(args: string[], during?: (pid: number, err: () => string) => Promise<void>): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void during?.(child.pid!, () => err);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, err, out, ms: Date.now() - started });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('query --timeout stops a runaway query and names the option (exit 3)', async () => {
  const r = await cli(['query', '--db', db, '--timeout', '0.5', CROSS_JOIN]);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /query stopped: the query ran longer than the 0\.5 s time limit \(--timeout\) and was interrupted/);
});

test('query: Ctrl-C interrupts the DuckDB statement at once (exit 130)', async () => {
  let signalled = 0;
  // --show-sql prints the SQL just before it runs: from then on Ctrl-C is the query's to handle.
  const r = await cli(['query', '--db', endless, '--timeout', '600', '--show-sql', '| stats count'], async (pid, err) => {
    for (let i = 0; i < 600 && !/-- params/.test(err()); i++) await sleep(50);
    await sleep(500);
    signalled = Date.now();
    process.kill(pid, 'SIGINT');
  });
  assert.equal(r.code, 130, `${r.signal} ${r.err}`);
  assert.match(r.err, /query stopped: interrupted \(Ctrl-C\)/);
  assert.ok(Date.now() - signalled < 3_000, `exited ${Date.now() - signalled} ms after Ctrl-C`);
});

test('query --max-result-size and --memory-limit refuse with the option named; bad values are usage errors', async () => {
  const big = await cli(['query', '--db', db, '--max-result-size', '1MB', "SELECT repeat('x', 40000) AS x FROM range(1000)"]);
  assert.equal(big.code, 3, big.err);
  assert.match(big.err, /query refused: the result is larger than the 1 MiB limit.*\(--max-result-size/);
  assert.equal(big.out, '');
  const memory = await cli(['query', '--db', db, '--memory-limit', '100MB', "SELECT string_agg(repeat('x', 1000), ',') FROM range(1000000)"]);
  assert.equal(memory.code, 3, memory.err);
  assert.match(memory.err, /needs more memory than 100MB \(--memory-limit\): Out of Memory Error/);
  const fine = await cli(['query', '--db', db, '-o', 'csv', 'SELECT count(*) AS n FROM events']);
  assert.equal(fine.code, 0, fine.err);
  assert.equal(fine.out, 'n\n100\n');
  for (const bad of [['--timeout', 'soon'], ['--memory-limit', 'lots'], ['--max-result-size', '-1']]) {
    const r = await cli(['query', '--db', db, ...bad, 'SELECT 1']);
    assert.equal(r.code, 2, `${bad.join(' ')}: ${r.err}`);
    assert.match(r.err, new RegExp(bad[0]!));
  }
});
