import type { EventStore } from '../../store/store.js';
import type { InsightOptions, InsightReport, ReportSection, TableSection } from '../report.js';
import { bucketSeconds, isoSeconds, limitOf, num, timeRange, tsMs } from '../time-range.js';
import { rangeMissesData } from '../stored-span.js';
import type { InsightView } from '../views.js';
import { CACHE_HITS, CACHE_LOOKUPS, cloudfrontFrom, cloudfrontWhere, countsSql, dimensionsSql, QUANTILE_SAMPLE, quantilesSql, TOP_DIMENSIONS } from './read.js';
import { recordedOf, resolveViewer, wafRecorded, type ViewerGeo } from './viewer-geo.js';

type Params = Record<string, string | number | boolean | null>;

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const quantile = (v: unknown, i: number): number | null => (Array.isArray(v) && v[i] !== null && v[i] !== undefined ? num(v[i]) : null);

interface Traffic {
  requests: number; bytes: number; s2xx: number; s3xx: number; s4xx: number; s5xx: number; hits: number; lookups: number; taken: unknown; ttfb: unknown;
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

function widthLabel(s: number): string {
  return s >= 86_400 ? `${s / 86_400} d` : s >= 3600 ? `${s / 3600} h` : s >= 60 ? `${s / 60} min` : `${s} s`;
}

export interface ViewerTotals {
  ip: string;
  requests: number;
  bytes: number;
  errors: number;
  geo: ViewerGeo;
}

function rollUp(viewers: ViewerTotals[], keyOf: (v: ViewerTotals) => string | undefined): Map<string, { requests: number; bytes: number; clients: number; sources: Set<string> }> {
  const out = new Map<string, { requests: number; bytes: number; clients: number; sources: Set<string> }>();
  for (const v of viewers) {
    const k = keyOf(v) ?? 'unknown';
    const row = out.get(k) ?? { requests: 0, bytes: 0, clients: 0, sources: new Set<string>() };
    out.set(k, row);
    row.requests += v.requests;
    row.bytes += v.bytes;
    row.clients++;
  }
  return out;
}

const byRequests = <T extends { requests: number }>(a: [string, T], b: [string, T]) => b[1].requests - a[1].requests || a[0].localeCompare(b[0]);

/**
 * CloudFront traffic: per distribution and time bucket, requests, bytes, status classes, error rate,
 * cache hit ratio (hits over Hit+RefreshHit+OriginShieldHit+Miss, AWS's definition: errors and
 * uncacheable results are not lookups), time-taken and TTFB percentiles; the top URIs, clients,
 * user agents, referrers and edge locations; viewer countries and ASNs.
 */
export async function cloudfrontReport(store: EventStore, o: InsightOptions): Promise<InsightReport> {
  const started = Date.now();
  const range = timeRange(o);
  const limit = limitOf(o);
  const sections: ReportSection[] = [];
  const report = (title: string): InsightReport => ({ view: 'cloudfront', title, range: { since: range.since, until: range.until }, sections, tookMs: Date.now() - started });
  const from = await cloudfrontFrom(store);
  if (!from) return report('CloudFront — no CloudFront events in the store');
  const params: Params = {};
  const { fn } = store.dialect;
  const where = cloudfrontWhere(fn, range, o.distribution, params);

  // The span first (cheap: two aggregates), so the bucket width is known before the one big scan.
  const span = await store.query(`SELECT ${fn.timeMin('"timestamp"')}, ${fn.timeMax('"timestamp"')} FROM ${from} AS t WHERE ${where}`, params);
  const firstMs = tsMs(span.rows[0]?.[0]);
  const lastMs = tsMs(span.rows[0]?.[1]);
  if (firstMs === undefined || lastMs === undefined) {
    // Without a distribution filter, the range is what missed: say where the requests are.
    const missed = o.distribution ? undefined : await rangeMissesData(store, range, ['aws.cloudfront'], 'CloudFront requests');
    if (missed) sections.push({ kind: 'findings', id: 'range', title: 'Findings', findings: [missed] });
    return report(`CloudFront — no requests${o.distribution ? ` for distribution ${o.distribution}` : ''} in the range`);
  }
  const fromMs = range.sinceMs ?? firstMs;
  const toMs = range.untilMs ?? lastMs;
  const width = bucketSeconds(o, toMs - fromMs);
  const first = Math.floor(fromMs / 1000 / width);
  const n = Math.max(1, Math.min(100_000, Math.floor(toMs / 1000 / width) - first + 1));

  const sParams = { ...params, width, first };
  const counts = (await store.query(countsSql(fn, from, where), sParams)).rows;
  const quantiles = (await store.query(quantilesSql(fn, from, where), sParams)).rows;
  const perDist = new Map<string, Traffic>();
  const perBucket = new Map<number, Traffic>();
  const empty = (): Traffic => ({ requests: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, hits: 0, lookups: 0, taken: null, ttfb: null });
  const hits = new Set(CACHE_HITS), lookups = new Set(CACHE_LOOKUPS);
  let total = 0;
  for (const [d, i, cls, result, req, bytes] of counts) {
    const n = num(req);
    total += n;
    for (const t of [getOr(perDist, d === null ? '(none)' : String(d), empty), getOr(perBucket, num(i), empty)]) {
      t.requests += n;
      t.bytes += num(bytes);
      const c = cls === null ? 0 : num(cls);
      if (c === 2) t.s2xx += n;
      else if (c === 3) t.s3xx += n;
      else if (c === 4) t.s4xx += n;
      else if (c >= 5) t.s5xx += n;
      if (hits.has(String(result))) t.hits += n;
      if (lookups.has(String(result))) t.lookups += n;
    }
  }
  for (const [d, i, perBucketRow, taken, ttfb] of quantiles) {
    const t = num(perBucketRow) ? perBucket.get(num(i)) : perDist.get(d === null ? '(none)' : String(d));
    if (t) (t.taken = taken), (t.ttfb = ttfb);
  }
  const distRows: (string | number | null)[][] = [...perDist].map(([d, t]) => [
    d, t.requests, t.bytes, t.s2xx, t.s3xx, t.s4xx, t.s5xx, ratio(t.s4xx + t.s5xx, t.requests), ratio(t.hits, t.lookups),
    quantile(t.taken, 0), quantile(t.taken, 1), quantile(t.taken, 2), quantile(t.ttfb, 0), quantile(t.ttfb, 1), quantile(t.ttfb, 2),
  ]);
  const col = () => new Array<number | null>(n).fill(null);
  const s = { req: col(), s2: col(), s3: col(), s4: col(), s5: col(), err: col(), hit: col(), bytes: col(), p50: col(), p95: col(), ttfb95: col() };
  for (const k of ['req', 's2', 's3', 's4', 's5', 'bytes'] as const) s[k].fill(0);
  for (const [i, t] of perBucket) {
    if (i < 0 || i >= n) continue;
    s.req[i] = t.requests; s.s2[i] = t.s2xx; s.s3[i] = t.s3xx; s.s4[i] = t.s4xx; s.s5[i] = t.s5xx; s.bytes[i] = t.bytes;
    s.err[i] = ratio(t.s4xx + t.s5xx, t.requests); s.hit[i] = ratio(t.hits, t.lookups);
    s.p50[i] = quantile(t.taken, 0); s.p95[i] = quantile(t.taken, 1); s.ttfb95[i] = quantile(t.ttfb, 1);
  }
  distRows.sort((a, b) => num(b[1]) - num(a[1]) || String(a[0]).localeCompare(String(b[0])));
  sections.push({
    kind: 'table', id: 'distributions', title: `Distributions (percentiles from a ${QUANTILE_SAMPLE}-request reservoir sample per distribution)`,
    columns: [
      { name: 'distribution', type: 'string' }, { name: 'requests', type: 'number' }, { name: 'bytes', type: 'bytes' }, { name: '2xx', type: 'number' },
      { name: '3xx', type: 'number' }, { name: '4xx', type: 'number' }, { name: '5xx', type: 'number' }, { name: 'error rate', type: 'percent' },
      { name: 'cache hit ratio', type: 'percent' }, { name: 'time taken p50 s', type: 'number' }, { name: 'time taken p95 s', type: 'number' }, { name: 'time taken p99 s', type: 'number' },
      { name: 'TTFB p50 s', type: 'number' }, { name: 'TTFB p95 s', type: 'number' }, { name: 'TTFB p99 s', type: 'number' },
    ],
    rows: distRows,
  });
  const buckets = Array.from({ length: n }, (_, i) => isoSeconds((first + i) * width * 1000));
  const per = `per ${widthLabel(width)}${distRows.length > 1 ? ' (all distributions; --distribution for one)' : ''}`;
  sections.push(
    { kind: 'series', id: 'requests', title: `Requests by status class ${per}`, buckets, series: [{ name: 'requests', values: s.req }, { name: '2xx', values: s.s2 }, { name: '3xx', values: s.s3 }, { name: '4xx', values: s.s4 }, { name: '5xx', values: s.s5 }] },
    { kind: 'series', id: 'rates', title: `Error rate and cache hit ratio ${per}`, buckets, series: [{ name: 'error rate', values: s.err, additive: false }, { name: 'cache hit ratio', values: s.hit, additive: false }] },
    { kind: 'series', id: 'latency', title: `Time taken and time to first byte (seconds) ${per}`, buckets, series: [{ name: 'time taken p50', values: s.p50, additive: false }, { name: 'time taken p95', values: s.p95, additive: false }, { name: 'TTFB p95', values: s.ttfb95, additive: false }] },
    { kind: 'series', id: 'bytes', title: `Bytes sent ${per}`, buckets, series: [{ name: 'bytes', values: s.bytes }] },
  );

  // Every top-N table, the result types and every client address in one scan.
  const dims = (await store.query(dimensionsSql(fn, from, where), { ...params, limit })).rows;
  const waf = await wafRecorded(store, range);
  const viewers: ViewerTotals[] = [];
  for (const [i, d] of TOP_DIMENSIONS.entries()) {
    const mine = dims.filter((r) => num(r[0]) === i);
    if (d.id === 'clients') {
      for (const [, ip, req, bytes, s4, s5, country, asn] of mine) {
        viewers.push({ ip: String(ip), requests: num(req), bytes: num(bytes), errors: num(s4) + num(s5), geo: resolveViewer(String(ip), recordedOf(country, asn), waf.get(String(ip)), o.geo) });
      }
      continue;
    }
    sections.push({
      kind: 'table', id: d.id, title: d.title,
      columns: [{ name: d.label, type: 'string' }, { name: 'requests', type: 'number' }, { name: 'share', type: 'percent' }, { name: 'bytes', type: 'bytes' }, { name: '4xx', type: 'number' }, { name: '5xx', type: 'number' }],
      rows: mine.map(([, value, req, bytes, s4, s5]) => [value === null ? '(none)' : String(value), num(req), ratio(num(req), total), num(bytes), num(s4), num(s5)]),
    });
  }
  viewers.sort((a, b) => b.requests - a.requests || a.ip.localeCompare(b.ip));
  sections.push({
    kind: 'table', id: 'clients', title: 'Top clients',
    columns: [{ name: 'client', type: 'string' }, { name: 'requests', type: 'number' }, { name: 'share', type: 'percent' }, { name: 'bytes', type: 'bytes' }, { name: 'errors', type: 'number' }, { name: 'country', type: 'string' }, { name: 'ASN', type: 'string' }, { name: 'AS name', type: 'string' }],
    rows: viewers.slice(0, limit).map((v) => [v.ip, v.requests, ratio(v.requests, total), v.bytes, v.errors, v.geo.country ?? null, v.geo.asn === undefined ? null : `AS${v.geo.asn}`, v.geo.asName ?? null]),
  });
  sections.push(geoTable('countries', 'Viewer countries', 'country', viewers, (v) => v.geo.country, (v) => v.geo.countrySource, total, limit));
  const asNames = new Map(viewers.filter((v) => v.geo.asName).map((v) => [`AS${v.geo.asn}`, v.geo.asName!]));
  const asns = geoTable('asns', 'Viewer ASNs (ASN data: RouteViews, DB-IP, NRO — CC BY 4.0)', 'ASN', viewers, (v) => (v.geo.asn === undefined ? undefined : `AS${v.geo.asn}`), (v) => v.geo.asnSource, total, limit);
  asns.columns.splice(1, 0, { name: 'AS name', type: 'string' });
  for (const row of asns.rows) row.splice(1, 0, asNames.get(String(row[0])) ?? null);
  sections.push(asns);

  const d = distRows.length;
  return report(`CloudFront — ${d} distribution${d === 1 ? '' : 's'}, ${total} requests`);
}

/** Requests per country or ASN, with the distinct clients and where the labels came from. */
function geoTable(id: string, title: string, label: string, viewers: ViewerTotals[], keyOf: (v: ViewerTotals) => string | undefined, sourceOf: (v: ViewerTotals) => string | undefined, total: number, limit: number): TableSection {
  const rolled = rollUp(viewers, keyOf);
  for (const v of viewers) {
    const src = sourceOf(v);
    if (src) rolled.get(keyOf(v) ?? 'unknown')!.sources.add(src);
  }
  return {
    kind: 'table', id, title,
    columns: [{ name: label, type: 'string' }, { name: 'requests', type: 'number' }, { name: 'share', type: 'percent' }, { name: 'clients', type: 'number' }, { name: 'bytes', type: 'bytes' }, { name: 'from', type: 'string' }],
    rows: [...rolled.entries()].sort(byRequests).slice(0, limit).map(([k, r]) => [k, r.requests, ratio(r.requests, total), r.clients, r.bytes, [...r.sources].sort().join(', ') || null]),
  };
}

export const CLOUDFRONT_VIEW: InsightView = {
  id: 'cloudfront',
  title: 'CloudFront traffic',
  description: 'Per distribution and time bucket: requests, bytes, status classes, error rate, cache hit ratio, time-taken and TTFB percentiles; top URIs, clients, user agents, referrers, edge locations, viewer countries and ASNs.',
  run: cloudfrontReport,
};
