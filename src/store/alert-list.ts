import { timeRange, rangeSql } from '../insights/time-range.js';
import type { TriageState } from '../detect/alerts/triage.js';
import { ALERT_CHANGES_TABLE, ALERTS, containsParam, groupAlerts, hasTable, keyText, triageCondition, triageStates, type AlertGroup, type TriageFilter } from './alert-changes.js';
import type { SqlParams } from './expressions.js';
import type { EventStore } from './store.js';

/** The filters an alert list takes on either engine (the API adds DuckDB-only ones: source, text). */
export interface AlertListFilter extends TriageFilter {
  /** Rule id or title. */
  rule?: string | undefined;
  level?: string | undefined;
  /** RFC 3339 bounds of the alert's time. */
  since?: string | undefined;
  until?: string | undefined;
  /** Text found in the entity key (an address, a user name, a host). */
  entity?: string | undefined;
  /** The exact entity key (a group's `key`): with `rule`, a group's members. */
  key?: string | undefined;
}

/**
 * The condition on `alerts` for the filters, values bound in `params`. Throws the time range's
 * InsightOptionError for a bad since/until.
 */
export async function alertListCondition(store: EventStore, f: AlertListFilter, params: SqlParams): Promise<string> {
  const clauses: string[] = [store.dialect.fn.always];
  if (f.rule) {
    clauses.push('(rule_id = $rule OR rule_title = $rule)');
    params.rule = f.rule;
  }
  if (f.level) {
    clauses.push('level = $level');
    params.level = f.level;
  }
  if (f.entity) {
    clauses.push(containsParam(store, keyText(store), 'entity'));
    params.entity = f.entity;
  }
  if (f.key !== undefined) {
    clauses.push(`${keyText(store)} = $key`);
    params.key = f.key;
  }
  if (f.statuses?.length || f.assignees?.length) clauses.push(triageCondition(store, f, params, await hasTable(store, ALERT_CHANGES_TABLE)));
  const range = timeRange({ since: f.since, until: f.until });
  return clauses.join(' AND ') + rangeSql(store.dialect.fn, range, params);
}

export interface AlertRow extends TriageState {
  id: string;
  timestamp: string;
  rule_id: string;
  rule_title: string;
  level: string;
  severity: number;
  key: string;
}

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

/** Alerts, newest first, with their triage state; `total` counts every match. */
export async function listAlerts(store: EventStore, f: AlertListFilter, page: { limit: number; offset: number }): Promise<{ total: number; alerts: AlertRow[] }> {
  if (!(await hasTable(store, ALERTS))) return { total: 0, alerts: [] };
  const params: SqlParams = {};
  const where = await alertListCondition(store, f, params);
  const fn = store.dialect.fn;
  const total = Number((await store.query(`SELECT count(*) FROM ${ALERTS} WHERE ${where}`, params)).rows[0]?.[0] ?? 0);
  const r = await store.query(
    `SELECT id, ${fn.epochMs('timestamp')}, rule_id, rule_title, level, severity, ${keyText(store)} FROM ${ALERTS} WHERE ${where}
     ORDER BY timestamp DESC, severity DESC, id LIMIT ${page.limit} OFFSET ${page.offset}`,
    params,
  );
  const states = await triageStates(store, r.rows.map(([id]) => String(id)));
  const alerts = r.rows.map(([id, ms, rule_id, rule_title, level, severity, key]) => ({
    id: String(id), timestamp: iso(ms), rule_id: String(rule_id ?? ''), rule_title: String(rule_title ?? ''), level: String(level ?? ''), severity: Number(severity ?? 0), key: String(key ?? '{}'),
    ...states.get(String(id))!,
  }));
  return { total, alerts };
}

/** The matching alerts grouped by rule and entity (see groupAlerts). */
export async function listAlertGroups(store: EventStore, f: AlertListFilter, page: { limit: number; offset: number }): Promise<{ total: number; groups: AlertGroup[] }> {
  if (!(await hasTable(store, ALERTS))) return { total: 0, groups: [] };
  const params: SqlParams = {};
  const where = await alertListCondition(store, f, params);
  return groupAlerts(store, where, params, page);
}

/** One alert with its triage state, or undefined. */
export async function oneAlert(store: EventStore, id: string): Promise<AlertRow | undefined> {
  if (!(await hasTable(store, ALERTS))) return undefined;
  const fn = store.dialect.fn;
  const r = await store.query(`SELECT id, ${fn.epochMs('timestamp')}, rule_id, rule_title, level, severity, ${keyText(store)} FROM ${ALERTS} WHERE id = $id`, { id });
  const row = r.rows[0];
  if (!row) return undefined;
  const [, ms, rule_id, rule_title, level, severity, key] = row;
  const state = (await triageStates(store, [id])).get(id)!;
  return { id, timestamp: iso(ms), rule_id: String(rule_id ?? ''), rule_title: String(rule_title ?? ''), level: String(level ?? ''), severity: Number(severity ?? 0), key: String(key ?? '{}'), ...state };
}
