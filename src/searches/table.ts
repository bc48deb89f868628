import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { EventStore } from '../store/store.js';
import { checkSchedule, type SavedSearch, type SearchLanguage, type SearchRun, type SearchSchedule } from './types.js';

/**
 * Saved searches and their runs, in the store (both engines): append-only tables read as "the latest
 * version of each id", so an edit or a removal is one INSERT (ClickHouse 18.16 has no cheap UPDATE)
 * and the same SQL runs on DuckDB and ClickHouse (argMax is an alias of DuckDB's arg_max).
 */
export const SEARCHES_TABLE = 'saved_searches';
export const RUNS_TABLE = 'saved_search_runs';

export const SEARCH_COLUMNS = ['id', 'version', 'removed', 'name', 'query', 'language', 'created_at', 'schedule'] as const;
export const RUN_COLUMNS = ['search_id', 'seq', 'window_start', 'window_end', 'ran_at', 'took_ms', 'rows', 'alerts', 'skipped', 'error', 'trigger'] as const;
const INTEGER_COLUMNS = new Set(['version', 'removed', 'seq', 'took_ms', 'rows', 'alerts', 'skipped']);

/** Column types per engine (ClickHouse's are in store/clickhouse/schema.ts BOOKKEEPING_TABLES, from the same lists). */
export const searchTableColumns = (names: readonly string[], integer: string, text: string) => names.map((name) => ({ name, type: INTEGER_COLUMNS.has(name) ? integer : text }));

const duckdbCreate = (table: string, names: readonly string[]) =>
  `CREATE TABLE IF NOT EXISTS ${table} (${searchTableColumns(names, 'BIGINT', 'VARCHAR').map((c) => `${c.name} ${c.type} NOT NULL`).join(', ')})`;

/** DuckDB's statements of `store init` and of the first write. */
export const DUCKDB_SEARCH_TABLES = [duckdbCreate(SEARCHES_TABLE, SEARCH_COLUMNS), duckdbCreate(RUNS_TABLE, RUN_COLUMNS)];

const MISSING_TABLE = /does not exist|doesn't exist|UNKNOWN_TABLE|Table .* not found|Catalog Error/i;

