// Benchmark: the insights views of issue 8 §3–6 (cloudtrail, vpc, coverage) against hand-written
// DuckDB SQL that computes the same answers, on an existing store opened read-only.
// For each view: one warm-up run, then --runs timed runs of the view function and of the SQL; prints
// the medians and their ratio (the target: view ≤ 2 s and ≤ 1.5 × SQL).
// Usage: npm run build && node bench/insights-audit.js [--db /work/bench-data/store10m.duckdb] [--runs 5] [--views cloudtrail,vpc,coverage]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { DuckDbStore } = await import(join(ROOT, 'dist/store/duckdb/duckdb-store.js'));
const { getInsightView } = await import(join(ROOT, 'dist/insights/views.js'));
const { watchedCalls } = await import(join(ROOT, 'dist/insights/cloudtrail/changes.js'));
const { bucketSeconds } = await import(join(ROOT, 'dist/insights/time-range.js'));

const db = arg('db', '/work/bench-data/store10m.duckdb');
const runs = Number(arg('runs', '5'));
const views = arg('views', 'cloudtrail,vpc,coverage').split(',');

const calls = JSON.stringify(watchedCalls().flatMap((c) => c.names.map((n) => `${c.source}:${n}`)));
// Internal addresses (RFC 1918, CGNAT, loopback, link-local, IPv6 ULA/link-local/loopback): one regular expression, as an analyst would write it.
const internal = (c) => `regexp_matches(${c}, '^(10\\.|127\\.|169\\.254\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.|f[cd][0-9a-f]{2}:|fe[89ab][0-9a-f]:|::1$)')`;
const SENSITIVE = '22, 23, 135, 139, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 5984, 6379, 9042, 9200, 11211, 27017';

/**
 * What an analyst would type for the same answers as the vpc view (same filters, columns, order and
 * limits), straight on the flow table. Columns the table lacks (a store without v5 fields) are NULL.
 */
function vpcSql(have, widthS) {
  const c = (name) => (have.has(name) ? name : 'NULL');
  const bytes = `coalesce(${c('source_bytes')}, ${c('network_bytes')}, 0)`;
  const packets = `coalesce(${c('source_packets')}, ${c('network_packets')}, 0)`;
  const flows = `FROM events_aws_vpcflow WHERE event_action IN ('accept', 'reject') AND source_ip IS NOT NULL AND destination_ip IS NOT NULL`;
  const direction = c('network_direction');
  return [
    `SELECT count(*), count(*) FILTER (event_action = 'reject'), sum(${bytes}), min("timestamp"), max("timestamp") ${flows}`,
    `SELECT epoch_ms("timestamp") // ${widthS * 1000} * ${widthS} b, count(*), count(*) FILTER (event_action = 'reject') ${flows} GROUP BY b`,
    `SELECT source_ip, destination_ip, count(*) n, sum(${packets}), sum(${bytes}) b, count(*) FILTER (event_action = 'reject') ${flows}
       GROUP BY 1, 2 ORDER BY b DESC, n DESC, 1, 2 LIMIT 10`,
    `SELECT destination_port, coalesce(${c('network_transport')}, ${c('network_iana_number')}) p, count(*) n, count(DISTINCT source_ip), count(DISTINCT destination_ip), mode(source_ip)
       ${flows} AND event_action = 'reject' GROUP BY 1, 2 ORDER BY n DESC, 1 LIMIT 10`,
    `SELECT source_ip, count(*) n, count(DISTINCT destination_ip), count(DISTINCT destination_port), min("timestamp"), max("timestamp"), NOT ${internal('source_ip')}
       ${flows} AND event_action = 'reject' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10`,
    // Scans: ≥ 5 host:port targets and ≥ 10 rejected flows in a 10-minute window, windows laid at two offsets; then every flow of the source in those windows.
    `WITH f AS (SELECT source_ip src, destination_ip dst, destination_port dport, event_action a, "timestamp" ts,
         epoch_ms("timestamp") // 600000 w0, (epoch_ms("timestamp") + 300000) // 600000 w1 ${flows}),
       b0 AS (SELECT src, w0 FROM f WHERE a = 'reject' GROUP BY ALL HAVING count(DISTINCT (dst, dport)) >= 5 AND count(*) >= 10),
       b1 AS (SELECT src, w1 FROM f WHERE a = 'reject' GROUP BY ALL HAVING count(DISTINCT (dst, dport)) >= 5 AND count(*) >= 10)
     SELECT f.src, count(DISTINCT (dst, dport)), list(DISTINCT dport ORDER BY dport), count(DISTINCT dst), count(*) FILTER (a = 'reject') r, count(*) FILTER (a <> 'reject'), min(ts), max(ts)
     FROM f LEFT JOIN b0 ON f.src = b0.src AND f.w0 = b0.w0 LEFT JOIN b1 ON f.src = b1.src AND f.w1 = b1.w1
     WHERE b0.src IS NOT NULL OR b1.src IS NOT NULL GROUP BY f.src ORDER BY r DESC, f.src`,
    `SELECT source_ip, destination_port, event_action, count(*) n, count(DISTINCT destination_ip), min(destination_ip), max(destination_ip), sum(${bytes}), min("timestamp"), max("timestamp")
       ${flows} AND destination_port IN (${SENSITIVE}) AND coalesce(${direction}, '') <> 'egress' AND NOT ${internal('source_ip')} AND ${internal('destination_ip')}
       GROUP BY 1, 2, 3 ORDER BY event_action = 'accept' DESC, n DESC, 1, 2 LIMIT 5000`,
    `SELECT destination_ip, sum(${bytes}) b, count(*), count(DISTINCT source_ip), list(DISTINCT destination_port ORDER BY destination_port)[1:8], min("timestamp"), max("timestamp")
       ${flows} AND event_action = 'accept' AND coalesce(${direction}, '') <> 'ingress' AND ${internal('source_ip')} AND NOT ${internal('destination_ip')}
       GROUP BY 1 ORDER BY b DESC, 1 LIMIT 10`,
  ];
}

