import { isoSeconds } from '../time-range.js';
import { FINDING_SEVERITY, topContributors, type Anomaly, type Contributor } from './anomaly.js';
import { errorSpike, runs, seasonalBaseline, volumeVerdict, type Baseline } from './baseline.js';
import { ANOMALY_DEFAULTS, bucketOf, inRange, isFinal, num, spanSql, type AnomalyContext, type Params } from './context.js';
import { ANOMALY_RULES } from './rules.js';

interface Series {
  /** Bucket index of counts[0]. */
  first: number;
  counts: number[];
  errors: number[];
  /** Final and complete (not the bucket the distribution's history starts in the middle of). */
  usable: boolean[];
}

/** Requests and 5xx per distribution and bucket, contiguous from each distribution's first bucket (zeros included), from the shared scan. */
function perBucket(ctx: AnomalyContext, widthS: number): Map<string, Series> {
  const factor = widthS / ctx.shapeWidthS;
  const rows = new Map<string, Map<number, [number, number]>>();
  for (const r of ctx.shape) {
    const byBucket = rows.get(r.d) ?? new Map<number, [number, number]>();
    rows.set(r.d, byBucket);
    const b = Math.floor(r.b / factor);
    const cell = byBucket.get(b) ?? [0, 0];
    byBucket.set(b, cell);
    cell[0] += r.requests;
    cell[1] += r.errors;
  }
  const out = new Map<string, Series>();
  for (const [d, byBucket] of rows) {
    const historyStart = ctx.firstSeen.get(d);
    if (historyStart === undefined) continue;
    const keys = [...byBucket.keys()];
    const first = Math.min(...keys);
    const last = Math.max(bucketOf(ctx.horizonMs, widthS), ...keys);
    const len = Math.min(last - first + 1, 200_000);
    const s: Series = { first, counts: new Array<number>(len).fill(0), errors: new Array<number>(len).fill(0), usable: new Array<boolean>(len).fill(false) };
    for (const [b, [n, e]] of byBucket) {
      if (b - first >= len) continue;
      s.counts[b - first] = n;
      s.errors[b - first] = e;
    }
    // The bucket the history starts in is partial unless it starts in its first 2 %.
    const startBucket = bucketOf(historyStart, widthS);
    const partialStart = historyStart - startBucket * widthS * 1000 > widthS * 1000 * 0.02;
    for (let i = 0; i < len; i++) {
      const b = first + i;
      s.usable[i] = isFinal(ctx, b, widthS) && b >= startBucket && !(partialStart && b === startBucket);
    }
    out.set(d, s);
  }
  return out;
}

/** Per-address requests in [start, end) against their mean per bucket over the preceding `lookbackS`, plus the total. */
async function addressExcess(ctx: AnomalyContext, d: string, startMs: number, endMs: number, widthS: number, lookbackS: number, minStatus?: number): Promise<Contributor[]> {
  const historyStart = Math.max(startMs - lookbackS * 1000, ctx.firstSeen.get(d) ?? startMs);
  const params: Params = { d, minStatus: minStatus ?? 0 };
  const { fn } = ctx.store.dialect;
  const now = spanSql(fn, params, startMs, endMs, 'now').replace(/^ AND /, '');
  const r = await ctx.store.query(
    `SELECT source_ip, ${fn.countIf(now)}, ${fn.countIf(`NOT (${now})`)} FROM ${ctx.from} AS t
      WHERE aws_cloudfront_distribution_id = $d AND source_ip IS NOT NULL AND ${fn.coalesce('http_response_status_code', '0')} >= $minStatus${spanSql(fn, params, historyStart, endMs)}
      GROUP BY source_ip HAVING ${fn.countIf(now)} > 0 ORDER BY source_ip`,
    params,
  );
  const historyBuckets = Math.max(1, (startMs - historyStart) / 1000 / widthS);
  const buckets = (endMs - startMs) / 1000 / widthS;
  return r.rows.map(([ip, n, before]) => ({ kind: 'address' as const, value: String(ip), observed: num(n), expected: startMs > historyStart ? (num(before) / historyBuckets) * buckets : 0 }));
}

