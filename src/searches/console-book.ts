import { duckdbDialect } from '../store/duckdb/dialect.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { EventStore } from '../store/store.js';
import type { QueryContext } from '../server/query-runner.js';
import { SearchBook } from './scheduler.js';
import { SearchTable } from './table.js';

interface Shared {
  store: Promise<DuckDbStore>;
  users: number;
}

/** Writable connections to a database's searches tables, one per database in this process (several consoles on one file in tests). */
const writers = new Map<string, Shared>();

/**
 * The saved searches of a console that opened its database itself, read-only (`serve --read-only`,
 * and tests): production `serve` holds the database and hands the console its own book instead.
 * Without --read-only, the searches tables are written through one read-write connection per
 * database in this process, opened on first use.
 */
export function ownerlessSearchBook(db: string, query: QueryContext, readOnly: boolean): { book: SearchBook; close(): Promise<void> } {
  if (readOnly) return { book: new SearchBook({ table: new SearchTable(query.store), query }), close: async () => {} };
  let shared: Shared | undefined;
  const writer = (): Promise<EventStore> => {
    if (!shared) {
      shared = writers.get(db);
      if (!shared) writers.set(db, (shared = { store: DuckDbStore.open(db), users: 0 }));
      shared.users++;
    }
    return shared.store;
  };
  const lazy = lazyStore(db, writer);
  return {
    book: new SearchBook({ table: new SearchTable(lazy), query, alertStore: lazy }),
    close: async () => {
      if (!shared || --shared.users > 0) return;
      writers.delete(db);
      await (await shared.store).close();
    },
  };
}

/** A store opened when first used. */
function lazyStore(path: string, open: () => Promise<EventStore>): EventStore {
  const call = <K extends 'query' | 'datasetColumns' | 'ensureSchema' | 'loadStaged' | 'recordFile' | 'recordDeadLetters'>(k: K) =>
    (async (...args: unknown[]) => ((await open())[k] as (...a: unknown[]) => unknown)(...args)) as EventStore[K];
  return {
    dialect: duckdbDialect,
    path,
    query: call('query'), datasetColumns: call('datasetColumns'), ensureSchema: call('ensureSchema'), loadStaged: call('loadStaged'),
    recordFile: call('recordFile'), recordDeadLetters: call('recordDeadLetters'),
    close: async () => {},
  };
}
