import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listFormats } from '../../formats/registry.js';
import { allColumns } from '../../store/schema.js';
import { REPO_ROOT } from '../../testing/shared.js';
import { tempDir } from '../../testing/tmp.js';
import { loadAliases } from './aliases.js';
import { compileSpl, compileSplOn, type CompiledSpl, type CompileOptions } from './compile.js';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { SEED_FILES } from './seed.fixture.js';

export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const CATALOG = allColumns(listFormats());
export const ALIASES = loadAliases(CATALOG);
/** A fixed "now" for relative time modifiers: 2026-11-20 12:00 UTC, two hours after the seed events. */
export const NOW = new Date('2026-11-20T12:00:00Z');

export function spl(query: string, more: Partial<CompileOptions> = {}): CompiledSpl {
  return compileSpl(query, { catalog: CATALOG, aliases: ALIASES, now: NOW, ...more });
}

/** Compiles against a store, reading `timechart … by` series from it as the query command does. */
export function splOn(store: DuckDbStore, query: string, more: Partial<CompileOptions> = {}): Promise<CompiledSpl> {
  return compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), query, { catalog: CATALOG, aliases: ALIASES, now: NOW, ...more });
}

/** Runs SPL on a store; the rows as objects keyed by column name. */
export async function splRows(store: DuckDbStore, query: string, more: Partial<CompileOptions> = {}): Promise<Record<string, unknown>[]> {
  const c = await splOn(store, query, more);
  const r = await store.query(c.sql, c.params);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]])));
}

export function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A database holding the seed events of every source, built once per test file through the CLI. */
export function seedDatabase(): string {
  const dir = tempDir('packettrail-spl-');
  const paths = SEED_FILES.map((f) => {
    const p = join(dir, f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, `${f.text}\n`);
    return p;
  });
  const db = join(dir, 'seed.duckdb');
  const r = cli(['ingest', '-q', '--threads', '0', '--db', db, ...paths]);
  if (r.code !== 0) throw new Error(`seed ingest failed (${r.code}): ${r.err}`);
  return db;
}
