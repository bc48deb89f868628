import { flattenTraceId } from '../formats/alb/to-ecs.js';
import { normalizeIdentity } from '../ecs/identity.js';
import { normalizeHost } from '../ecs/domain.js';
import { datasetTable } from '../store/store.js';
import { ALERTS_TABLE } from '../store/duckdb/alerts.js';
import { runLookup, SMALL_TABLE_ROWS, type Condition, type QueryContext } from './joins/lookup.js';
import { rowMillis, type Row } from './rows.js';
import { station, stationsOf, type StationId } from './stations.js';
import type { TrailQuery } from './types.js';

/** A query that cannot be answered as asked (no selector, two selectors, a malformed value). */
export class TrailQueryError extends Error {}
/** The selector is well-formed but nothing in the store matches it. */
export class TrailNotFoundError extends Error {}

export interface Anchor {
  row: Row;
  station: StationId;
  /** Other events that matched the selector as well (url queries). */
  alternatives: number;
}

export const DEFAULT_WINDOW_SECONDS = 120;
// Stores hold days to months: a selector without a time searches this far around now or the data.
const ALL_TIME: readonly [number, number] = [Date.UTC(1990, 0, 1), Date.UTC(2200, 0, 1)];

export function selectorOf(q: TrailQuery): 'requestId' | 'alertId' | 'url' {
  const given = (['requestId', 'alertId', 'url'] as const).filter((k) => q[k] !== undefined && q[k] !== '');
  if (given.length !== 1) throw new TrailQueryError(given.length ? `give one of --request-id, --alert or --url, not ${given.length}` : 'give --request-id, --alert or --url');
  if ((q.user !== undefined || q.at !== undefined) && given[0] !== 'url') throw new TrailQueryError('--user and --at narrow a --url search only');
  return given[0]!;
}

export function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(at)) throw new TrailQueryError(`--at must be an RFC 3339 time like 2026-11-20T10:30:00Z, got '${at}'`);
  // A time without a zone is UTC, as everywhere in packettrail.
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(at) ? ms : Date.parse(`${at.replace(' ', 'T')}Z`);
}

export async function findAnchor(ctx: QueryContext, q: TrailQuery): Promise<Anchor> {
  const selector = selectorOf(q);
  if (selector === 'requestId') return byRequestId(ctx, q.requestId!.trim());
  if (selector === 'alertId') return byAlert(ctx, q.alertId!.trim());
  return byUrl(ctx, q);
}

/** Id-carrying stations, searched smallest table first: once one has the id, the others are joined by time-bounded lookups. */
const ID_STATIONS: readonly StationId[] = ['waf', 'origin-app', 'edge'];

async function byRequestId(ctx: QueryContext, id: string): Promise<Anchor> {
  if (!id || id.length > 256) throw new TrailQueryError('--request-id must be 1 to 256 characters');
  const trace = flattenTraceId(id) ?? (/^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : undefined);
  const searches: [StationId, Condition][] = trace
    ? [['origin-app', { column: 'trace_id', value: trace }], ['origin-alb', { column: 'trace_id', value: trace }]]
    : ID_STATIONS.map((s) => [s, { column: 'http_request_id', value: id }]);
  const table = (s: StationId) => datasetTable(station(s).dataset);
  const size = (s: StationId) => ctx.catalog.rows.get(table(s)) ?? Infinity;
  const search = (s: StationId, condition: Condition) => runLookup(ctx, { station: s, conditions: [condition], from: ALL_TIME[0], to: ALL_TIME[1], center: 0, limit: 1 });
  // The smallest table holding the id is the anchor. Tables that answer quickly (small, or indexed
  // on the id) are all asked at once: the joins that follow ask them for the same id and are then
  // answered from the lookup memo. A large unindexed table is scanned only when the others miss.
  const ordered = [...searches].sort((a, b) => size(a[0]) - size(b[0]));
  const cheap = (s: StationId, c: Condition) => size(s) <= SMALL_TABLE_ROWS || !!ctx.catalog.indexed.get(table(s))?.has(c.column);
  const early = new Map(ordered.filter(([s, c]) => cheap(s, c)).map(([s, c]) => [s, search(s, c)] as const));
  // Settled before any return or throw, so that no search is left running (or failing) unobserved.
  const settled = Promise.allSettled(early.values());
  try {
    for (const [s, condition] of ordered) {
      const found = await (early.get(s) ?? search(s, condition));
      if (found.length) return { row: found[0]!.row, station: s, alternatives: 0 };
    }
  } finally {
    await settled;
  }
  const scanned = ordered.filter(([s, c]) => !cheap(s, c)).map(([s]) => station(s).dataset);
  const hint = scanned.length ? ` (${scanned.join(', ')} searched without an index: "packettrail index" makes such searches lookups)` : '';
  throw new TrailNotFoundError(`no CloudFront, WAF, ALB or app event has request id ${id}${hint}`);
}

