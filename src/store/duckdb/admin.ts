import { existsSync } from 'node:fs';
import type { Format } from '../../formats/format.js';
import type { InitReport } from '../clickhouse/admin.js';
import { allColumns, initialColumns } from '../schema.js';
import { datasetTable, EVENTS_VIEW } from '../store.js';
import { RETENTION_SETTING, retentionCutoff, SETTINGS_TABLE, type RetentionDrop, type RetentionOutcome } from '../retention.js';
import { CREATE_ALERT_CHANGES_DUCKDB } from '../alert-changes.js';
import { DUCKDB_SEARCH_TABLES } from '../../searches/table.js';
import { DUCKDB_SHARED_DETECTION_TABLES } from '../../detect/shared/tables.js';
import { ensureAlertsTable } from './alerts.js';
import { duckdbDialect } from './dialect.js';
import { DuckDbStore } from './duckdb-store.js';

const CREATE_SETTINGS = `CREATE TABLE IF NOT EXISTS ${SETTINGS_TABLE} (name VARCHAR NOT NULL, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)`;

/** Every table of the database and its column count. */
async function snapshot(store: DuckDbStore): Promise<Map<string, number>> {
  const r = await store.query(`SELECT table_name, count(*) FROM information_schema.columns WHERE table_schema = 'main' GROUP BY table_name`);
  return new Map(r.rows.map(([t, n]) => [String(t), Number(n)]));
}

/**
 * The DuckDB side of `store init`: the bookkeeping, alerts, alert_changes, saved searches and settings tables, a table per format of the
 * registry with the columns every event has (initialColumns: loads add the rest), and the `events` view over them. Idempotent, as the
 * ClickHouse one.
 */
export async function initDuckDb(path: string, formats: readonly Format[], retentionDays?: number): Promise<InitReport> {
  const existed = existsSync(path);
  const changes: string[] = existed ? [] : [`created database ${path}`];
  let store = await DuckDbStore.open(path);
  let before: Map<string, number>;
  try {
    before = existed ? await snapshot(store) : new Map();
    await store.query(CREATE_SETTINGS);
    await ensureAlertsTable(store);
    await store.query(CREATE_ALERT_CHANGES_DUCKDB);
    for (const sql of [...DUCKDB_SEARCH_TABLES, ...DUCKDB_SHARED_DETECTION_TABLES]) await store.query(sql);
    for (const format of formats) {
      const table = datasetTable(format.id);
      const columns = initialColumns(format);
      if (!before.has(table)) await store.query(duckdbDialect.createTable(table, columns));
      else for (const c of columns) await store.query(duckdbDialect.addColumn(table, c));
    }
    if (retentionDays !== undefined) {
      await store.query(`INSERT INTO ${SETTINGS_TABLE} VALUES ($name, $value, now()::TIMESTAMP)`, { name: RETENTION_SETTING, value: String(retentionDays) });
    }
  } finally {
    await store.close();
  }
  // Reopened: the store reads its dataset tables when it opens, and the view is built from them.
  store = await DuckDbStore.open(path);
  try {
    await store.ensureSchema(allColumns(formats));
    const after = await snapshot(store);
    let unchanged = 0;
    for (const [name, n] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
      const was = before.get(name);
      if (name === EVENTS_VIEW) changes.push(`${was !== undefined ? 'rebuilt' : 'created'} view ${name}`);
      else if (was === undefined) changes.push(`created table ${name} (${n} columns)`);
      else if (n > was) changes.push(`added ${n - was} columns to ${name}`);
      else unchanged++;
    }
    if (retentionDays !== undefined) changes.push(`set retention to ${retentionDays} days`);
    return { node: path, changes, unchanged };
  } finally {
    await store.close();
  }
}

/**
 * Deletes the events before retentionCutoff() from every dataset table: `days`, else the store's
 * setting; undefined when neither is set. Whole UTC days go, as on ClickHouse.
 */
export async function applyDuckDbRetention(path: string, options: { days?: number | undefined; dryRun?: boolean; now?: number } = {}): Promise<RetentionOutcome | undefined> {
  if (!existsSync(path)) throw new Error(`database ${path} does not exist (packettrail store init --store ${path} creates it)`);
  const store = await DuckDbStore.open(path);
  try {
    let days = options.days;
    if (days === undefined) {
      const has = await store.query(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $t`, { t: SETTINGS_TABLE });
      if (Number(has.rows[0]?.[0]) > 0) {
        const r = await store.query(`SELECT value FROM ${SETTINGS_TABLE} WHERE name = $name ORDER BY updated_at DESC LIMIT 1`, { name: RETENTION_SETTING });
        const stored = Number(r.rows[0]?.[0]);
        if (r.rows.length && Number.isInteger(stored) && stored > 0) days = stored;
      }
    }
    if (days === undefined) return undefined;
    const cutoff = retentionCutoff(days, options.now);
    // Bound as text and cast: the column is a TIMESTAMP holding UTC.
    const params = { cutoff: new Date(cutoff).toISOString().replace('T', ' ').replace('Z', '') };
    const drops: RetentionDrop[] = [];
    for (const table of [...(await store.datasetColumns()).keys()].sort()) {
      const q = duckdbDialect.quoteIdent(table);
      const r = await store.query(`SELECT count(*) FROM ${q} WHERE timestamp < CAST($cutoff AS TIMESTAMP)`, params);
      const rows = Number(r.rows[0]?.[0] ?? 0);
      if (!rows) continue;
      if (!options.dryRun) await store.query(`DELETE FROM ${q} WHERE timestamp < CAST($cutoff AS TIMESTAMP)`, params);
      drops.push({ node: path, table, rows });
    }
    return { days, cutoff, drops, dryRun: options.dryRun ?? false };
  } finally {
    await store.close();
  }
}
