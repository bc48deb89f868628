import { isoSeconds } from '../time-range.js';
import { FINDING_SEVERITY, type Anomaly, type Contributor } from './anomaly.js';
import { rateOutlier, runs } from './baseline.js';
import { ANOMALY_DEFAULTS, distributionSql, inRange, isFinal, num, spanSql, type AnomalyContext, type Params } from './context.js';
import { probeKindSql } from './probes.js';
import { ANOMALY_RULES } from './rules.js';

/**
 * Requests per (distribution, source, bucket) with the source's requests over the preceding
 * `lookback` buckets; `source` is the address, or its ASN through the `asns` map (address → ASN,
 * bound as a table and joined, so the ASN roll-up happens in the database).
 */
function rateSql(ctx: AnomalyContext, asns: readonly (readonly [string, string])[] | undefined, params: Params): string {
  const { fn } = ctx.store.dialect;
  const start = ctx.range.sinceMs === undefined ? undefined : ctx.range.sinceMs - ANOMALY_DEFAULTS.lookbackSeconds * 1000;
  const where = `"timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL AND source_ip IS NOT NULL${distributionSql(ctx, params)}${spanSql(fn, params, start, ctx.range.untilMs === undefined ? undefined : ctx.range.untilMs + 1)}`;
  const requests = `SELECT aws_cloudfront_distribution_id AS d, source_ip AS ip, ${fn.bucketIndex('"timestamp"', '$w')} AS b FROM ${ctx.from} AS t WHERE ${where}`;
  // By ASN: each request's address replaced by its ASN (addresses without one are left out).
  const sources = asns
    ? `SELECT d, asn AS source, b FROM (${requests}) AS r JOIN ${fn.pairsParam(params, 'asns', asns, ['ip', 'asn'])} AS m USING (ip)`
    : `SELECT d, ip AS source, b FROM (${requests}) AS r`;
  const inner = `SELECT d, source, b, count(*) AS n FROM (${sources}) AS s GROUP BY d, source, b`;
  return `${fn.precedingSum({ inner, partition: ['d', 'source'], order: 'b', value: 'n', span: '$lookback', keep: 'n >= $min', as: 'before' })} ORDER BY d, source, b`;
}