/** Versions increase within the process that writes (all writes go through the one that holds the store). */
let lastVersion = 0;
function nextVersion(): number {
  lastVersion = Math.max(lastVersion + 1, Date.now() * 1000);
  return lastVersion;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function searchOf(row: unknown[]): SavedSearch {
  const [id, , name, query, language, created, schedule] = row;
  const s: SavedSearch = { id: str(id), name: str(name), query: str(query), language: (str(language) || 'auto') as SearchLanguage, created: str(created) };
  if (str(schedule)) {
    try {
      s.schedule = checkSchedule(JSON.parse(str(schedule)) as SearchSchedule);
    } catch {
      // A schedule this version cannot read is shown as none rather than run wrongly.
    }
  }
  return s;
}

function runOf(searchId: string, row: unknown[]): SearchRun {
  const [windowStart, windowEnd, ranAt, tookMs, rows, alerts, skipped, error, trigger] = row;
  return {
    searchId, windowStart: str(windowStart), windowEnd: str(windowEnd), ranAt: str(ranAt), tookMs: Number(tookMs), rows: Number(rows),
    alerts: Number(alerts), skipped: Number(skipped), error: str(error), trigger: str(trigger) === 'manual' ? 'manual' : 'schedule',
  };
}

/** The tables on one store. Writes need a store opened read-write (or the owner's). */
export class SearchTable {
  private ready: Promise<void> | undefined;

  constructor(private readonly store: EventStore) {}

  /** DuckDB creates the tables on first write; ClickHouse opens read-write with its bookkeeping tables. */
  private ensure(): Promise<void> {
    if (this.store.dialect.name !== 'duckdb') return Promise.resolve();
    this.ready ??= (async () => {
      for (const sql of DUCKDB_SEARCH_TABLES) await this.store.query(sql);
    })();
    return this.ready;
  }

  private async read(sql: string, params: Record<string, string | number> = {}): Promise<unknown[][]> {
    try {
      return (await this.store.query(sql, params, { readsOnly: true })).rows;
    } catch (e) {
      // No table yet (a database no writer has opened since): nothing saved.
      if (MISSING_TABLE.test((e as Error).message) && new RegExp(`${SEARCHES_TABLE}|${RUNS_TABLE}`).test((e as Error).message)) return [];
      throw e;
    }
  }

  async list(): Promise<SavedSearch[]> {
    const latest = SEARCH_COLUMNS.filter((c) => c !== 'id' && c !== 'version').map((c) => `argMax(${c}, version) AS ${c}`);
    const rows = await this.read(`SELECT id, ${latest.join(', ')} FROM ${SEARCHES_TABLE} GROUP BY id`);
    return rows.filter((r) => Number(r[1]) === 0).map(searchOf).sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<SavedSearch | undefined> {
    return (await this.list()).find((s) => s.id === id);
  }

  /** Writes this version of the search (add, edit, schedule, unschedule). */
  async put(s: SavedSearch, removed = false): Promise<void> {
    await this.ensure();
    const values = { id: s.id, version: nextVersion(), removed: removed ? 1 : 0, name: s.name, query: s.query, language: s.language, created_at: s.created, schedule: s.schedule ? JSON.stringify(s.schedule) : '' };
    await this.store.query(`INSERT INTO ${SEARCHES_TABLE} (${SEARCH_COLUMNS.join(', ')}) VALUES (${SEARCH_COLUMNS.map((c) => `$${c}`).join(', ')})`, values);
  }

  async remove(s: SavedSearch): Promise<void> {
    await this.put(s, true);
  }

  async recordRun(r: SearchRun): Promise<void> {
    await this.ensure();
    const values = {
      search_id: r.searchId, seq: nextVersion(), window_start: r.windowStart, window_end: r.windowEnd, ran_at: r.ranAt, took_ms: Math.round(r.tookMs),
      rows: r.rows, alerts: r.alerts, skipped: r.skipped, error: r.error, trigger: r.trigger,
    };
    await this.store.query(`INSERT INTO ${RUNS_TABLE} (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map((c) => `$${c}`).join(', ')})`, values);
  }

  /**
   * Per search: its latest run, and the end of the latest window the schedule evaluated (a restart
   * starts after it, so no window is evaluated twice).
   */
  async lastRuns(): Promise<Map<string, { last: SearchRun; scheduledUpTo: string }>> {
    const cols = RUN_COLUMNS.slice(2).map((c) => `argMax(${c}, seq)`);
    const rows = await this.read(`SELECT search_id, max(CASE WHEN trigger = 'schedule' THEN window_end ELSE '' END), ${cols.join(', ')} FROM ${RUNS_TABLE} GROUP BY search_id`);
    return new Map(rows.map((r) => [str(r[0]), { scheduledUpTo: str(r[1]), last: runOf(str(r[0]), r.slice(2)) }]));
  }

  /** The latest runs of one search, newest first. */
  async runs(searchId: string, limit: number): Promise<SearchRun[]> {
    const rows = await this.read(`SELECT ${RUN_COLUMNS.slice(2).join(', ')} FROM ${RUNS_TABLE} WHERE search_id = $id ORDER BY seq DESC LIMIT $limit`, { id: searchId, limit });
    return rows.map((r) => runOf(searchId, r));
  }
}

/** Where saved searches lived before the store held them: a JSON file beside the database. */
export const legacySearchFileFor = (db: string) => `${db}.saved-searches.json`;
export const legacyBackupFor = (file: string) => `${file}.migrated`;

/**
 * Moves the searches of the old JSON file into the table once: ids the table already has are kept
 * as they are, and the file is renamed to `<file>.migrated` (the backup) so it is not read again.
 * Returns how many were copied (undefined: no file).
 */
export async function migrateSearchFile(table: SearchTable, file: string): Promise<number | undefined> {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`saved searches file ${file} is not readable JSON (${(e as Error).message}): fix or move it, then start again`);
  }
  if (!Array.isArray(data)) throw new Error(`saved searches file ${file} does not hold a list: fix or move it, then start again`);
  const have = new Set((await table.list()).map((s) => s.id));
  let copied = 0;
  for (const item of data as Partial<SavedSearch>[]) {
    if (!item || typeof item.id !== 'string' || typeof item.query !== 'string' || have.has(item.id)) continue;
    const language = item.language === 'spl' || item.language === 'sql' ? item.language : 'auto';
    await table.put({ id: item.id, name: typeof item.name === 'string' ? item.name : 'untitled', query: item.query, language, created: typeof item.created === 'string' ? item.created : new Date().toISOString() });
    copied++;
  }
  renameSync(file, legacyBackupFor(file));
  return copied;
}
