import type { SqlDialect } from './dialect.js';
import type { Column } from './schema.js';

export interface QueryResult {
  columns: { name: string; type: string }[];
  /** JSON-friendly values: numbers (big integers outside the safe range stay strings), strings, lists, objects. */
  rows: unknown[][];
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
export interface EventStore {
  readonly dialect: SqlDialect;
  readonly path: string;
  /** Creates the tables and adds any column the running version knows and the database lacks. */
  ensureSchema(columns: readonly Column[]): Promise<void>;
  /** Bulk-loads a staged row file; returns how many rows were new (the rest were duplicates). */
  loadStaged(file: string, columns: readonly Column[], minTs: string, maxTs: string): Promise<number>;
  recordFile(file: FileRecord): Promise<void>;
  recordDeadLetters(letters: readonly DeadLetter[]): Promise<void>;
  query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult>;
  close(): Promise<void>;
}

export const EVENTS_TABLE = 'events';
