import { CORE_FIELDS } from '../ecs/fields.js';
import type { FieldSpec, FieldType, Format } from '../formats/format.js';

export interface Column {
  /** SQL column name: the ECS path with dots as underscores (`source.ip` → `source_ip`, `@timestamp` → `timestamp`). */
  name: string;
  /** The ECS path it holds. */
  path: string;
  type: FieldType;
  description?: string | undefined;
}

/** Everything an event carries that has no column of its own, as a JSON object of dotted paths. */
export const EXTRA_COLUMN: Column = { name: 'extra', path: '', type: 'json', description: 'Fields without a column of their own (dotted ECS paths → values).' };

export function columnName(path: string): string {
  if (path === '@timestamp') return 'timestamp';
  return path.replace(/\./g, '_');
}

function toColumn(f: FieldSpec): Column {
  return { name: columnName(f.path), path: f.path, type: f.type, description: f.description };
}

/**
 * The columns a format's events are stored in: the core ECS columns, the format's own fields, and
 * `extra`. Two paths that would map to one column name are a programming error and throw.
 */
export function columnsFor(format: Pick<Format, 'id' | 'fields'>): Column[] {
  const seen = new Map<string, string>();
  const cols: Column[] = [];
  for (const f of [...CORE_FIELDS, ...format.fields]) {
    const c = toColumn(f);
    const prev = seen.get(c.name);
    if (prev !== undefined) {
      if (prev === f.path) continue;
      throw new Error(`format ${format.id}: fields ${prev} and ${f.path} both map to column ${c.name}`);
    }
    seen.set(c.name, f.path);
    cols.push(c);
  }
  cols.push(EXTRA_COLUMN);
  return cols;
}

/** The union of all formats' columns: the events table. */
export function allColumns(formats: readonly Pick<Format, 'id' | 'fields'>[]): Column[] {
  const byName = new Map<string, Column>();
  for (const c of columnsFor({ id: 'core', fields: [] })) byName.set(c.name, c);
  byName.delete(EXTRA_COLUMN.name);
  for (const fmt of formats) {
    for (const c of columnsFor(fmt)) {
      if (c === EXTRA_COLUMN) continue;
      const prev = byName.get(c.name);
      if (prev && prev.path !== c.path) throw new Error(`fields ${prev.path} and ${c.path} both map to column ${c.name}`);
      if (prev && prev.type !== c.type) throw new Error(`field ${c.path} declared as ${prev.type} and ${c.type}`);
      if (!prev) byName.set(c.name, c);
    }
  }
  return [...byName.values(), EXTRA_COLUMN];
}

/** The columns every dataset table starts with (the duplicate search's and the view's keys). */
const INITIAL_COLUMNS: ReadonlySet<string> = new Set(['event_id', 'timestamp', 'event_dataset']);

/**
 * The columns `store init` creates a format's table with. Loads add the columns their events use,
 * as ingest does for a table it creates: a table holding every field of its format (150–200
 * columns) would make each load write a file per column, most of them NULL (ClickHouse's measured
 * cost per load grows with the columns of a part; DuckDB's per row with always-NULL columns).
 */
export function initialColumns(format: Pick<Format, 'id' | 'fields'>): Column[] {
  return columnsFor(format).filter((c) => INITIAL_COLUMNS.has(c.name));
}
