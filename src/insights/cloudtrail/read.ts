import { rowsOfList, type SqlExpressions, type SqlParams } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { datasetFrom } from '../dataset-table.js';
import { rangeSql, tsMs, type TimeRange } from '../time-range.js';
import { watchedCalls } from './changes.js';

/** One watched CloudTrail call: who, what, when, where (the seed's "log dissection"). */
export interface ChangeEvent {
  eventId: string;
  ms: number;
  time: string;
  source: string;
  name: string;
  outcome: string;
  errorCode: string | undefined;
  region: string | undefined;
  account: string | undefined;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  user: string | undefined;
  arn: string | undefined;
  identityType: string | undefined;
  accessKey: string | undefined;
  /** The request parameters as logged (JSON text, cut at MAX_PARAMS). */
  paramsText: string;
  params: Record<string, unknown> | undefined;
}

/** Request parameters longer than this are cut (policies can be large; the audit needs their gist). */
const MAX_PARAMS = 65_536;
/** Most changes read per report; control-plane changes are rare, so this is a safety net. */
export const MAX_CHANGES = 50_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const DATASET = 'aws.cloudtrail';
const COLUMNS = [
  'event_id', 'timestamp', 'event_provider', 'event_action', 'event_outcome', 'aws_cloudtrail_error_code', 'cloud_region', 'cloud_account_id', 'source_ip',
  'aws_cloudtrail_source_ip_address', 'user_agent_original', 'user_name', 'aws_cloudtrail_user_identity_arn', 'aws_cloudtrail_user_identity_type',
  'aws_cloudtrail_user_identity_access_key_id', 'aws_cloudtrail_request_parameters',
];

/** The CloudTrail table with the columns the audit reads (undefined: no CloudTrail events stored). */
export function trailTable(store: EventStore): Promise<string | undefined> {
  return datasetFrom(store, DATASET, COLUMNS);
}

// Fixed column names from the catalog; the watched calls travel as one bound list. The rows come back
// as one cell (fn.rowList: JSON text on DuckDB, whose client takes twice as long to convert 50,000 rows
// cell by cell: 0.5 s against 1 s on a 1M-event trail). Times travel as epoch ms.
function changesSql(fn: SqlExpressions, from: string, range: string, calls: string): string {
  const cells = ['event_id', fn.text('ms'), 'event_provider', 'event_action', 'event_outcome', 'aws_cloudtrail_error_code', 'cloud_region', 'cloud_account_id', 'ip',
    'user_agent_original', 'user_name', 'aws_cloudtrail_user_identity_arn', 'aws_cloudtrail_user_identity_type', 'aws_cloudtrail_user_identity_access_key_id', 'params'];
  return `SELECT ${fn.rowList(cells, ['ms', 'event_id'])}
  FROM (SELECT event_id, ${fn.epochMs('"timestamp"')} AS ms, event_provider, event_action, event_outcome, aws_cloudtrail_error_code, cloud_region, cloud_account_id,
      ${fn.coalesce('source_ip', 'aws_cloudtrail_source_ip_address')} AS ip, user_agent_original, user_name, aws_cloudtrail_user_identity_arn,
      aws_cloudtrail_user_identity_type, aws_cloudtrail_user_identity_access_key_id, ${fn.text('aws_cloudtrail_request_parameters')} AS params
    FROM ${from} AS t
    WHERE ${fn.inList("concat(event_provider, ':', event_action)", calls)}${range}
    ORDER BY "timestamp", event_id LIMIT $limit) AS changes`;
}

export async function readChanges(store: EventStore, from: string, range: TimeRange): Promise<{ changes: ChangeEvent[]; truncated: boolean }> {
  const calls = watchedCalls().flatMap((c) => c.names.map((n) => `${c.source}:${n}`));
  const params: SqlParams = { limit: MAX_CHANGES + 1 };
  const { fn } = store.dialect;
  const result = await store.query(changesSql(fn, from, rangeSql(fn, range, params), fn.stringListParam(params, 'calls', calls)), params);
  const rows = rowsOfList(result.rows[0]?.[0]);
  const changes: ChangeEvent[] = [];
  for (const r of rows.slice(0, MAX_CHANGES)) {
    const ms = Number(r[1]);
    if (r[1] === null || !Number.isFinite(ms)) continue;
    const text = (str(r[14]) ?? '').slice(0, MAX_PARAMS);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    changes.push({
      eventId: String(r[0]), ms, time: new Date(ms).toISOString().replace('.000Z', 'Z'), source: String(r[2]), name: String(r[3]),
      outcome: str(r[4]) ?? 'unknown', errorCode: str(r[5]), region: str(r[6]), account: str(r[7]), sourceIp: str(r[8]), userAgent: str(r[9]),
      user: str(r[10]), arn: str(r[11]), identityType: str(r[12]), accessKey: str(r[13]), paramsText: text,
      params: parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined,
    });
  }
  return { changes, truncated: rows.length > MAX_CHANGES };
}

