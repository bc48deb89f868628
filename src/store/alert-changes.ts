import { NOBODY, planChanges, UNTOUCHED, type AlertChange, type AlertStatus, type TriageRequest, type TriageState, type TriageVia } from '../detect/alerts/triage.js';
import type { SqlParams } from './expressions.js';
import type { EventStore } from './store.js';

/**
 * Alert triage in the store, on DuckDB and ClickHouse alike: an append-only `alert_changes` table,
 * one row per field changed (alert, sequence, time, actor, how the actor signed in, field, old and new
 * value). Append-only because ClickHouse has no UPDATE, and because the rows are the history: an
 * alert's state is, per field, the value of its latest row (argMax by `seq`); an alert without rows
 * is `new` and assigned to nobody. The SQL below is read alike by both engines (see expressions.ts).
 */
export const ALERT_CHANGES_TABLE = 'alert_changes';
export const ALERTS = 'alerts';

export const ALERT_CHANGE_COLUMNS = ['seq', 'alert_id', 'changed_at', 'actor', 'via', 'field', 'old_value', 'new_value'] as const;

export const CREATE_ALERT_CHANGES_DUCKDB = `CREATE TABLE IF NOT EXISTS ${ALERT_CHANGES_TABLE} (
  seq VARCHAR NOT NULL, alert_id VARCHAR NOT NULL, changed_at VARCHAR NOT NULL, actor VARCHAR NOT NULL, via VARCHAR NOT NULL,
  field VARCHAR NOT NULL, old_value VARCHAR, new_value VARCHAR NOT NULL)`;

// The batch travels as one bound JSON parameter, as alerts do (duckdb/alerts.ts): no SQL from content.
const ROW_SHAPE = JSON.stringify([Object.fromEntries(ALERT_CHANGE_COLUMNS.map((c) => [c, 'VARCHAR']))]);
const INSERT_DUCKDB = `INSERT INTO ${ALERT_CHANGES_TABLE} (${ALERT_CHANGE_COLUMNS.join(', ')})
  SELECT ${ALERT_CHANGE_COLUMNS.map((c) => `r.${c}`).join(', ')} FROM (SELECT unnest(from_json($batch, '${ROW_SHAPE}'), recursive := false) AS r)`;

const isClickHouse = (store: EventStore) => store.dialect.name === 'clickhouse';

/** `IN (subquery)`: GLOBAL on ClickHouse, where both tables may be Distributed over a cluster. */
const inSub = (store: EventStore, not = false) => `${isClickHouse(store) ? 'GLOBAL ' : ''}${not ? 'NOT ' : ''}IN`;

/**
 * Appends the rows. A store that writes them itself (ClickHouse; a database held by another process,
 * through it) does; otherwise DuckDB's table is created on first use and the rows inserted in one
 * statement (the owner's store queues it behind its other writes).
 */
export async function appendAlertChanges(store: EventStore, rows: readonly AlertChange[]): Promise<void> {
  if (!rows.length) return;
  if (store.appendAlertChanges) return store.appendAlertChanges(rows);
  await store.query(CREATE_ALERT_CHANGES_DUCKDB);
  await store.query(INSERT_DUCKDB, { batch: JSON.stringify(rows.map((r) => Object.fromEntries(ALERT_CHANGE_COLUMNS.map((c) => [c, r[c]])))) });
}

/** Whether the store has the table (a database opened read-only may predate triage). */
export async function hasTable(store: EventStore, name: string): Promise<boolean> {
  const sql = isClickHouse(store)
    ? 'SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = $name'
    : `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $name`;
  const r = await store.query(sql, { name });
  return Number(r.rows[0]?.[0]) > 0;
}

/** `$p0, $p1…` for a list of values bound one by one (both engines bind `$name`). */
function bindList(params: SqlParams, prefix: string, values: readonly string[]): string {
  return values.map((v, i) => {
    params[`${prefix}${i}`] = v;
    return `$${prefix}${i}`;
  }).join(', ');
}

/** The ids among `ids` that are stored alerts. */
export async function existingAlertIds(store: EventStore, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length || !(await hasTable(store, ALERTS))) return new Set();
  const params: SqlParams = {};
  const r = await store.query(`SELECT id FROM ${ALERTS} WHERE id IN (${bindList(params, 'id', ids)})`, params);
  return new Set(r.rows.map(([id]) => String(id)));
}

