import type { FieldType } from '../../formats/format.js';
import type { SqlDialect } from '../dialect.js';
import type { Column } from '../schema.js';
import { clickhouseExpressions } from './expressions.js';

/**
 * ClickHouse types of the catalog's field types, as 18.16 and current releases both accept them.
 * Time is `Decimal(18, 3)`: epoch seconds UTC with milliseconds (18.16 has no DateTime64); that type
 * is reserved for time in packettrail's tables, and the store renders it as DuckDB renders a
 * TIMESTAMP (see results.ts).
 */
const TYPES: Record<FieldType, string> = {
  keyword: 'Nullable(String)',
  text: 'Nullable(String)',
  ip: 'Nullable(String)',
  json: 'Nullable(String)',
  long: 'Nullable(Int64)',
  double: 'Nullable(Float64)',
  boolean: 'Nullable(UInt8)',
  date: 'Nullable(Decimal64(3))',
  'keyword[]': 'Array(String)',
};

/** The time type, and the name results give its columns (DuckDB's, so callers treat both alike). */
export const TIME_TYPE = 'Decimal64(3)';
export const TIME_RESULT_TYPE = 'Decimal(18, 3)';

/**
 * Columns every event has, stored without Nullable: 18.16 refuses a Nullable column in the sorting
 * key, and the duplicate search reads both on every load.
 */
const NOT_NULL: Readonly<Record<string, string>> = { timestamp: TIME_TYPE, event_id: 'String' };

/**
 * The sorting key: time. Every view and the duplicate search select a time range, and the trail's
 * lookups run within its window; 18.16 has no data skipping indexes (its setting is unknown) and no
 * Nullable key columns, so ids and addresses (Nullable, often absent) cannot lead the key usefully.
 */
export const EVENTS_ORDER_BY = '(timestamp)';
/** One partition per UTC day: retention drops whole days. */
export const EVENTS_PARTITION_BY = 'toYYYYMMDD(toDateTime(toUInt32(timestamp)))';

/** The suffix of the per-node table under a cluster's Distributed table. */
export const LOCAL_SUFFIX = '_local';

function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function typeOf(c: Pick<Column, 'name' | 'type'>): string {
  return NOT_NULL[c.name] ?? TYPES[c.type];
}

/** A typed NULL (or an empty list: arrays are never NULL in ClickHouse) standing for a column a table lacks. */
function absent(c: Column): string {
  if (NOT_NULL[c.name]) return c.name === 'timestamp' ? `toDecimal64(0, 3)` : `''`;
  return c.type === 'keyword[]' ? 'emptyArrayString()' : `CAST(NULL AS ${TYPES[c.type]})`;
}

export interface ClickHouseDialect extends SqlDialect {
  /** The MergeTree table that holds rows (on a single node, the dataset's table; in a cluster, each node's part). */
  createMergeTree(table: string, columns: readonly Column[], orderBy: string, partitionBy?: string): string;
  /** The Distributed table over every node's `local` table. */
  createDistributed(table: string, local: string, cluster: string, database: string): string;
  /** `ALTER … ADD COLUMN` without IF NOT EXISTS (18.16 lacks it): callers check system.columns first. */
  addColumnPlain(table: string, column: Column): string;
}

export const clickhouseDialect: ClickHouseDialect = {
  name: 'clickhouse',
  fn: clickhouseExpressions,
  // 18.16 has no information_schema; a cluster's `_local` tables are what the Distributed ones read.
  listTables: `SELECT name FROM system.tables WHERE database = currentDatabase() AND NOT endsWith(name, '_local') ORDER BY name`,
  quoteIdent,
  columnType(type: FieldType): string {
    return TYPES[type];
  },
  createTable(table, columns) {
    return this.createMergeTree(table, columns, EVENTS_ORDER_BY, EVENTS_PARTITION_BY);
  },
  createMergeTree(table, columns, orderBy, partitionBy) {
    const cols = columns.map((c) => `${quoteIdent(c.name)} ${typeOf(c)}`);
    return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${cols.join(', ')}) ENGINE = MergeTree ${partitionBy ? `PARTITION BY ${partitionBy} ` : ''}ORDER BY ${orderBy}`;
  },
  createDistributed(table, local, cluster, database) {
    // rand(): rows spread evenly; a row's shard never matters to the duplicate search, which reads every shard.
    return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} AS ${quoteIdent(local)} ENGINE = Distributed(${quoteIdent(cluster)}, ${quoteIdent(database)}, ${quoteIdent(local)}, rand())`;
  },
  addColumn(table, column) {
    return this.addColumnPlain(table, column);
  },
  addColumnPlain(table, column) {
    return `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column.name)} ${typeOf(column)}`;
  },
  /**
   * The final step of a load (see store.ts): the staged rows in the session's temporary table
   * `staged`, less those whose id `seen` holds (ids the store already had in the batch's time range).
   * `table` may be qualified (`database.table`).
   */
  loadStaged(table, _columns, used) {
    const cols = used.map((c) => quoteIdent(c.name)).join(', ');
    // `database.table`: table names never hold a dot (datasetTable), and 18.16 resolves unqualified
    // names in statements that read temporary tables against the default database.
    return `INSERT INTO ${table.split('.').map(quoteIdent).join('.')} (${cols}) SELECT ${cols} FROM staged WHERE event_id NOT IN (SELECT event_id FROM seen)`;
  },
  createView(view, tables, catalog) {
    if (!tables.length) {
      return `CREATE VIEW ${quoteIdent(view)} AS SELECT ${catalog.map((c) => `${absent(c)} AS ${quoteIdent(c.name)}`).join(', ')} WHERE 0`;
    }
    // 18.16's UNION ALL wants the same types in every branch: each table's columns as they are,
    // the missing ones as typed NULLs of the catalog's type (see unitedNull: not constants).
    const parts = tables.map((t) => `SELECT ${catalog.map((c) => (t.columns.has(c.name) ? quoteIdent(c.name) : `${NOT_NULL[c.name] ? absent(c) : clickhouseExpressions.unitedNull(c.type)} AS ${quoteIdent(c.name)}`)).join(', ')} FROM ${quoteIdent(t.table)}`);
    return `CREATE VIEW ${quoteIdent(view)} AS ${parts.join('\nUNION ALL ')}`;
  },
};

/** The ClickHouse type of a catalog column as this store creates it. */
export function clickhouseColumnType(c: Pick<Column, 'name' | 'type'>): string {
  return typeOf(c);
}
