import type { SqlExpressions } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { cloudfrontFrom, recordedOf, resolveViewer, wafRecorded, type ViewerGeo } from '../cloudfront/index.js';
import type { InsightOptions } from '../report.js';
import { InsightOptionError, num, timeRange, tsMs, type TimeRange } from '../time-range.js';

/** Tunables of the anomaly rules (all optional; defaults in ANOMALY_DEFAULTS). */
export interface AnomalyOptions extends InsightOptions {
  /** A bucket is final (evaluated) only when the data reaches its end plus this many seconds. */
  graceSeconds?: number;
  /** Bucket width of the volume rules (seasonal: a divisor of one hour). */
  volumeBucketSeconds?: number;
  /** Bucket width of the error-rate and per-address/ASN rate rules. */
  rateBucketSeconds?: number;
  /** History a distribution needs before anything can be "new" or an outlier. */
  learningSeconds?: number;
}

export const ANOMALY_DEFAULTS = {
  graceSeconds: 900, volumeBucketSeconds: 3600, rateBucketSeconds: 300, scannerBucketSeconds: 900, learningSeconds: 3600,
  /** How far back the rate baselines look. */
  lookbackSeconds: 86_400,
  /** First-seen entities need this many requests (one stray request is not a new market). */
  firstSeenMinRequests: 5,
  scannerMinRequests: 10, scannerMinKinds: 3,
  /** Events attached to each alert. */
  sampleEvents: 20,
};

export type Params = Record<string, string | number | boolean | null>;

/** What every anomaly rule shares for one run. */
export interface AnomalyContext {
  store: EventStore;
  from: string;
  range: TimeRange;
  /** The data's "now": the last CloudFront event (never later than the wall clock). */
  horizonMs: number;
  graceMs: number;
  learningMs: number;
  distribution: string | undefined;
  /** Each distribution's first event (the start of its history). */
  firstSeen: Map<string, number>;
  options: AnomalyOptions;
  /** Requests per (distribution, rate bucket, edge location) over the whole history up to the range's end. */
  shape: ShapeRow[];
  shapeWidthS: number;
  /** Requests and first request per (distribution, address), and each address's country/ASN (one lookup per distinct address); lazy. */
  clients(): Promise<{ rows: ClientRow[]; geo: Map<string, ViewerGeo> }>;
  viewers(): Promise<Map<string, ViewerGeo>>;
}

/** `aws_cloudfront_distribution_id = $distribution` when the run is for one distribution. */
export function distributionSql(ctx: AnomalyContext, params: Params): string {
  if (!ctx.distribution) return '';
  params.distribution = ctx.distribution;
  return ' AND aws_cloudfront_distribution_id = $distribution';
}

/** `timestamp` from `startMs` (inclusive) to `endMs` (exclusive) as bound parameters. */
export function spanSql(fn: SqlExpressions, params: Params, startMs: number | undefined, endMs: number | undefined, prefix = 'span'): string {
  let sql = '';
  if (startMs !== undefined) sql += ` AND "timestamp" >= ${fn.timeParam(params, `${prefix}Start`, startMs)}`;
  if (endMs !== undefined) sql += ` AND "timestamp" < ${fn.timeParam(params, `${prefix}End`, endMs)}`;
  return sql;
}

export interface ClientRow {
  d: string;
  ip: string;
  requests: number;
  firstMs: number;
}

/** Requests per (distribution, rate bucket, edge location): the one scan the volume, error and edge rules share. */
export interface ShapeRow {
  d: string;
  b: number;
  edge: string | null;
  requests: number;
  errors: number;
  firstMs: number;
}