// What an analyst would type for the same answers, straight on the dataset tables.
const HAND_WRITTEN = {
  cloudtrail: [
    `SELECT "timestamp", event_provider, event_action, event_outcome, cloud_region, source_ip, user_agent_original, user_name,
       aws_cloudtrail_user_identity_arn, aws_cloudtrail_user_identity_type, aws_cloudtrail_user_identity_access_key_id, CAST(aws_cloudtrail_request_parameters AS VARCHAR)
     FROM events_aws_cloudtrail WHERE event_provider || ':' || event_action IN (SELECT unnest(from_json('${calls}', '["VARCHAR"]'))) ORDER BY "timestamp"`,
    `SELECT min("timestamp"), max("timestamp"), count(*) FROM events_aws_cloudtrail`,
    `SELECT aws_cloudtrail_user_identity_arn, source_ip, min("timestamp") FROM events_aws_cloudtrail GROUP BY 1, 2`,
    `SELECT id, list(DISTINCT rule_title) FROM (SELECT unnest(event_ids) AS id, rule_title FROM alerts) WHERE id IN (SELECT event_id FROM events_aws_cloudtrail WHERE aws_cloudtrail_read_only = false) GROUP BY id`,
  ],
  // Built from the table's columns and the view's bucket width (below).
  vpc: null,
  // Per dataset, distribution and interface: 5-minute buckets, the gaps between them, the last event.
  coverage: null,
};

/**
 * The coverage view's answers by hand: per source at each level the view reports (dataset, account,
 * CloudFront distribution, network interface), 5-minute buckets, the silences between them, their
 * 95th percentile, and the silences longer than 3 × that (at least 15 minutes) with their bounds.
 */
async function coverageSql(store) {
  const tables = await store.datasetColumns();
  const col = (have, name) => (have.has(name) ? `"${name}"` : 'NULL');
  const union = [...tables.entries()].map(([t, have]) =>
    `SELECT any_value(event_dataset) ds, ${col(have, 'cloud_account_id')} acc,
       ${t === 'events_aws_cloudfront' ? col(have, 'aws_cloudfront_distribution_id') : 'NULL'} dist, ${t === 'events_aws_vpcflow' ? col(have, 'observer_ingress_interface_name') : 'NULL'} eni,
       epoch_ms("timestamp") // 300000 b, count(*) n, min("timestamp") f, max("timestamp") l FROM "${t}" WHERE "timestamp" IS NOT NULL GROUP BY ALL`).join(' UNION ALL ');
  const level = (name, key) => `SELECT '${name}' lvl, ds, ${key} AS key, b, sum(n) n, min(f) f, max(l) l FROM x${key === 'ds' ? '' : ` WHERE ${key} IS NOT NULL`} GROUP BY ds, ${key}, b`;
  return [
    `WITH x AS (${union}),
       lv AS (${[level('dataset', 'ds'), level('account', 'acc'), level('distribution', 'dist'), level('interface', 'eni')].join(' UNION ALL ')}),
       g AS (SELECT *, lag(l) OVER w prev, epoch_ms(f) - epoch_ms(lag(l) OVER w) gap FROM lv WINDOW w AS (PARTITION BY lvl, ds, key ORDER BY b)),
       p AS (SELECT lvl, ds, key, quantile_cont(gap, 0.95) p95 FROM g GROUP BY ALL)
     SELECT g.lvl, g.ds, g.key, count(*), sum(n), min(f), max(l), any_value(p95),
       list([CAST(prev AS VARCHAR), CAST(f AS VARCHAR)] ORDER BY b) FILTER (gap > greatest(900000, 3 * coalesce(p95, 0))),
       list([b, n] ORDER BY b) FILTER (g.lvl = 'dataset')
     FROM g JOIN p USING (lvl, ds, key) GROUP BY ALL`,
  ];
}

