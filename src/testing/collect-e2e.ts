import { join } from 'node:path';
import { CollectPipeline } from '../collect/pipeline.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';

/** The real collect pipeline on a fresh DuckDB file in `dir`, for end-to-end tests of inputs. */
export async function openTestPipeline(dir: string, name: string): Promise<{ pipeline: CollectPipeline; db: string; deadLetterPath: string }> {
  const db = join(dir, `${name}.duckdb`);
  const deadLetterPath = join(dir, `${name}.dead.ndjson`);
  const pipeline = await CollectPipeline.open({ db, deadLetterPath, threads: 1, maxConcurrent: 2 });
  return { pipeline, db, deadLetterPath };
}

/** Rows of a read-only query (bound parameters as `$name`). */
export async function queryStore(db: string, sql: string, params: Record<string, string | number> = {}): Promise<unknown[][]> {
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    return (await store.query(sql, params)).rows;
  } finally {
    await store.close();
  }
}

export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
