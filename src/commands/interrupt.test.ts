import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { EXIT } from '../cli/exit-codes.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const FILES = 3;
const LINES = 20_000;

/** Every staging file or directory the run left in TMPDIR (the store sink stages rows there). */
function staged(tmp: string): string[] {
  return readdirSync(tmp).flatMap((d) => [d, ...readdirSync(join(tmp, d)).map((f) => join(d, f))]);
}

async function storeCounts(db: string): Promise<{ events: number; distinct: number; files: number; filesStored: number; complete: number }> {
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    const [events, distinct] = (await store.query('SELECT count(*), count(DISTINCT event_id) FROM events')).rows[0]!;
    const [files, filesStored, complete] = (await store.query('SELECT count(*), coalesce(sum(stored), 0), count(*) FILTER (complete) FROM ingested_files')).rows[0]!;
    return { events: Number(events), distinct: Number(distinct), files: Number(files), filesStored: Number(filesStored), complete: Number(complete) };
  } finally {
    await store.close();
  }
}

/** An ingest of FILES files stopped by `signal` while its first rows are being staged. */
async function interruptedIngest(signal: NodeJS.Signals) {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  const tmp = join(dir, 'tmp');
  mkdirSync(logs);
  mkdirSync(tmp);
  for (let i = 0; i < FILES; i++) writeFileSync(join(logs, `E2EXAMPLE.2026-11-20-0${i}.abcd.log`), cloudFrontLog(LINES, { seed: i + 1 }));
  const db = join(dir, 'case.duckdb');
  const env = { ...process.env, TMPDIR: tmp };

  const child = spawn(process.execPath, [CLI, 'ingest', '--db', db, '--threads', '1', logs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Mid-run: once rows are being staged for the store, the first file is being read.
  const deadline = Date.now() + 120_000;
  while (!staged(tmp).some((f) => f.endsWith('.tsv'))) {
    assert.ok(Date.now() < deadline, `rows were staged within 120 s; stderr:\n${err}`);
    if (child.exitCode !== null) assert.fail(`ingest ended before it was interrupted:\n${err}`);
    await sleep(20);
  }
  child.kill(signal);
  const code = await exited;
  return { dir, logs, tmp, db, env, code, err };
}

/** Nothing left behind: the store closed and checkpointed, the staged rows removed, no other file. */
function assertNothingLeft(r: { dir: string; logs: string; tmp: string; db: string }): void {
  assert.ok(!existsSync(`${r.db}.wal`), 'no write-ahead log left');
  assert.ok(!existsSync(`${r.db}.tmp`), 'no DuckDB temporary directory left');
  assert.deepEqual(staged(r.tmp), [], 'no staged rows left');
  // Nothing else either: the database file, and no dead-letter file (nothing was rejected).
  assert.deepEqual(readdirSync(r.dir).sort(), ['case.duckdb', 'logs', 'tmp']);
  assert.equal(readdirSync(r.logs).length, FILES, 'the inputs are left as they were');
}

test('Ctrl-C during ingest stores what was staged, prints the summary and how to resume, exits 130 and leaves nothing behind', async () => {
  const { dir, logs, tmp, db, env, code, err } = await interruptedIngest('SIGINT');
  assert.equal(code, EXIT.INTERRUPTED, err);
  assert.match(err, /Ctrl-C: stopping/);
  const total = /^total: ([\d,]+) records, ([\d,]+) events, ([\d,]+) stored/m.exec(err);
  assert.ok(total, `the summary so far is printed:\n${err}`);
  const stored = Number(total[3]!.replace(/,/g, ''));
  assert.match(err, /interrupted by Ctrl-C \(SIGINT\)/);
  assert.match(err, /run the same ingest again to resume: events already stored are skipped/);
  assert.ok(stored < FILES * LINES, `interrupted before the end (${stored} stored)`);

  assertNothingLeft({ dir, logs, tmp, db });

  // The store holds what the summary says, and its files table says which file was read in part.
  const summaryRows = err.split('\n').filter((l) => l.startsWith(logs));
  const counts = await storeCounts(db);
  assert.equal(counts.events, stored, 'the store holds what the summary says was stored');
  assert.equal(counts.distinct, counts.events);
  assert.equal(counts.files, summaryRows.length, 'one ingested_files row per source in the summary');
  assert.equal(counts.filesStored, stored);
  assert.ok(counts.files - counts.complete <= 1, 'at most the file being read is incomplete');

  // Re-running resumes: every event exactly once.
  const again = spawnSync(process.execPath, [CLI, 'ingest', '--db', db, logs], { env, encoding: 'utf8' });
  assert.equal(again.status, EXIT.OK, again.stderr);
  const after = await storeCounts(db);
  assert.equal(after.events, FILES * LINES);
  assert.equal(after.distinct, FILES * LINES, 'every event exactly once');
  assert.match(again.stderr, new RegExp(`${(FILES * LINES - stored).toLocaleString('en-US')} stored, ${stored.toLocaleString('en-US')} already stored`));
});

test('SIGTERM during ingest stops it as Ctrl-C does, exit 143', async () => {
  const r = await interruptedIngest('SIGTERM');
  assert.equal(r.code, EXIT.TERMINATED, r.err);
  assert.match(r.err, /SIGTERM: stopping/);
  assert.match(r.err, /^total: [\d,]+ records/m);
  assert.match(r.err, /run the same ingest again to resume/);
  assertNothingLeft(r);
  const counts = await storeCounts(r.db);
  assert.equal(counts.distinct, counts.events);
});