/** The current state of each of `ids` (UNTOUCHED for alerts without changes). */
export async function triageStates(store: EventStore, ids: readonly string[]): Promise<Map<string, TriageState>> {
  const out = new Map<string, TriageState>(ids.map((id) => [id, { ...UNTOUCHED }]));
  if (!ids.length || !(await hasTable(store, ALERT_CHANGES_TABLE))) return out;
  const params: SqlParams = {};
  const fn = store.dialect.fn;
  const r = await store.query(
    `SELECT alert_id, field, ${fn.argMax('new_value', 'seq')}, max(changed_at), count(*) FROM ${ALERT_CHANGES_TABLE}
     WHERE alert_id IN (${bindList(params, 'id', ids)}) GROUP BY alert_id, field`,
    params,
  );
  for (const [id, field, value, at, n] of r.rows) {
    const s = out.get(String(id));
    if (!s) continue;
    if (field === 'status') s.status = String(value) as AlertStatus;
    else if (field === 'assignee') s.assignee = String(value);
    else if (field === 'note') s.notes = Number(n);
    if (typeof at === 'string' && (s.updated === undefined || at > s.updated)) s.updated = at;
  }
  return out;
}

/** An alert's changes, oldest first. */
export async function alertHistory(store: EventStore, id: string): Promise<AlertChange[]> {
  if (!(await hasTable(store, ALERT_CHANGES_TABLE))) return [];
  const r = await store.query(`SELECT ${ALERT_CHANGE_COLUMNS.join(', ')} FROM ${ALERT_CHANGES_TABLE} WHERE alert_id = $id ORDER BY seq`, { id });
  return r.rows.map((row) => Object.fromEntries(ALERT_CHANGE_COLUMNS.map((c, i) => [c, row[i] ?? null])) as unknown as AlertChange);
}

/** The triage filters of an alert list. */
export interface TriageFilter {
  /** The alert's status is one of these. */
  statuses?: readonly string[] | undefined;
  /** Its assignee is one of these (`nobody`: unassigned). */
  assignees?: readonly string[] | undefined;
}

/**
 * A condition on the `alerts` table (its `id` column) for the triage filters, its values in
 * `params`. An alert's current value of a field is read from its latest change; an alert without
 * one has the default (new, nobody), so a filter that allows the default keeps every alert except
 * those changed to a value it does not allow.
 */
export function triageCondition(store: EventStore, f: TriageFilter, params: SqlParams, hasChanges: boolean): string {
  const clauses: string[] = [];
  const one = (field: 'status' | 'assignee', allowed: readonly string[] | undefined, fallback: string) => {
    if (!allowed?.length) return;
    if (!hasChanges) {
      clauses.push(allowed.includes(fallback) ? store.dialect.fn.always : `NOT ${store.dialect.fn.always}`);
      return;
    }
    const list = bindList(params, `t_${field}_`, allowed);
    const latest = (keep: string) =>
      `SELECT alert_id FROM (SELECT alert_id, ${store.dialect.fn.argMax('new_value', 'seq')} AS current_value FROM ${ALERT_CHANGES_TABLE} WHERE field = '${field}' GROUP BY alert_id) WHERE ${keep}`;
    clauses.push(allowed.includes(fallback) ? `id ${inSub(store, true)} (${latest(`current_value NOT IN (${list})`)})` : `id ${inSub(store)} (${latest(`current_value IN (${list})`)})`);
  };
  one('status', f.statuses, 'new');
  one('assignee', f.assignees, NOBODY);
  return clauses.length ? clauses.join(' AND ') : store.dialect.fn.always;
}

/** The alert's entity key as text (JSON, names sorted as the detection wrote it): what groups repeats. */
export function keyText(store: EventStore): string {
  return isClickHouse(store) ? `ifNull(key, '{}')` : `CAST(key AS VARCHAR)`;
}

/** Whether `expr` contains the bound text `param` (case-sensitive). */
export function containsParam(store: EventStore, expr: string, param: string): string {
  return isClickHouse(store) ? `(position(${expr}, $${param}) > 0)` : `(strpos(${expr}, $${param}) > 0)`;
}

