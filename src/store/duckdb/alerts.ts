import type { EventStore } from '../store.js';
import type { Alert } from '../../detect/types.js';

export const ALERTS_TABLE = 'alerts';

const CREATE = `CREATE TABLE IF NOT EXISTS ${ALERTS_TABLE} (
  id VARCHAR PRIMARY KEY, timestamp TIMESTAMP, rule_id VARCHAR, rule_title VARCHAR, level VARCHAR, severity INTEGER,
  rule_kind VARCHAR, author VARCHAR, link VARCHAR, license VARCHAR, tags VARCHAR[], key JSON, details JSON,
  event_ids VARCHAR[], events JSON, created TIMESTAMP)`;

// The whole batch travels as one bound JSON parameter and is unpacked by DuckDB: one statement per
// batch, no SQL built from alert content.
const ROW_SHAPE = JSON.stringify([
  {
    id: 'VARCHAR', timestamp: 'VARCHAR', rule_id: 'VARCHAR', rule_title: 'VARCHAR', level: 'VARCHAR', severity: 'INTEGER',
    rule_kind: 'VARCHAR', author: 'VARCHAR', link: 'VARCHAR', license: 'VARCHAR', tags: ['VARCHAR'], key: 'JSON', details: 'JSON',
    event_ids: ['VARCHAR'], events: 'JSON', created: 'VARCHAR',
  },
]);
const COLUMNS = ['id', 'timestamp', 'rule_id', 'rule_title', 'level', 'severity', 'rule_kind', 'author', 'link', 'license', 'tags', 'key', 'details', 'event_ids', 'events', 'created'];
const ts = (c: string) => `CAST(replace(replace(r.${c}, 'T', ' '), 'Z', '') AS TIMESTAMP)`;
const INSERT = `INSERT OR IGNORE INTO ${ALERTS_TABLE} (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.map((c) => (c === 'timestamp' || c === 'created' ? ts(c) : `r.${c}`)).join(', ')}
  FROM (SELECT unnest(from_json($batch, '${ROW_SHAPE}'), recursive := false) AS r)`;

/** Creates the `alerts` table (one row per alert, keyed by its deterministic id). */
export async function ensureAlertsTable(store: EventStore): Promise<void> {
  await store.query(CREATE);
}

/** Inserts alerts, skipping ids already stored (re-ingest stores each alert once); returns how many were new. */
export async function insertAlerts(store: EventStore, alerts: readonly Alert[]): Promise<number> {
  if (!alerts.length) return 0;
  const seen = new Set<string>();
  const rows = [];
  for (const a of alerts) {
    if (seen.has(a.event.id)) continue;
    seen.add(a.event.id);
    rows.push({
      id: a.event.id, timestamp: a['@timestamp'], rule_id: a.rule.id, rule_title: a.rule.title, level: a.rule.level,
      severity: a.event.severity, rule_kind: a.rule.kind, author: a.rule.author ?? null, link: a.rule.link ?? null,
      license: a.rule.license ?? null, tags: a.rule.tags ?? [], key: a.key ?? {}, details: a.details ?? {},
      event_ids: a.event.reference_ids, events: a.events, created: a.event.created,
    });
  }
  const before = await count(store);
  await store.query(INSERT, { batch: JSON.stringify(rows) });
  return (await count(store)) - before;
}

async function count(store: EventStore): Promise<number> {
  const r = await store.query(`SELECT count(*) FROM ${ALERTS_TABLE}`);
  return Number(r.rows[0]![0]);
}
