import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate, LOGS_DIR } from '../../generate/generate.js';
import { ingestDir } from '../../insights/test-store.js';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { sharedFixture } from '../../testing/fixture-cache.js';
import { tempDir } from '../../testing/tmp.js';
import { compileSplOn, type CompiledSpl } from './compile.js';
import type { MacroTable } from './macros.js';
import { ALIASES, CATALOG, NOW } from './testing.fixture.js';

/** The file ingestDir writes (src/insights/test-store.ts). */
const DEMO_DB = 'test.duckdb';

/**
 * The demo scenario (`packettrail demo`'s default), generated and ingested once per build across
 * every test process (sharedFixture); each call opens its own copy read-only.
 */
export async function demoStore(): Promise<DuckDbStore> {
  const cache = await sharedFixture('spl-demo-store', { generate: 'default', analyses: false }, async (dir) => {
    await generate({ out: dir });
    await ingestDir(join(dir, LOGS_DIR), dir, false);
  });
  const dir = tempDir('packettrail-spl-demo-');
  for (const file of [DEMO_DB, `${DEMO_DB}.wal`]) if (existsSync(join(cache, file))) copyFileSync(join(cache, file), join(dir, file));
  return DuckDbStore.open(join(dir, DEMO_DB), { readOnly: true });
}

/** Compiles SPL as `packettrail query` does on this store (its tables known). */
export async function compileOn(store: DuckDbStore, query: string, macros?: MacroTable): Promise<CompiledSpl> {
  const tables = await store.datasetColumns();
  return compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), query, { catalog: CATALOG, aliases: ALIASES, now: NOW, tables, ...(macros ? { macros } : {}) });
}

/** Runs SPL on the store: rows as objects, and the compiler's warnings. */
export async function splRows(store: DuckDbStore, query: string): Promise<{ rows: Record<string, unknown>[]; warnings: string[] }> {
  const c = await compileOn(store, query);
  const r = await store.query(c.sql, c.params);
  return { rows: r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]]))), warnings: c.warnings };
}

/** Runs hand-written SQL on the store: rows as objects. */
export async function sqlRows(store: DuckDbStore, sql: string): Promise<Record<string, unknown>[]> {
  const r = await store.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]])));
}