async function vpcBaseline(store) {
  const have = (await store.datasetColumns()).get('events_aws_vpcflow');
  const [first, last] = (await store.query(`SELECT epoch_ms(min("timestamp")), epoch_ms(max("timestamp")) FROM events_aws_vpcflow`)).rows[0];
  return vpcSql(have, bucketSeconds({}, Number(last) - Number(first)));
}

/** The baseline must answer what the view answers: same totals and the same rows in its tables. */
function sameVpcAnswers(report, [totals, , talkers, byPort, bySource, scans, , out]) {
  const rows = (id) => report.sections.find((s) => s.id === id).rows;
  const check = (what, ok) => {
    if (!ok) throw new Error(`vpc baseline differs from the view: ${what}`);
  };
  check('totals', report.title.includes(`${totals[0][0]} flow records, ${totals[0][1]} rejected`));
  const scanFindings = report.sections[0].findings.filter((f) => f.title.startsWith('Port scan from ')).map((f) => f.title.slice(15));
  check(`scans ${scanFindings.length} vs ${scans.length}`, scanFindings.join() === scans.map((r) => r[0]).join());
  for (const [id, base] of [['top-talkers', talkers], ['rejected-by-source', bySource], ['bytes-out', out], ['rejected-by-port', byPort]]) {
    const mine = rows(id);
    check(`${id} rows ${mine.length} vs ${base.length}`, mine.length === base.length);
    check(`${id} first row`, mine.length === 0 || String(mine[0][id === 'rejected-by-port' ? 2 : 0]) === String(base[0][id === 'rejected-by-port' ? 2 : 0]));
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const store = await DuckDbStore.open(db, { readOnly: true });
const counts = (await store.query(`SELECT event_dataset, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC`)).rows;
const total = counts.reduce((a, r) => a + Number(r[1]), 0);
const rows = (ds) => Number(counts.find((r) => r[0] === ds)?.[1] ?? 0).toLocaleString('en-US');
console.log(`store ${db}: ${total.toLocaleString('en-US')} events (${rows('aws.cloudtrail')} CloudTrail, ${rows('aws.vpcflow')} VPC flow); ${runs} runs each, medians; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('view        view ms   SQL ms   ratio   target');
const tables = new Set((await store.query(`SELECT table_name FROM information_schema.tables`)).rows.map((r) => r[0]));
const NEEDS = { cloudtrail: 'events_aws_cloudtrail', vpc: 'events_aws_vpcflow' };
for (const id of views) {
  if (NEEDS[id] && !tables.has(NEEDS[id])) {
    console.log(`${id.padEnd(10)} skipped: no ${NEEDS[id]} in this store`);
    continue;
  }
  const view = getInsightView(id);
  const sql = id === 'vpc' ? await vpcBaseline(store) : (HAND_WRITTEN[id] ?? (await coverageSql(store)));
  const runSql = async () => {
    const out = [];
    for (const q of sql) out.push((await store.query(q)).rows);
    return out;
  };
  const report = await view.run(store, {});
  const answers = await runSql();
  if (id === 'vpc') sameVpcAnswers(report, answers);
  // Coverage: one row per source at every level, as the view's sources table.
  if (id === 'coverage' && report.sections.find((x) => x.id === 'sources').rows.length !== answers[0].length) {
    throw new Error(`coverage baseline differs from the view: ${answers[0].length} sources vs ${report.sections.find((x) => x.id === 'sources').rows.length}`);
  }
  const v = [];
  const s = [];
  for (let i = 0; i < runs; i++) {
    v.push(await time(() => view.run(store, {})));
    s.push(await time(runSql));
  }
  const mv = median(v);
  const ms = median(s);
  const ok = mv <= 2000 && mv <= 1.5 * ms;
  console.log(`${id.padEnd(10)} ${mv.toFixed(0).padStart(8)} ${ms.toFixed(0).padStart(8)} ${(mv / ms).toFixed(2).padStart(7)}   ${ok ? 'met' : 'NOT met'}`);
}
await store.close();
