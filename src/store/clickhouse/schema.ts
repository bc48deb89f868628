import type { ClickHouseSettings } from '@clickhouse/client';
import type { Column } from '../schema.js';
import { clickhouseColumnType, clickhouseDialect, EVENTS_ORDER_BY, EVENTS_PARTITION_BY, LOCAL_SUFFIX, TIME_TYPE } from './dialect.js';
import { stringLiteral } from './literals.js';
import type { ClickHouseNode } from './nodes.js';
import { RUN_COLUMNS, RUNS_TABLE, SEARCH_COLUMNS, SEARCHES_TABLE, searchTableColumns } from '../../searches/table.js';

/** A table as ClickHouse columns and keys. */
export interface TableSpec {
  name: string;
  columns: readonly { name: string; type: string }[];
  orderBy: string;
  partitionBy?: string;
}

/**
 * The bookkeeping tables, as DuckDbStore and the alerts table have them (time as Decimal(18, 3),
 * booleans as UInt8), and the saved searches with their runs.
 */
export const BOOKKEEPING_TABLES: readonly TableSpec[] = [
  {
    name: 'ingested_files',
    columns: [
      ...['path', 'dataset'].map((name) => ({ name, type: 'String' })),
      ...['records', 'events', 'stored', 'duplicates', 'rejected', 'skipped', 'bytes'].map((name) => ({ name, type: 'Int64' })),
      { name: 'ingested_at', type: TIME_TYPE }, { name: 'complete', type: 'UInt8' },
    ],
    orderBy: '(ingested_at)',
  },
  {
    name: 'dead_letters',
    columns: [
      { name: 'source', type: 'String' }, { name: 'line', type: 'Int64' }, { name: 'dataset', type: 'String' },
      { name: 'reason', type: 'String' }, { name: 'record', type: 'String' }, { name: 'rejected_at', type: TIME_TYPE },
    ],
    orderBy: '(rejected_at)',
  },
  {
    name: 'alerts',
    columns: [
      { name: 'id', type: 'String' }, { name: 'timestamp', type: TIME_TYPE },
      ...['rule_id', 'rule_title', 'level'].map((name) => ({ name, type: 'Nullable(String)' })),
      { name: 'severity', type: 'Nullable(Int32)' },
      ...['rule_kind', 'author', 'link', 'license'].map((name) => ({ name, type: 'Nullable(String)' })),
      { name: 'tags', type: 'Array(String)' }, { name: 'key', type: 'Nullable(String)' }, { name: 'details', type: 'Nullable(String)' },
      { name: 'event_ids', type: 'Array(String)' }, { name: 'events', type: 'Nullable(String)' }, { name: 'created', type: 'Nullable(Decimal64(3))' },
    ],
    orderBy: '(timestamp, id)',
  },
  {
    // Alert triage, append-only (store/alert-changes.ts): the state is the latest row per alert and field.
    name: 'alert_changes',
    columns: [
      ...['seq', 'alert_id', 'changed_at', 'actor', 'via', 'field'].map((name) => ({ name, type: 'String' })),
      { name: 'old_value', type: 'Nullable(String)' }, { name: 'new_value', type: 'String' },
    ],
    orderBy: '(alert_id, seq)',
  },
  // Saved searches and their scheduled runs (src/searches/table.ts): append-only, read as the latest
  // version of each id. `created` is the column of the table before the store held them (unused).
  { name: SEARCHES_TABLE, columns: searchTableColumns(SEARCH_COLUMNS, 'Int64', 'String'), orderBy: '(id, version)' },
  { name: RUNS_TABLE, columns: searchTableColumns(RUN_COLUMNS, 'Int64', 'String'), orderBy: '(search_id, seq)' },
];

/** A dataset table's spec for the columns it needs. */
export function eventsTableSpec(table: string, columns: readonly Column[]): TableSpec {
  return { name: table, columns: columns.map((c) => ({ name: c.name, type: clickhouseColumnType(c) })), orderBy: EVENTS_ORDER_BY, partitionBy: EVENTS_PARTITION_BY };
}

const q = (name: string) => clickhouseDialect.quoteIdent(name);

