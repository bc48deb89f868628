import type { FieldType } from '../../formats/format.js';
import type { SqlDialect } from '../dialect.js';
import { DUCKDB_TYPES as TYPES, duckdbExpressions } from './expressions.js';

/** Longest staged row DuckDB's CSV reader accepts (an event with a large JSON field). */
export const STAGED_MAX_LINE_BYTES = 16 << 20;
/**
 * The CSV reader's buffer for staged rows. DuckDB's default is 16 × max_line_size: a 256 MiB block
 * allocated for every load, most of ingest's memory (a 300,000-line CloudFront ingest peaked at 934 MB
 * RSS, and failed outright under --memory-limit 256MB). It must hold one line at least; twice that
 * keeps the parallel reader fed.
 */
export const STAGED_READ_BUFFER_BYTES = 2 * STAGED_MAX_LINE_BYTES;

export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  fn: duckdbExpressions,
  listTables: `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1`,
  quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  },
  columnType(type: FieldType): string {
    return TYPES[type];
  },
  createTable(table, columns) {
    const cols = columns.map((c) => `${this.quoteIdent(c.name)} ${this.columnType(c.type)}`);
    return `CREATE TABLE IF NOT EXISTS ${this.quoteIdent(table)} (${cols.join(', ')})`;
  },
  addColumn(table, column) {
    return `ALTER TABLE ${this.quoteIdent(table)} ADD COLUMN IF NOT EXISTS ${this.quoteIdent(column.name)} ${this.columnType(column.type)}`;
  },
  loadStaged(table, columns, used) {
    const q = (n: string) => this.quoteIdent(n);
    // The CSV reader casts list literals to VARCHAR[] itself and reads JSON as text. Only the used
    // columns are selected, so the reader converts nothing else. The layout is ours and fully given,
    // so the sniffer is off: it took about 120 ms per load whatever the size (2,000 rows: 125 → 10 ms),
    // most of the time of the small loads collectors make.
    const csvTypes = columns.map((c) => `'${c.name}': '${c.type === 'json' ? 'VARCHAR' : this.columnType(c.type)}'`);
    const select = used.map((c) => `s.${q(c.name)}`);
    return [
      `INSERT INTO ${q(table)} (${used.map((c) => q(c.name)).join(', ')})`,
      `SELECT ${select.join(', ')} FROM read_csv($file, delim='\t', quote='"', escape='"', header=false, allow_quoted_nulls=false, auto_detect=false,`,
      `  max_line_size=${STAGED_MAX_LINE_BYTES}, buffer_size=${STAGED_READ_BUFFER_BYTES}, parallel=true, columns={${csvTypes.join(', ')}}) AS s`,
      `WHERE NOT EXISTS (SELECT 1 FROM ${q(table)} AS e WHERE e."event_id" = s."event_id"`,
      `  AND e."timestamp" BETWEEN CAST($min_ts AS TIMESTAMP) AND CAST($max_ts AS TIMESTAMP))`,
    ].join('\n');
  },
  createView(view, tables, catalog) {
    const q = (n: string) => this.quoteIdent(n);
    // The first branch holds no row: it fixes the view's columns, their order and types. The tables
    // are then united by name, each naming only the catalog columns it has, and DuckDB fills the
    // rest with NULLs. A branch per table with a typed NULL for every column it lacks (11 tables ×
    // 626 columns on the 10M-event store) took 62 ms to plan for any query over the view; by name,
    // 24 ms, and a full-scan aggregate ran in 36 instead of 68 ms.
    const head = `SELECT ${catalog.map((c) => `CAST(NULL AS ${this.columnType(c.type)}) AS ${q(c.name)}`).join(', ')} WHERE false`;
    const parts = tables.map((t) => `SELECT ${catalog.filter((c) => t.columns.has(c.name)).map((c) => q(c.name)).join(', ')} FROM ${q(t.table)}`);
    return `CREATE OR REPLACE VIEW ${q(view)} AS ${[head, ...parts].join('\nUNION ALL BY NAME ')}`;
  },
};
