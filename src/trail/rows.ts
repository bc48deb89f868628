import { allColumns } from '../store/schema.js';
import { datasetTable, type EventStore } from '../store/store.js';
import { indexedColumnsOf, INDEXES_SQL } from '../store/duckdb/indexes.js';
import { listFormats } from '../formats/registry.js';
import { setPath, type EcsObject, type EcsValue } from '../ecs/event.js';

/** One stored event as read from its dataset table: column name → value. */
export type Row = Record<string, unknown>;

/** Stored timestamps (`YYYY-MM-DD HH:MM:SS[.fff]`, UTC) → epoch ms. */
export function rowMillis(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length < 19) return undefined;
  const ms = Date.parse(`${value.slice(0, 10)}T${value.slice(11)}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

export function timeOf(row: Row): number {
  return rowMillis(row.timestamp) ?? 0;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function str(row: Row | undefined, column: string): string | undefined {
  const v = row?.[column];
  if (v === null || v === undefined || v === '') return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function num(row: Row | undefined, column: string): number | undefined {
  const v = row?.[column];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function list(row: Row | undefined, column: string): string[] {
  const v = row?.[column];
  return Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
}

export function datasetOf(row: Row): string {
  return String(row.event_dataset ?? '');
}

/** Which dataset tables exist, with their columns and row counts (read once per store, briefly cached). */
export interface TableCatalog {
  /** Table → column → SQL type (as the engine names it: `store.dialect.fn.typeKind` tells what it holds). */
  columns: Map<string, Map<string, string>>;
  rows: Map<string, number>;
  /** Table → columns with an index (`packettrail index`): lookups by them skip the time window. */
  indexed: Map<string, Set<string>>;
  read: number;
}

const catalogs = new WeakMap<EventStore, TableCatalog>();
// The console builds many trails on one open store; ingest may add tables meanwhile.
const CATALOG_TTL_MS = 30_000;

export async function tableCatalog(store: EventStore): Promise<TableCatalog> {
  const cached = catalogs.get(store);
  if (cached && Date.now() - cached.read < CATALOG_TTL_MS) return cached;
  const r = await store.query(store.dialect.fn.datasetTablesSql);
  const catalog: TableCatalog = { columns: new Map(), rows: new Map(), indexed: await indexedColumns(store), read: Date.now() };
  for (const [table, column, type, size] of r.rows) {
    const t = String(table);
    if (!catalog.columns.has(t)) catalog.columns.set(t, new Map());
    catalog.columns.get(t)!.set(String(column), String(type));
    catalog.rows.set(t, Number(size));
  }
  catalogs.set(store, catalog);
  return catalog;
}

async function indexedColumns(store: EventStore): Promise<Map<string, Set<string>>> {
  try {
    return indexedColumnsOf((await store.query(INDEXES_SQL)).rows);
  } catch {
    // A store whose catalog has no duckdb_indexes() (another engine) has no trail indexes.
    return new Map();
  }
}

export function hasTable(catalog: TableCatalog, dataset: string): boolean {
  return catalog.columns.has(datasetTable(dataset));
}

let pathsByColumn: Map<string, string> | undefined;
const DATE_COLUMNS = new Set<string>();

function columnPaths(): Map<string, string> {
  if (!pathsByColumn) {
    pathsByColumn = new Map();
    for (const c of allColumns(listFormats())) {
      if (c.name === 'extra') continue;
      pathsByColumn.set(c.name, c.path);
      if (c.type === 'date') DATE_COLUMNS.add(c.name);
    }
  }
  return pathsByColumn;
}

/** The ECS path a column holds (`source_nat_ip` → `source.nat.ip`). */
export function columnPath(column: string): string {
  return columnPaths().get(column) ?? column;
}

/** A stored row back as the nested ECS document it was stored from (dates RFC 3339, `extra` merged). */
export function rowToDocument(row: Row): Record<string, unknown> {
  const paths = columnPaths();
  const doc: EcsObject = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    if (column === 'extra') {
      let extra: unknown = value;
      if (typeof value === 'string') {
        try {
          extra = JSON.parse(value);
        } catch {
          continue;
        }
      }
      if (extra && typeof extra === 'object') for (const [p, v] of Object.entries(extra as Record<string, EcsValue>)) setPath(doc, p, v);
      continue;
    }
    const path = paths.get(column);
    if (!path) continue;
    const ms = DATE_COLUMNS.has(column) ? rowMillis(value) : undefined;
    setPath(doc, path, ms !== undefined ? iso(ms) : (value as EcsValue));
  }
  return doc;
}
