import type { Format } from '../../formats/format.js';
import { allColumns, initialColumns } from '../schema.js';
import { datasetTable, EVENTS_VIEW } from '../store.js';
import { dayNumber, RETENTION_SETTING, retentionCutoff, SETTINGS_TABLE, type RetentionDrop, type RetentionOutcome } from '../retention.js';
import { clickhouseDialect, LOCAL_SUFFIX, TIME_TYPE } from './dialect.js';
import { stringLiteral } from './literals.js';
import { ClickHouseNode, nodeUrls } from './nodes.js';
import { BOOKKEEPING_TABLES, ensureDatabaseEverywhere, ensureTableEverywhere, eventsTableSpec, readDatasetTables, replaceViewEverywhere, type TableSpec, type Topology } from './schema.js';
import { VIEW_SETTINGS } from './store.js';
import { parseStoreUrl, type ClickHouseLocation } from './url.js';

/** The store's settings (retention): a bookkeeping table like the others, on every node. */
export const SETTINGS_SPEC: TableSpec = {
  name: SETTINGS_TABLE,
  columns: [{ name: 'name', type: 'String' }, { name: 'value', type: 'String' }, { name: 'updated_at', type: TIME_TYPE }],
  orderBy: '(name, updated_at)',
};

/** A node whose every failure names it: an operator must know which server of the cluster refused. */
class NamedNode extends ClickHouseNode {
  get label(): string {
    return new URL(this.url).host;
  }
  override async command(...args: Parameters<ClickHouseNode['command']>): Promise<void> {
    try {
      await super.command(...args);
    } catch (e) {
      throw this.named(e);
    }
  }
  override async rows(...args: Parameters<ClickHouseNode['rows']>): Promise<string[][]> {
    try {
      return await super.rows(...args);
    } catch (e) {
      throw this.named(e);
    }
  }
  private named(e: unknown): Error {
    const message = e instanceof Error ? e.message : String(e);
    return message.startsWith(`node ${this.label}: `) ? (e as Error) : new Error(`node ${this.label}: ${message}`);
  }
}

/** Every node of a store, with the database or without (it may not exist yet). */
interface Nodes {
  location: ClickHouseLocation;
  topology: Topology & { nodes: NamedNode[] };
  bare: NamedNode[];
  close(): Promise<void>;
}

