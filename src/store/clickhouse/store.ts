import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { Alert } from '../../detect/types.js';
import type { AlertChange } from '../../detect/alerts/triage.js';
import { ALERT_CHANGE_COLUMNS } from '../alert-changes.js';
import { NotAReadError, ResultTooLargeError, type QueryBounds } from '../bounds.js';
import { listFormats } from '../../formats/registry.js';
import { allColumns, type Column } from '../schema.js';
import type { DeadLetter, EventStore, FileRecord, QueryResult, StagedBatch } from '../store.js';
import { datasetTable, EVENTS_VIEW, storedColumns } from '../store.js';
import { clickhouseColumnType, clickhouseDialect } from './dialect.js';
import { clusterExpressions } from './expressions.js';
import { bindParams, stringLiteral, type ParamValue } from './literals.js';
import { ClickHouseNode, nodeUrls, queryId, type NodeOptions } from './nodes.js';
import { TsvResultReader } from './results.js';
import { BOOKKEEPING_TABLES, ensureDatabaseEverywhere, ensureTableEverywhere, eventsTableSpec, readDatasetTables, replaceViewEverywhere, type Topology } from './schema.js';
import { binaryTypesMatch, RowBinaryConverter } from './row-binary.js';
import { convertStagedFile, epochText, StagedConverter, type RowConverter } from './staged.js';
import { tsvRows, type TsvValue } from './tsv.js';
import { parseStoreUrl, type ClickHouseLocation } from './url.js';
import { DEFAULT_STORE_RETRY, retryTransient, type RetryPolicy } from './retry.js';

export interface ClickHouseStoreOptions extends NodeOptions {
  readOnly?: boolean;
  /** At most this many stored ids in a batch's range are read and left out by the client (default CLIENT_DEDUP_MAX_IDS). */
  clientDedupMaxIds?: number;
  /** How writes are retried after transient failures (default DEFAULT_STORE_RETRY; the URL's retry_limit= sets its limit). */
  retry?: RetryPolicy;
  /** Told of each transient failure of a write before it is retried (default: a line on stderr). */
  onRetry?: (message: string) => void;
}

/** The catalog's boolean columns (stored as UInt8; results show them as true/false), built once. */
let booleanColumns: ReadonlySet<string> | undefined;
const BOOLEAN_COLUMNS = (): ReadonlySet<string> =>
  (booleanColumns ??= new Set(allColumns(listFormats()).filter((c) => c.type === 'boolean').map((c) => c.name)));

