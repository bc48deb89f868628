import { isoSeconds } from '../time-range.js';
import { FINDING_SEVERITY, type Anomaly, type Contributor } from './anomaly.js';
import { rateOutlier, runs } from './baseline.js';
import { ANOMALY_DEFAULTS, distributionSql, inRange, isFinal, num, spanSql, type AnomalyContext, type Params } from './context.js';
import { PROBE_KIND_SQL } from './probes.js';
import { ANOMALY_RULES } from './rules.js';

/**
 * Requests per (distribution, source, bucket) with the source's requests over the preceding
 * `lookback` buckets; `source` is the address, or its ASN through the `asns` map (address → ASN,
 * passed as JSON and joined, so the ASN roll-up happens in the database).
 */
function rateSql(ctx: AnomalyContext, byAsn: boolean, params: Params): string {
  const start = ctx.range.sinceMs === undefined ? undefined : ctx.range.sinceMs - ANOMALY_DEFAULTS.lookbackSeconds * 1000;
  const source = byAsn ? 'm.asn' : 't.source_ip';
  const join = byAsn ? `JOIN (SELECT unnest(from_json($asns, '[{"ip":"VARCHAR","asn":"BIGINT"}]'), recursive := true)) AS m ON m.ip = t.source_ip` : '';
  return `WITH c AS (
      SELECT aws_cloudfront_distribution_id AS d, ${source} AS source, CAST(floor(epoch("timestamp") / $w) AS BIGINT) AS b, count(*) AS n
      FROM ${ctx.from} AS t ${join}
      WHERE "timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL AND t.source_ip IS NOT NULL${distributionSql(ctx, params)}${spanSql(params, start, ctx.range.untilMs === undefined ? undefined : ctx.range.untilMs + 1)}
      GROUP BY ALL),
    w AS (SELECT *, COALESCE(sum(n) OVER (PARTITION BY d, source ORDER BY b RANGE BETWEEN $lookback PRECEDING AND 1 PRECEDING), 0) AS before FROM c)
    SELECT d, CAST(source AS VARCHAR), b, n, before FROM w WHERE n >= $min ORDER BY d, source, b`;
}

/** Per-address and per-ASN request-rate outliers against each source's own mean per bucket. */
export async function rateAnomalies(ctx: AnomalyContext, byAsn: boolean): Promise<Anomaly[]> {
  const widthS = ctx.options.rateBucketSeconds ?? ANOMALY_DEFAULTS.rateBucketSeconds;
  const lookback = Math.round(ANOMALY_DEFAULTS.lookbackSeconds / widthS);
  const params: Params = { w: widthS, lookback, min: 100 };
  const viewers = await ctx.viewers();
  if (byAsn) {
    const map = [...viewers].filter(([, g]) => g.asn !== undefined).map(([ip, g]) => ({ ip, asn: g.asn! }));
    if (!map.length) return [];
    params.asns = JSON.stringify(map);
  }
  const r = await ctx.store.query(rateSql(ctx, byAsn, params), params);
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
  const params: Params = { d, ips: JSON.stringify(ips) };
  const r = await ctx.store.query(
    `SELECT source_ip, count(*) AS n, count(*) OVER () FROM ${ctx.from} AS t WHERE aws_cloudfront_distribution_id = $d AND source_ip IN (SELECT unnest(from_json($ips, '["VARCHAR"]')))${spanSql(params, startMs, endMs)}
      GROUP BY 1 ORDER BY n DESC, 1 LIMIT 8`,
    params,
  );
  return { top: r.rows.map(([ip, n]) => ({ kind: 'address', value: String(ip), observed: num(n) })), active: num(r.rows[0]?.[2]) };
}

/**
 * Scanner-like addresses: several kinds of probe (PROBE_KINDS) from one address in one bucket. The
 * probe patterns run once per distinct (method, path, query), and only probing requests are counted.
 */
export async function scannerAnomalies(ctx: AnomalyContext): Promise<Anomaly[]> {
  const widthS = ANOMALY_DEFAULTS.scannerBucketSeconds;
  const params: Params = { w: widthS, min: ANOMALY_DEFAULTS.scannerMinRequests, kinds: ANOMALY_DEFAULTS.scannerMinKinds };
  const span = `${distributionSql(ctx, params)}${spanSql(params, ctx.range.sinceMs, ctx.range.untilMs === undefined ? undefined : ctx.range.untilMs + 1)}`;
  const where = `"timestamp" IS NOT NULL AND aws_cloudfront_distribution_id IS NOT NULL AND source_ip IS NOT NULL${span}`;
  const r = await ctx.store.query(
    `WITH r AS (SELECT http_request_method, url_path, url_query FROM ${ctx.from} AS t WHERE ${where} GROUP BY ALL),
      k AS (SELECT http_request_method AS km, url_path AS kp, url_query AS kq, ${PROBE_KIND_SQL} AS kind FROM r),
      p AS (SELECT aws_cloudfront_distribution_id AS d, source_ip AS ip, CAST(floor(epoch("timestamp") / $w) AS BIGINT) AS b, kind, count(*) AS n
        FROM ${ctx.from} AS t JOIN (SELECT * FROM k WHERE kind IS NOT NULL) AS k ON http_request_method IS NOT DISTINCT FROM km AND url_path IS NOT DISTINCT FROM kp AND url_query IS NOT DISTINCT FROM kq
        WHERE ${where}
        GROUP BY ALL)
    SELECT d, ip, b, sum(n) AS n, list(struct_pack(kind := kind, n := n) ORDER BY n DESC, kind) FROM p GROUP BY d, ip, b
    HAVING sum(n) >= $min AND count(*) >= $kinds ORDER BY d, ip, b`,
    params,
  );
  const hits = new Map<string, { b: number; n: number; kinds: { kind: string; n: number }[] }[]>();
  for (const [d, ip, b, n, kinds] of r.rows) {
    if (!isFinal(ctx, num(b), widthS)) continue;
    const k = `${d}\u0000${ip}`;
    const list = hits.get(k) ?? [];
    hits.set(k, list);
    list.push({ b: num(b), n: num(n), kinds: (kinds as { kind: string; n: unknown }[]).map((x) => ({ kind: String(x.kind), n: num(x.n) })) });
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

