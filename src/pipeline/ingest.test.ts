import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest, ingestInto, type IngestOptions } from './ingest.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { StagedBatch } from '../store/store.js';
import { allColumns } from '../store/schema.js';
import { listFormats } from '../formats/registry.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { tempDir } from '../testing/tmp.js';

/**
 * The store as it behaves when its disk fills up: loads succeed until `okRows` rows are stored, then
 * every load fails with ENOSPC. (write-failures.test.ts fills a real tmpfs when it can mount one.)
 */
function fillsUpAfter(store: DuckDbStore, okRows: number): DuckDbStore {
  let stored = 0;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'loadStaged') {
        return async (batch: StagedBatch) => {
          if (stored >= okRows) throw Object.assign(new Error('IO Error: Could not write file: No space left on device'), { code: 'ENOSPC' });
          const n = await target.loadStaged(batch);
          stored += n;
          return n;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function count(store: DuckDbStore, sql: string): Promise<number> {
  return Number((await store.query(sql)).rows[0]![0]);
}

test('a store failure stops the run at once; counts and ingested_files say what was stored; a re-run stores the rest once', async () => {
  const dir = tempDir();
  const sizes = { 'a.log': 3_000, 'b.log': 40_000, 'c.log': 3_000 };
  const inputs = Object.entries(sizes).map(([name, lines], i) => {
    const path = join(dir, name);
    writeFileSync(path, cloudFrontLog(lines, { seed: i + 1 }));
    return path;
  });
  const [a, b, c] = inputs as [string, string, string];
  const total = 46_000;
  // 18 MB: parsed on two worker threads, c.log read ahead while b.log is stored (and dropped when the run stops).
  const db = join(dir, 'case.duckdb');
  const store = await DuckDbStore.open(db);
  await store.ensureSchema(allColumns(listFormats()));
  const options: IngestOptions = { inputs, db, format: 'auto', threads: 2, deadLetterPath: join(dir, 'dl.ndjson'), storeBatchRows: 1_000, analyses: false };
  try {
    const { summary } = await ingestInto(fillsUpAfter(store, 5_000), options);
    assert.match(summary.stopped?.reason ?? '', /^cannot write events to the store .*case\.duckdb: .*No space left on device/);
    assert.equal(summary.stopped?.unread, 1, 'c.log was not read');
    const [first, second] = summary.sources;
    assert.deepEqual(summary.sources.map((s) => [s.source, s.incomplete ?? false]), [[a, false], [b, true]]);
    assert.equal(first!.stored, 3_000);
    assert.ok(second!.records < 20_000, `stopped reading b.log soon after the failure, not after ${second!.records} of 40,000 records`);
    const held = await count(store, 'SELECT count(*) FROM events_aws_cloudfront');
    assert.equal(first!.stored! + second!.stored!, held, 'the counts are what the store holds');
    assert.ok(second!.stored! > 0, 'the loads of b.log before the failure are stored and counted');
    assert.deepEqual((await store.query('SELECT path, stored, complete FROM ingested_files ORDER BY path')).rows, [[a, 3_000, true], [b, second!.stored, false]], 'b.log is not claimed as ingested whole');

    const rerun = await ingestInto(store, options);
    assert.equal(rerun.summary.stopped, undefined);
    assert.deepEqual(rerun.summary.sources.map((s) => [s.source, s.stored, s.duplicates]), [[a, 0, 3_000], [b, 40_000 - second!.stored!, second!.stored!], [c, 3_000, 0]]);
    assert.equal(await count(store, 'SELECT count(DISTINCT event_id) FROM events_aws_cloudfront'), total);
    assert.equal(await count(store, 'SELECT count(*) FROM events_aws_cloudfront'), total, 'nothing stored twice');
    assert.equal(await count(store, 'SELECT sum(stored) FROM ingested_files'), total, 'ingested_files accounts for every event once');
    assert.equal(await count(store, 'SELECT count(*) FROM ingested_files WHERE complete'), 4, 'a.log twice, b.log and c.log once read to the end');
  } finally {
    await store.close();
  }
});

test('ingest loads within a small DuckDB memory limit: the staged-row reader does not claim a 256 MiB buffer per load', async () => {
  const dir = tempDir();
  const log = join(dir, 'E2EXAMPLE.2026-11-20-00.mem.log');
  writeFileSync(log, cloudFrontLog(2000));
  const db = join(dir, 'small.duckdb');
  const result = await ingest({ inputs: [log], db, format: 'aws.cloudfront', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'), memoryLimit: '128MB', analyses: false });
  assert.equal(result.summary.stopped, undefined, result.summary.stopped?.reason);
  assert.equal(result.summary.sources[0]!.stored, 2000);
});