/** Statements that return rows; anything else runs as a command (no FORMAT clause can follow it). */
const READ_STATEMENT = /^(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i;
/** Leading comments and parentheses before a statement's first word. */
const LEADING = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|\()*/;

/**
 * The view's CREATE statement names every catalog column once per dataset table (≈ 600 KB for 11
 * tables of the demo): past the server's default max_query_size (256 KiB), it is allowed this much.
 */
export const VIEW_MAX_QUERY_BYTES = 64 << 20;

/**
 * The same statement's expressions (a typed NULL per missing column and table, several AST elements
 * each: ≈ 60,000 for every format's table after `store init`), past the server's default
 * max_ast_elements (50,000). Checked only when the statement runs: the stored view is not re-checked.
 */
export const VIEW_MAX_AST_ELEMENTS = 10_000_000;

/** The settings a CREATE of the events view runs with. */
export const VIEW_SETTINGS = { max_query_size: String(VIEW_MAX_QUERY_BYTES), max_ast_elements: String(VIEW_MAX_AST_ELEMENTS) };

/**
 * A load reads the ids already stored in its batch's time range and leaves those rows out itself
 * when there are at most this many (≈ 100 bytes of memory each); beyond, the server compares them
 * (a temporary table per load). See ClickHouseStore.loadStaged.
 */
export const CLIENT_DEDUP_MAX_IDS = 1_000_000;

/**
 * Rows per block a load's INSERT is cut into (each block becomes a part). 18.16 checks that a
 * block is already sorted by `timestamp` before writing it, and its Decimal comparison copies the
 * whole column at every row compared (ColumnDecimal::compareAt takes the other column by value): the
 * check costs rows² × 8 bytes copied per block, 12.5 CPU-s for one 200,000-row block on this
 * machine against 4.4 s (merges included) in blocks of 32,768 rows (bench/README.md, "Issue 24 —
 * ingest speed"). Smaller blocks make more parts to merge; current releases compare without the copy.
 */
export const INSERT_BLOCK_ROWS = 32_768;

/** The settings of every load's INSERT: blocks of INSERT_BLOCK_ROWS rows, every shard written before it returns. */
const LOAD_SETTINGS: ClickHouseSettings = {
  insert_distributed_sync: 1,
  max_insert_block_size: String(INSERT_BLOCK_ROWS),
  min_insert_block_size_rows: String(INSERT_BLOCK_ROWS),
};

/** How long a load waits for an earlier load of the same table still running on the server (a killed run's). */
export const ORPHAN_LOAD_WAIT_MS = 600_000;
const ORPHAN_POLL_MS = 200;

/** ClickHouse error codes for a query that is wrong as written (syntax, unknown table, column, function, type). */
const MISTAKE_CODES: ReadonlySet<number> = new Set([46, 47, 60, 62, 16, 36, 43, 50, 53, 81, 386]);

/** ClickHouse's `Code: 62, e.displayText() = DB::Exception: Syntax error…` as an error that says whether the query was at fault. */
export class ClickHouseQueryError extends Error {
  constructor(
    message: string,
    /** ClickHouse's error code (not `code`, which callers read as a system error's). */
    readonly clickhouseCode: number | undefined,
  ) {
    super(message);
    this.name = 'ClickHouseQueryError';
  }
  /** The query is wrong as written: a usage error, as DuckDB's parser and binder errors are. */
  get mistake(): boolean {
    return this.clickhouseCode !== undefined && MISTAKE_CODES.has(this.clickhouseCode);
  }
}

function clickhouseError(e: unknown): Error {
  if (!(e instanceof Error) || e instanceof ClickHouseQueryError) return e as Error;
  const m = /Code: (\d+)/.exec(e.message);
  const code = m ? Number(m[1]) : (e as { code?: string }).code !== undefined && /^\d+$/.test(String((e as { code?: string }).code)) ? Number((e as { code?: string }).code) : undefined;
  if (code === undefined) return e;
  return new ClickHouseQueryError(e.message.replace(/, e\.what\(\) = DB::Exception\s*$/, '').trim(), code);
}

/** The statement without what would keep a FORMAT clause from following it: trailing `;`, spaces, comments. */
function statementOf(sql: string): string {
  let s = sql.trimEnd();
  for (;;) {
    const next = s.replace(/;\s*$/, '').replace(/\n\s*--[^\n]*$/, '').trimEnd();
    if (next === s) return s;
    s = next;
  }
}

/**
 * The store on ClickHouse: one server, or a cluster (`cluster=` in the URL) where every node holds a
 * MergeTree part of each table (`events_<dataset>_local`) under a Distributed table of the dataset's
 * name. Callers write SQL with `$name` parameters, substituted as literals (literals.ts), and get
 * results in the DuckDB store's JSON shapes (results.ts).
 */
/** A statement that does not read, given to a store opened read-only. */
export class ReadOnlyStoreError extends Error {
  readonly mistake = true;
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlyStoreError';
  }
}

export class ClickHouseStore implements EventStore {
  readonly dialect: typeof clickhouseDialect;
  readonly stagingDir = undefined;
  private readonly tables = new Map<string, Set<string>>();
  /** Each dataset table's column types as the server has them (read once per table and schema change). */
  private readonly columnTypes = new Map<string, ReadonlyMap<string, string>>();
  private catalog: readonly Column[] = [];
  /** A dataset table changed and the events view has not been rebuilt since (a failed rebuild is tried again). */
  private viewStale = false;

  private constructor(
    readonly location: ClickHouseLocation,
    private readonly main: ClickHouseNode,
    private readonly topology: Topology,
    private readonly readOnly: boolean,
    private readonly clientDedupMaxIds: number,
    private readonly retryPolicy: RetryPolicy,
    private readonly onRetry: (message: string) => void,
  ) {
    // A cluster's table sizes are summed over its shards (the trail searches the smallest first).
    this.dialect = topology.cluster ? { ...clickhouseDialect, fn: clusterExpressions(topology.cluster, topology.database) } : clickhouseDialect;
  }

