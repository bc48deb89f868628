import { buildAlert, type Finding } from '../detect/alerts/build.js';
import type { Alert, RuleMeta } from '../detect/types.js';
import type { EcsEvent } from '../ecs/event.js';
import { looksLikeSpl } from '../query/spl/index.js';
import { sqlTime } from '../query/spl/time.js';
import { assertSingleSelect, compileQuery, type QueryContext } from '../server/query-runner.js';
import type { QueryBounds } from '../store/bounds.js';
import { checkSchedulable, conditionText, type SavedSearch, type SearchSchedule } from './types.js';

/** Rows of a scheduled search read per run; past them the total is counted and per-row alerts stop. */
export const MAX_SCHEDULED_ROWS = 10_000;
/** Alerts one run raises (per-row); the rows past them are counted in the run's row count only. */
export const MAX_ALERTS_PER_RUN = 500;
/** Rows copied into a rows>N alert as its events. */
export const MAX_EVENTS_PER_ALERT = 100;

const TIME_COLUMNS = ['@timestamp', 'timestamp', '_time'];
const ID_COLUMNS = ['event_id', 'event.id'];
const TIME_TYPES = /^(TIMESTAMP|DATE|DateTime|Decimal)/i;

export interface SearchAnswer {
  rows: number;
  alerts: Alert[];
}

/** The query as it runs over [start, end): SPL bounded on its base search, SQL with $window_start/$window_end bound. */
async function compileWindow(ctx: QueryContext, s: SavedSearch, start: Date, end: Date, bounds: QueryBounds) {
  const language = s.language === 'auto' ? (looksLikeSpl(s.query) ? 'spl' : 'sql') : s.language;
  checkSchedulable(s.query, language);
  if (language === 'sql') {
    if (ctx.store.dialect.name === 'duckdb') await assertSingleSelect(ctx, s.query, bounds);
    const params: Record<string, string> = {};
    if (/\$window_start\b/.test(s.query)) params.window_start = sqlTime(start);
    if (/\$window_end\b/.test(s.query)) params.window_end = sqlTime(end);
    return { sql: s.query, params };
  }
  // Splunk's dispatch window: the base search gets earliest= (inclusive) and latest= (exclusive); a
  // search that sets its own keeps the narrower of both.
  const base = /^\s*search\b/i.test(s.query) ? s.query.replace(/^\s*search\b/i, '') : s.query;
  const text = `search earliest=${start.toISOString()} latest=${end.toISOString()} ${base}`;
  const q = await compileQuery(ctx, text, 'spl', bounds);
  return { sql: q.sql, params: q.params };
}

/** A result row as an alert's event: its columns, with `@timestamp` and `event.id` when the row has them. */
function rowEvent(columns: readonly { name: string; type: string }[], row: readonly unknown[]): EcsEvent {
  const e: Record<string, unknown> = {};
  columns.forEach((c, i) => (e[c.name] = row[i] ?? null));
  const time = TIME_COLUMNS.find((n) => e[n] !== undefined && e[n] !== null);
  if (time) {
    const t = e[time];
    const ms = t instanceof Date ? t.getTime() : Date.parse(typeof t === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? `${t.replace(' ', 'T')}Z` : String(t));
    if (Number.isFinite(ms)) e['@timestamp'] = new Date(ms).toISOString();
  }
  const id = ID_COLUMNS.map((n) => e[n]).find((v) => typeof v === 'string' && v);
  if (id && typeof e.event !== 'object') e.event = { id };
  return e as EcsEvent;
}

/** Per-row alerts are keyed by the row's text values (the `by` fields of a stats), not its counts or times. */
function rowKey(columns: readonly { name: string; type: string }[], row: readonly unknown[]): Record<string, string> {
  const key: Record<string, string> = {};
  columns.forEach((c, i) => {
    const v = row[i];
    if (v === null || v === undefined || TIME_COLUMNS.includes(c.name) || TIME_TYPES.test(c.type)) return;
    if (typeof v === 'string' || typeof v === 'boolean') key[c.name] = String(v).slice(0, 512);
    else if (Array.isArray(v)) key[c.name] = JSON.stringify(v).slice(0, 512);
  });
  return key;
}

export function ruleOf(s: SavedSearch, schedule: SearchSchedule): RuleMeta {
  return {
    id: s.id, title: schedule.title, level: schedule.level, kind: 'search', author: 'saved search',
    description: `Saved search "${s.name}" (${s.language}), every ${schedule.intervalSeconds} s over the last ${schedule.lookBackSeconds} s, alerting ${conditionText(schedule.condition)}: ${s.query}`,
  };
}

/**
 * Runs a scheduled search over [start, end) and turns its result into alerts by its condition.
 * The alerts are built here; suppression and the sinks are the caller's (the scheduler's).
 */
export async function runSearchWindow(ctx: QueryContext, s: SavedSearch, schedule: SearchSchedule, start: Date, end: Date, signal?: AbortSignal): Promise<SearchAnswer> {
  const bounds: QueryBounds = { readsOnly: true, maxResultBytes: ctx.queries.limits.maxResultBytes, ...(signal ? { signal } : {}) };
  const q = await compileWindow(ctx, s, start, end, bounds);
  const wrapped = `(\n${q.sql.replace(/;\s*$/, '')}\n) AS scheduled_search`;
  const result = await ctx.store.query(`SELECT * FROM ${wrapped} LIMIT $scheduled_limit`, { ...q.params, scheduled_limit: MAX_SCHEDULED_ROWS + 1 }, bounds);
  let rows = result.rows.length;
  if (rows > MAX_SCHEDULED_ROWS) rows = Number((await ctx.store.query(`SELECT count(*) FROM ${wrapped}`, q.params, bounds)).rows[0]?.[0] ?? rows);
  const read = result.rows.slice(0, MAX_SCHEDULED_ROWS);
  const rule = ruleOf(s, schedule);
  const created = end.toISOString();
  const window = { search: s.name, window_start: start.toISOString(), window_end: end.toISOString() };
  const findings: Finding[] = [];
  if (schedule.condition.kind === 'rows') {
    if (rows > schedule.condition.threshold) {
      findings.push({ rule, events: read.slice(0, MAX_EVENTS_PER_ALERT).map((r) => rowEvent(result.columns, r)), details: { ...window, rows, condition: conditionText(schedule.condition) } });
    }
  } else {
    for (const r of read.slice(0, MAX_ALERTS_PER_RUN)) findings.push({ rule, events: [rowEvent(result.columns, r)], key: rowKey(result.columns, r), details: window });
  }
  return { rows, alerts: findings.map((f) => buildAlert(f, created)) };
}
