import type { EventStore } from '../../store/store.js';
import { cloudfrontFrom, viewerTotals, type ViewerGeo } from '../cloudfront/index.js';
import type { InsightOptions } from '../report.js';
import { num, timeRange, tsMs, type TimeRange } from '../time-range.js';

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
  /** How far back the seasonal volume baseline looks (four weeks of hour-of-week samples). */
  seasonalLookbackSeconds: 28 * 86_400,
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
  /** Viewer country/ASN per address, looked up once per distinct address (lazily). */
  viewers(): Promise<Map<string, ViewerGeo>>;
}

/** `aws_cloudfront_distribution_id = $distribution` when the run is for one distribution. */
export function distributionSql(ctx: AnomalyContext, params: Params): string {
  if (!ctx.distribution) return '';
  params.distribution = ctx.distribution;
  return ' AND aws_cloudfront_distribution_id = $distribution';
}

/** `timestamp` from `startMs` (inclusive) to `endMs` (exclusive) as bound parameters. */
export function spanSql(params: Params, startMs: number | undefined, endMs: number | undefined, prefix = 'span'): string {
  let sql = '';
  if (startMs !== undefined) {
    params[`${prefix}Start`] = Math.round(startMs * 1000);
    sql += ` AND "timestamp" >= make_timestamp(CAST($${prefix}Start AS BIGINT))`;
  }
  if (endMs !== undefined) {
    params[`${prefix}End`] = Math.round(endMs * 1000);
    sql += ` AND "timestamp" < make_timestamp(CAST($${prefix}End AS BIGINT))`;
  }
  return sql;
}

export async function anomalyContext(store: EventStore, o: AnomalyOptions): Promise<AnomalyContext | undefined> {
  const range = timeRange(o);
  const from = await cloudfrontFrom(store);
  if (!from) return undefined;
  const params: Params = {};
  const r = await store.query(
    `SELECT aws_cloudfront_distribution_id, min("timestamp"), max("timestamp") FROM ${from} AS t
      WHERE "timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL${o.distribution ? ' AND aws_cloudfront_distribution_id = $distribution' : ''} GROUP BY 1`,
    o.distribution ? { distribution: o.distribution } : params,
  );
  const firstSeen = new Map<string, number>();
  let last = -Infinity;
  for (const [d, first, max] of r.rows) {
    const f = tsMs(first);
    if (f !== undefined) firstSeen.set(String(d), f);
    last = Math.max(last, tsMs(max) ?? -Infinity);
  }
  if (!firstSeen.size || !Number.isFinite(last)) return undefined;
  // Events stamped in the future (clock skew, junk) must not finalize buckets that are still filling.
  const horizonMs = Math.min(range.untilMs ?? Infinity, last, Date.now());
  let viewers: Promise<Map<string, ViewerGeo>> | undefined;
  const ctx: AnomalyContext = {
    store, from, range, horizonMs, distribution: o.distribution, firstSeen, options: o,
    graceMs: (o.graceSeconds ?? ANOMALY_DEFAULTS.graceSeconds) * 1000,
    learningMs: (o.learningSeconds ?? ANOMALY_DEFAULTS.learningSeconds) * 1000,
    viewers: () => (viewers ??= (async () => {
      const p: Params = {};
      // Every address up to the range's end: first-seen rules compare with the whole history.
      const where = `"timestamp" IS NOT NULL${distributionSql(ctx, p)}${spanSql(p, undefined, range.untilMs)}`;
      const totals = await viewerTotals(store, from, where, p, range);
      return new Map(totals.map((v) => [v.ip, v.geo]));
    })()),
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
