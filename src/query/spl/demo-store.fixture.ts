import { join } from 'node:path';
import { generate, LOGS_DIR } from '../../generate/generate.js';
import { ingestDir } from '../../insights/test-store.js';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import { compileSplOn, type CompiledSpl } from './compile.js';
import type { MacroTable } from './macros.js';
import { ALIASES, CATALOG, NOW } from './testing.fixture.js';

/** The demo scenario (`packettrail demo`'s default), generated and ingested into a fresh store; open it read-only. */
export async function demoStore(): Promise<DuckDbStore> {
  const dir = tempDir('packettrail-spl-demo-');
  await generate({ out: dir });
  const store = await ingestDir(join(dir, LOGS_DIR), dir, false);
  return store.open();
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
