import { availableParallelism } from 'node:os';
import { sep } from 'node:path';
import { DuckDBInstance, JsonDuckDBValueConverter, StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult } from '@duckdb/node-api';
import { rfc3339Converter } from './timestamps.js';
import { NotAReadError, ResultTooLargeError, type QueryBounds } from '../bounds.js';
import type { EventStore, FileRecord, DeadLetter, QueryResult, StagedBatch } from '../store.js';
import { datasetTable, EVENTS_VIEW, storedColumns } from '../store.js';
import type { Column } from '../schema.js';
import { duckdbDialect } from './dialect.js';
import { createTrailIndexes, dropTrailIndexes, type IndexOutcome } from './indexes.js';

export interface DuckDbOptions {
  readOnly?: boolean;
  /** DuckDB's memory limit (default 1GB: bulk loads spill to disk instead of growing without bound). */
  memoryLimit?: string;
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** Temporary files DuckDB may write when a query spills past the memory limit (DuckDB's max_temp_directory_size; default: DuckDB's, 90% of the free disk). */
  maxTempDirectorySize?: string;
  /**
   * Connections that run SELECTs side by side. Read-only stores have them by default: one per core, plus one:
   * a query also waits on DuckDB's own scheduling, and the extra connection keeps the cores busy —
   * the vpc view took 22 ms with two connections, 18 ms with three, on two cores). The console
   * serves many requests and the views issue independent queries; one connection queued them all.
   * A writable store has them only when asked (the process that holds the database for others): its
   * reads then run beside its loads instead of queuing behind them.
   */
  readConnections?: number;
  /**
   * Where loads read their staged rows from (StoreSink stages there). When set, DuckDB may read no
   * other file (enable_external_access off, this directory allowed): SQL from a console or another
   * command cannot read files through the process that holds the database.
   */
  stagingDir?: string;
  /**
   * Write-ahead log size that triggers a checkpoint (default 256MB; DuckDB's own is 16MB). Collectors
   * load a few thousand rows at a time, and each checkpoint compresses the table's last, growing row
   * group again: syslog into the store ran at 18,700 messages/s with 16MB, 23,900 with 128MB, 26,200
   * with 256MB over a million messages and 29,300 with 1GB; but the rows not yet checkpointed stay in
   * memory (a 100 MB gzip object through S3: peak RSS 1,328 MB with 256MB, 1,585 MB with 1GB).
   * Bulk ingest writes its large loads straight to the file and is unaffected. The log is replayed on
   * the next open after a crash.
   */
  checkpointThreshold?: string;
}

/** DuckDB memory an index build may use per row of the largest table (10M rows: ≈ 1 GB). */
const INDEX_BYTES_PER_ROW = 100;