  /** Every node's client, closed with the store. */
  private get clients(): ClickHouseNode[] {
    return [...new Set([this.main, ...this.topology.nodes])];
  }

  get path(): string {
    return this.location.redacted;
  }

  /**
   * Opens the store: the database and bookkeeping tables on every node. For writing, retried like
   * writes (a collector or worker started while a node restarts waits for it), within the same limit.
   */
  static async open(where: string | ClickHouseLocation, options: ClickHouseStoreOptions = {}): Promise<ClickHouseStore> {
    const location = typeof where === 'string' ? parseStoreUrl(where) : where;
    const retry = options.retry ?? (location.retryLimitMs !== undefined ? { ...DEFAULT_STORE_RETRY, limitMs: location.retryLimitMs } : DEFAULT_STORE_RETRY);
    const onRetry = options.onRetry ?? ((m: string) => process.stderr.write(`packettrail: ${m}\n`));
    // A reader (query, serve) is told at once that the server does not answer.
    const openRetry = options.readOnly ? { ...retry, limitMs: 0 } : retry;
    return retryTransient('opening the store', () => ClickHouseStore.openOnce(location, { ...options, retry, onRetry }), openRetry, {
      onRetry: (e, n, wait) => onRetry(`${location.redacted}: opening the store failed (${e.message.split('\n')[0]!.slice(0, 300)}); attempt ${n + 1} in ${(wait / 1000).toFixed(1)} s`),
    });
  }

  private static async openOnce(location: ClickHouseLocation, options: ClickHouseStoreOptions & { retry: RetryPolicy; onRetry: (message: string) => void }): Promise<ClickHouseStore> {
    const opened: ClickHouseNode[] = [];
    const node = (url: string, db: string | undefined) => {
      const n = new ClickHouseNode(url, location, db, options);
      opened.push(n);
      return n;
    };
    try {
      // The database may not exist yet: the first statements run without one.
      const bootstrap = node(location.url, undefined);
      const urls = await nodeUrls(bootstrap, location);
      if (options.readOnly) {
        const found = await bootstrap.rows(`SELECT count() FROM system.databases WHERE name = ${stringLiteral(location.database)}`);
        if (found[0]?.[0] !== '1') throw new Error(`database ${location.database} does not exist on ${location.host}:${location.port} (packettrail ingest --store … creates it)`);
      } else {
        await ensureDatabaseEverywhere([bootstrap, ...urls.filter((u) => u !== location.url).map((u) => node(u, undefined))], location.database);
      }
      const main = node(location.url, location.database);
      const nodes = urls.map((u) => (u === location.url ? main : node(u, location.database)));
      const store = new ClickHouseStore(location, main, { nodes, database: location.database, cluster: location.cluster }, options.readOnly ?? false,
        options.clientDedupMaxIds ?? CLIENT_DEDUP_MAX_IDS, options.retry, options.onRetry);
      if (!store.readOnly) for (const spec of BOOKKEEPING_TABLES) await ensureTableEverywhere(store.topology, spec);
      for (const [t, cols] of await readDatasetTables(main, location.database, location.cluster)) store.tables.set(t, cols);
      for (const n of opened) if (n !== main && !nodes.includes(n)) await n.close();
      return store;
    } catch (e) {
      await Promise.all(opened.map((n) => n.close().catch(() => {})));
      throw clickhouseError(e);
    }
  }

  async ensureSchema(catalog: readonly Column[]): Promise<void> {
    this.catalog = catalog;
    if (!this.readOnly) await this.refreshView();
  }

  private async refreshView(): Promise<void> {
    // Other processes (collectors, workers) may have added tables or columns: the view unites what the server has.
    for (const [t, cols] of await readDatasetTables(this.main, this.topology.database, this.topology.cluster)) this.tables.set(t, new Set([...(this.tables.get(t) ?? []), ...cols]));
    const tables = [...this.tables.entries()].map(([table, columns]) => ({ table, columns }));
    await replaceViewEverywhere(this.topology.nodes, EVENTS_VIEW, this.dialect.createView(EVENTS_VIEW, tables, this.catalog), VIEW_SETTINGS);
  }

