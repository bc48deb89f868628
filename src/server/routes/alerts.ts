import type { FastifyRequest } from 'fastify';
import type { EventStore } from '../../store/store.js';
import { storeTables } from './store-sql.js';
import { ALERT_STATUSES, isStatus, NOBODY } from '../../detect/alerts/triage.js';
import { InsightOptionError } from '../../insights/time-range.js';
import { alertHistory, groupAlerts, triageStates } from '../../store/alert-changes.js';
import { alertListCondition } from '../../store/alert-list.js';
import type { ServerContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { int, obj, str, type ApiRoute } from './define.js';

type Params = Record<string, string | number | boolean | null>;

/** The event fields an alert's one-line text is made of, in order of preference. */
const TEXT_FIELDS = ['url.original', 'url.full', 'dns.question.name', 'process.command_line', 'user.name', 'source.ip', 'destination.ip', 'event.action', 'message'];

/**
 * What the alerts table's SQL spells differently per engine. DuckDB's columns are JSON and reads
 * them with its JSON functions; ClickHouse keeps key, details and events as JSON text, and 18.16 has
 * no JSON functions: it finds the events' datasets by their key in that text (only event.dataset is
 * named "dataset" in an ECS event, and a quote inside a JSON string is escaped, so values cannot
 * fake one), and the route reads the first event from the events text itself.
 */
interface AlertSql {
  /** The distinct event.dataset values of an alert's events, as a list. */
  datasets: string;
  listHas(list: string, param: string): string;
  /** Case-insensitive substring test of a text column (or JSON column) against a bound text. */
  containsText(column: string, param: string): string;
  /** A time column as text (`YYYY-MM-DD HH:MM:SS[.fff]`, UTC). */
  time(column: string): string;
  /** A JSON column as text. */
  json(column: string): string;
  /** The first event as JSON text; undefined: take it from the events text. */
  firstEvent: string | undefined;
  anyValue(column: string): string;
  unnest(list: string): string;
}

const ALERT_SQL: Record<string, AlertSql> = {
  duckdb: {
    datasets: `list_distinct(CAST(json_extract_string(events, '$[*].event.dataset') AS VARCHAR[]))`,
    listHas: (list, param) => `list_contains(${list}, ${param})`,
    containsText: (column, param) => `contains(lower(CAST(${column} AS VARCHAR)), lower(${param}))`,
    time: (column) => `CAST(${column} AS VARCHAR)`,
    json: (column) => `CAST(${column} AS VARCHAR)`,
    firstEvent: `CAST(json_extract(events, '$[0]') AS VARCHAR)`,
    anyValue: (column) => `any_value(${column})`,
    unnest: (list) => `unnest(${list})`,
  },
  clickhouse: {
    datasets: `arrayDistinct(extractAll(ifNull(events, ''), '"dataset":"([^"]*)"'))`,
    listHas: (list, param) => `has(${list}, ${param})`,
    containsText: (column, param) => `positionCaseInsensitiveUTF8(ifNull(${column}, ''), ${param}) > 0`,
    // The store renders Decimal(18, 3) times as DuckDB's TIMESTAMP text.
    time: (column) => column,
    json: (column) => column,
    firstEvent: undefined,
    anyValue: (column) => `any(${column})`,
    unnest: (list) => `arrayJoin(${list})`,
  },
};

function alertSql(store: EventStore): AlertSql {
  const sql = ALERT_SQL[store.dialect.name];
  if (!sql) throw new Error(`alerts: no SQL for the ${store.dialect.name} engine`);
  return sql;
}

function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A short description of an alert: its correlation key, else the first event's most telling fields. */
export function alertText(key: unknown, first: unknown): string {
  const keyText = key && typeof key === 'object' ? Object.entries(key as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '';
  const parts = TEXT_FIELDS.map((f) => get(first, f)).filter((v) => v !== undefined && v !== null && v !== '').slice(0, 3).map(String);
  return [keyText, ...parts].filter(Boolean).join(' · ').slice(0, 400);
}

const parseJson = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

interface AlertFilter {
  rule?: string;
  level?: string;
  source?: string;
  since?: string;
  until?: string;
  text?: string;
  status?: string;
  assignee?: string;
  entity?: string;
  key?: string;
  group?: boolean;
  limit?: number;
  offset?: number;
}

/** `a,b` → ['a', 'b'] (a filter's values, comma-separated in the query string). */
const listOf = (text: string | undefined) => (text === undefined || text === '' ? undefined : [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))]);

