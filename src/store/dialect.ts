import type { FieldType } from '../formats/format.js';
import type { SqlExpressions } from './expressions.js';
import type { Column } from './schema.js';

/**
 * Everything that differs between SQL engines, so callers never write engine-specific SQL. The
 * DuckDB dialect is the embedded default; a ClickHouse dialect implements the same methods.
 * Identifiers come from the column catalog (never from users) and are still quoted; values are
 * always bound as parameters.
 */
export interface SqlDialect {
  readonly name: string;
  /** The expressions queries are built with (time, regular expressions, lists, aggregates), in this engine's spelling. */
  readonly fn: SqlExpressions;
  quoteIdent(name: string): string;
  /** A statement listing the store's tables and views by name (one column), as queries name them. */
  readonly listTables: string;
  columnType(type: FieldType): string;
  createTable(table: string, columns: readonly Column[]): string;
  addColumn(table: string, column: Column): string;
  /**
   * Loads a staged tab-separated file (see RowEncoder; its columns are `columns`) into `table`'s
   * `used` columns, skipping rows whose event id is already stored. Parameters: $file, $min_ts,
   * $max_ts (the staged rows' time range, which bounds the duplicate search).
   */
  loadStaged(table: string, columns: readonly Column[], used: readonly Column[]): string;
  /**
   * The view over every dataset table: every catalog column in catalog order, each table
   * contributing the columns it has and NULLs for those it lacks.
   */
  createView(view: string, tables: readonly { table: string; columns: ReadonlySet<string> }[], catalog: readonly Column[]): string;
}