/** Per-address and per-ASN request-rate outliers against each source's own mean per bucket. */
export async function rateAnomalies(ctx: AnomalyContext, byAsn: boolean): Promise<Anomaly[]> {
  const widthS = ctx.options.rateBucketSeconds ?? ANOMALY_DEFAULTS.rateBucketSeconds;
  const lookback = Math.round(ANOMALY_DEFAULTS.lookbackSeconds / widthS);
  const params: Params = { w: widthS, lookback, min: 100 };
  const viewers = await ctx.viewers();
  let asns: [string, string][] | undefined;
  if (byAsn) {
    asns = [...viewers].filter(([, g]) => g.asn !== undefined).map(([ip, g]) => [ip, String(g.asn)]);
    if (!asns.length) return [];
  }
  const r = await ctx.store.query(rateSql(ctx, asns, params), params);
  const hits = new Map<string, { b: number; n: number; expected: number }[]>();
  for (const [d, source, b, n, before] of r.rows) {
    const bucket = num(b);
    const historyStart = ctx.firstSeen.get(String(d));
    if (historyStart === undefined || !isFinal(ctx, bucket, widthS) || !inRange(ctx, bucket, widthS)) continue;
    // Until the distribution has some history, every source is new and nothing is an outlier.
    const history = bucket * widthS * 1000 - historyStart;
    if (history < ctx.learningMs) continue;
    const expected = num(before) / Math.min(lookback, Math.max(1, history / 1000 / widthS));
    if (!rateOutlier(num(n), expected)) continue;
    const k = `${d}\u0000${source}`;
    const list = hits.get(k) ?? [];
    hits.set(k, list);
    list.push({ b: bucket, n: num(n), expected });
  }
  const rule = byAsn ? ANOMALY_RULES.asnOutlier : ANOMALY_RULES.ipOutlier;
  const out: Anomaly[] = [];
  for (const [k, list] of hits) {
    const [d, source] = k.split('\u0000') as [string, string];
    for (const run of runs(list.map((h) => h.b))) {
      const inRun = list.filter((h) => run.includes(h.b));
      const peak = inRun.sort((a, b) => b.n - a.n)[0]!;
      const startMs = run[0]! * widthS * 1000, endMs = (run[run.length - 1]! + 1) * widthS * 1000;
      const total = inRun.reduce((n, h) => n + h.n, 0);
      const name = byAsn ? `AS${source}` : source;
      const members = byAsn ? [...viewers].filter(([, g]) => String(g.asn) === source) : [];
      const asName = byAsn ? members.find(([, g]) => g.asName)?.[1].asName : viewers.get(source)?.asName;
      const active = byAsn ? await asnMembers(ctx, d, members.map(([ip]) => ip), startMs, endMs) : undefined;
      const contributors: Contributor[] = active ? active.top : [{ kind: 'address', value: source, observed: total, expected: peak.expected * run.length }];
      const geo = byAsn ? undefined : viewers.get(source);
      if (geo?.asn !== undefined) contributors.push({ kind: 'asn', value: `AS${geo.asn}`, observed: total });
      if (geo?.country) contributors.push({ kind: 'country', value: geo.country, observed: total });
      out.push({
        rule, severity: FINDING_SEVERITY[rule.level], distribution: d, key: { distribution: d, [byAsn ? 'asn' : 'address']: name, bucket: isoSeconds(startMs) },
        title: `${name}${asName ? ` (${asName})` : ''} sent ${peak.n} requests to ${d} in ${widthS / 60} min, usually ${peak.expected < 10 ? peak.expected.toFixed(1) : Math.round(peak.expected)}`,
        detail: `${total} requests from ${active ? `${active.active} address${active.active === 1 ? '' : 'es'} of ${name}` : name} between ${isoSeconds(startMs)} and ${isoSeconds(endMs)}; its mean over the preceding day was ${peak.expected.toFixed(1)} per ${widthS / 60} min.`,
        at: isoSeconds(startMs), observed: peak.n, baseline: Math.round(peak.expected * 10) / 10, baselineKind: 'own mean over the preceding day', contributors: contributors.slice(0, 8),
        facts: { requests: total, buckets: run.length, from: isoSeconds(startMs), until: isoSeconds(endMs), bucket_seconds: widthS, ...(asName ? { as_name: asName } : {}) },
        events: { startMs, endMs, ips: byAsn ? members.map(([ip]) => ip) : [source] },
      });
    }
  }
  return out;
}

/** The addresses of one ASN that sent requests in the window, busiest first. */
async function asnMembers(ctx: AnomalyContext, d: string, ips: string[], startMs: number, endMs: number): Promise<{ top: Contributor[]; active: number }> {
  const params: Params = { d };
  const { fn } = ctx.store.dialect;
  const where = `aws_cloudfront_distribution_id = $d AND ${fn.inList('source_ip', fn.stringListParam(params, 'ips', ips))}${spanSql(fn, params, startMs, endMs)}`;
  const r = await ctx.store.query(`SELECT source_ip, count(*) AS n FROM ${ctx.from} AS t WHERE ${where} GROUP BY source_ip ORDER BY n DESC, source_ip LIMIT 8`, params);
  const active = await ctx.store.query(`SELECT count(DISTINCT source_ip) FROM ${ctx.from} AS t WHERE ${where}`, params);
  return { top: r.rows.map(([ip, n]) => ({ kind: 'address', value: String(ip), observed: num(n) })), active: num(active.rows[0]?.[0]) };
}

/**
 * Scanner-like addresses: several kinds of probe (PROBE_KINDS) from one address in one bucket. The
 * probe patterns run once per distinct (method, path, query), and only probing requests are counted.
 */