/** The list's condition: the filters of store/alert-list.ts, and the source and text ones (ALERT_SQL per engine). */
async function whereOf(ctx: ServerContext, f: AlertFilter): Promise<{ where: string; params: Params }> {
  const params: Params = {};
  const statuses = listOf(f.status);
  const bad = statuses?.find((s) => !isStatus(s));
  if (bad !== undefined) throw badRequest(`unknown status '${bad.slice(0, 60)}': expected one of ${ALERT_STATUSES.join(', ')}`);
  let where: string;
  try {
    where = await alertListCondition(ctx.store, { rule: f.rule, level: f.level, since: f.since, until: f.until, entity: f.entity, key: f.key, statuses, assignees: listOf(f.assignee) }, params);
  } catch (e) {
    if (e instanceof InsightOptionError) throw badRequest(e.message);
    throw e;
  }
  const a = alertSql(ctx.store);
  const clauses = [where];
  if (f.source) {
    clauses.push(a.listHas(a.datasets, '$source'));
    params.source = f.source;
  }
  if (f.text) {
    clauses.push(`(${['rule_title', 'key', 'events'].map((c) => a.containsText(c, '$text')).join(' OR ')})`);
    params.text = f.text;
  }
  return { where: clauses.join(' AND '), params };
}

async function hasAlerts(ctx: ServerContext): Promise<boolean> {
  return (await storeTables(ctx.store)).has('alerts');
}

/** The first event of an alert's events (JSON text), when the engine cannot pick it out in SQL. */
function firstOf(events: unknown): unknown {
  const list = parseJson(events);
  return Array.isArray(list) ? list[0] : undefined;
}

const ts = (v: unknown) => (typeof v === 'string' ? `${v.replace(' ', 'T')}Z` : v);

