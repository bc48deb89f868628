import type { EventStore } from '../../store/store.js';

/** The store's tables (and views) by name, on either engine (ClickHouse 18.16 has no information_schema). */
export async function storeTables(store: EventStore): Promise<Set<string>> {
  return new Set((await store.query(store.dialect.listTables)).rows.map(([t]) => String(t)));
}

/**
 * A time column as DuckDB's TIMESTAMP text (`YYYY-MM-DD HH:MM:SS[.fff]`, UTC), which the routes
 * hand on as it is: DuckDB casts it; the ClickHouse store renders its Decimal(18, 3) times so itself.
 */
export function timeAsText(store: EventStore, column: string): string {
  return store.dialect.name === 'clickhouse' ? column : `CAST(${column} AS VARCHAR)`;
}