async function connect(where: string): Promise<Nodes> {
  const location = parseStoreUrl(where);
  const opened: NamedNode[] = [];
  const node = (url: string, db?: string) => {
    const n = new NamedNode(url, location, db);
    opened.push(n);
    return n;
  };
  const close = () => Promise.all(opened.map((n) => n.close().catch(() => {}))).then(() => {});
  try {
    const urls = await nodeUrls(node(location.url), location);
    const bare = urls.map((u) => (u === location.url ? opened[0]! : node(u)));
    const nodes = urls.map((u) => node(u, location.database));
    return { location, bare, topology: { nodes, database: location.database, cluster: location.cluster }, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** What one node holds: tables with their engine and column count, or undefined without the database. */
async function snapshot(node: NamedNode, database: string): Promise<Map<string, { engine: string; columns: number }> | undefined> {
  const db = await node.rows(`SELECT count() FROM system.databases WHERE name = ${stringLiteral(database)}`);
  if (db[0]?.[0] !== '1') return undefined;
  const rows = await node.rows(
    `SELECT t.name, t.engine, c.n FROM system.tables AS t ANY LEFT JOIN (SELECT table AS name, count() AS n FROM system.columns WHERE database = ${stringLiteral(database)} GROUP BY table) AS c USING name WHERE t.database = ${stringLiteral(database)}`,
  );
  return new Map(rows.map(([name, engine, n]) => [name!, { engine: engine!, columns: Number(n) }]));
}

/** What `store init` did on one node (or one DuckDB file), one line per change. */
export interface InitReport {
  node: string;
  changes: string[];
  /** Tables that were there already with every column. */
  unchanged: number;
}

function diff(node: string, database: string, before: Awaited<ReturnType<typeof snapshot>>, after: NonNullable<Awaited<ReturnType<typeof snapshot>>>): InitReport {
  const changes: string[] = [];
  if (!before) changes.push(`created database ${database}`);
  let unchanged = 0;
  for (const [name, t] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    const was = before?.get(name);
    if (name === EVENTS_VIEW) changes.push(`${was ? 'rebuilt' : 'created'} view ${name}`);
    else if (!was) changes.push(`created table ${name} (${t.engine}, ${t.columns} columns)`);
    else if (t.columns > was.columns) changes.push(`added ${t.columns - was.columns} columns to ${name}`);
    else unchanged++;
  }
  return { node, changes, unchanged };
}

/**
 * Creates the whole schema on every node: the database, the bookkeeping and settings tables, a
 * table per format of the registry (a MergeTree on one node; in a cluster a `_local` MergeTree on
 * every node under a Distributed table) with the columns every event has (initialColumns: loads add the rest), and the `events` view.
 * What exists is left as it is, and columns it lacks are added: running it twice changes nothing.
 */
export async function initClickHouse(where: string, formats: readonly Format[], retentionDays?: number): Promise<InitReport[]> {
  const { location, bare, topology, close } = await connect(where);
  try {
    const before = await Promise.all(bare.map((n) => snapshot(n, location.database)));
    await ensureDatabaseEverywhere(bare, location.database);
    for (const spec of [...BOOKKEEPING_TABLES, SETTINGS_SPEC]) await ensureTableEverywhere(topology, spec);
    for (const format of formats) await ensureTableEverywhere(topology, eventsTableSpec(datasetTable(format.id), initialColumns(format)));
    const main = topology.nodes[0]!;
    const tables = [...(await readDatasetTables(main, location.database, location.cluster))].map(([table, columns]) => ({ table, columns }));
    await replaceViewEverywhere(topology.nodes, EVENTS_VIEW, clickhouseDialect.createView(EVENTS_VIEW, tables, allColumns(formats)), VIEW_SETTINGS);
    if (retentionDays !== undefined) {
      await main.command(
        `INSERT INTO ${SETTINGS_TABLE} (name, value, updated_at) VALUES (${stringLiteral(RETENTION_SETTING)}, ${stringLiteral(String(retentionDays))}, toDecimal64(${stringLiteral((Date.now() / 1000).toFixed(3))}, 3))`,
        { insert_distributed_sync: 1 },
      );
    }
    const after = await Promise.all(bare.map((n) => snapshot(n, location.database)));
    const reports = bare.map((n, i) => diff(n.label, location.database, before[i], after[i]!));
    if (retentionDays !== undefined) reports[0]!.changes.push(`set retention to ${retentionDays} days`);
    return reports;
  } finally {
    await close();
  }
}

/** The retention in days the store keeps (the newest setting), or undefined when none is set. */
async function storedRetention(main: NamedNode, database: string): Promise<number | undefined> {
  const t = await main.rows(`SELECT count() FROM system.tables WHERE database = ${stringLiteral(database)} AND name = ${stringLiteral(SETTINGS_TABLE)}`);
  if (t[0]?.[0] !== '1') return undefined;
  const r = await main.rows(`SELECT value FROM ${SETTINGS_TABLE} WHERE name = ${stringLiteral(RETENTION_SETTING)} ORDER BY updated_at DESC LIMIT 1`);
  const days = Number(r[0]?.[0]);
  return r.length && Number.isInteger(days) && days > 0 ? days : undefined;
}

/**
 * Drops, on every node, the day partitions of every dataset table (the `_local` ones in a cluster)
 * whose whole day is older than the retention: `days`, else the store's setting. Without either,
 * returns undefined. A partition holds one UTC day (EVENTS_PARTITION_BY), so dropping it removes
 * exactly the events before retentionCutoff() of that day's table.
 */
export async function applyClickHouseRetention(where: string, options: { days?: number | undefined; dryRun?: boolean; now?: number } = {}): Promise<RetentionOutcome | undefined> {
  const { location, topology, bare, close } = await connect(where);
  try {
    const found = await bare[0]!.rows(`SELECT count() FROM system.databases WHERE name = ${stringLiteral(location.database)}`);
    if (found[0]?.[0] !== '1') throw new Error(`database ${location.database} does not exist on ${location.host}:${location.port} (packettrail store init --store … creates it)`);
    const days = options.days ?? (await storedRetention(topology.nodes[0]!, location.database));
    if (days === undefined) return undefined;
    const cutoff = retentionCutoff(days, options.now);
    const firstKept = dayNumber(cutoff);
    const suffix = location.cluster ? LOCAL_SUFFIX : '';
    const drops: RetentionDrop[] = [];
    for (const node of topology.nodes) {
      const parts = await node.rows(
        `SELECT table, partition, sum(rows) FROM system.parts WHERE database = ${stringLiteral(location.database)} AND active AND table LIKE 'events\\\\_%' GROUP BY table, partition ORDER BY table, partition`,
      );
      for (const [table, partition, rows] of parts) {
        if (!table!.endsWith(suffix) || !/^\d{8}$/.test(partition!) || Number(partition) >= firstKept) continue;
        if (!options.dryRun) await node.command(`ALTER TABLE ${clickhouseDialect.quoteIdent(table!)} DROP PARTITION ${Number(partition)}`);
        drops.push({ node: node.label, table: table!, day: Number(partition), rows: Number(rows) });
      }
    }
    return { days, cutoff, drops, dryRun: options.dryRun ?? false };
  } finally {
    await close();
  }
}
