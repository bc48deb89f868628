import type { DuckDBConnection } from '@duckdb/node-api';
import { datasetTable } from '../store.js';

/**
 * The ART indexes `packettrail index` (or `ingest --index`) creates, as data: the exact-id columns
 * a trail looks events up by. Without them such a lookup scans the column within a time window
 * (the whole table when the anchor id is searched); with them it fetches the few matching rows.
 * On the 10M-event benchmark store the CloudFront request-id index takes ≈ 6 s to build and
 * ≈ 400 MB of file (859 → 1,265 MB), hence opt-in; the others are small tables.
 */
export interface IndexSpec {
  dataset: string;
  column: string;
  /** What the index serves. */
  purpose: string;
}

export const TRAIL_INDEXES: readonly IndexSpec[] = [
  { dataset: 'aws.cloudfront', column: 'http_request_id', purpose: 'trail --request-id, CloudFront x-edge-request-id' },
  { dataset: 'aws.waf', column: 'http_request_id', purpose: 'trail --request-id, WAF requestId' },
  { dataset: 'app.json', column: 'http_request_id', purpose: 'trail --request-id, X-Amz-Cf-Id in app logs' },
  { dataset: 'app.json', column: 'trace_id', purpose: 'trail app → ALB by trace id' },
  { dataset: 'aws.alb', column: 'trace_id', purpose: 'trail --request-id with an ALB trace id' },
  { dataset: 'panw.panos', column: 'panw_panos_session_id', purpose: 'trail firewall session logs by session id' },
];

/** `trail_<table>_<column>`: one name per index, so creating them again is a no-op. */
export function indexName(spec: IndexSpec): string {
  return `trail_${datasetTable(spec.dataset)}_${spec.column}`;
}

export interface IndexOutcome {
  name: string;
  table: string;
  column: string;
  /** created now; existed already; skipped (no such table or column in this store). */
  status: 'created' | 'exists' | 'skipped';
  ms: number;
}

/** The catalog query whose rows `indexedColumnsOf` reads. */
export const INDEXES_SQL = `SELECT table_name, expressions FROM duckdb_indexes() WHERE schema_name = 'main'`;

/** Indexed columns per table, as DuckDB lists them (single-column indexes only). */
export async function indexedColumns(con: DuckDBConnection): Promise<Map<string, Set<string>>> {
  return indexedColumnsOf((await con.runAndReadAll(INDEXES_SQL)).getRowsJson() as unknown[][]);
}

/** `[table, expressions]` rows of `INDEXES_SQL` → table → its single-column indexed columns. */
export function indexedColumnsOf(rows: readonly (readonly unknown[])[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [table, expressions] of rows) {
    const column = singleColumn(expressions);
    if (!column) continue;
    const t = String(table);
    if (!out.has(t)) out.set(t, new Set());
    out.get(t)!.add(column);
  }
  return out;
}

/** `[http_request_id]` or `['"http_request_id"']` (as DuckDB versions print it) → the column; undefined for expressions. */
export function singleColumn(expressions: unknown): string | undefined {
  const list = Array.isArray(expressions) ? expressions.map(String) : typeof expressions === 'string' ? expressions.replace(/^\[|\]$/g, '').split(/,\s*/) : [];
  if (list.length !== 1) return undefined;
  const e = list[0]!.trim().replace(/^'|'$/g, '').replace(/^"|"$/g, '');
  return /^[a-z_][a-z0-9_]*$/.test(e) ? e : undefined;
}

/** Creates the missing trail indexes on the tables that exist; the ones present are left as they are. */
export async function createTrailIndexes(con: DuckDBConnection, tables: ReadonlyMap<string, ReadonlySet<string>>): Promise<IndexOutcome[]> {
  const have = await indexedColumns(con);
  const out: IndexOutcome[] = [];
  for (const spec of TRAIL_INDEXES) {
    const table = datasetTable(spec.dataset);
    const name = indexName(spec);
    const base = { name, table, column: spec.column };
    if (!tables.get(table)?.has(spec.column)) {
      out.push({ ...base, status: 'skipped', ms: 0 });
      continue;
    }
    if (have.get(table)?.has(spec.column)) {
      out.push({ ...base, status: 'exists', ms: 0 });
      continue;
    }
    const t = performance.now();
    await con.run(`CREATE INDEX IF NOT EXISTS "${name}" ON "${table}" ("${spec.column}")`);
    out.push({ ...base, status: 'created', ms: Math.round(performance.now() - t) });
  }
  return out;
}

/** Drops the trail indexes (`packettrail index --drop`); DuckDB reuses their blocks for later writes rather than shrinking the file. */
export async function dropTrailIndexes(con: DuckDBConnection): Promise<string[]> {
  const r = await con.runAndReadAll(`SELECT index_name FROM duckdb_indexes() WHERE schema_name = 'main' AND index_name LIKE 'trail\\_%' ESCAPE '\\'`);
  const names = r.getRowsJson().map(([n]) => String(n));
  for (const n of names) await con.run(`DROP INDEX IF EXISTS "${n.replace(/"/g, '""')}"`);
  return names;
}