async function byAlert(ctx: QueryContext, id: string): Promise<Anchor> {
  let r;
  try {
    ctx.queries++;
    r = await ctx.store.query(`SELECT events, "timestamp" FROM ${ALERTS_TABLE} WHERE id = $id`, { id });
  } catch {
    throw new TrailNotFoundError(`no alert ${id}: this store has no alerts table`);
  }
  if (!r.rows.length) throw new TrailNotFoundError(`no alert ${id} in this store`);
  let events: { '@timestamp'?: string; event?: { id?: string; dataset?: string } }[] = [];
  try {
    const raw = r.rows[0]![0];
    events = (typeof raw === 'string' ? JSON.parse(raw) : raw) as typeof events;
  } catch {
    /* unreadable: said below */
  }
  for (const e of Array.isArray(events) ? events : []) {
    const dataset = e.event?.dataset;
    const eventId = e.event?.id;
    const t = e['@timestamp'] ? Date.parse(e['@timestamp']) : rowMillis(r.rows[0]![1]);
    if (!dataset || !eventId || t === undefined || !Number.isFinite(t)) continue;
    for (const s of stationOrder(dataset)) {
      const found = await runLookup(ctx, { station: s, conditions: [{ column: 'event_id', value: eventId }], from: t - 1000, to: t + 1000, center: t, limit: 1 });
      if (found.length) return { row: found[0]!.row, station: stationsOf(found[0]!.row)[0]?.id ?? s, alternatives: 0 };
    }
  }
  throw new TrailNotFoundError(`alert ${id} refers to no stored event a trail can start from (endpoint, DNS, proxy, firewall, CloudFront, WAF or origin)`);
}

function stationOrder(dataset: string): StationId[] {
  const seen = new Set<string>();
  return ALL_STATIONS.filter((s) => station(s).dataset === dataset && !seen.has(s) && seen.add(s));
}

const ALL_STATIONS: readonly StationId[] = ['edge', 'waf', 'origin-app', 'origin-alb', 'proxy-zscaler', 'proxy-umbrella', 'firewall', 'endpoint', 'endpoint-protection', 'dns-umbrella', 'dns-defender', 'dns-route53', 'dns-zscaler'];

interface UrlParts {
  domain: string;
  path?: string;
  query?: string;
}

export function parseTrailUrl(url: string): UrlParts {
  const text = url.trim();
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new TrailQueryError(`--url must be a URL or a host name, got '${url}'`);
  }
  const domain = normalizeHost(u.hostname);
  if (!domain) throw new TrailQueryError(`--url has no host: '${url}'`);
  const explicitPath = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]+[/?]/i.test(text);
  const parts: UrlParts = { domain };
  if (explicitPath) parts.path = decodeURIComponent(u.pathname);
  if (u.search.length > 1) parts.query = u.search.slice(1);
  return parts;
}

/** Where a URL (and a user) can be found, best anchor first: [station, domain column, path column, user column]. */
const URL_STATIONS: readonly (readonly [StationId, string, string | undefined, string | undefined])[] = [
  ['edge', 'url_domain', 'url_path', undefined],
  ['proxy-zscaler', 'url_domain', 'url_path', 'user_name'],
  ['proxy-umbrella', 'url_domain', 'url_path', 'user_name'],
  ['origin-app', 'url_domain', 'url_path', 'user_name'],
  ['waf', 'url_domain', 'url_path', undefined],
  ['endpoint', 'url_domain', undefined, 'user_name'],
  ['endpoint-protection', 'url_domain', undefined, 'user_name'],
  ['dns-umbrella', 'dns_question_name', undefined, 'user_name'],
  ['dns-defender', 'dns_question_name', undefined, undefined],
  ['dns-zscaler', 'dns_question_name', undefined, 'user_name'],
  ['dns-route53', 'dns_question_name', undefined, undefined],
];

async function byUrl(ctx: QueryContext, q: TrailQuery): Promise<Anchor> {
  const url = parseTrailUrl(q.url!);
  const at = parseAt(q.at);
  const windowMs = (q.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000;
  if (!(windowMs > 0) || windowMs > 30 * 86_400_000) throw new TrailQueryError('--window must be between 1 s and 30 days');
  const user = q.user !== undefined ? normalizeIdentity(q.user)?.name : undefined;
  if (q.user !== undefined && !user) throw new TrailQueryError(`--user is not a user name: '${q.user}'`);
  const [from, to] = at !== undefined ? [at - windowMs, at + windowMs] : ALL_TIME;
  for (const [s, domainColumn, pathColumn, userColumn] of URL_STATIONS) {
    if (user && !userColumn) continue;
    if (url.path && url.path !== '/' && !pathColumn) continue;
    const conditions: Condition[] = [{ column: domainColumn, value: url.domain }];
    if (url.path && pathColumn) conditions.push({ column: pathColumn, value: url.path });
    if (url.query && pathColumn) conditions.push({ column: 'url_query', value: url.query });
    if (user && userColumn) conditions.push({ column: userColumn, value: user });
    const found = await runLookup(ctx, { station: s, conditions, from, to, center: at ?? to, limit: 100 });
    if (!found.length) continue;
    // Nearest to --at; without it the window's end is the centre, so the latest request comes first.
    return { row: found[0]!.row, station: s, alternatives: found.length - 1 };
  }
  const narrowed = [user ? `user ${user}` : '', at !== undefined ? `within ±${windowMs / 1000} s of ${new Date(at).toISOString()}` : ''].filter(Boolean).join(' ');
  throw new TrailNotFoundError(`no event for ${url.domain}${url.path ?? ''}${narrowed ? ` (${narrowed})` : ''} in this store`);
}
