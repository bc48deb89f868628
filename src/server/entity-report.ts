/**
 * What packettrail knows about one IP address, user or host: geo/ASN (public addresses), the values
 * seen with it (identities of an address, hosts and addresses of a user, users of a host), its
 * datasets, the alerts that mention it and a paged timeline of its events across every source.
 *
 * Reads the dataset tables (not the `events` view: see insights/dataset-table.ts) that have the
 * entity's `related.*` column; the value is always a bound parameter and engine-specific SQL goes
 * through `store.dialect.fn`, so the same report runs on DuckDB and ClickHouse.
 */
import { canonicalIp, isPrivateIp } from '../ecs/ip.js';
import { sharedGeo, type IpGeo } from '../enrich/geo/index.js';
import { projection } from '../insights/dataset-table.js';
import { bucketSeconds, bucketStarts, InsightOptionError, rangeSql, timeRange, type TimeRange } from '../insights/time-range.js';
import type { SqlParams } from '../store/expressions.js';
import { datasetTable, type EventStore } from '../store/store.js';

export const ENTITY_KINDS = ['ip', 'user', 'host'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** Longest entity value accepted (an address, a user name or a host name). */
export const ENTITY_VALUE_MAX_LENGTH = 300;
/** Timeline events per page: the default and the most a request may ask for. */
export const ENTITY_TIMELINE_PAGE = 50;
export const ENTITY_TIMELINE_MAX_PAGE = 200;
/** How deep the timeline pages (an offset past it is refused: narrow the search in Search instead). */
export const ENTITY_TIMELINE_MAX_OFFSET = 10_000;
/** Values listed per related field (most frequent first). */
export const ENTITY_FACET_VALUES = 20;
/** Alerts returned, and the newest alerts whose text is scanned for the value. */
export const ENTITY_ALERTS = 50;
export const ENTITY_ALERT_SCAN = 1_000;
/** Most buckets of the entity's events chart (the bucket width is the smallest "nice" width that fits). */
export const ENTITY_HISTOGRAM_BUCKETS = 60;

interface KindSpec {
  /** The `related.*` list column an event of the entity holds the value in. */
  match: string;
  /** Related values shown: label → scalar column. */
  facets: Record<string, string>;
}

/** Per kind, where its events are found and what is listed with it (data, not branches). */
const KINDS: Record<EntityKind, KindSpec> = {
  ip: { match: 'related_ip', facets: { users: 'user_name', hosts: 'host_name', domains: 'destination_domain' } },
  user: { match: 'related_user', facets: { addresses: 'source_ip', hosts: 'host_name', 'user agents': 'user_agent_original' } },
  host: { match: 'related_hosts', facets: { users: 'user_name', addresses: 'source_ip', processes: 'process_name' } },
};

/** The columns of a timeline row, in the order the response lists them. */
const TIMELINE_COLUMNS = ['event_id', 'timestamp', 'event_dataset', 'event_action', 'event_outcome', 'source_ip', 'destination_ip', 'user_name', 'host_name', 'url_original', 'http_request_id', 'message'] as const;
/** A timeline row's message is cut here (the event itself is one search away). */
const MESSAGE_CHARS = 300;

export class EntityValueError extends Error {}

export interface EntityEvent {
  id: string;
  dataset: string;
  timestamp: string;
  action: string | null;
  outcome: string | null;
  sourceIp: string | null;
  destinationIp: string | null;
  user: string | null;
  host: string | null;
  url: string | null;
  requestId: string | null;
  message: string | null;
}

export interface EntityAlert {
  id: string;
  timestamp: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
}

export interface EntityReport {
  kind: EntityKind;
  value: string;
  /** IP addresses: whether it is private, and country/ASN of a public one. */
  address?: { private: boolean; geo: IpGeo };
  /** The time range the report is of (RFC 3339, inclusive; null: open). */
  range: { since: string | null; until: string | null };
  related: { label: string; field: string; values: { value: string; count: number }[] }[];
  datasets: { dataset: string; count: number; first: string; last: string }[];
  events: number;
  alerts: EntityAlert[];
  /** More alerts may mention it than were scanned or returned. */
  alertsCapped: boolean;
  /** Its events per time bucket from the first to the last (the timeline's chart); absent without events. */
  histogram?: { bucketSeconds: number; buckets: string[]; counts: number[] };
  timeline: { offset: number; limit: number; events: EntityEvent[] };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
const textOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The value as stored: addresses in canonical form; refused when it cannot be one of its kind. */
export function entityValue(kind: EntityKind, raw: string): string {
  const value = raw.trim();
  if (!value) throw new EntityValueError(`expected a ${kind} value, got an empty one`);
  if (value.length > ENTITY_VALUE_MAX_LENGTH) throw new EntityValueError(`a ${kind} value is at most ${ENTITY_VALUE_MAX_LENGTH} characters`);
  if (kind !== 'ip') return value;
  const ip = canonicalIp(value);
  if (!ip) throw new EntityValueError(`expected an IPv4 or IPv6 address, got '${value.slice(0, 60)}'`);
  return ip;
}

/** Per dataset table, the time range its events of the entity lie in (epoch ms, from the datasets query). */
type TableBounds = Map<string, { firstMs: number; lastMs: number }>;

/**
 * The union of every dataset table holding the entity's column, each projected to `columns` and
 * filtered to the entity's events (`$entity_value`; undefined: no table has the column). With
 * `bounds`, only the tables that hold its events are read, each within the time range of those
 * events: the same rows, but DuckDB skips the row groups outside the range (a 10M-event table is
 * otherwise scanned whole for every section of the report).
 */
async function entityEvents(store: EventStore, spec: KindSpec, columns: readonly string[], params: SqlParams, range: string, bounds?: TableBounds): Promise<string | undefined> {
  const fn = store.dialect.fn;
  const parts: string[] = [];
  for (const [table, have] of [...(await store.datasetColumns()).entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!have.has(spec.match)) continue;
    let where = fn.listContains(quote(spec.match), '$entity_value') + range;
    if (bounds) {
      const span = bounds.get(table);
      if (!span) continue;
      // epoch ms are whole (floored) milliseconds: every event lies in [first, last + 1 ms).
      const n = parts.length;
      where += ` AND timestamp >= ${fn.timeParam(params, `entity_from_${n}`, span.firstMs)} AND timestamp < ${fn.timeParam(params, `entity_to_${n}`, span.lastMs + 1)}`;
    }
    parts.push(`${projection(fn, table, have, columns)} WHERE ${where}`);
  }
  if (!parts.length) return undefined;
  return `(${parts.join(' UNION ALL ')}) AS entity_events`;
}

/** The time range of the entity's events in each table, from the datasets rows (several datasets may share a table). */
function boundsOf(sets: EntityReport['datasets']): TableBounds {
  const bounds: TableBounds = new Map();
  for (const d of sets) {
    const table = datasetTable(d.dataset);
    const firstMs = Date.parse(d.first);
    const lastMs = Date.parse(d.last);
    const had = bounds.get(table);
    bounds.set(table, had ? { firstMs: Math.min(had.firstMs, firstMs), lastMs: Math.max(had.lastMs, lastMs) } : { firstMs, lastMs });
  }
  return bounds;
}

async function facet(store: EventStore, spec: KindSpec, column: string, params: SqlParams, range: string, bounds: TableBounds): Promise<{ value: string; count: number }[]> {
  const from = await entityEvents(store, spec, [column], params, range, bounds);
  if (!from) return [];
  const c = quote(column);
  const r = await store.query(
    `SELECT ${c} AS facet_value, count(*) AS facet_count FROM ${from} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY facet_count DESC, facet_value LIMIT ${ENTITY_FACET_VALUES}`,
    params,
  );
  return r.rows.map(([value, count]) => ({ value: String(value), count: Number(count) }));
}

async function datasets(store: EventStore, spec: KindSpec, params: SqlParams, range: string): Promise<EntityReport['datasets']> {
  const from = await entityEvents(store, spec, ['event_dataset', 'timestamp'], params, range);
  if (!from) return [];
  const ms = store.dialect.fn.epochMs('timestamp');
  const r = await store.query(
    `SELECT event_dataset, count(*) AS dataset_count, min(${ms}) AS first_ms, max(${ms}) AS last_ms FROM ${from} GROUP BY event_dataset ORDER BY dataset_count DESC, event_dataset`,
    params,
  );
  return r.rows.map(([dataset, count, first, last]) => ({ dataset: String(dataset), count: Number(count), first: iso(first), last: iso(last) }));
}

async function timeline(store: EventStore, spec: KindSpec, params: SqlParams, range: string, bounds: TableBounds, offset: number, limit: number): Promise<EntityEvent[]> {
  const from = await entityEvents(store, spec, TIMELINE_COLUMNS, params, range, bounds);
  if (!from) return [];
  const fn = store.dialect.fn;
  const select = TIMELINE_COLUMNS.map((c) => (c === 'timestamp' ? `${fn.epochMs('timestamp')} AS at_ms` : quote(c))).join(', ');
  const r = await store.query(
    `SELECT ${select} FROM ${from} ORDER BY timestamp DESC, event_id LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  return r.rows.map(([id, at, dataset, action, outcome, src, dst, user, host, url, requestId, message]) => ({
    id: String(id), dataset: String(dataset), timestamp: iso(at), action: textOrNull(action), outcome: textOrNull(outcome),
    sourceIp: textOrNull(src), destinationIp: textOrNull(dst), user: textOrNull(user), host: textOrNull(host), url: textOrNull(url),
    requestId: textOrNull(requestId), message: message === null || message === undefined ? null : String(message).slice(0, MESSAGE_CHARS),
  }));
}

/** Buckets of the entity's events over time: at most ENTITY_HISTOGRAM_BUCKETS, of a "nice" width. */
async function histogram(store: EventStore, spec: KindSpec, params: SqlParams, range: string, sets: EntityReport['datasets'], bounds: TableBounds): Promise<EntityReport['histogram']> {
  if (!sets.length) return undefined;
  const firstMs = Math.min(...sets.map((s) => Date.parse(s.first)));
  const lastMs = Math.max(...sets.map((s) => Date.parse(s.last)));
  const width = bucketSeconds({}, lastMs - firstMs, ENTITY_HISTOGRAM_BUCKETS);
  const from = await entityEvents(store, spec, ['timestamp'], params, range, bounds);
  if (!from) return undefined;
  const w = width * 1000;
  const r = await store.query(`SELECT floor(${store.dialect.fn.epochMs('timestamp')} / ${w}) AS bucket, count(*) AS bucket_count FROM ${from} GROUP BY bucket`, params);
  const counts = new Map(r.rows.map(([b, n]) => [Number(b) * w, Number(n)]));
  const starts = bucketStarts(firstMs, lastMs, width);
  return { bucketSeconds: width, buckets: starts.map((t) => new Date(t).toISOString()), counts: starts.map((t) => counts.get(t) ?? 0) };
}

/** Whether a JSON document holds the value as one of its strings (or, for addresses, the same address written otherwise). */
function mentions(doc: unknown, kind: EntityKind, value: string, depth = 0): boolean {
  if (depth > 64 || doc === null || doc === undefined) return false;
  if (typeof doc === 'string') return doc === value || (kind === 'ip' && canonicalIp(doc) === value);
  if (Array.isArray(doc)) return doc.some((d) => mentions(d, kind, value, depth + 1));
  if (typeof doc === 'object') return Object.values(doc as Record<string, unknown>).some((d) => mentions(d, kind, value, depth + 1));
  return false;
}

const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * The newest alerts whose events or key hold the value. SQL narrows by a LIKE on the events' JSON
 * text (its wildcards only widen: `\`, `%` and `_` of the value become `_`, which both engines read
 * alike); the exact test is on the parsed documents.
 */
async function alerts(store: EventStore, kind: EntityKind, value: string, range: TimeRange): Promise<{ alerts: EntityAlert[]; capped: boolean }> {
  const fn = store.dialect.fn;
  const needle = JSON.stringify(value).replace(/[\\%_]/g, '_');
  const params: SqlParams = { alert_needle: `%${needle}%`, alert_scan: ENTITY_ALERT_SCAN };
  const within = rangeSql(fn, range, params);
  let r;
  try {
    r = await store.query(
      `SELECT id, ${fn.epochMs('timestamp')} AS at_ms, rule_id, rule_title, level, ${fn.text('key')} AS key_text, ${fn.text('events')} AS events_text
       FROM alerts WHERE (${fn.text('events')} LIKE $alert_needle OR ${fn.text('key')} LIKE $alert_needle)${within} ORDER BY timestamp DESC, id LIMIT $alert_scan`,
      params,
    );
  } catch (e) {
    // A store that never ran detection has no alerts table: no alerts, not an error.
    if (/\balerts\b.*(does not|doesn't) exist/i.test((e as Error).message)) return { alerts: [], capped: false };
    throw e;
  }
  const found: EntityAlert[] = [];
  for (const [id, at, ruleId, ruleTitle, level, key, events] of r.rows) {
    if (!mentions(parse(events), kind, value) && !mentions(parse(key), kind, value)) continue;
    found.push({ id: String(id), timestamp: iso(at), ruleId: String(ruleId ?? ''), ruleTitle: String(ruleTitle ?? ''), level: String(level ?? '') });
  }
  return { alerts: found.slice(0, ENTITY_ALERTS), capped: found.length > ENTITY_ALERTS || r.rows.length >= ENTITY_ALERT_SCAN };
}

export async function entityReport(store: EventStore, kind: EntityKind, raw: string, page: { offset?: number; limit?: number; since?: string; until?: string } = {}): Promise<EntityReport> {
  const value = entityValue(kind, raw);
  let range: TimeRange;
  try {
    range = timeRange({ since: page.since, until: page.until });
  } catch (e) {
    if (e instanceof InsightOptionError) throw new EntityValueError(e.message);
    throw e;
  }
  const offset = page.offset ?? 0;
  const limit = page.limit ?? ENTITY_TIMELINE_PAGE;
  if (!Number.isInteger(offset) || offset < 0 || offset > ENTITY_TIMELINE_MAX_OFFSET) throw new EntityValueError(`offset is 0 to ${ENTITY_TIMELINE_MAX_OFFSET}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > ENTITY_TIMELINE_MAX_PAGE) throw new EntityValueError(`limit is 1 to ${ENTITY_TIMELINE_MAX_PAGE}`);
  const spec = KINDS[kind];
  const params: SqlParams = { entity_value: value };
  // The events' time range (inclusive bounds): every part of the report is of the events in it.
  const within = rangeSql(store.dialect.fn, range, params);
  // The datasets first: where and when the entity's events are bounds every other section's reads.
  const sets = await datasets(store, spec, params, within);
  const bounds = boundsOf(sets);
  const related = [];
  for (const [label, field] of Object.entries(spec.facets)) related.push({ label, field, values: await facet(store, spec, field, { ...params }, within, bounds) });
  const found = await alerts(store, kind, value, range);
  const report: EntityReport = {
    kind, value, range: { since: range.since, until: range.until }, related, datasets: sets, events: sets.reduce((n, d) => n + d.count, 0),
    alerts: found.alerts, alertsCapped: found.capped,
    histogram: await histogram(store, spec, { ...params }, within, sets, bounds),
    timeline: { offset, limit, events: await timeline(store, spec, { ...params }, within, bounds, offset, limit) },
  };
  if (kind === 'ip') report.address = { private: isPrivateIp(value), geo: sharedGeo().lookup(value) };
  return report;
}