  /** Creates the dataset's tables or adds the columns they lack, on every node; true when the schema changed. */
  private async ensureTable(table: string, used: readonly Column[], known: readonly Column[]): Promise<boolean> {
    const have = this.tables.get(table);
    if (have && used.every((c) => have.has(c.name))) return false;
    // The whole table as it should be, so a node that lacks it (a cluster grown, a run killed while
    // creating it) gets every column; nodes that have it get the missing ones.
    const byName = new Map([...this.catalog, ...known].map((c) => [c.name, c]));
    const columns = [...new Map([...[...(have ?? [])].flatMap((n) => byName.get(n) ?? []), ...used].map((c) => [c.name, c])).values()];
    await ensureTableEverywhere(this.topology, eventsTableSpec(table, columns));
    this.tables.set(table, new Set([...(have ?? []), ...used.map((c) => c.name)]));
    this.columnTypes.delete(table);
    return true;
  }

  /**
   * Loads a staged batch, storing only the events whose id the store does not hold yet. The rows
   * are converted to TabSeparated on the way (staged.ts) and parsed by the server in bulk.
   *
   * - When the table holds nothing in the batch's time range (new data, the usual bulk load), the
   *   rows are streamed straight into it: no stored id can repeat.
   * - When it holds at most CLIENT_DEDUP_MAX_IDS rows there (a batch that starts in the second the
   *   previous one ended, a re-ingest of a batch), their ids are read — through the Distributed
   *   table, so from every shard — and the rows with one of them are left out while streaming.
   * - Otherwise (a batch landing in a range already holding many events):
   *   1. the rows go into a temporary table of this load's session (`staged`);
   *   2. `seen` takes the ids of `staged` that the dataset's table already holds in the batch's time
   *      range, from every shard;
   *   3. the rows of `staged` not in `seen` are inserted.
   *
   * Inserts run with insert_distributed_sync=1: the INSERT returns once every shard has written its
   * part, so a count right after sees every row.
   *
   * Why nothing is stored twice, even after a crash: an event's id and time are fixed by its record,
   * and a row is inserted only when no shard held its id when the load looked. A run killed
   * mid-load leaves some rows written (some blocks, some shards) and others not; the next run finds
   * the written ones in the batch's range and inserts only the rest (rand() may place them on any
   * shard: it does not matter, the lookup reads them all). A load whose client died may still be
   * running on the server: the next load of the table waits for it (ORPHAN_LOAD_WAIT_MS) before
   * looking, as loads of one table never overlap. Two runs loading the same table at the same
   * moment are not serialized (as two DuckDB writers cannot exist): run one ingest per dataset at a
   * time.
   */
  async loadStaged(batch: StagedBatch): Promise<number> {
    return this.retrying(`loading a batch into ${datasetTable(batch.dataset)}`, () => this.loadOnce(batch));
  }

