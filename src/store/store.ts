import type { QueryBounds } from './bounds.js';
import type { SqlDialect } from './dialect.js';
import type { Column } from './schema.js';
import type { Alert } from '../detect/types.js';
import type { AlertChange } from '../detect/alerts/triage.js';

export interface QueryResult {
  columns: { name: string; type: string }[];
  /** JSON-friendly values: numbers (big integers outside the safe range stay strings), strings, lists, objects. */
  rows: unknown[][];
  /** With QueryBounds.maxRows: the result has more rows than `rows` holds (they were not computed). */
  more?: boolean;
}

export interface FileRecord {
  path: string;
  dataset: string;
  records: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  skipped: number;
  bytes: number;
  /**
   * False when the run stopped while reading the file (something could not be written): `stored`
   * is what was stored of it, and a re-run stores the rest. Default true.
   */
  complete?: boolean;
}

export interface DeadLetter {
  source: string;
  line: number;
  dataset: string;
  reason: string;
  record: string;
}

/**
 * Where events live. Callers speak ECS columns and bound parameters; engine specifics stay in the
 * store's dialect.
 */
export interface StagedBatch {
  /** Tab-separated rows written by RowEncoder, in the order of `columns`. */
  file: string;
  /** The format the rows were read with: each dataset has its own table. */
  dataset: string;
  columns: readonly Column[];
  /** The columns that hold a value in at least one row: only these are stored. */
  used: readonly Column[];
  /** The rows' time range (UTC, `YYYY-MM-DD HH:MM:SS.fff`), which bounds the duplicate search. */
  minTime: string;
  maxTime: string;
}

/** The columns a batch stores: those holding a value, and always the event id and time (the duplicate search needs them). */
export function storedColumns(batch: StagedBatch): Column[] {
  const used = [...batch.used];
  for (const name of ['event_id', 'timestamp']) {
    const column = batch.columns.find((c) => c.name === name);
    if (column && !used.some((c) => c.name === name)) used.unshift(column);
  }
  return used;
}

export interface EventStore {
  readonly dialect: SqlDialect;
  readonly path: string;
  /** Where rows are staged for `loadStaged` (a directory the store may read; default: the system's temporary directory). */
  readonly stagingDir?: string | undefined;
  /**
   * Prepares the database: bookkeeping tables, and the `events` view over every dataset's table
   * with every catalog column (NULL where a dataset has none), so queries never miss a column.
   */
  ensureSchema(catalog: readonly Column[]): Promise<void>;
  /** Bulk-loads a staged row file; returns how many rows were new (the rest were duplicates). */
  loadStaged(batch: StagedBatch): Promise<number>;
  recordFile(file: FileRecord): Promise<void>;
  recordDeadLetters(letters: readonly DeadLetter[]): Promise<void>;
  /** With `bounds` (user queries): interruptible by its signal, refused past its result size. */
  query(sql: string, params?: Record<string, string | number | boolean | null>, bounds?: QueryBounds): Promise<QueryResult>;
  /**
   * Each dataset table (`events_…`) and its columns, as the store knows them: read once when it
   * opens and kept up to date by its own loads, so readers skip a catalog query each time.
   */
  datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>>;
  /**
   * Stores alerts, skipping ids already stored; returns how many were new. Stores without it get
   * the alerts table of store/duckdb/alerts.ts through `query`.
   */
  insertAlerts?(alerts: readonly Alert[]): Promise<number>;
  /**
   * Appends alert triage changes (store/alert-changes.ts). Stores without it get DuckDB's
   * `alert_changes` table through `query`; a store read through the process that holds the
   * database sends them to that process.
   */
  appendAlertChanges?(rows: readonly AlertChange[]): Promise<void>;
  close(): Promise<void>;
}

/** The view over all datasets. */
export const EVENTS_VIEW = 'events';

/** The table that holds one dataset's events (`aws.cloudfront` → `events_aws_cloudfront`). */
export function datasetTable(dataset: string): string {
  return `events_${dataset.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}
