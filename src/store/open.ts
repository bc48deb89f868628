import type { EventStore } from './store.js';
import type { DuckDbOptions, DuckDbStore } from './duckdb/duckdb-store.js';
import type { ClickHouseStoreOptions } from './clickhouse/store.js';
import { isClickHouseUrl, redactStoreUrl } from './clickhouse/url.js';

/** The store used when a command is given neither --db nor --store. */
export const STORE_ENV = 'PACKETTRAIL_STORE';

/**
 * A store some commands can index (DuckDB's ART indexes for the trail's exact-id lookups). ClickHouse
 * 18.16 has no secondary index of any kind (data skipping indexes are unknown to it): its stores
 * leave both methods out, and callers say so instead of pretending to index.
 */
export type IndexableStore = EventStore & Partial<Pick<DuckDbStore, 'createIndexes' | 'dropIndexes'>>;

export interface OpenStoreOptions {
  readOnly?: boolean;
  duckdb?: Omit<DuckDbOptions, 'readOnly'>;
  clickhouse?: Omit<ClickHouseStoreOptions, 'readOnly'>;
}

export { isClickHouseUrl };

/** The location as messages show it: a ClickHouse URL without its password, a path as it is. */
export function shownLocation(location: string): string {
  return isClickHouseUrl(location) ? redactStoreUrl(location) : location;
}

/**
 * Where a command's store is: --store (a clickhouse:// URL or a DuckDB file), else --db when given
 * on the command line, else PACKETTRAIL_STORE, else the default database file.
 */
export function storeLocation(o: { db?: string | undefined; store?: string | undefined }, dbGiven: boolean, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  if (o.store !== undefined && dbGiven) throw new Error('give --db or --store, not both');
  if (o.store !== undefined) return o.store;
  if (dbGiven && o.db !== undefined) return o.db;
  const fromEnv = env[STORE_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim();
  return o.db ?? fallback;
}

/** Opens the store at `location`: a `clickhouse://…` URL, or a DuckDB database file. */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<IndexableStore> {
  if (isClickHouseUrl(location)) {
    const { ClickHouseStore } = await import('./clickhouse/store.js');
    return ClickHouseStore.open(location, { ...options.clickhouse, readOnly: options.readOnly ?? false });
  }
  const { DuckDbStore } = await import('./duckdb/duckdb-store.js');
  return DuckDbStore.open(location, { ...options.duckdb, readOnly: options.readOnly ?? false });
}
