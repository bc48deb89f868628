import type { EventStore } from '../../store/store.js';
import { datasetFrom } from '../dataset-table.js';
import { rangeSql, type TimeRange } from '../time-range.js';

/** The CloudFront columns the view and the anomaly rules read (catalog names; absent ones read as NULL). */
export const CLOUDFRONT_COLUMNS = [
  'event_id', 'timestamp', 'aws_cloudfront_distribution_id', 'http_request_method', 'http_response_status_code', 'http_response_bytes',
  'aws_cloudfront_edge_result_type', 'aws_cloudfront_time_taken', 'aws_cloudfront_time_to_first_byte', 'url_path', 'url_query', 'source_ip',
  'user_agent_original', 'http_request_referrer', 'aws_cloudfront_edge_location', 'source_geo_country_iso_code', 'source_as_number', 'http_request_id',
] as const;

/** Edge result types that were served from the cache, and those that count as cacheable lookups (AWS's hit-rate definition). */
export const CACHE_HITS = ['Hit', 'RefreshHit', 'OriginShieldHit'];
export const CACHE_LOOKUPS = [...CACHE_HITS, 'Miss'];

/** The CloudFront table projected onto CLOUDFRONT_COLUMNS, or undefined when the store holds no CloudFront events. */
export function cloudfrontFrom(store: EventStore): Promise<string | undefined> {
  return datasetFrom(store, 'aws.cloudfront', CLOUDFRONT_COLUMNS);
}

/** `WHERE` conditions for the range and the distribution; values go into `params`. */
export function cloudfrontWhere(range: TimeRange, distribution: string | undefined, params: Record<string, string | number | boolean | null>): string {
  let sql = `"timestamp" IS NOT NULL${rangeSql(range, params)}`;
  if (distribution) {
    sql += ' AND aws_cloudfront_distribution_id = $distribution';
    params.distribution = distribution;
  }
  return sql;
}

/** Requests per time-taken/TTFB sample; percentiles come from a reservoir of this many requests per group. */
export const QUANTILE_SAMPLE = 8192;

/**
 * Requests and bytes per (distribution, bucket, status class, edge result type): a few thousand
 * groups from which the view adds up every count it shows (status classes, cache hits and lookups,
 * per distribution and per bucket). Grouping by the class is cheaper than one FILTER per count.
 */
export function countsSql(from: string, where: string): string {
  return `SELECT aws_cloudfront_distribution_id AS d, CAST(floor(epoch("timestamp") / $width) AS BIGINT) - $first AS i,
      CAST(http_response_status_code // 100 AS INTEGER) AS class, aws_cloudfront_edge_result_type AS result, count(*) AS requests, COALESCE(sum(http_response_bytes), 0) AS bytes
    FROM ${from} AS t WHERE ${where} GROUP BY ALL`;
}

/**
 * Time-taken and TTFB percentiles per distribution and per bucket (GROUPING SETS, one scan),
 * estimated from a reservoir sample (exact below QUANTILE_SAMPLE requests per group): an exact
 * quantile sorts every value and costs several times the rest of the view on 10 million rows.
 */
export function quantilesSql(from: string, where: string): string {
  return `SELECT aws_cloudfront_distribution_id AS d, CAST(floor(epoch("timestamp") / $width) AS BIGINT) - $first AS i, GROUPING(d) AS perBucket,
      reservoir_quantile(aws_cloudfront_time_taken, [0.5, 0.95, 0.99], ${QUANTILE_SAMPLE}) AS taken,
      reservoir_quantile(aws_cloudfront_time_to_first_byte, [0.5, 0.95, 0.99], ${QUANTILE_SAMPLE}) AS ttfb
    FROM ${from} AS t WHERE ${where}
    GROUP BY GROUPING SETS ((d), (i))`;
}

/** Top-N dimensions of the view (fixed catalog names); `clients` and result types ride in the same scan. */
export const TOP_DIMENSIONS = [
  { id: 'uris', title: 'Top URIs', column: 'url_path', label: 'URI' },
  { id: 'user-agents', title: 'Top user agents', column: 'user_agent_original', label: 'user agent' },
  { id: 'referrers', title: 'Top referrers', column: 'http_request_referrer', label: 'referrer' },
  { id: 'edges', title: 'Edge locations', column: 'aws_cloudfront_edge_location', label: 'edge location' },
  { id: 'cache-results', title: 'Edge result types', column: 'aws_cloudfront_edge_result_type', label: 'result type' },
  { id: 'clients', title: 'Top clients', column: 'source_ip', label: 'client' },
] as const;

/** Dimensions whose every value is returned (clients: every distinct address is looked up for countries/ASNs). */
export const UNLIMITED_DIMENSIONS = new Set(['cache-results', 'clients']);

/**
 * Every dimension in one scan (GROUPING SETS), ranked per set; `dim` is the set's index in
 * TOP_DIMENSIONS. Client rows also carry the country/ASN the log recorded for the address.
 */
export function dimensionsSql(from: string, where: string): string {
  const sets = TOP_DIMENSIONS.map((d) => `(${d.column})`).join(', ');
  const which = TOP_DIMENSIONS.map((d, i) => `WHEN GROUPING(${d.column}) = 0 THEN ${i}`).join(' ');
  const value = TOP_DIMENSIONS.map((d) => `CAST(${d.column} AS VARCHAR)`).join(', ');
  const unlimited = TOP_DIMENSIONS.map((d, i) => (UNLIMITED_DIMENSIONS.has(d.id) ? i : -1)).filter((i) => i >= 0).join(', ');
  return `WITH g AS (
      SELECT CASE ${which} END AS dim, COALESCE(${value}) AS value, count(*) AS requests, COALESCE(sum(http_response_bytes), 0) AS bytes,
        count(*) FILTER (http_response_status_code BETWEEN 400 AND 499) AS s4xx, count(*) FILTER (http_response_status_code >= 500) AS s5xx,
        min(source_geo_country_iso_code) AS country, min(source_as_number) AS asn
      FROM ${from} AS t WHERE ${where}
      GROUP BY GROUPING SETS (${sets}))
    SELECT dim, value, requests, bytes, s4xx, s5xx, country, asn FROM g WHERE value IS NOT NULL OR dim = ${TOP_DIMENSIONS.findIndex((d) => d.id === 'cache-results')}
    QUALIFY dim IN (${unlimited}) OR row_number() OVER (PARTITION BY dim ORDER BY requests DESC, value) <= $limit
    ORDER BY dim, requests DESC, value`;
}
