import type { FieldType } from '../formats/format.js';
import { listFormats } from '../formats/registry.js';
import type { SqlExpressions } from '../store/expressions.js';
import { allColumns } from '../store/schema.js';
import { datasetTable } from '../store/store.js';
import type { EventStore } from '../store/store.js';

/**
 * Views read the dataset tables (`events_aws_vpcflow` …) rather than the `events` view: the view
 * unites every table with every catalog column, and DuckDB spends ~0.3 s binding it per query,
 * more than the queries themselves. A dataset table holds only the columns its events used, so a
 * projection fills the missing ones with NULL.
 */

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

let types: Map<string, FieldType> | undefined;

/** The catalog type of a column (`keyword` for names no format has: they only ever read as NULL). */
function typeOf(column: string): FieldType {
  types ??= new Map(allColumns(listFormats()).map((c) => [c.name, c.type]));
  return types.get(column) ?? 'keyword';
}

/**
 * `SELECT a, NULL AS b, … FROM "events_x"` for one table, the columns it lacks as NULL of their
 * catalog type. Column names are the caller's fixed catalog names; the table name comes from the
 * database's own catalog.
 */
export function projection(fn: SqlExpressions, table: string, have: ReadonlySet<string>, columns: readonly string[]): string {
  return `SELECT ${columns.map((c) => (have.has(c) ? quote(c) : `${fn.nullOf(typeOf(c))} AS ${quote(c)}`)).join(', ')} FROM ${quote(table)}`;
}

/** The projection of one dataset's table, or undefined when the store has no events of that dataset. */
export async function datasetFrom(store: EventStore, dataset: string, columns: readonly string[]): Promise<string | undefined> {
  const table = datasetTable(dataset);
  const have = (await store.datasetColumns()).get(table);
  return have ? `(${projection(store.dialect.fn, table, have, columns)})` : undefined;
}
