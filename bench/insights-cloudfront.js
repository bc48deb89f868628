// Benchmark: the CloudFront views of issue 8 §1–2 (`cloudfront`, `anomalies`) against hand-written
// DuckDB SQL that computes the same aggregates, on an existing store opened read-only.
// For each view: one warm-up run, then --runs timed runs of the view function and of the SQL; prints
// the medians and their ratio (the target: view ≤ 2 s and ≤ 1.5 × SQL). Geo/ASN lookups are part of
// the views (one per distinct client address); the hand-written SQL stops at the per-address counts.
// Usage: npm run build && node bench/insights-cloudfront.js [--db /work/bench-data/store10m.duckdb] [--runs 5]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { DuckDbStore } = await import(join(ROOT, 'dist/store/duckdb/duckdb-store.js'));
const { getInsightView } = await import(join(ROOT, 'dist/insights/views.js'));

const db = arg('db', '/work/bench-data/store10m.duckdb');
const runs = Number(arg('runs', '5'));
const CF = 'events_aws_cloudfront';
const bucket = (w) => `CAST(floor(epoch("timestamp") / ${w}) AS BIGINT)`;
const top = (col) => `SELECT ${col}, count(*) AS n, sum(http_response_bytes), count(*) FILTER (http_response_status_code BETWEEN 400 AND 499), count(*) FILTER (http_response_status_code >= 500)
  FROM ${CF} GROUP BY 1 ORDER BY n DESC LIMIT 10`;

// What an analyst would type for the same answers, straight on the dataset tables.
const HAND_WRITTEN = {
  cloudfront: [
    `SELECT aws_cloudfront_distribution_id, count(*), sum(http_response_bytes),
       count(*) FILTER (http_response_status_code BETWEEN 200 AND 299), count(*) FILTER (http_response_status_code BETWEEN 300 AND 399),
       count(*) FILTER (http_response_status_code BETWEEN 400 AND 499), count(*) FILTER (http_response_status_code >= 500),
       count(*) FILTER (aws_cloudfront_edge_result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit')), count(*) FILTER (aws_cloudfront_edge_result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit', 'Miss')),
       reservoir_quantile(aws_cloudfront_time_taken, [0.5, 0.95, 0.99], 8192), reservoir_quantile(aws_cloudfront_time_to_first_byte, [0.5, 0.95, 0.99], 8192)
     FROM ${CF} GROUP BY 1`,
    `SELECT ${bucket(300)}, count(*), sum(http_response_bytes),
       count(*) FILTER (http_response_status_code BETWEEN 200 AND 299), count(*) FILTER (http_response_status_code BETWEEN 300 AND 399),
       count(*) FILTER (http_response_status_code BETWEEN 400 AND 499), count(*) FILTER (http_response_status_code >= 500),
       count(*) FILTER (aws_cloudfront_edge_result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit')), count(*) FILTER (aws_cloudfront_edge_result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit', 'Miss')),
       reservoir_quantile(aws_cloudfront_time_taken, [0.5, 0.95], 8192), reservoir_quantile(aws_cloudfront_time_to_first_byte, [0.95], 8192)
     FROM ${CF} GROUP BY 1`,
    top('url_path'), top('user_agent_original'), top('http_request_referrer'), top('aws_cloudfront_edge_location'), top('aws_cloudfront_edge_result_type'),
    `SELECT source_ip, count(*), sum(http_response_bytes), count(*) FILTER (http_response_status_code >= 400) FROM ${CF} GROUP BY 1`,
    `SELECT source_ip, mode(source_geo_country_iso_code), mode(source_as_number) FROM events_aws_waf WHERE source_geo_country_iso_code IS NOT NULL OR source_as_number IS NOT NULL GROUP BY 1`,
  ],
  anomalies: [
    `SELECT aws_cloudfront_distribution_id, min("timestamp"), max("timestamp") FROM ${CF} GROUP BY 1`,
    `SELECT aws_cloudfront_distribution_id, ${bucket(3600)}, count(*), count(*) FILTER (http_response_status_code >= 500) FROM ${CF} GROUP BY ALL`,
    `SELECT aws_cloudfront_distribution_id, ${bucket(300)}, count(*), count(*) FILTER (http_response_status_code >= 500) FROM ${CF} GROUP BY ALL`,
    `SELECT source_ip, count(*) FROM ${CF} GROUP BY 1`,
    `WITH c AS (SELECT aws_cloudfront_distribution_id AS d, source_ip AS ip, ${bucket(300)} AS b, count(*) AS n FROM ${CF} GROUP BY ALL)
     SELECT * FROM (SELECT *, sum(n) OVER (PARTITION BY d, ip ORDER BY b RANGE BETWEEN 288 PRECEDING AND 1 PRECEDING) AS before FROM c) WHERE n >= 100`,
    `SELECT aws_cloudfront_distribution_id, aws_cloudfront_edge_location, min("timestamp"), count(*) FROM ${CF} GROUP BY ALL`,
    `SELECT aws_cloudfront_distribution_id, source_ip, min("timestamp"), count(*) FROM ${CF} GROUP BY ALL`,
    `WITH k AS (SELECT url_path, url_query FROM ${CF} GROUP BY ALL HAVING regexp_matches(lower(url_decode(COALESCE(url_path, '') || '?' || COALESCE(url_query, ''))), '\\.\\./|/etc/passwd|union\\s+select|<script|(^|/)\\.(git|env)(/|$)|^/admin(/|$)|oastify\\.com'))
     SELECT source_ip, ${bucket(900)}, count(*) FROM ${CF} JOIN k USING (url_path, url_query) GROUP BY ALL HAVING count(*) >= 10`,
  ],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const store = await DuckDbStore.open(db, { readOnly: true });
const count = (await store.query(`SELECT count(*) FROM ${CF}`)).rows[0][0];
console.log(`store ${db}: ${count} CloudFront events; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const [id, sqls] of Object.entries(HAND_WRITTEN)) {
  const view = getInsightView(id);
  // CPU time of the whole process (DuckDB's threads included): less sensitive to other jobs than wall time.
  const cpuMs = (c) => (c.user + c.system) / 1000;
  const runView = async () => {
    const t = performance.now(), c = process.cpuUsage();
    const report = await view.run(store, {});
    return [performance.now() - t, report, cpuMs(process.cpuUsage(c))];
  };
  const runSql = async () => {
    const t = performance.now(), c = process.cpuUsage();
    for (const sql of sqls) await store.query(sql);
    return [performance.now() - t, cpuMs(process.cpuUsage(c))];
  };
  const [, report] = await runView();
  await runSql();
  const viewMs = [], sqlMs = [], viewCpu = [], sqlCpu = [];
  for (let i = 0; i < runs; i++) {
    const [vw, , vc] = await runView();
    const [sw, sc] = await runSql();
    viewMs.push(vw), viewCpu.push(vc), sqlMs.push(sw), sqlCpu.push(sc);
  }
  const v = median(viewMs), s = median(sqlMs), vc = median(viewCpu), sc = median(sqlCpu);
  console.log(`${id.padEnd(11)} view ${(v / 1000).toFixed(2)} s (runs ${viewMs.map((x) => (x / 1000).toFixed(2)).join(', ')}; CPU ${(vc / 1000).toFixed(2)} s), ` +
    `SQL ${(s / 1000).toFixed(2)} s (CPU ${(sc / 1000).toFixed(2)} s), ratio ${(v / s).toFixed(2)} wall, ${(vc / sc).toFixed(2)} CPU — ${report.title}`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await store.close();
