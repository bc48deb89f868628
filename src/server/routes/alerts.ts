import type { FastifyRequest } from 'fastify';
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

const DATASETS = `list_distinct(CAST(json_extract_string(events, '$[*].event.dataset') AS VARCHAR[]))`;

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

/** The list's condition: the filters both engines read alike (store/alert-list.ts), and DuckDB's source and text. */
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
  const clauses = [where];
  if (f.source) {
    clauses.push(`list_contains(${DATASETS}, $source)`);
    params.source = f.source;
  }
  if (f.text) {
    clauses.push('(contains(lower(rule_title), lower($text)) OR contains(lower(CAST(key AS VARCHAR)), lower($text)) OR contains(lower(CAST(events AS VARCHAR)), lower($text)))');
    params.text = f.text;
  }
  return { where: clauses.join(' AND '), params };
}

async function hasAlerts(ctx: ServerContext): Promise<boolean> {
  const r = await ctx.store.query(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'alerts'`);
  return Number(r.rows[0]?.[0]) > 0;
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
  const total = Number((await ctx.store.query(`SELECT count(*) FROM alerts WHERE ${where}`, params)).rows[0]?.[0] ?? 0);
  const r = await ctx.store.query(
    `SELECT id, CAST(timestamp AS VARCHAR), rule_id, rule_title, level, severity, rule_kind, CAST(key AS VARCHAR), ${DATASETS}, CAST(json_extract(events, '$[0]') AS VARCHAR)
     FROM alerts WHERE ${where} ORDER BY timestamp DESC, severity DESC, id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  const states = await triageStates(ctx.store, r.rows.map(([id]) => String(id)));
  const alerts = r.rows.map(([id, timestamp, rule_id, rule_title, level, severity, rule_kind, key, sources, first]) => ({
    id, timestamp: ts(timestamp), rule_id, rule_title, level, severity, rule_kind, sources: sources ?? [], text: alertText(parseJson(key), parseJson(first)),
    status: states.get(String(id))!.status, assignee: states.get(String(id))!.assignee, notes: states.get(String(id))!.notes,
  }));
  const facet = async (sql: string) => (await ctx.store.query(sql)).rows.map(([value, label, n]) => ({ value, label, count: Number(n) }));
  const facets = {
    levels: await facet(`SELECT level, level, count(*) FROM alerts GROUP BY 1 ORDER BY max(severity) DESC`),
    rules: await facet(`SELECT rule_id, any_value(rule_title), count(*) FROM alerts GROUP BY 1 ORDER BY 3 DESC, 2`),
    sources: await facet(`SELECT s, s, count(*) FROM (SELECT unnest(${DATASETS}) AS s FROM alerts) GROUP BY 1 ORDER BY 3 DESC, 1`),
  };
  return { total, limit, offset, alerts, facets };
}

async function oneAlert(ctx: ServerContext, request: FastifyRequest) {
  const { id } = request.params as { id: string };
  if (!(await hasAlerts(ctx))) throw notFound(`no alert with id ${id}`);
  const r = await ctx.store.query(
    `SELECT id, CAST(timestamp AS VARCHAR), rule_id, rule_title, level, severity, rule_kind, author, link, license, tags,
            CAST(key AS VARCHAR), CAST(details AS VARCHAR), event_ids, CAST(events AS VARCHAR), CAST(created AS VARCHAR), ${DATASETS}
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
