import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { EventStore, FileRecord, DeadLetter, QueryResult } from '../store.js';
import { EVENTS_TABLE } from '../store.js';
import type { Column } from '../schema.js';
import { duckdbDialect } from './dialect.js';

export interface DuckDbOptions {
  readOnly?: boolean;
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
}

const BOOKKEEPING = [
  `CREATE TABLE IF NOT EXISTS ingested_files (path VARCHAR, dataset VARCHAR, records BIGINT, events BIGINT, stored BIGINT,
     duplicates BIGINT, rejected BIGINT, skipped BIGINT, bytes BIGINT, ingested_at TIMESTAMP DEFAULT current_timestamp)`,
  `CREATE TABLE IF NOT EXISTS dead_letters (source VARCHAR, line BIGINT, dataset VARCHAR, reason VARCHAR, record VARCHAR,
     rejected_at TIMESTAMP DEFAULT current_timestamp)`,
];

/** The embedded default store: one DuckDB database file. */
export class DuckDbStore implements EventStore {
  readonly dialect = duckdbDialect;
  private loadStatements = new Map<string, DuckDBPreparedStatement>();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly readOnly: boolean,
  ) {}

  static async open(path: string, options: DuckDbOptions = {}): Promise<DuckDbStore> {
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.threads) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(path, config);
    const con = await instance.connect();
    const store = new DuckDbStore(path, instance, con, options.readOnly ?? false);
    if (!store.readOnly) for (const sql of BOOKKEEPING) await con.run(sql);
    return store;
  }

  async ensureSchema(columns: readonly Column[]): Promise<void> {
    if (this.readOnly) return;
    await this.con.run(this.dialect.createTable(EVENTS_TABLE, columns));
    const existing = await this.con.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $t`,
      { t: EVENTS_TABLE },
    );
    const have = new Set(existing.getRows().map((r) => String(r[0])));
    for (const c of columns) if (!have.has(c.name)) await this.con.run(this.dialect.addColumn(EVENTS_TABLE, c));
  }

  async loadStaged(file: string, columns: readonly Column[], minTs: string, maxTs: string): Promise<number> {
    const key = columns.map((c) => c.name).join(',');
    let stmt = this.loadStatements.get(key);
    if (!stmt) {
      stmt = await this.con.prepare(this.dialect.loadStaged(EVENTS_TABLE, columns));
      this.loadStatements.set(key, stmt);
    }
    stmt.bind({ file, min_ts: minTs, max_ts: maxTs });
    const result = await stmt.run();
    return Number(result.rowsChanged);
  }

  async recordFile(f: FileRecord): Promise<void> {
    await this.con.run(
      `INSERT INTO ingested_files (path, dataset, records, events, stored, duplicates, rejected, skipped, bytes)
       VALUES ($path, $dataset, $records, $events, $stored, $duplicates, $rejected, $skipped, $bytes)`,
      { ...f },
    );
  }

  async recordDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    const appender = await this.con.createAppender('dead_letters');
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    for (const d of letters) {
      appender.appendVarchar(d.source);
      appender.appendBigInt(BigInt(d.line));
      appender.appendVarchar(d.dataset);
      appender.appendVarchar(d.reason);
      appender.appendVarchar(d.record);
      appender.appendVarchar(now);
      appender.endRow();
    }
    appender.closeSync();
  }

  async query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult> {
    const reader = params && Object.keys(params).length ? await this.con.runAndReadAll(sql, params) : await this.con.runAndReadAll(sql);
    const types = reader.columnTypes().map(String);
    const columns = reader.columnNames().map((name, i) => ({ name, type: types[i]! }));
    const integer = types.map((t) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t));
    const rows = reader.getRowsJson().map((row) =>
      (row as unknown[]).map((v, i) => {
        if (integer[i] && typeof v === 'string') {
          const n = Number(v);
          return Number.isSafeInteger(n) ? n : v;
        }
        return v;
      }),
    );
    return { columns, rows };
  }

  async close(): Promise<void> {
    for (const s of this.loadStatements.values()) s.destroySync();
    this.loadStatements.clear();
    this.con.closeSync();
    this.instance.closeSync();
  }
}