/** One group of repeated alerts: one rule on one entity. */
export interface AlertGroup {
  rule_id: string;
  rule_title: string;
  level: string;
  severity: number;
  /** The entity key as text (filter `key` lists the members). */
  key: string;
  count: number;
  /** Members still `new`. */
  untriaged: number;
  first_seen: string;
  last_seen: string;
  /** The newest member. */
  latest_id: string;
}

const iso = (ms: unknown) => (ms === null || ms === undefined ? '' : new Date(Number(ms)).toISOString());

/**
 * The alerts matching `where` grouped by rule and entity key, the most recent group first: count,
 * first and last seen, how many are still new. `where` is a condition on `alerts` (its values in `params`).
 */
export async function groupAlerts(store: EventStore, where: string, params: SqlParams, page: { limit: number; offset: number }): Promise<{ total: number; groups: AlertGroup[] }> {
  const fn = store.dialect.fn;
  const hasChanges = await hasTable(store, ALERT_CHANGES_TABLE);
  const touched = `SELECT alert_id FROM (SELECT alert_id, ${fn.argMax('new_value', 'seq')} AS current_value FROM ${ALERT_CHANGES_TABLE} WHERE field = 'status' GROUP BY alert_id) WHERE current_value <> 'new'`;
  const untriaged = hasChanges ? fn.countIf(`id ${inSub(store, true)} (${touched})`) : 'count(*)';
  const k = keyText(store);
  const total = await store.query(`SELECT count(*) FROM (SELECT rule_id, ${k} AS group_key FROM ${ALERTS} WHERE ${where} GROUP BY rule_id, ${k}) AS g`, params);
  const r = await store.query(
    `SELECT rule_id, min(rule_title), min(level), max(severity), ${k} AS group_key, count(*), ${untriaged}, min(${fn.epochMs('timestamp')}), max(${fn.epochMs('timestamp')}), ${fn.argMax('id', fn.epochMs('timestamp'))}
     FROM ${ALERTS} WHERE ${where} GROUP BY rule_id, ${k}
     ORDER BY max(${fn.epochMs('timestamp')}) DESC, rule_id, group_key LIMIT ${page.limit} OFFSET ${page.offset}`,
    params,
  );
  const groups = r.rows.map(([rule_id, rule_title, level, severity, key, count, untouched, first, last, latest]) => ({
    rule_id: String(rule_id), rule_title: String(rule_title ?? ''), level: String(level ?? ''), severity: Number(severity ?? 0), key: String(key ?? '{}'),
    count: Number(count), untriaged: Number(untouched), first_seen: iso(first), last_seen: iso(last), latest_id: String(latest),
  }));
  return { total: Number(total.rows[0]?.[0] ?? 0), groups };
}

/** Some of the alerts a change names are not stored: nothing was changed. */
export class UnknownAlertsError extends Error {
  constructor(readonly ids: readonly string[]) {
    super(`no alert with id ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}: nothing changed`);
  }
}

/** What a change request did. */
export interface TriageOutcome {
  /** Rows written (fields that changed, notes). */
  changes: AlertChange[];
  /** Each named alert's state after the change. */
  states: Record<string, TriageState>;
}

/**
 * Carries out a checked request (checkTriageRequest): every named alert must be stored (else
 * nothing changes), then the rows for what differs are appended in one write.
 */
export async function applyTriage(store: EventStore, request: TriageRequest, who: { actor: string; via: TriageVia }): Promise<TriageOutcome> {
  const found = await existingAlertIds(store, request.ids);
  const missing = request.ids.filter((id) => !found.has(id));
  if (missing.length) throw new UnknownAlertsError(missing);
  const before = await triageStates(store, request.ids);
  const changes = planChanges(request, before, who);
  await appendAlertChanges(store, changes);
  const states: Record<string, TriageState> = {};
  for (const id of request.ids) states[id] = { ...before.get(id)! };
  for (const c of changes) {
    const s = states[c.alert_id]!;
    if (c.field === 'status') s.status = c.new_value as AlertStatus;
    else if (c.field === 'assignee') s.assignee = c.new_value;
    else s.notes++;
    s.updated = c.changed_at;
  }
  return { changes, states };
}
