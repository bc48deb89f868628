// Issue 7 benchmark: `packettrail trail` by request id against a full-scan aggregate on the same store,
// and the seed's SPL query against the equivalent hand-written SQL, in one process on one open store.
//
//   node bench/trail.js [--db /work/bench-data/store10m.duckdb] [--truth <scenario>/truth.json] [--runs 7] [--memory 6GB]
//
// The store is opened read-only; `indexes` tells whether it has the trail's exact-id indexes
// (`packettrail index --db COPY` on a copy: the benchmark never writes to the store it is given). Request ids come from truth.json (zscaler-bypass: every hop; burp-scan:
// ends at the WAF) plus one bulk CloudFront line that no other source logged (the worst case: the id is
// only in the largest table). Each figure is the median of --runs runs after one warm-up run.
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { buildTrail } from '../dist/trail/index.js';
import { compileSpl, loadAliases } from '../dist/query/spl/index.js';
import { SEED_SPL } from '../dist/query/spl/seed.fixture.js';
import { allColumns } from '../dist/store/schema.js';
import { listFormats } from '../dist/formats/registry.js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { arg } from './lib.js';

const db = arg('db', '/work/bench-data/store10m.duckdb');
const truthPath = arg('truth', db.replace(/store10m\.duckdb$/, 'scenario10m/truth.json'));
const runs = Number(arg('runs', '7'));

const FULL_SCAN = 'SELECT count(*), count(DISTINCT source_ip) FROM events';
// What an analyst writes by hand for the seed's question: one row per URL across the six sources.
const HAND_SQL = `SELECT coalesce(url_full, url_original) AS url, min("timestamp") AS first, max("timestamp") AS last,
  list_sort(list_distinct(list(coalesce(user_email, process_user_email, source_user_email, user_name, source_user_name)))) AS users,
  list_sort(list_distinct(list(coalesce(source_ip, client_ip)))) AS src_ips,
  list_sort(list_distinct(list(source_nat_ip))) AS nat_src_ips,
  list_sort(list_distinct(list(aws_cloudfront_edge_location))) AS edge_locations,
  list_sort(list_distinct(list(aws_cloudfront_edge_result_type))) AS cache_status,
  list_sort(list_distinct(list(network_application))) AS appids,
  list_sort(list_distinct(list(coalesce(panw_panos_action, aws_waf_action, event_action)))) AS actions
FROM events
WHERE event_dataset IN ('microsoft.defender', 'cisco.umbrella', 'zscaler.zia', 'panw.panos', 'aws.cloudfront', 'app.json')
  AND coalesce(url_full, url_original) IS NOT NULL
  AND (rtrim(coalesce(url_full, url_original), '/') ILIKE 'https://app.example.com' OR coalesce(url_domain, destination_domain, dns_question_name) ILIKE 'app.example.com')
GROUP BY 1 ORDER BY 1`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let firstMs = 0;
async function time(fn) {
  const t0 = performance.now();
  await fn();
  firstMs = performance.now() - t0;
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

// The seed query's values() lists hold every matching row's value before de-duplication: 1 GB (the
// store's default limit) is not enough for them over 10 M rows.
const store = await DuckDbStore.open(db, { readOnly: true, memoryLimit: arg('memory', '6GB') });
const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
const firstId = (incident, pick = (refs) => refs[0]) => {
  const refs = truth.incidents.find((i) => i.id === incident).events.filter((e) => e.dataset === 'aws.waf').map((e) => e.match['http.request.id']);
  return pick(refs);
};
const blocked = (await store.query(`SELECT http_request_id FROM events_aws_waf WHERE aws_waf_action = 'BLOCK' AND source_ip = '192.0.2.150' LIMIT 1`)).rows[0]?.[0];
const bulk = (await store.query(`SELECT http_request_id FROM events_aws_cloudfront WHERE http_request_id LIKE '%==' AND source_port IS NOT NULL LIMIT 1 OFFSET 5000000`)).rows[0]?.[0];
const cases = [
  ['zscaler-bypass (all 7 hops)', firstId('zscaler-bypass')],
  ['burp-scan (ends at the WAF)', blocked],
  ['bulk CloudFront line only', bulk],
].filter(([, id]) => id);

const events = (await store.query('SELECT count(*) FROM events')).rows[0][0];
const indexes = (await store.query(`SELECT count(*) FROM duckdb_indexes() WHERE index_name LIKE 'trail\\_%' ESCAPE '\\'`)).rows[0][0];
console.log(`store ${db}: ${events} events, ${indexes} trail indexes; runs ${runs}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const full = await time(() => store.query(FULL_SCAN));
console.log(`full-scan aggregate (${FULL_SCAN}): ${full.toFixed(1)} ms`);
for (const [label, id] of cases) {
  let last;
  const ms = await time(async () => {
    last = await buildTrail(store, { requestId: id });
  });
  const hops = last.hops.filter((h) => h.events.length).map((h) => h.kind).join(',');
  console.log(`trail --request-id, ${label}: ${ms.toFixed(1)} ms = ${((ms / full) * 100).toFixed(1)} % of the full scan (${last.queries} queries; hops ${hops}; first run ${firstMs.toFixed(1)} ms) [target ≤ 10 %]`);
}

const catalog = allColumns(listFormats());
const compiled = compileSpl(SEED_SPL, { catalog, aliases: loadAliases(catalog, []) });
const splMs = await time(async () => {
  const c = compileSpl(SEED_SPL, { catalog, aliases: loadAliases(catalog, []) });
  await store.query(c.sql, c.params);
});
const sqlMs = await time(() => store.query(HAND_SQL));
const splRows = (await store.query(compiled.sql, compiled.params)).rows.length;
const sqlRows = (await store.query(HAND_SQL)).rows.length;
console.log(`seed SPL (compile + run): ${splMs.toFixed(1)} ms, ${splRows} rows; hand-written SQL: ${sqlMs.toFixed(1)} ms, ${sqlRows} rows; ratio ${(splMs / sqlMs).toFixed(2)}× [target ≤ 1.2×]`);
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await store.close();
