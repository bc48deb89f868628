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

const db = arg('db', '/work/bench-data/store10m.duckdb');
const runs = Number(arg('runs', '5'));
const views = arg('views', 'cloudtrail,vpc,coverage').split(',');

const calls = JSON.stringify(watchedCalls().flatMap((c) => c.names.map((n) => `${c.source}:${n}`)));
const INTERNAL = `regexp_matches(%, '^(10\\.|127\\.|169\\.254\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.)')`;
const internal = (c) => INTERNAL.replace('%', c);

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
  vpc: [
    `SELECT count(*), count(*) FILTER (event_action = 'reject'), sum(source_bytes), min("timestamp"), max("timestamp") FROM events_aws_vpcflow`,
    `SELECT epoch_ms("timestamp") // 300000, count(*), count(*) FILTER (event_action = 'reject') FROM events_aws_vpcflow GROUP BY 1`,
    `SELECT source_ip, destination_ip, count(*), sum(source_packets), sum(source_bytes) b FROM events_aws_vpcflow GROUP BY 1, 2 ORDER BY b DESC LIMIT 10`,
    `SELECT destination_port, network_transport, count(*) n, count(DISTINCT source_ip), count(DISTINCT destination_ip), mode(source_ip) FROM events_aws_vpcflow WHERE event_action = 'reject' GROUP BY 1, 2 ORDER BY n DESC LIMIT 10`,
    `SELECT source_ip, count(*) n, count(DISTINCT destination_ip), count(DISTINCT destination_port), min("timestamp"), max("timestamp") FROM events_aws_vpcflow WHERE event_action = 'reject' GROUP BY 1 ORDER BY n DESC LIMIT 10`,
    `SELECT source_ip, epoch_ms("timestamp") // 600000 w, count(DISTINCT destination_ip || ':' || destination_port) t, count(*) FILTER (event_action = 'reject') r FROM events_aws_vpcflow GROUP BY 1, 2 HAVING t >= 5 AND r >= 10`,
    `SELECT source_ip, destination_port, event_action, count(*) FROM events_aws_vpcflow WHERE destination_port IN (22, 23, 135, 139, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 5984, 6379, 9042, 9200, 11211, 27017)
       AND NOT ${internal('source_ip')} AND ${internal('destination_ip')} GROUP BY 1, 2, 3`,
    `SELECT destination_ip, sum(source_bytes) b FROM events_aws_vpcflow WHERE event_action = 'accept' AND ${internal('source_ip')} AND NOT ${internal('destination_ip')} GROUP BY 1 ORDER BY b DESC LIMIT 10`,
  ],
  // Per dataset, distribution and interface: 5-minute buckets, the gaps between them, the last event.
  coverage: null,
};

async function coverageSql(store) {
  const tables = (await store.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'events\\_%' ESCAPE '\\'`)).rows.map((r) => r[0]);
  const key = (t) => (t === 'events_aws_cloudfront' ? 'aws_cloudfront_distribution_id' : t === 'events_aws_vpcflow' ? 'observer_ingress_interface_name' : 'NULL');
  const union = tables.map((t) => `SELECT any_value(event_dataset) ds, ${key(t)} k, epoch_ms("timestamp") // 300000 b, count(*) n, min("timestamp") f, max("timestamp") l FROM "${t}" GROUP BY ALL`).join(' UNION ALL ');
  return [
    `WITH x AS (${union}), g AS (SELECT ds, k, b, n, f, l, epoch(f) - epoch(lag(l) OVER (PARTITION BY ds, k ORDER BY b)) gap FROM x)
     SELECT ds, k, sum(n), max(l), quantile_cont(gap, 0.95), max(gap) FROM g GROUP BY ds, k`,
  ];
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
  const sql = HAND_WRITTEN[id] ?? (await coverageSql(store));
  const runSql = async () => {
    for (const q of sql) await store.query(q);
  };
  await view.run(store, {});
  await runSql();
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