export async function anomalyContext(store: EventStore, o: AnomalyOptions): Promise<AnomalyContext | undefined> {
  const range = timeRange(o);
  const rateS = o.rateBucketSeconds ?? ANOMALY_DEFAULTS.rateBucketSeconds;
  const volumeS = o.volumeBucketSeconds ?? ANOMALY_DEFAULTS.volumeBucketSeconds;
  if (!Number.isInteger(rateS) || rateS < 1 || !Number.isInteger(volumeS) || volumeS % rateS !== 0) {
    throw new InsightOptionError(`the volume bucket (${volumeS} s) must be a whole multiple of the rate bucket (${rateS} s)`);
  }
  const from = await cloudfrontFrom(store);
  if (!from) return undefined;
  const params: Params = { w: rateS };
  const { fn } = store.dialect;
  // The whole history up to the range's end: seasonal baselines and first sightings look back.
  const r = await store.query(
    `SELECT aws_cloudfront_distribution_id, ${fn.bucketIndex('"timestamp"', '$w')} AS b, aws_cloudfront_edge_location, count(*),
        ${fn.countIf('http_response_status_code >= 500')}, min("timestamp"), max("timestamp")
      FROM ${from} AS t WHERE "timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL${o.distribution ? ' AND aws_cloudfront_distribution_id = $distribution' : ''}${spanSql(fn, params, undefined, range.untilMs === undefined ? undefined : range.untilMs + 1)}
      GROUP BY aws_cloudfront_distribution_id, b, aws_cloudfront_edge_location
      ORDER BY aws_cloudfront_distribution_id, b, aws_cloudfront_edge_location`,
    o.distribution ? { ...params, distribution: o.distribution } : params,
  );
  const firstSeen = new Map<string, number>();
  const shape: ShapeRow[] = [];
  let last = -Infinity;
  for (const [d, b, edge, n, e, first, max] of r.rows) {
    const f = tsMs(first);
    if (f === undefined) continue;
    const row: ShapeRow = { d: String(d), b: num(b), edge: edge === null ? null : String(edge), requests: num(n), errors: num(e), firstMs: f };
    shape.push(row);
    firstSeen.set(row.d, Math.min(firstSeen.get(row.d) ?? Infinity, f));
    last = Math.max(last, tsMs(max) ?? -Infinity);
  }
  if (!firstSeen.size || !Number.isFinite(last)) return undefined;
  // Events stamped in the future (clock skew, junk) must not finalize buckets that are still filling.
  const horizonMs = Math.min(range.untilMs ?? Infinity, last, Date.now());
  let clients: Promise<{ rows: ClientRow[]; geo: Map<string, ViewerGeo> }> | undefined;
  const ctx: AnomalyContext = {
    store, from, range, horizonMs, distribution: o.distribution, firstSeen, options: o, shape, shapeWidthS: rateS,
    graceMs: (o.graceSeconds ?? ANOMALY_DEFAULTS.graceSeconds) * 1000,
    learningMs: (o.learningSeconds ?? ANOMALY_DEFAULTS.learningSeconds) * 1000,
    clients: () => (clients ??= (async () => {
      const p: Params = {};
      // Every address up to the range's end: first-seen rules compare with the whole history.
      const r = await store.query(
        `SELECT aws_cloudfront_distribution_id, source_ip, count(*), min("timestamp"), min(source_geo_country_iso_code), min(source_as_number) FROM ${from} AS t
          WHERE "timestamp" IS NOT NULL AND source_ip IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL${distributionSql(ctx, p)}${spanSql(fn, p, undefined, range.untilMs === undefined ? undefined : range.untilMs + 1)}
          GROUP BY aws_cloudfront_distribution_id, source_ip ORDER BY aws_cloudfront_distribution_id, source_ip`,
        p,
      );
      const waf = await wafRecorded(store, range);
      const geo = new Map<string, ViewerGeo>();
      const rows: ClientRow[] = [];
      for (const [d, ip, n, first, country, asn] of r.rows) {
        const address = String(ip);
        if (!geo.has(address)) geo.set(address, resolveViewer(address, recordedOf(country, asn), waf.get(address)));
        rows.push({ d: String(d), ip: address, requests: num(n), firstMs: tsMs(first) ?? Infinity });
      }
      return { rows, geo };
    })()),
    viewers: async () => (await ctx.clients()).geo,
  };
  return ctx;
}

/** Bucket index of an epoch-ms time for a width in seconds. */
export const bucketOf = (ms: number, widthS: number) => Math.floor(ms / 1000 / widthS);

/** Is bucket `b` (width `widthS`) final: the data has passed its end by the grace period. */
export function isFinal(ctx: AnomalyContext, b: number, widthS: number): boolean {
  return (b + 1) * widthS * 1000 + ctx.graceMs <= ctx.horizonMs;
}

/** Is bucket `b` inside the evaluated range (the run reports only these; earlier ones are history). */
export function inRange(ctx: AnomalyContext, b: number, widthS: number): boolean {
  const start = b * widthS * 1000;
  return (ctx.range.sinceMs === undefined || start + widthS * 1000 > ctx.range.sinceMs) && (ctx.range.untilMs === undefined || start <= ctx.range.untilMs);
}

export { num, tsMs };