export async function scannerAnomalies(ctx: AnomalyContext): Promise<Anomaly[]> {
  const widthS = ANOMALY_DEFAULTS.scannerBucketSeconds;
  const params: Params = { w: widthS };
  const { fn } = ctx.store.dialect;
  const span = `${distributionSql(ctx, params)}${spanSql(fn, params, ctx.range.sinceMs, ctx.range.untilMs === undefined ? undefined : ctx.range.untilMs + 1)}`;
  const where = `"timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL AND source_ip IS NOT NULL${span}`;
  // The probe patterns see '' for a missing part, so requests are matched to their kind on the parts with NULL as ''.
  const parts = `${fn.coalesce('http_request_method', "''")} AS km, ${fn.coalesce('url_path', "''")} AS kp, ${fn.coalesce('url_query', "''")} AS kq`;
  const kinds = `SELECT km, kp, kq, ${probeKindSql(fn, { method: 'km', path: 'kp', query: 'kq' })} AS kind
    FROM (SELECT ${parts} FROM ${ctx.from} AS t WHERE ${where} GROUP BY km, kp, kq) AS r`;
  const requests = `SELECT aws_cloudfront_distribution_id AS d, source_ip AS ip, ${fn.bucketIndex('"timestamp"', '$w')} AS b, ${parts} FROM ${ctx.from} AS t WHERE ${where}`;
  const r = await ctx.store.query(
    `SELECT d, ip, b, kind, count(*) AS n FROM (${requests}) AS q JOIN (SELECT * FROM (${kinds}) AS k WHERE kind IS NOT NULL) AS k USING (km, kp, kq)
      GROUP BY d, ip, b, kind ORDER BY d, ip, b, n DESC, kind`,
    params,
  );
  // Per (distribution, address, bucket): its probe kinds, busiest first; a scanner sends enough of enough kinds.
  const buckets = new Map<string, { d: string; ip: string; b: number; n: number; kinds: { kind: string; n: number }[] }>();
  for (const [d, ip, b, kind, n] of r.rows) {
    const k = `${d}\u0000${ip}\u0000${b}`;
    const bucket = buckets.get(k) ?? { d: String(d), ip: String(ip), b: num(b), n: 0, kinds: [] };
    buckets.set(k, bucket);
    bucket.n += num(n);
    bucket.kinds.push({ kind: String(kind), n: num(n) });
  }
  const hits = new Map<string, { b: number; n: number; kinds: { kind: string; n: number }[] }[]>();
  for (const { d, ip, b, n, kinds } of buckets.values()) {
    if (n < ANOMALY_DEFAULTS.scannerMinRequests || kinds.length < ANOMALY_DEFAULTS.scannerMinKinds || !isFinal(ctx, b, widthS)) continue;
    const k = `${d}\u0000${ip}`;
    const list = hits.get(k) ?? [];
    hits.set(k, list);
    list.push({ b, n, kinds });
  }
  const viewers = await ctx.viewers();
  const out: Anomaly[] = [];
  for (const [k, list] of hits) {
    const [d, ip] = k.split('\u0000') as [string, string];
    for (const run of runs(list.map((h) => h.b))) {
      const inRun = list.filter((h) => run.includes(h.b));
      const startMs = run[0]! * widthS * 1000, endMs = (run[run.length - 1]! + 1) * widthS * 1000;
      const kinds = new Map<string, number>();
      for (const h of inRun) for (const x of h.kinds) kinds.set(x.kind, (kinds.get(x.kind) ?? 0) + x.n);
      const total = inRun.reduce((n, h) => n + h.n, 0);
      const geo = viewers.get(ip);
      const contributors: Contributor[] = [...kinds].sort((a, b) => b[1] - a[1]).map(([kind, n]) => ({ kind: 'probe kind', value: kind, observed: n }));
      if (geo?.country) contributors.push({ kind: 'country', value: geo.country, observed: total });
      if (geo?.asn !== undefined) contributors.push({ kind: 'asn', value: `AS${geo.asn}`, observed: total });
      out.push({
        rule: ANOMALY_RULES.scanner, severity: FINDING_SEVERITY[ANOMALY_RULES.scanner.level], distribution: d, key: { distribution: d, address: ip, bucket: isoSeconds(startMs) },
        title: `${ip} probed ${d}: ${total} scanner-like requests of ${kinds.size} kinds`,
        detail: `${total} requests between ${isoSeconds(startMs)} and ${isoSeconds(endMs)} look like a scanner's (${[...kinds.keys()].join(', ')}); ordinary viewers send none.`,
        at: isoSeconds(startMs), observed: total, baseline: 0, baselineKind: 'ordinary viewers send no probes', contributors,
        facts: { from: isoSeconds(startMs), until: isoSeconds(endMs), kinds: Object.fromEntries(kinds) },
        events: { startMs, endMs, ips: [ip], probesOnly: true },
      });
    }
  }
  return out;
}