/** The addresses' excess rolled up by ASN (known ASNs only). */
async function asnExcess(ctx: AnomalyContext, addresses: Contributor[]): Promise<Contributor[]> {
  const viewers = await ctx.viewers();
  const by = new Map<string, Contributor>();
  for (const a of addresses) {
    const asn = viewers.get(a.value)?.asn;
    if (asn === undefined) continue;
    const k = `AS${asn}`;
    const row = by.get(k) ?? { kind: 'asn' as const, value: k, observed: 0, expected: 0 };
    by.set(k, row);
    row.observed += a.observed;
    row.expected! += a.expected ?? 0;
  }
  return [...by.values()];
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Volume spikes and drops per distribution against the seasonal baseline; one anomaly per run of buckets. */
export async function volumeAnomalies(ctx: AnomalyContext): Promise<Anomaly[]> {
  const widthS = ctx.options.volumeBucketSeconds ?? ANOMALY_DEFAULTS.volumeBucketSeconds;
  const series = perBucket(ctx, widthS);
  const out: Anomaly[] = [];
  for (const [d, s] of series) {
    const verdicts = new Map<'spike' | 'drop', { i: number; base: Baseline }[]>();
    for (let i = 0; i < s.counts.length; i++) {
      if (!s.usable[i] || !inRange(ctx, s.first + i, widthS)) continue;
      const base = seasonalBaseline(s.counts, s.usable, i, widthS);
      if (!base) continue;
      const v = volumeVerdict(s.counts[i]!, base);
      if (!v) continue;
      const list = verdicts.get(v) ?? [];
      verdicts.set(v, list);
      list.push({ i, base });
    }
    for (const [verdict, hits] of verdicts) {
      for (const run of runs(hits.map((h) => h.i))) {
        const peak = hits.filter((h) => run.includes(h.i)).sort((a, b) => Math.abs(s.counts[b.i]! - b.base.value) - Math.abs(s.counts[a.i]! - a.base.value))[0]!;
        const startMs = (s.first + run[0]!) * widthS * 1000;
        const peakStart = (s.first + peak.i) * widthS * 1000;
        const endMs = (s.first + run[run.length - 1]! + 1) * widthS * 1000;
        const observed = s.counts[peak.i]!;
        const addresses = await addressExcess(ctx, d, peakStart, peakStart + widthS * 1000, widthS, ANOMALY_DEFAULTS.lookbackSeconds);
        const asns = await asnExcess(ctx, addresses);
        const spike = verdict === 'spike';
        const contributors = spike ? [...topContributors(asns, 3), ...topContributors(addresses, 5)] : topContributors(addresses.map((a) => ({ ...a, observed: -a.observed, expected: -(a.expected ?? 0) })), 5).map((a) => ({ ...a, observed: -a.observed, expected: -(a.expected ?? 0) }));
        // The events behind a spike are those of the network (or addresses) that added the most.
        const topAsn = spike ? topContributors(asns, 1)[0] : undefined;
        const viewers = await ctx.viewers();
        const ips = topAsn && (topAsn.observed - (topAsn.expected ?? 0)) > (observed - peak.base.value) / 2
          ? addresses.filter((a) => `AS${viewers.get(a.value)?.asn}` === topAsn.value).map((a) => a.value)
          : topContributors(addresses, 5).map((a) => a.value);
        const rule = spike ? ANOMALY_RULES.volumeSpike : ANOMALY_RULES.volumeDrop;
        out.push({
          rule, severity: FINDING_SEVERITY[rule.level], distribution: d, key: { distribution: d, bucket: isoSeconds(startMs) },
          title: `${spike ? 'Request spike' : 'Request drop'} on ${d}: ${observed} requests in ${widthS / 60} min, usually ${Math.round(peak.base.value)}`,
          detail: `${observed} requests from ${isoSeconds(peakStart)}${run.length > 1 ? ` (${run.length} consecutive buckets from ${isoSeconds(startMs)})` : ''} against a baseline of ${Math.round(peak.base.value)} (median of ${peak.base.samples} buckets, ${peak.base.kind}; spread ${round(peak.base.sigma)}).`,
          at: isoSeconds(peakStart), observed, baseline: Math.round(peak.base.value), baselineKind: peak.base.kind, contributors,
          facts: { bucket_seconds: widthS, buckets: run.length, from: isoSeconds(startMs), until: isoSeconds(endMs), baseline_samples: peak.base.samples, spread: round(peak.base.sigma) },
          events: spike ? { startMs: peakStart, endMs: peakStart + widthS * 1000, ips } : { startMs: peakStart - widthS * 1000, endMs: peakStart + widthS * 1000 },
        });
      }
    }
  }
  return out;
}

/** 5xx rate spikes per distribution against its rate over the preceding day. */
export async function errorAnomalies(ctx: AnomalyContext): Promise<Anomaly[]> {
  const widthS = ctx.shapeWidthS;
  const lookback = Math.round(ANOMALY_DEFAULTS.lookbackSeconds / widthS);
  const series = perBucket(ctx, widthS);
  const out: Anomaly[] = [];
  for (const [d, s] of series) {
    const hits: { i: number; rate: number; baseRate: number; z: number; n: number; e: number }[] = [];
    for (let i = 0; i < s.counts.length; i++) {
      if (!s.usable[i] || !inRange(ctx, s.first + i, widthS)) continue;
      let baseN = 0, baseE = 0;
      for (let j = Math.max(0, i - lookback); j < i; j++) if (s.usable[j]) (baseN += s.counts[j]!), (baseE += s.errors[j]!);
      const verdict = errorSpike(s.errors[i]!, s.counts[i]!, baseE, baseN);
      if (verdict) hits.push({ i, ...verdict, n: s.counts[i]!, e: s.errors[i]! });
    }
    for (const run of runs(hits.map((h) => h.i))) {
      const inRun = hits.filter((h) => run.includes(h.i));
      const peak = inRun.sort((a, b) => b.z - a.z)[0]!;
      const startMs = (s.first + run[0]!) * widthS * 1000;
      const endMs = (s.first + run[run.length - 1]! + 1) * widthS * 1000;
      const errors = inRun.reduce((n, h) => n + h.e, 0), requests = inRun.reduce((n, h) => n + h.n, 0);
      const contributors = await errorContributors(ctx, d, startMs, endMs);
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      out.push({
        rule: ANOMALY_RULES.errorSpike, severity: FINDING_SEVERITY[ANOMALY_RULES.errorSpike.level], distribution: d, key: { distribution: d, bucket: isoSeconds(startMs) },
        title: `5xx spike on ${d}: ${pct(errors / requests)} of requests failed, usually ${pct(peak.baseRate)}`,
        detail: `${errors} of ${requests} requests answered 5xx from ${isoSeconds(startMs)} to ${isoSeconds(endMs)} (${run.length} bucket${run.length === 1 ? '' : 's'} of ${widthS / 60} min); the rate over the preceding day was ${pct(peak.baseRate)}.`,
        at: isoSeconds(startMs), observed: errors / requests, baseline: peak.baseRate, baselineKind: 'preceding day', contributors,
        facts: { errors, requests, from: isoSeconds(startMs), until: isoSeconds(endMs), z: Math.round(peak.z * 10) / 10, bucket_seconds: widthS },
        events: { startMs, endMs, minStatus: 500 },
      });
    }
  }
  return out;
}

/** What failing requests are grouped by, each a kind of contributor (the first three per kind are shown). */
const ERROR_FACETS: { column: string; type: 'long' | 'keyword'; kind: Contributor['kind'] }[] = [
  { column: 'http_response_status_code', type: 'long', kind: 'status' },
  { column: 'url_path', type: 'keyword', kind: 'uri' },
  { column: 'aws_cloudfront_edge_location', type: 'keyword', kind: 'edge location' },
  { column: 'aws_cloudfront_edge_result_type', type: 'keyword', kind: 'result type' },
];

/** What the failing requests have in common: status codes, URIs, edge locations, result types. */
async function errorContributors(ctx: AnomalyContext, d: string, startMs: number, endMs: number): Promise<Contributor[]> {
  const params: Params = { d };
  const { fn } = ctx.store.dialect;
  const keys = ERROR_FACETS.map((f) => ({ name: f.column, expr: f.column, type: f.type }));
  const grouped = fn.groupingSets({
    keys, sets: keys.map((k) => [k.name]),
    select: (key, grouping) => `CASE ${ERROR_FACETS.map((f) => `WHEN ${grouping(f.column)} = 0 THEN ${fn.literal(f.kind)}`).join(' ')} END AS kind,
      ${fn.coalesce(...ERROR_FACETS.map((f) => (f.type === 'long' ? fn.text(key(f.column)) : key(f.column))))} AS value, count(*) AS n`,
    from: `${ctx.from} AS t`,
    where: `aws_cloudfront_distribution_id = $d AND http_response_status_code >= 500${spanSql(fn, params, startMs, endMs)}`,
  });
  const r = await ctx.store.query(fn.topPerGroup({ inner: `SELECT kind, value, n FROM (${grouped}) AS g WHERE value IS NOT NULL`, group: 'kind', order: 'n DESC, value', limit: '3' }), params);
  return r.rows.map(([kind, value, n]) => ({ kind: kind as Contributor['kind'], value: String(value), observed: num(n) }));
}