/** The time span and volume of CloudTrail data in the range (for the series). */
export async function trailSpan(store: EventStore, from: string, range: TimeRange): Promise<{ firstMs?: number; lastMs?: number; events: number }> {
  const params: Record<string, string> = {};
  const { fn } = store.dialect;
  const r = await store.query(`SELECT ${fn.timeMin('"timestamp"')}, ${fn.timeMax('"timestamp"')}, count(*) FROM ${from} AS t WHERE ${fn.always}${rangeSql(fn, range, params)}`, params);
  const row = r.rows[0] ?? [];
  return { firstMs: tsMs(row[0]), lastMs: tsMs(row[1]), events: Number(row[2] ?? 0) };
}

/** Most trail/distribution configurations read for their log buckets (a safety net: they are rare). */
export const MAX_LOG_CONFIGS = 10_000;

/** The log bucket a CreateTrail/UpdateTrail (s3BucketName) or Create/UpdateDistribution (distributionConfig.logging.bucket) names. */
function configuredBucket(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    return undefined;
  }
  const at = (v: unknown, key: string): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined);
  const scalar = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
  return scalar(at(p, 's3BucketName')) ?? scalar(at(at(at(p, 'distributionConfig'), 'logging'), 'bucket'));
}

const BUCKET_OF_PATH = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\//;

/**
 * Buckets known to hold logs: those logs were ingested from (s3:// paths), and those trails and
 * distributions were configured to deliver to, as recorded in CloudTrail.
 */
export async function knownLogBuckets(store: EventStore, from: string): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    const files = await store.query(`SELECT DISTINCT ${store.dialect.fn.regexExtractFirst('path', '^s3://([^/]+)/')} FROM ingested_files WHERE path LIKE 's3://%'`);
    for (const [b] of files.rows) if (typeof b === 'string' && b) out.add(b);
  } catch {
    /* a store without bookkeeping (built in a test) knows no paths */
  }
  // The configurations are few (trail and distribution changes): their parameters are read here, as
  // JSON, which both engines' SQL cannot take apart alike (ClickHouse 18.16 has no JSON paths).
  const configs = await store.query(
    `SELECT DISTINCT ${store.dialect.fn.text('aws_cloudtrail_request_parameters')} AS params FROM ${from} AS t
      WHERE event_action IN ($a, $b, $c, $d) AND aws_cloudtrail_request_parameters IS NOT NULL ORDER BY params LIMIT ${MAX_LOG_CONFIGS}`,
    { a: 'CreateTrail', b: 'UpdateTrail', c: 'CreateDistribution', d: 'UpdateDistribution' },
  );
  for (const [text] of configs.rows) {
    const b = configuredBucket(text);
    if (!b) continue;
    // CloudFront names the bucket by its domain: logs-bucket.s3.amazonaws.com.
    out.add(b.replace(/\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/, ''));
  }
  for (const p of out) if (!BUCKET_OF_PATH.test(`s3://${p}/`)) out.delete(p);
  return out;
}

/**
 * When each (identity, address) pair first called, over all history (not only the range). Only the
 * pairs asked for come back: every pair of a busy trail is hundreds of thousands of rows (1M events
 * from 14 identities: 833k pairs, 6.6 s to read them all into JavaScript).
 */
export async function firstSeenFrom(store: EventStore, from: string, pairs: readonly { arn: string; ip: string }[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Map(pairs.map((p) => [`${p.arn}\u0000${p.ip}`, { a: p.arn, i: p.ip }])).values()];
  if (!unique.length) return out;
  const params: SqlParams = {};
  const { fn } = store.dialect;
  const arns = fn.stringListParam(params, 'arns', [...new Set(unique.map((p) => p.a))]);
  const asked = fn.pairsParam(params, 'pairs', unique.map((p) => [p.a, p.i] as const), ['arn', 'ip']);
  const r = await store.query(
    `SELECT arn, ip, min(ts) FROM (SELECT aws_cloudtrail_user_identity_arn AS arn, ${fn.coalesce('source_ip', 'aws_cloudtrail_source_ip_address')} AS ip, "timestamp" AS ts
        FROM ${from} AS t WHERE ${fn.inList('aws_cloudtrail_user_identity_arn', arns)}) AS calls
      JOIN ${asked} AS asked USING (arn, ip) GROUP BY arn, ip`,
    params,
  );
  for (const [arn, ip, first] of r.rows) {
    const ms = tsMs(first);
    if (ms !== undefined) out.set(`${String(arn)}\u0000${String(ip)}`, ms);
  }
  return out;
}

/** The titles of the stored alerts raised on each of these events (detections already in the alerts table). */
export async function alertsOn(store: EventStore, eventIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!eventIds.length) return out;
  try {
    const params: SqlParams = {};
    const { fn } = store.dialect;
    const ids = fn.stringListParam(params, 'ids', [...new Set(eventIds)]);
    const r = await store.query(
      `SELECT alerted, ${fn.distinctSorted('rule_title')} FROM (SELECT ${fn.unnestList('event_ids')} AS alerted, rule_title FROM alerts) AS a
        WHERE ${fn.inList('alerted', ids)} GROUP BY alerted`,
      params,
    );
    for (const [id, titles] of r.rows) out.set(String(id), (titles as unknown[]).map(String));
  } catch {
    /* no alerts table yet */
  }
  return out;
}
