import { sharedGeo, type GeoLookup } from '../../enrich/geo/index.js';
import type { EventStore } from '../../store/store.js';
import { datasetFrom } from '../dataset-table.js';
import { num, rangeSql, type TimeRange } from '../time-range.js';

/** Where a viewer's country/ASN came from, most trusted first. */
export type GeoSource = 'networks' | 'cloudfront' | 'waf' | 'database';

export interface ViewerGeo {
  country?: string | undefined;
  asn?: number | undefined;
  asName?: string | undefined;
  countrySource?: GeoSource;
  asnSource?: GeoSource;
}

/** What the log itself recorded for one address (CloudFront `c-country`/`asn`, WAF `country`/`clientAsn`). */
export interface Recorded {
  country?: string | undefined;
  asn?: number | undefined;
}

const COUNTRY = /^[A-Z]{2}$/;

function recorded(country: unknown, asn: unknown): Recorded {
  const r: Recorded = {};
  if (typeof country === 'string' && COUNTRY.test(country)) r.country = country;
  const n = asn === null || asn === undefined ? NaN : num(asn);
  if (Number.isInteger(n) && n > 0) r.asn = n;
  return r;
}

export function recordedOf(country: unknown, asn: unknown): Recorded {
  return recorded(country, asn);
}

/**
 * What the WAF logs recorded per viewer address in the range: WAF logs every request it inspects
 * with AWS's own country (and `clientAsn` when the web ACL has ASN statements), so for a
 * distribution behind a web ACL they label addresses standard CloudFront logs leave bare.
 */
export async function wafRecorded(store: EventStore, range: TimeRange): Promise<Map<string, Recorded>> {
  const from = await datasetFrom(store, 'aws.waf', ['timestamp', 'source_ip', 'source_geo_country_iso_code', 'source_as_number']);
  const out = new Map<string, Recorded>();
  if (!from) return out;
  const params: Record<string, string | number> = {};
  const r = await store.query(
    `SELECT source_ip, ${store.dialect.fn.mode('source_geo_country_iso_code')}, ${store.dialect.fn.mode('source_as_number')} FROM ${from} AS t
      WHERE source_ip IS NOT NULL AND (source_geo_country_iso_code IS NOT NULL OR source_as_number IS NOT NULL)${rangeSql(store.dialect.fn, range, params)}
      GROUP BY source_ip`,
    params,
  );
  for (const [ip, country, asn] of r.rows) out.set(String(ip), recorded(country, asn));
  return out;
}

/**
 * Country and ASN of one viewer address, from the most trusted source that knows: the user's
 * networks file (explicit), what CloudFront or WAF recorded at request time, then the offline
 * databases. Called once per distinct address, never per request.
 */
export function resolveViewer(ip: string, fromLog: Recorded, fromWaf: Recorded | undefined, geo: GeoLookup = sharedGeo()): ViewerGeo {
  const db = geo.lookup(ip);
  const out: ViewerGeo = {};
  const explicit = db.source === 'networks';
  const pick = <T>(values: [T | undefined, GeoSource][]): [T, GeoSource] | undefined => values.find(([v]) => v !== undefined) as [T, GeoSource] | undefined;
  const country = pick<string>([[explicit ? db.country : undefined, 'networks'], [fromLog.country, 'cloudfront'], [fromWaf?.country, 'waf'], [db.country, 'database']]);
  const asn = pick<number>([[explicit ? db.asn : undefined, 'networks'], [fromLog.asn, 'cloudfront'], [fromWaf?.asn, 'waf'], [db.asn, 'database']]);
  if (country) [out.country, out.countrySource] = country;
  if (asn) {
    [out.asn, out.asnSource] = asn;
    // The name comes from the table that knows the number; a number from the log is named when the table agrees.
    if (db.asn === asn[0] && db.asName) out.asName = db.asName;
  }
  return out;
}
