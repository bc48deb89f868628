import { datasetTable } from '../store/store.js';
import type { EventStore } from '../store/store.js';

/**
 * Views read the dataset tables (`events_aws_vpcflow` …) rather than the `events` view: the view
 * unites every table with every catalog column, and DuckDB spends ~0.3 s binding it per query,
 * more than the queries themselves. A dataset table holds only the columns its events used, so a
 * projection fills the missing ones with NULL.
 */

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * `SELECT a, NULL AS b, … FROM "events_x"` for one table, the columns it lacks as NULL. Column names
 * are the caller's fixed catalog names; the table name comes from the database's own catalog.
 */
export function projection(table: string, have: ReadonlySet<string>, columns: readonly string[]): string {
  return `SELECT ${columns.map((c) => (have.has(c) ? quote(c) : `NULL AS ${quote(c)}`)).join(', ')} FROM ${quote(table)}`;
}

/** The projection of one dataset's table, or undefined when the store has no events of that dataset. */
export async function datasetFrom(store: EventStore, dataset: string, columns: readonly string[]): Promise<string | undefined> {
  const table = datasetTable(dataset);
  const have = (await store.datasetColumns()).get(table);
  return have ? `(${projection(table, have, columns)})` : undefined;
}