  /**
   * Runs a write again after transient failures (a node restarting, a shard unreachable) for up to
   * the retry policy's limit, then fails with the last error. Every write is safe to repeat: a load
   * stores only the ids no shard holds when it looks (a partial insert of a failed attempt is found
   * by the next), alerts are looked up by id first. Reusable by anything writing through this store
   * (collect, ingest, `packettrail worker`).
   */
  private retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return retryTransient(what, attempt, this.retryPolicy, {
      onRetry: (e, n, wait) => this.onRetry(`${this.location.redacted}: ${what} failed (${e.message.split('\n')[0]!.slice(0, 300)}); attempt ${n + 1} in ${(wait / 1000).toFixed(1)} s`),
    });
  }

  /** One attempt at loadStaged. */
  private async loadOnce(batch: StagedBatch): Promise<number> {
    const table = datasetTable(batch.dataset);
    const used = storedColumns(batch);
    try {
      if (await this.ensureTable(table, used, batch.columns)) this.viewStale = true;
      if (this.viewStale) {
        await this.refreshView();
        this.viewStale = false;
      }
      await this.waitForOrphanLoads(table);
      const q = (n: string) => this.dialect.quoteIdent(n);
      // Qualified: 18.16 reads unqualified names in CREATE TEMPORARY TABLE … AS SELECT from the default database.
      const target = `${q(this.topology.database)}.${q(table)}`;
      const range = `timestamp BETWEEN toDecimal64(${stringLiteral(epochText(batch.minTime))}, 3) AND toDecimal64(${stringLiteral(epochText(batch.maxTime))}, 3)`;
      const converter = await this.converterFor(table, batch.columns, used);
      const columnList = converter.columns.map((c) => q(c.name)).join(', ');
      const insert = (into: string, session?: string, id?: string) =>
        this.main.client.exec({
          query: `INSERT INTO ${into} (${columnList}) FORMAT ${converter.format}`,
          values: Readable.from(convertStagedFile(batch.file, converter)),
          clickhouse_settings: LOAD_SETTINGS,
          ...(session ? { session_id: session } : {}),
          ...(id ? { query_id: id } : {}),
        }).then((r) => drain(r.stream as Readable));
      const inRange = Number((await this.main.rows(`SELECT count() FROM ${target} WHERE ${range}`))[0]?.[0] ?? 0);
      if (inRange <= this.clientDedupMaxIds) {
        if (inRange > 0) converter.skip = new Set((await this.main.rows(`SELECT DISTINCT event_id FROM ${target} WHERE ${range}`)).map(([id]) => id!));
        await insert(target, undefined, queryId(`load-${table}`));
        return converter.rowsConverted;
      }
      const session = queryId('session');
      const run = (sql: string, settings: ClickHouseSettings = {}, id?: string) => this.main.command(sql, settings, { session_id: session, ...(id ? { query_id: id } : {}) });
      await run(`CREATE TEMPORARY TABLE staged (${used.map((c) => `${q(c.name)} ${clickhouseColumnType(c)}`).join(', ')})`);
      try {
        await insert('staged', session);
        await run(`CREATE TEMPORARY TABLE seen ENGINE = Memory AS SELECT DISTINCT event_id FROM ${target} WHERE ${range} AND event_id GLOBAL IN (SELECT event_id FROM staged)`);
        const fresh = await this.main.rows('SELECT count() FROM staged WHERE event_id NOT IN (SELECT event_id FROM seen)', {}, session);
        const count = Number(fresh[0]?.[0] ?? 0);
        if (count > 0) await run(this.dialect.loadStaged(`${this.topology.database}.${table}`, batch.columns, used), LOAD_SETTINGS, queryId(`load-${table}`));
        return count;
      } finally {
        await run('DROP TEMPORARY TABLE IF EXISTS staged').catch(() => {});
        await run('DROP TEMPORARY TABLE IF EXISTS seen').catch(() => {});
      }
    } catch (e) {
      throw clickhouseError(e);
    }
  }

  /**
   * RowBinary when the table's columns have the types the catalog gives them (always, for tables
   * packettrail created; the server then copies values instead of parsing text), else TabSeparated,
   * which the server converts to whatever type a column has.
   */
  private async converterFor(table: string, columns: readonly Column[], used: readonly Column[]): Promise<RowConverter> {
    let types = this.columnTypes.get(table);
    if (!types) {
      const rows = await this.main.rows(`SELECT name, type FROM system.columns WHERE database = ${stringLiteral(this.topology.database)} AND table = ${stringLiteral(table)}`);
      types = new Map(rows.map(([name, type]) => [name!, type!]));
      this.columnTypes.set(table, types);
    }
    return binaryTypesMatch(used, types) ? new RowBinaryConverter(columns, used) : new StagedConverter(columns, used);
  }

  /** Waits while a load of `table` from an earlier (killed) run still runs on the server. */
  private async waitForOrphanLoads(table: string): Promise<void> {
    const until = Date.now() + ORPHAN_LOAD_WAIT_MS;
    for (;;) {
      const r = await this.main.rows(`SELECT count() FROM system.processes WHERE query_id LIKE ${stringLiteral(`packettrail-load-${table}-%`)}`);
      if (r[0]?.[0] === '0') return;
      if (Date.now() > until) throw new Error(`a load into ${table} started by another run is still running on ${this.location.host} after ${ORPHAN_LOAD_WAIT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, ORPHAN_POLL_MS));
    }
  }

  private insertRows(table: string, columns: readonly string[], rows: readonly (readonly TsvValue[])[]): Promise<void> {
    return this.retrying(`inserting ${rows.length} rows into ${table}`, () => this.insertRowsOnce(table, columns, rows));
  }

  private async insertRowsOnce(table: string, columns: readonly string[], rows: readonly (readonly TsvValue[])[]): Promise<void> {
    if (!rows.length) return;
    try {
      await this.main.client.exec({
        query: `INSERT INTO ${this.dialect.quoteIdent(table)} (${columns.map((c) => this.dialect.quoteIdent(c)).join(', ')}) FORMAT TabSeparated`,
        values: Readable.from([tsvRows(rows)]),
        clickhouse_settings: { insert_distributed_sync: 1 },
      }).then((r) => drain(r.stream as Readable));
    } catch (e) {
      throw clickhouseError(e);
    }
  }

  async recordFile(f: FileRecord): Promise<void> {
    await this.insertRows('ingested_files', ['path', 'dataset', 'records', 'events', 'stored', 'duplicates', 'rejected', 'skipped', 'bytes', 'ingested_at', 'complete'], [
      [f.path, f.dataset, f.records, f.events, f.stored, f.duplicates, f.rejected, f.skipped, f.bytes, { time: Date.now() }, f.complete ?? true],
    ]);
  }

  async recordDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    const now = { time: Date.now() };
    await this.insertRows('dead_letters', ['source', 'line', 'dataset', 'reason', 'record', 'rejected_at'], letters.map((d) => [d.source, d.line, d.dataset, d.reason, d.record, now]));
  }

  /** Stores alerts whose id is not stored yet (the DuckDB store's INSERT OR IGNORE); returns how many were new. */
  insertAlerts(alerts: readonly Alert[]): Promise<number> {
    // Looked up and inserted again as a whole: an attempt that wrote some shards is found by the next.
    return this.retrying(`storing ${alerts.length} alerts`, () => this.insertAlertsOnce(alerts));
  }

  private async insertAlertsOnce(alerts: readonly Alert[]): Promise<number> {
    const byId = new Map<string, Alert>();
    for (const a of alerts) if (!byId.has(a.event.id)) byId.set(a.event.id, a);
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += ALERT_ID_LOOKUP) {
      const some = ids.slice(i, i + ALERT_ID_LOOKUP);
      const r = await this.main.rows(`SELECT id FROM alerts WHERE id IN (${some.map(stringLiteral).join(', ')})`).catch((e) => { throw clickhouseError(e); });
      for (const [id] of r) byId.delete(id!);
    }
    const time = (t: string | undefined) => (t === undefined || Number.isNaN(Date.parse(t)) ? null : { time: Date.parse(t) });
    await this.insertRowsOnce('alerts', ['id', 'timestamp', 'rule_id', 'rule_title', 'level', 'severity', 'rule_kind', 'author', 'link', 'license', 'tags', 'key', 'details', 'event_ids', 'events', 'created'],
      [...byId.values()].map((a) => [
        a.event.id, time(a['@timestamp']) ?? { time: 0 }, a.rule.id, a.rule.title, a.rule.level, a.event.severity ?? null, a.rule.kind ?? null, a.rule.author ?? null,
        a.rule.link ?? null, a.rule.license ?? null, a.rule.tags ?? [], JSON.stringify(a.key ?? {}), JSON.stringify(a.details ?? {}),
        a.event.reference_ids ?? [], JSON.stringify(a.events), time(a.event.created),
      ]));
    return byId.size;
  }

  /** Appends alert triage changes (the table is a bookkeeping one: created when the store opens for writing). */
  async appendAlertChanges(rows: readonly AlertChange[]): Promise<void> {
    if (this.readOnly) throw new Error(`the store ${this.location.redacted} is open read-only: triage changes are not saved`);
    await this.insertRows('alert_changes', ALERT_CHANGE_COLUMNS, rows.map((r) => ALERT_CHANGE_COLUMNS.map((c) => r[c])));
  }

  async datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.tables;
  }

  /**
   * Runs a statement, its `$name` parameters substituted as literals. Reads stream their result:
   * with `bounds`, aborting the signal cancels the query on the server (KILL QUERY by its id),
   * `maxRows` stops the server one row past them, and rows are refused past `maxResultBytes`.
   */
  async query(sql: string, params?: Record<string, ParamValue>, bounds?: QueryBounds): Promise<QueryResult> {
    const statement = statementOf(bindParams(sql, params));
    const first = /^\s*(\w+)/.exec(statement.replace(LEADING, ''))?.[1] ?? '';
    const reads = READ_STATEMENT.test(first);
    // A store opened read-only (query, trail, insights, serve) reads only, and the server holds it to that.
    const readsOnly = bounds?.readsOnly === true || this.readOnly;
    if (readsOnly && !reads) {
      const what = first.toUpperCase() || 'an empty statement';
      throw bounds?.readsOnly ? new NotAReadError(what) : new ReadOnlyStoreError(`${what} refused: ${this.path} is open for reading only: a statement begins with SELECT, WITH, SHOW, DESCRIBE, EXISTS or EXPLAIN (and runs with readonly=2)`);
    }
    const signal = bounds?.signal;
    signal?.throwIfAborted();
    const id = queryId('query');
    const kill = () => void this.main.kill(id);
    signal?.addEventListener('abort', kill, { once: true });
    try {
      if (!reads) {
        // A row written through a Distributed table is on its shard when the statement returns (readers at once see it).
        await this.main.command(statement, { insert_distributed_sync: 1 }, { query_id: id, ...(signal ? { abort_signal: signal } : {}) });
        return { columns: [], rows: [] };
      }
      return await this.select(statement, id, { ...bounds, readsOnly });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw clickhouseError(e);
    } finally {
      signal?.removeEventListener('abort', kill);
    }
  }

  private async select(statement: string, id: string, bounds: QueryBounds): Promise<QueryResult> {
    const maxRows = bounds.maxRows ?? Infinity;
    const settings: ClickHouseSettings = {
      // The whole result is computed before it is sent: an error is the response's status, never
      // text in the middle of rows.
      wait_end_of_query: 1,
      ...(Number.isFinite(maxRows) ? { max_result_rows: String(maxRows + 1), result_overflow_mode: 'break' } : {}),
      ...(bounds.readsOnly ? { readonly: '2' } : {}),
    };
    const r = await this.main.client.exec({
      query: `${statement}\nFORMAT TSVWithNamesAndTypes`, query_id: id, clickhouse_settings: settings, ...(bounds.signal ? { abort_signal: bounds.signal } : {}),
    });
    const reader = new TsvResultReader(bounds.rfc3339Timestamps ?? false, BOOLEAN_COLUMNS());
    const rows: unknown[][] = [];
    const max = bounds.maxResultBytes ?? Infinity;
    const decoder = new StringDecoder('utf8');
    let bytes = 0;
    let seen = 0;
    let rest = '';
    const stream = r.stream as Readable;
    try {
      outer: for await (const chunk of stream as AsyncIterable<Buffer>) {
        bounds.signal?.throwIfAborted();
        const text = rest + decoder.write(chunk);
        let pos = 0;
        for (;;) {
          const nl = text.indexOf('\n', pos);
          if (nl < 0) break;
          const row = reader.line(text.slice(pos, nl));
          pos = nl + 1;
          if (!row) continue;
          seen++;
          if (seen > maxRows) break outer;
          bytes += JSON.stringify(row).length;
          if (bytes > max) throw new ResultTooLargeError(max);
          rows.push(row);
        }
        rest = text.slice(pos);
      }
    } finally {
      stream.destroy();
    }
    const columns = reader.columns ?? [];
    return seen > maxRows ? { columns, rows, more: true } : { columns, rows };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((n) => n.close().catch(() => {})));
  }
}

/** Reads a response to its end: the request (and the session it holds) is over only then. */
async function drain(stream: Readable): Promise<void> {
  for await (const _ of stream) {
    /* an INSERT answers nothing */
  }
}

/** Alert ids looked up per statement (their literals stay far below max_query_size, 256 KiB). */
const ALERT_ID_LOOKUP = 500;