function createMergeTree(name: string, spec: TableSpec): string {
  const cols = spec.columns.map((c) => `${q(c.name)} ${c.type}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${q(name)} (${cols}) ENGINE = MergeTree ${spec.partitionBy ? `PARTITION BY ${spec.partitionBy} ` : ''}ORDER BY ${spec.orderBy}`;
}

/** Where a store's tables are: one node, or a cluster whose every node holds a local table under a Distributed one. */
export interface Topology {
  nodes: readonly ClickHouseNode[];
  database: string;
  cluster?: string | undefined;
}

/** The columns each table has on `node`. */
async function columnsOn(node: ClickHouseNode, database: string, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await node.rows(
    `SELECT table, name FROM system.columns WHERE database = ${stringLiteral(database)} AND table IN (${tables.map(stringLiteral).join(', ')})`,
  );
  const out = new Map<string, Set<string>>();
  for (const [table, name] of rows) {
    if (!out.has(table!)) out.set(table!, new Set());
    out.get(table!)!.add(name!);
  }
  return out;
}

/** An ALTER that lost a race with another process adding the same column is no failure. */
async function addColumn(node: ClickHouseNode, database: string, table: string, column: { name: string; type: string }): Promise<void> {
  try {
    await node.command(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column.name)} ${column.type}`);
  } catch (e) {
    const now = await columnsOn(node, database, [table]);
    if (!now.get(table)?.has(column.name)) throw e;
  }
}

/**
 * Creates the table on every node, or adds the columns it lacks there. 18.16 has no ON CLUSTER
 * without ZooKeeper and no ADD COLUMN IF NOT EXISTS: each node's system.columns is read first.
 * Local tables get a new column on every node before the Distributed tables do, so no query through
 * a Distributed table names a column a shard lacks.
 */
export async function ensureTableEverywhere(topology: Topology, spec: TableSpec): Promise<void> {
  const { nodes, database, cluster } = topology;
  const local = cluster ? spec.name + LOCAL_SUFFIX : spec.name;
  const tables = cluster ? [local, spec.name] : [local];
  const have = await Promise.all(nodes.map((n) => columnsOn(n, database, tables)));
  for (const [i, node] of nodes.entries()) {
    const cols = have[i]!.get(local);
    if (!cols) await node.command(createMergeTree(local, spec));
    else for (const c of spec.columns) if (!cols.has(c.name)) await addColumn(node, database, local, c);
  }
  if (!cluster) return;
  for (const [i, node] of nodes.entries()) {
    const cols = have[i]!.get(spec.name);
    if (!cols) await node.command(clickhouseDialect.createDistributed(spec.name, local, cluster, database));
    else for (const c of spec.columns) if (!cols.has(c.name)) await addColumn(node, database, spec.name, c);
  }
}

/** The database on every node. */
export async function ensureDatabaseEverywhere(nodes: readonly ClickHouseNode[], database: string): Promise<void> {
  for (const node of nodes) await node.command(`CREATE DATABASE IF NOT EXISTS ${q(database)}`);
}

/**
 * The dataset tables (`events_…`) readers query and their columns: on a single node the MergeTree
 * tables, in a cluster the Distributed ones (the `_local` tables under them are each node's part).
 */
export async function readDatasetTables(node: ClickHouseNode, database: string, cluster: string | undefined): Promise<Map<string, Set<string>>> {
  const engine = cluster ? `engine = 'Distributed'` : `engine LIKE '%MergeTree'`;
  const tables = await node.rows(`SELECT name FROM system.tables WHERE database = ${stringLiteral(database)} AND name LIKE 'events\\\\_%' AND ${engine} ORDER BY name`);
  const out = new Map<string, Set<string>>();
  if (!tables.length) return out;
  const names = tables.map(([t]) => t!);
  for (const n of names) out.set(n, new Set());
  const rows = await node.rows(
    `SELECT table, name FROM system.columns WHERE database = ${stringLiteral(database)} AND table IN (${names.map(stringLiteral).join(', ')})`,
  );
  for (const [table, name] of rows) out.get(table!)?.add(name!);
  return out;
}

/**
 * How many times a node's view is dropped and created again when another process created it between
 * our DROP and our CREATE (several collectors or workers adding tables at once).
 */
export const VIEW_REPLACE_ATTEMPTS = 5;
/** ClickHouse's TABLE_ALREADY_EXISTS. */
const TABLE_ALREADY_EXISTS = 57;

/** Replaces the `events` view on every node (18.16 has no CREATE OR REPLACE VIEW: readers may miss it for a moment). */
export async function replaceViewEverywhere(nodes: readonly ClickHouseNode[], view: string, create: string, settings: ClickHouseSettings = {}): Promise<void> {
  for (const node of nodes) {
    for (let attempt = 1; ; attempt++) {
      await node.command(`DROP TABLE IF EXISTS ${q(view)}`);
      try {
        await node.command(create, settings);
        break;
      } catch (e) {
        // Another process's view went in between: ours (built from the tables the server has) replaces it.
        const code = Number((e as { code?: unknown }).code ?? /Code: (\d+)/.exec((e as Error).message)?.[1]);
        if (code !== TABLE_ALREADY_EXISTS || attempt >= VIEW_REPLACE_ATTEMPTS) throw e;
      }
    }
  }
}