async function listAlerts(ctx: ServerContext, request: FastifyRequest) {
  const f = request.query as AlertFilter;
  const limit = f.limit ?? 200;
  const offset = f.offset ?? 0;
  if (!(await hasAlerts(ctx))) return { total: 0, alerts: [], facets: { levels: [], rules: [], sources: [] } };
  const { where, params } = await whereOf(ctx, f);
  if (f.group) {
    const { total, groups } = await groupAlerts(ctx.store, where, params, { limit, offset });
    return { total, limit, offset, groups };
  }
  const a = alertSql(ctx.store);
  const total = Number((await ctx.store.query(`SELECT count(*) FROM alerts WHERE ${where}`, params)).rows[0]?.[0] ?? 0);
  const r = await ctx.store.query(
    `SELECT id, ${a.time('timestamp')}, rule_id, rule_title, level, severity, rule_kind, ${a.json('key')}, ${a.datasets}, ${a.firstEvent ?? 'events'}
     FROM alerts WHERE ${where} ORDER BY timestamp DESC, severity DESC, id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const states = await triageStates(ctx.store, r.rows.map(([id]) => String(id)));
  const alerts = r.rows.map(([id, timestamp, rule_id, rule_title, level, severity, rule_kind, key, sources, first]) => ({
    id, timestamp: ts(timestamp), rule_id, rule_title, level, severity, rule_kind, sources: sources ?? [],
    text: alertText(parseJson(key), a.firstEvent ? parseJson(first) : firstOf(first)),
    status: states.get(String(id))!.status, assignee: states.get(String(id))!.assignee, notes: states.get(String(id))!.notes,
  }));
  const facet = async (sql: string) => (await ctx.store.query(sql)).rows.map(([value, label, n]) => ({ value, label, count: Number(n) }));
  // Named, not positional: ClickHouse 18.16 reads GROUP BY 1 as a constant.
  const facets = {
    levels: await facet(`SELECT level AS v, level AS l, count(*) AS n FROM alerts GROUP BY level ORDER BY max(severity) DESC`),
    rules: await facet(`SELECT rule_id AS v, ${a.anyValue('rule_title')} AS l, count(*) AS n FROM alerts GROUP BY rule_id ORDER BY n DESC, l`),
    sources: await facet(`SELECT s AS v, s AS l, count(*) AS n FROM (SELECT ${a.unnest(a.datasets)} AS s FROM alerts) AS d GROUP BY s ORDER BY n DESC, s`),
  };
  return { total, limit, offset, alerts, facets };
}

async function oneAlert(ctx: ServerContext, request: FastifyRequest) {
  const { id } = request.params as { id: string };
  if (!(await hasAlerts(ctx))) throw notFound(`no alert with id ${id}`);
  const a = alertSql(ctx.store);
  const r = await ctx.store.query(
    `SELECT id, ${a.time('timestamp')}, rule_id, rule_title, level, severity, rule_kind, author, link, license, tags,
            ${a.json('key')}, ${a.json('details')}, event_ids, ${a.json('events')}, ${a.time('created')}, ${a.datasets}
     FROM alerts WHERE id = $id`,
    { id },
  );
  const row = r.rows[0];
  if (!row) throw notFound(`no alert with id ${id}`);
  const [, timestamp, rule_id, rule_title, level, severity, rule_kind, author, link, license, tags, key, details, event_ids, events, created, sources] = row;
  const evs = (parseJson(events) as unknown[]) ?? [];
  const requestIds = [...new Set(evs.map((e) => get(e, 'http.request.id')).filter((v): v is string => typeof v === 'string'))];
  return {
    id, timestamp: ts(timestamp), rule_id, rule_title, level, severity, rule_kind, author, link, license, tags: tags ?? [],
    key: parseJson(key), details: parseJson(details), event_ids: event_ids ?? [], events: evs, created: ts(created), sources: sources ?? [], requestIds,
    triage: (await triageStates(ctx.store, [String(id)])).get(String(id)), history: await alertHistory(ctx.store, String(id)),
  };
}

const ALERT_SUMMARY = obj({
  id: str(), timestamp: str(), rule_id: str(), rule_title: str(), level: str(), severity: int(0, 100), rule_kind: str(),
  sources: { type: 'array', items: str() }, text: str(400), status: { type: 'string', enum: [...ALERT_STATUSES] }, assignee: str(), notes: { type: 'integer' },
});

export const ALERT_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/alerts',
    role: 'viewer',
    tag: 'alerts',
    summary: 'Alerts, newest first, filtered by rule (id or title), level, source dataset, time range, text, triage status and assignee, entity; with facet counts. With group=true: groups of one rule on one entity (count, first and last seen).',
    querystring: obj({
      rule: str(300), level: str(20), source: str(100), since: str(40, { description: 'RFC 3339' }), until: str(40, { description: 'RFC 3339' }),
      text: str(200, { description: 'case-insensitive substring of the title, key or events' }),
      status: str(200, { description: `comma-separated: ${ALERT_STATUSES.join(', ')}` }), assignee: str(2_000, { description: `comma-separated account names, or ${NOBODY}` }),
      entity: str(300, { description: 'text found in the entity key (an address, a user, a host)' }), key: str(4_000, { description: "a group's exact entity key: with rule, its members" }),
      group: { type: 'boolean', description: 'group by rule and entity key' }, limit: int(1, 1000), offset: int(0, 1_000_000),
    }),
    response: { description: 'total, alerts, facets (or groups with group=true)', schema: { type: 'object', properties: { total: { type: 'integer' }, alerts: { type: 'array', items: ALERT_SUMMARY }, groups: { type: 'array' }, facets: { type: 'object' } } } },
    handler: (ctx, request) => listAlerts(ctx, request),
  },
  {
    method: 'GET',
    url: '/api/alerts/:id',
    role: 'viewer',
    tag: 'alerts',
    summary: 'One alert with its rule metadata, correlation key, details, the matching events, its triage state and history.',
    params: obj({ id: str(200) }, ['id']),
    response: { description: 'the alert' },
    handler: (ctx, request) => oneAlert(ctx, request),
  },
];
