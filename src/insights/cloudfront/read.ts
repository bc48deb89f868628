import type { GroupingKey, SqlExpressions } from '../../store/expressions.js';
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
export function cloudfrontWhere(fn: SqlExpressions, range: TimeRange, distribution: string | undefined, params: Record<string, string | number | boolean | null>): string {
  let sql = `"timestamp" IS NOT NULL${rangeSql(fn, range, params)}`;
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
export function countsSql(fn: SqlExpressions, from: string, where: string): string {
  return `SELECT aws_cloudfront_distribution_id AS d, ${fn.bucketIndex('"timestamp"', '$width')} - $first AS i,
      ${fn.intDiv('http_response_status_code', '100')} AS class, aws_cloudfront_edge_result_type AS result, count(*) AS requests, COALESCE(sum(http_response_bytes), 0) AS bytes
    FROM ${from} AS t WHERE ${where} GROUP BY d, i, class, result`;
}

/**
 * Time-taken and TTFB percentiles per distribution and per bucket (GROUPING SETS, one scan),
 * estimated from a reservoir sample (exact below QUANTILE_SAMPLE requests per group): an exact
 * quantile sorts every value and costs several times the rest of the view on 10 million rows.
 */
export function quantilesSql(fn: SqlExpressions, from: string, where: string): string {
  const keys: GroupingKey[] = [
    { name: 'd', expr: 'aws_cloudfront_distribution_id', type: 'keyword' },
    { name: 'i', expr: `${fn.bucketIndex('"timestamp"', '$width')} - $first`, type: 'long' },
  ];
  // Columns d, i, the set (1: per bucket), taken, ttfb.
  return fn.quantilesBySets({
    keys, sets: [['d'], ['i']], from: `${from} AS t`, where, qs: QUANTILES, sample: QUANTILE_SAMPLE,
    values: [{ name: 'taken', expr: 'aws_cloudfront_time_taken' }, { name: 'ttfb', expr: 'aws_cloudfront_time_to_first_byte' }],
  });
}

const QUANTILES = [0.5, 0.95, 0.99];

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
export function dimensionsSql(fn: SqlExpressions, from: string, where: string): string {
  // Every dimension column is text (ip, keyword): the value is the one of the set's column.
  const keys: GroupingKey[] = TOP_DIMENSIONS.map((d) => ({ name: d.column, expr: d.column, type: 'keyword' }));
  const unlimited = TOP_DIMENSIONS.map((d, i) => (UNLIMITED_DIMENSIONS.has(d.id) ? i : -1)).filter((i) => i >= 0).join(', ');
  const grouped = fn.groupingSets({
    keys, sets: TOP_DIMENSIONS.map((d) => [d.column]), from: `${from} AS t`, where,
    select: (key, grouping) => `CASE ${TOP_DIMENSIONS.map((d, i) => `WHEN ${grouping(d.column)} = 0 THEN ${i}`).join(' ')} END AS dim,
        ${fn.coalesce(...TOP_DIMENSIONS.map((d) => fn.text(key(d.column))))} AS value, count(*) AS requests, COALESCE(sum(http_response_bytes), 0) AS bytes,
        ${fn.countIf('http_response_status_code BETWEEN 400 AND 499')} AS s4xx, ${fn.countIf('http_response_status_code >= 500')} AS s5xx,
        min(source_geo_country_iso_code) AS country, min(source_as_number) AS asn`,
  });
  return fn.topPerGroup({
    inner: `SELECT dim, value, requests, bytes, s4xx, s5xx, country, asn FROM (${grouped}) AS g WHERE value IS NOT NULL OR dim = ${TOP_DIMENSIONS.findIndex((d) => d.id === 'cache-results')}`,
    group: 'dim', order: 'requests DESC, value', limit: '$limit', keepAll: `dim IN (${unlimited})`,
  });
}
