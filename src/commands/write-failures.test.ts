import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/shared.js';
import { tempDir } from '../testing/tmp.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { EXIT } from '../cli/exit-codes.js';

// A failed write of anything (dead letters, the store, staged rows, NDJSON output) stops the run with
// exit 3 and a message naming what could not be written, and the counts say what was written.

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const NO_DEV_FULL = existsSync('/dev/full') ? false : 'needs /dev/full (writes to it fail with ENOSPC)';

function cli(args: string[], o: { stdout?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', o.stdout ?? 'pipe', 'pipe'], env: o.env ?? process.env });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr };
}

/** `good` CloudFront records, each followed by a line no format accepts. */
function mixedLog(dir: string, good: number): string {
  const [version, fields, ...records] = cloudFrontLog(good).trimEnd().split('\n');
  const file = join(dir, 'mixed.log');
  writeFileSync(file, [version, fields, ...records.flatMap((r, i) => [r, `not a cloudfront line ${i}`])].join('\n') + '\n');
  return file;
}

/** The `N stored` of the summary's total line. */
function storedInSummary(err: string): number {
  const m = /^total: .*?([\d,]+) stored/m.exec(err);
  assert.ok(m, `a total line with the stored count in:\n${err}`);
  return Number(m[1]!.replace(/,/g, ''));
}

async function storeCounts(db: string): Promise<{ events: number; distinct: number; files: number; filesStored: number; complete: number }> {
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    const tables = (await store.query(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'events_aws_cloudfront'`)).rows[0]![0];
    const [events, distinct] = tables ? (await store.query('SELECT count(*), count(DISTINCT event_id) FROM events_aws_cloudfront')).rows[0]! : [0, 0];
    const [files, filesStored, complete] = (await store.query('SELECT count(*), coalesce(sum(stored), 0), count(*) FILTER (complete) FROM ingested_files')).rows[0]!;
    return { events: Number(events), distinct: Number(distinct), files: Number(files), filesStored: Number(filesStored), complete: Number(complete) };
  } finally {
    await store.close();
  }
}

test('ingest: a dead-letter file in a directory that does not exist is a fatal error before any work', () => {
  const dir = tempDir();
  const db = join(dir, 'case.duckdb');
  const r = cli(['ingest', '--db', db, '--dead-letter', join(dir, 'nowhere', 'x.ndjson'), mixedLog(dir, 100)]);
  assert.equal(r.code, EXIT.FATAL, r.err);
  assert.match(r.err, /cannot write the dead-letter file .*nowhere\/x\.ndjson: directory .*nowhere does not exist/);
  assert.ok(!existsSync(db), 'nothing was read, no database was created');
});

test('ingest: dead letters that cannot be written (/dev/full) stop the run; the summary says what the store holds', { skip: NO_DEV_FULL }, async () => {
  const dir = tempDir();
  const db = join(dir, 'case.duckdb');
  const r = cli(['ingest', '--db', db, '--dead-letter', '/dev/full', mixedLog(dir, 10_000)]);
  assert.equal(r.code, EXIT.FATAL, r.err);
  assert.match(r.err, /packettrail: stopped: cannot write the dead-letter file \/dev\/full: ENOSPC/);
  const held = await storeCounts(db);
  assert.equal(storedInSummary(r.err), held.events);
  assert.equal(held.complete, 0, 'the file the run stopped in is not recorded as read to the end');
  assert.equal(held.filesStored, held.events);
});

test('ingest: staged rows that cannot be written stop the run with exit 3', async () => {
  const dir = tempDir();
  const db = join(dir, 'case.duckdb');
  const file = join(dir, 'good.log');
  writeFileSync(file, cloudFrontLog(500));
  const r = cli(['ingest', '--db', db, '--dead-letter', join(dir, 'dl.ndjson'), file], { env: { ...process.env, TMPDIR: join(dir, 'missing-tmp') } });
  assert.equal(r.code, EXIT.FATAL, r.err);
  assert.match(r.err, /stopped: cannot write staged rows to a directory in .*missing-tmp: ENOENT/);
  assert.equal(storedInSummary(r.err), 0);
  assert.equal((await storeCounts(db)).events, 0);
});

test('normalize: a dead-letter file that cannot be created or written is exit 3 with a message', { skip: NO_DEV_FULL }, () => {
  const dir = tempDir();
  const file = mixedLog(dir, 2_000);
  const missing = cli(['normalize', '--dead-letter', join(dir, 'nowhere', 'x.ndjson'), file]);
  assert.equal(missing.code, EXIT.FATAL, missing.err);
  assert.match(missing.err, /cannot write the dead-letter file .*nowhere\/x\.ndjson: directory .*nowhere does not exist/);
  assert.equal(missing.out, '', 'nothing was read');
  const full = cli(['normalize', '--dead-letter', '/dev/full', file]);
  assert.equal(full.code, EXIT.FATAL, full.err);
  assert.match(full.err, /stopped: cannot write the dead-letter file \/dev\/full: ENOSPC/);
});

test('normalize: output that cannot be written (stdout is /dev/full) is exit 3 with a message', { skip: NO_DEV_FULL }, () => {
  const dir = tempDir();
  const file = join(dir, 'good.log');
  writeFileSync(file, cloudFrontLog(2_000));
  const fd = openSync('/dev/full', 'w');
  try {
    const r = cli(['normalize', '--dead-letter', join(dir, 'dl.ndjson'), file], { stdout: fd });
    assert.equal(r.code, EXIT.FATAL, r.err);
    assert.match(r.err, /stopped: cannot write the NDJSON output \(stdout\): ENOSPC/);
  } finally {
    closeSync(fd);
  }
});

test('normalize: a reader that closes the pipe early (| head) is a normal end, not an error', async () => {
  const dir = tempDir();
  const file = join(dir, 'good.log');
  writeFileSync(file, cloudFrontLog(20_000));
  const child = spawn(process.execPath, [CLI, 'normalize', '--threads', '0', '--dead-letter', join(dir, 'dl.ndjson'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Like `head -1`: read the first bytes, then close the pipe.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, EXIT.OK, err);
  assert.doesNotMatch(err, /stopped|cannot write|internal error/);
  assert.match(err, /total: 20,000 records, 20,000 events, 0 rejected/);
});

/** Mounts a tmpfs of `size` at a new directory (needs root), or says why it cannot. */
function mountTmpfs(size: string): { dir: string; resize(size: string): void; unmount(): void } | string {
  if (process.platform !== 'linux') return 'needs Linux tmpfs';
  const dir = join(tempDir(), 'small-disk');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs to fill a disk (needs root): ${(r.stderr || r.error?.message || '').trim()}`;
  return {
    dir,
    resize: (s) => assert.equal(spawnSync('mount', ['-o', `remount,size=${s}`, dir]).status, 0, `remount ${dir} with size=${s}`),
    unmount: () => void spawnSync('umount', [dir]),
  };
}

test('ingest onto a full disk stops at the first store failure, reports what the store holds; a re-run stores the rest once', async (t) => {
  const disk = mountTmpfs('4m');
  if (typeof disk === 'string') return t.skip(disk);
  t.after(() => disk.unmount());
  const dir = tempDir();
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  // Above 4 MB in all: parsed on worker threads, with sources read ahead.
  const files = 8;
  const perFile = 3_000;
  for (let i = 0; i < files; i++) writeFileSync(join(logs, `f${String(i).padStart(2, '0')}.log`), cloudFrontLog(perFile, { seed: i + 1 }));
  const db = join(disk.dir, 'case.duckdb');
  const args = ['ingest', '--threads', '2', '--db', db, '--dead-letter', join(dir, 'dl.ndjson'), logs];

  const full = cli(args);
  assert.equal(full.code, EXIT.FATAL, full.err);
  assert.match(full.err, /packettrail: stopped: cannot write .*(No space left on device|ENOSPC|failed to offload)/i);
  assert.match(full.err, /\d+ sources? not read/, 'the run stopped reading at the failure');
  const held = await storeCounts(db);
  assert.equal(storedInSummary(full.err), held.events, 'the summary counts what the store holds');
  assert.ok(held.events < files * perFile);
  assert.equal(held.filesStored, held.events, 'ingested_files accounts for what was stored');
  assert.equal(held.complete, held.files - 1, 'the file the run stopped in is recorded as not complete');
  assert.ok(held.complete * perFile <= held.events);

  disk.resize('200m');
  const again = cli(args);
  assert.equal(again.code, EXIT.OK, again.err);
  assert.equal(storedInSummary(again.err), files * perFile - held.events, 'the re-run stores the rest');
  const after = await storeCounts(db);
  assert.deepEqual([after.events, after.distinct], [files * perFile, files * perFile], 'every event once');
  assert.equal(after.filesStored, after.events, 'the files table accounts for every stored event exactly once');
  assert.equal(after.complete, held.complete + files);
});

test('detect: dead letters that cannot be written are a fatal error naming the file, not a stack trace', { skip: NO_DEV_FULL }, () => {
  const dir = tempDir();
  const missing = cli(['detect', '-q', '--dead-letter', join(dir, 'nowhere', 'x.ndjson'), mixedLog(dir, 100)]);
  assert.equal(missing.code, EXIT.FATAL, missing.err);
  assert.match(missing.err, /cannot write the dead-letter file .*nowhere\/x\.ndjson/);
  const full = cli(['detect', '--dead-letter', '/dev/full', mixedLog(dir, 2_000)]);
  assert.equal(full.code, EXIT.FATAL, full.err);
  assert.match(full.err, /packettrail: stopped: cannot write the dead-letter file \/dev\/full: ENOSPC/);
  assert.doesNotMatch(full.err, /internal error|\n\s+at /);
});