/** `512MB`, `1.5GB`, `2GiB` … → MB; unknown text counts as 0 (the limit is then raised whenever an index needs memory). */
export function megabytes(size: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(K|M|G|T)i?B\s*$/i.exec(size);
  if (!m) return 0;
  return Number(m[1]) * { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G' | 'T'];
}

/** Prepared statements kept per read connection. */
const PREPARED_PER_CONNECTION = 64;

/**
 * DuckDB forgets an interrupt that comes before a statement begins executing (while it is parsed,
 * prepared or bound): an abort is repeated this often until the statement has ended.
 */
const INTERRUPT_REPEAT_MS = 50;

/** Statements that may run on any connection: reads. Settings and everything else use the main one. */
export const READ_STATEMENT = /^\s*(SELECT|WITH|FROM)\b/i;

/** What `readsOnly` lets run: reads (DESCRIBE, SHOW and SUMMARIZE are SELECTs to DuckDB) and plans. */
const READ_TYPES: ReadonlySet<number> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

function assertRead(type: number): void {
  if (!READ_TYPES.has(type)) throw new NotAReadError((StatementType as unknown as Record<number, string>)[type] ?? String(type));
}

const BOOKKEEPING = [
  `CREATE TABLE IF NOT EXISTS ingested_files (path VARCHAR, dataset VARCHAR, records BIGINT, events BIGINT, stored BIGINT,
     duplicates BIGINT, rejected BIGINT, skipped BIGINT, bytes BIGINT, ingested_at TIMESTAMP DEFAULT current_timestamp,
     complete BOOLEAN DEFAULT true)`,
  `CREATE TABLE IF NOT EXISTS dead_letters (source VARCHAR, line BIGINT, dataset VARCHAR, reason VARCHAR, record VARCHAR,
     rejected_at TIMESTAMP DEFAULT current_timestamp)`,
];

const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** An integer as DuckDB's JSON conversion writes it (64-bit ones as strings): a number in the safe range, else the string. */
function safeInteger(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/**
 * Column names and types, and the JSON row conversion: integers in the safe range become numbers
 * (others stay strings), in lists of integers too (`values(status)`), as the ClickHouse store returns them.
 */
function shapeOf(names: string[], types: string[]): { columns: QueryResult['columns']; toJson(row: unknown[]): unknown[] } {
  const integer = types.map((t) => INTEGER_TYPE.test(t));
  const integers = types.map((t) => t.endsWith('[]') && INTEGER_TYPE.test(t.slice(0, -2)));
  return {
    columns: names.map((name, i) => ({ name, type: types[i]! })),
    toJson: (row) =>
      row.map((v, i) => {
        if (integer[i]) return safeInteger(v);
        if (integers[i] && Array.isArray(v)) return v.map(safeInteger);
        return v;
      }),
  };
}

/**
 * What DuckDB's `stream` does (every statement of the text runs, the last one's result is returned),
 * each statement refused unless it reads: errors and results are the same as a read-only database's.
 */
async function streamReads(con: DuckDBConnection, sql: string, params?: Record<string, string | number | boolean | null>): Promise<DuckDBResult> {
  const statements = await con.extractStatements(sql);
  for (let i = 0; ; i++) {
    const stmt = await statements.prepare(i);
    try {
      assertRead(stmt.statementType);
      if (i === statements.count - 1) {
        if (params && Object.keys(params).length) stmt.bind(params);
        return await stmt.stream();
      }
      await stmt.run();
    } finally {
      stmt.destroySync();
    }
  }
}

/**
 * ingested_files.complete (false: the run stopped in the file, only part of it was stored) came
 * later: databases made before get it once. DuckDB (1.5) cannot replay an ALTER of a table with a
 * function default (ingested_at) from its write-ahead log: after a crash the database would not
 * open. The checkpoint right after takes the ALTER out of the log.
 */
async function addCompleteColumn(con: DuckDBConnection): Promise<void> {
  const has = await con.runAndReadAll(
    `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'ingested_files' AND column_name = 'complete'`,
  );
  if (Number(has.getRows()[0]![0])) return;
  await con.run(`ALTER TABLE ingested_files ADD COLUMN complete BOOLEAN DEFAULT true`);
  await con.run('CHECKPOINT');
}

/**
 * The embedded default store: one DuckDB database file. Each dataset (format) has its own table
 * holding only the columns its events use — a table with hundreds of always-NULL columns costs
 * DuckDB several times more per inserted row — and the `events` view unites them with every
 * catalog column.
 */
export class DuckDbStore implements EventStore {
  readonly dialect = duckdbDialect;
  private readonly loadStatements = new Map<string, DuckDBPreparedStatement>();
  /** Columns of each dataset table, as stored. */
  private readonly tables = new Map<string, Set<string>>();
  private catalog: readonly Column[] = [];
  /** Idle read connections, how many exist, and queries waiting for one. */
  private readonly idleReaders: DuckDBConnection[] = [];
  private readerCount = 0;
  private readonly readerWaits: ((c: DuckDBConnection) => void)[] = [];
  /** Read connections running a statement now: close interrupts them and waits (see close). */
  private readonly busyReaders = new Set<DuckDBConnection>();
  private readersIdle: (() => void) | undefined;
  private closing = false;
  private readonly maxReaders: number;
  private memoryLimit = '1GB';
  /** The last statement queued on the main connection by `query`. */
  private mainTail: Promise<unknown> = Promise.resolve();
  /** Statements prepared on each read connection, most recently used last. */
  private readonly prepared = new Map<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly readOnly: boolean,
    readConnections = 0,
    readonly stagingDir?: string,
  ) {
    this.maxReaders = readConnections;
  }

  static async open(path: string, options: DuckDbOptions = {}): Promise<DuckDbStore> {
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.threads) config.threads = String(options.threads);
    config.memory_limit = options.memoryLimit ?? '1GB';
    if (options.maxTempDirectorySize) config.max_temp_directory_size = options.maxTempDirectorySize;
    if (!options.readOnly) config.checkpoint_threshold = options.checkpointThreshold ?? '256MB';
    const instance = await DuckDBInstance.create(path, config);
    const con = await instance.connect();
    if (options.stagingDir) {
      // Allowed before access is switched off (DuckDB refuses the change after); the database's own
      // files (WAL, spill directory) stay reachable to DuckDB.
      const dir = options.stagingDir.endsWith(sep) ? options.stagingDir : options.stagingDir + sep;
      await con.run(`SET allowed_directories = ['${dir.replace(/'/g, "''")}']`);
      await con.run('SET enable_external_access = false');
    }
    const readers = options.readOnly ? (options.readConnections ?? availableParallelism() + 1) : (options.readConnections ?? 0);
    const store = new DuckDbStore(path, instance, con, options.readOnly ?? false, readers, options.stagingDir);
    store.memoryLimit = config.memory_limit;
    if (!store.readOnly) {
      for (const sql of BOOKKEEPING) await con.run(sql);
      await addCompleteColumn(con);
    }
    await store.readTables();
    return store;
  }

  private async readTables(): Promise<void> {
    const rows = await this.con.runAndReadAll(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name LIKE 'events\\_%' ESCAPE '\\' ORDER BY table_name, ordinal_position`,
    );
    this.tables.clear();
    for (const [table, column] of rows.getRows()) {
      const t = String(table);
      if (!this.tables.has(t)) this.tables.set(t, new Set());
      this.tables.get(t)!.add(String(column));
    }
  }

  async ensureSchema(catalog: readonly Column[]): Promise<void> {
    this.catalog = catalog;
    if (!this.readOnly) await this.refreshView();
  }

  private async refreshView(): Promise<void> {
    const tables = [...this.tables.entries()].map(([table, columns]) => ({ table, columns }));
    await this.con.run(this.dialect.createView(EVENTS_VIEW, tables, this.catalog));
  }

  /** Creates the dataset's table or adds the columns it lacks; true when the schema changed. */
  private async ensureTable(table: string, used: readonly Column[]): Promise<boolean> {
    const have = this.tables.get(table);
    if (!have) {
      // event_id and timestamp always exist: the duplicate search relies on them.
      const cols = [...new Map([...used].map((c) => [c.name, c])).values()];
      await this.con.run(this.dialect.createTable(table, cols));
      this.tables.set(table, new Set(cols.map((c) => c.name)));
      return true;
    }
    let changed = false;
    for (const c of used) {
      if (have.has(c.name)) continue;
      await this.con.run(this.dialect.addColumn(table, c));
      have.add(c.name);
      changed = true;
    }
    return changed;
  }

  async loadStaged(batch: StagedBatch): Promise<number> {
    const table = datasetTable(batch.dataset);
    const used = storedColumns(batch);
    if (await this.ensureTable(table, used)) {
      for (const s of this.loadStatements.values()) s.destroySync();
      this.loadStatements.clear();
      await this.refreshView();
    }
    const key = `${table}|${batch.columns.map((c) => c.name).join(',')}|${used.map((c) => c.name).join(',')}`;
    let stmt = this.loadStatements.get(key);
    if (!stmt) {
      stmt = await this.con.prepare(this.dialect.loadStaged(table, batch.columns, used));
      this.loadStatements.set(key, stmt);
    }
    stmt.bind({ file: batch.file, min_ts: batch.minTime, max_ts: batch.maxTime });
    const result = await stmt.run();
    return Number(result.rowsChanged);
  }

  /** Creates the trail's exact-id indexes that are missing (see indexes.ts); a read-only store cannot. */
  async createIndexes(): Promise<IndexOutcome[]> {
    if (this.readOnly) throw new Error('the store is open read-only: indexes need write access');
    // An index is built in memory: 10M CloudFront rows needed ≈ 800 MB, more than ingest's limit.
    const r = await this.con.runAndReadAll(`SELECT coalesce(max(estimated_size), 0) FROM duckdb_tables() WHERE schema_name = 'main'`);
    const needMb = Math.ceil((Number(r.getRows()[0]![0]) * INDEX_BYTES_PER_ROW) / 2 ** 20);
    const raise = needMb > megabytes(this.memoryLimit);
    if (raise) await this.con.run(`SET memory_limit = '${needMb}MB'`);
    try {
      const out = await createTrailIndexes(this.con, this.tables);
      if (out.some((o) => o.status === 'created')) await this.con.run('CHECKPOINT');
      return out;
    } finally {
      if (raise) await this.con.run(`SET memory_limit = '${this.memoryLimit.replace(/'/g, '')}'`);
    }
  }

  async dropIndexes(): Promise<string[]> {
    if (this.readOnly) throw new Error('the store is open read-only: indexes need write access');
    const names = await dropTrailIndexes(this.con);
    if (names.length) await this.con.run('CHECKPOINT');
    return names;
  }

  async datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.tables;
  }

  async recordFile(f: FileRecord): Promise<void> {
    await this.con.run(
      `INSERT INTO ingested_files (path, dataset, records, events, stored, duplicates, rejected, skipped, bytes, complete)
       VALUES ($path, $dataset, $records, $events, $stored, $duplicates, $rejected, $skipped, $bytes, $complete)`,
      { ...f, complete: f.complete ?? true },
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

  /**
   * Runs a statement. With `bounds` (user queries) the result is streamed chunk by chunk: aborting
   * the signal interrupts the statement, and rows stop being converted once they exceed the size.
   */
  async query(sql: string, params?: Record<string, string | number | boolean | null>, bounds?: QueryBounds): Promise<QueryResult> {
    const run = (con: DuckDBConnection) => (bounds ? this.streamOn(con, sql, params, bounds) : this.queryOn(con, sql, params));
    if (this.maxReaders > 0 && (bounds?.readsOnly || READ_STATEMENT.test(sql))) {
      const con = await this.acquireReader(bounds?.signal);
      this.busyReaders.add(con);
      try {
        return await run(con);
      } finally {
        this.busyReaders.delete(con);
        this.releaseReader(con);
        if (!this.busyReaders.size) this.readersIdle?.();
      }
    }
    // The main connection runs one statement at a time: callers that share a read-only store (the
    // console's concurrent requests) may send other statements (SHOW, DESCRIBE, PRAGMA) together.
    const result = this.mainTail.then(() => {
      bounds?.signal?.throwIfAborted();
      return run(this.con);
    });
    this.mainTail = result.catch(() => {});
    return result;
  }

  private async acquireReader(signal?: AbortSignal): Promise<DuckDBConnection> {
    signal?.throwIfAborted();
    if (this.closing) throw new Error('the database is closing');
    const idle = this.idleReaders.pop();
    if (idle) return idle;
    if (this.readerCount < this.maxReaders) {
      this.readerCount++;
      try {
        return await this.instance.connect();
      } catch (e) {
        this.readerCount--;
        throw e;
      }
    }
    return new Promise((resolve, reject) => {
      // A query given up while it waits (time limit, client gone) leaves the queue.
      const gaveUp = () => {
        const i = this.readerWaits.indexOf(take);
        if (i >= 0) this.readerWaits.splice(i, 1);
        reject(signal!.reason);
      };
      const take = (con: DuckDBConnection) => {
        signal?.removeEventListener('abort', gaveUp);
        resolve(con);
      };
      signal?.addEventListener('abort', gaveUp, { once: true });
      this.readerWaits.push(take);
    });
  }

  private releaseReader(con: DuckDBConnection): void {
    const next = this.readerWaits.shift();
    if (next) next(con);
    else this.idleReaders.push(con);
  }

  /**
   * A read connection's prepared statement for the SQL: a trail runs the same dozen parameterized
   * lookups again and again, and preparing one over a 70-column table costs about as much as
   * running it (≈ 1 ms).
   */
  private async preparedOn(con: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    let cache = this.prepared.get(con);
    if (!cache) this.prepared.set(con, (cache = new Map()));
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql);
    } else {
      stmt = await con.prepare(sql);
      if (cache.size >= PREPARED_PER_CONNECTION) {
        const [oldest, old] = cache.entries().next().value!;
        cache.delete(oldest);
        old.destroySync();
      }
    }
    cache.set(sql, stmt);
    return stmt;
  }

  private async queryOn(con: DuckDBConnection, sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult> {
    let reader;
    if (params && Object.keys(params).length) {
      if (con !== this.con) {
        const stmt = await this.preparedOn(con, sql);
        stmt.bind(params);
        reader = await stmt.runAndReadAll();
      } else {
        reader = await con.runAndReadAll(sql, params);
      }
    } else {
      reader = await con.runAndReadAll(sql);
    }
    const { columns, toJson } = shapeOf(reader.columnNames(), reader.columnTypes().map(String));
    return { columns, rows: reader.getRowsJson().map((row) => toJson(row as unknown[])) };
  }

  /**
   * A statement streamed: DuckDB computes each chunk as it is fetched, the signal is checked between
   * chunks and interrupts the statement (DuckDB checks its interrupt flag while it works), and each
   * row's JSON size counts against `maxResultBytes` as it is converted.
   */
  private async streamOn(con: DuckDBConnection, sql: string, params: Record<string, string | number | boolean | null> | undefined, bounds: QueryBounds): Promise<QueryResult> {
    const { signal } = bounds;
    signal?.throwIfAborted();
    let repeating: NodeJS.Timeout | undefined;
    const interrupt = () => {
      con.interrupt();
      repeating ??= setInterval(() => con.interrupt(), INTERRUPT_REPEAT_MS);
    };
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      let result: DuckDBResult;
      if (params && Object.keys(params).length && con !== this.con) {
        const stmt = await this.preparedOn(con, sql);
        if (bounds.readsOnly) assertRead(stmt.statementType);
        stmt.bind(params);
        result = await stmt.stream();
      } else if (bounds.readsOnly) {
        result = await streamReads(con, sql, params);
      } else {
        result = params && Object.keys(params).length ? await con.stream(sql, params) : await con.stream(sql);
      }
      const { columns, toJson } = shapeOf(result.columnNames(), result.columnTypes().map(String));
      const rows: unknown[][] = [];
      const max = bounds.maxResultBytes ?? Infinity;
      const maxRows = bounds.maxRows ?? Infinity;
      const converter = bounds.rfc3339Timestamps ? rfc3339Converter : JsonDuckDBValueConverter;
      let bytes = 0;
      let seen = 0;
      for (;;) {
        signal?.throwIfAborted();
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const convert = Math.min(chunk.rowCount, Math.max(0, maxRows - seen));
        seen += chunk.rowCount;
        for (let r = 0; r < convert; r++) {
          // Values are read from DuckDB's vectors one row at a time: a chunk of huge strings is refused
          // after the row that crossed the limit, never converted whole.
          const row = toJson(chunk.convertRowValues(r, converter));
          bytes += JSON.stringify(row).length;
          if (bytes > max) throw new ResultTooLargeError(max);
          rows.push(row);
        }
        // A row past maxRows tells that there are more: the rest is never computed.
        if (seen > maxRows) break;
      }
      return seen > maxRows ? { columns, rows, more: true } : { columns, rows };
    } catch (e) {
      // DuckDB's "INTERRUPT Error" says less than why it was interrupted.
      if (signal?.aborted) throw signal.reason;
      throw e;
    } finally {
      clearInterval(repeating);
      signal?.removeEventListener('abort', interrupt);
    }
  }

  /**
   * Closes the database. A statement still running on a read connection would go on after DuckDB's
   * close returns, and keep the process from exiting until it ends (hours, for some): those are
   * interrupted, and the close waits for them.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.busyReaders.size) {
      const interruptAll = () => {
        for (const c of this.busyReaders) c.interrupt();
      };
      const idle = new Promise<void>((resolve) => (this.readersIdle = resolve));
      interruptAll();
      const repeating = setInterval(interruptAll, INTERRUPT_REPEAT_MS);
      await idle;
      clearInterval(repeating);
    }
    await this.mainTail;
    for (const s of this.loadStatements.values()) s.destroySync();
    this.loadStatements.clear();
    for (const cache of this.prepared.values()) for (const stmt of cache.values()) stmt.destroySync();
    this.prepared.clear();
    for (const c of this.idleReaders.splice(0)) c.closeSync();
    this.con.closeSync();
    this.instance.closeSync();
  }
}
