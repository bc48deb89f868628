// The seed's question, a trail by request id and the CloudFront insights view on the same events in
// DuckDB, in one ClickHouse node and in a two-shard ClickHouse cluster (loopback), in one run: the
// median of --runs runs after one warm-up run, and each engine's ratio to DuckDB.
//
//   npx tsc -p tsconfig.json
//   node bench/clickhouse-queries.js --logs DIR [--truth DIR/../truth.json] [--duckdb STORE] [--runs 5]
//   node bench/clickhouse-queries.js --scale 1 [--runs 5]        (generates the demo scenario first)
//   node bench/clickhouse-queries.js --truth T.json --duckdb STORE --ch-one URL [--ch-two URL] [--memory 6GB] [--request-id ID]
//       (stores built beforehand, e.g. by bench/clickhouse-copy.js: nothing started, nothing ingested;
//       --ch-one none: DuckDB alone)
//
// The stores: `packettrail ingest -q --no-builtin-rules --threads 2` of the same logs into a fresh
// DuckDB file (or the --duckdb store, opened read-only), into one ClickHouse node and into the
// cluster, both started here (fresh temporary directories, stopped by PID). The request id followed
// is the zscaler-bypass incident's (every hop) from truth.json.
//
// The seed's question twice: the seed's SPL compiled for each store's dialect (compile + run, as
// `packettrail query` does), and the hand-written SQL of bench/trail.js written once per engine: one
// row per URL across six sources. Bytes on disk per event: the DuckDB file's size, ClickHouse's
// system.parts bytes_on_disk (active parts, every node), each over the events the store holds.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startClickHouse } = await import(join(root, 'dist', 'testing', 'clickhouse.js'));
const { openStore } = await import(join(root, 'dist', 'store', 'open.js'));
const { buildTrail } = await import(join(root, 'dist', 'trail', 'index.js'));
const { CLOUDFRONT_VIEW } = await import(join(root, 'dist', 'insights', 'cloudfront', 'index.js'));
const { compileSplOn, loadAliases } = await import(join(root, 'dist', 'query', 'spl', 'index.js'));
const { SEED_SPL } = await import(join(root, 'dist', 'query', 'spl', 'seed.fixture.js'));
const { allColumns } = await import(join(root, 'dist', 'store', 'schema.js'));
const { listFormats } = await import(join(root, 'dist', 'formats', 'registry.js'));
const cli = join(root, 'dist', 'cli', 'main.js');
const catalog = allColumns(listFormats());
const aliases = loadAliases(catalog, []);

const runs = Number(arg('runs', '5'));
const dir = mkdtempSync(join(tmpdir(), 'pt-ch-queries-'));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
let logs = arg('logs', undefined);
const given = { one: arg('ch-one', undefined), two: arg('ch-two', undefined) };
if (!logs && !given.one) {
  execFileSync('node', [cli, 'generate', '--out', join(dir, 'scenario'), '--scale', arg('scale', '1'), '--seed', 'packettrail', '--end', '2026-12-07T16:00:00Z'], { stdio: 'ignore' });
  logs = join(dir, 'scenario', 'logs');
}
const truth = JSON.parse(readFileSync(arg('truth', logs ? join(logs, '..', 'truth.json') : undefined), 'utf8'));

const DATASETS = "('microsoft.defender', 'cisco.umbrella', 'zscaler.zia', 'panw.panos', 'aws.cloudfront', 'app.json')";
const SEED_SQL = {
  duckdb: `SELECT coalesce(url_full, url_original) AS url, min("timestamp") AS first, max("timestamp") AS last,
  list_sort(list_distinct(list(coalesce(user_email, process_user_email, source_user_email, user_name, source_user_name)))) AS users,
  list_sort(list_distinct(list(coalesce(source_ip, client_ip)))) AS src_ips,
  list_sort(list_distinct(list(source_nat_ip))) AS nat_src_ips,
  list_sort(list_distinct(list(aws_cloudfront_edge_location))) AS edge_locations,
  list_sort(list_distinct(list(aws_cloudfront_edge_result_type))) AS cache_status,
  list_sort(list_distinct(list(network_application))) AS appids,
  list_sort(list_distinct(list(coalesce(panw_panos_action, aws_waf_action, event_action)))) AS actions
FROM events
WHERE event_dataset IN ${DATASETS}
  AND coalesce(url_full, url_original) IS NOT NULL
  AND (rtrim(coalesce(url_full, url_original), '/') ILIKE 'https://app.example.com' OR coalesce(url_domain, destination_domain, dns_question_name) ILIKE 'app.example.com')
GROUP BY 1 ORDER BY 1`,
  // 18.16: no ILIKE, no rtrim of given characters; nested ifNull (a many-argument coalesce over the
  // events view's UNION ALL corrupts 18.16's memory, see i24-dialect).
  clickhouse: `SELECT ifNull(url_full, url_original) AS url, min(timestamp) AS first, max(timestamp) AS last,
  arraySort(groupUniqArray(ifNull(user_email, ifNull(process_user_email, ifNull(source_user_email, ifNull(user_name, source_user_name)))))) AS users,
  arraySort(groupUniqArray(ifNull(source_ip, client_ip))) AS src_ips,
  arraySort(groupUniqArray(source_nat_ip)) AS nat_src_ips,
  arraySort(groupUniqArray(aws_cloudfront_edge_location)) AS edge_locations,
  arraySort(groupUniqArray(aws_cloudfront_edge_result_type)) AS cache_status,
  arraySort(groupUniqArray(network_application)) AS appids,
  arraySort(groupUniqArray(ifNull(panw_panos_action, ifNull(aws_waf_action, event_action)))) AS actions
FROM events
WHERE event_dataset IN ${DATASETS}
  AND ifNull(url_full, url_original) IS NOT NULL
  AND (lower(replaceRegexpOne(ifNull(url_full, url_original), '/+$', '')) = 'https://app.example.com' OR lower(ifNull(url_domain, ifNull(destination_domain, dns_question_name))) = 'app.example.com')
GROUP BY url ORDER BY url`,
};

/**
 * The active parts' bytes of the store's database on every node of its cluster, or on its one node.
 * The database is written out: `currentDatabase()` in a cluster() query is evaluated on each remote
 * shard, where the connection's database is the server's default (not the store's), and those
 * shards' parts were left out (the two-shard figure was half the one node's).
 */
function bytesSql(location) {
  const u = new URL(location.replace(/^clickhouse:/, 'http:'));
  const cluster = u.searchParams.get('cluster');
  const literal = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = cluster ? `cluster(${literal(cluster)}, system, parts)` : 'system.parts';
  return `SELECT sum(bytes_on_disk) FROM ${parts} WHERE active AND database = ${literal(decodeURIComponent(u.pathname.slice(1)))}`;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  await fn();
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function ingest(target) {
  const t0 = performance.now();
  const r = spawnSync('node', [cli, 'ingest', '-q', '--no-builtin-rules', '--threads', '2', ...target, logs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ingest ${target.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return (performance.now() - t0) / 1000;
}

const single = given.one ? undefined : await startClickHouse(1);
const pair = given.one ? undefined : await startClickHouse(2);
console.log(`Node ${process.version}; runs ${runs} after one warm-up; load average ${load()}`);
try {
  const duckdb = arg('duckdb', join(dir, 'store.duckdb'));
  const targets = [['DuckDB', duckdb, ['--db', duckdb]]];
  if (given.one) {
    if (given.one !== 'none') targets.push(['ClickHouse, one node', given.one]);
    if (given.two) targets.push(['ClickHouse, 2 shards', given.two]);
  } else {
    targets.push(['ClickHouse, one node', single.storeUrl('bench'), ['--store', single.storeUrl('bench')]]);
    // Every node's HTTP port (the loopback cluster's differ).
    const two = `${pair.storeUrl('bench')}&nodes=${pair.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',')}`;
    targets.push(['ClickHouse, 2 shards', two, ['--store', two]]);
    for (const [name, , args] of targets) {
      if (name === 'DuckDB' && arg('duckdb', undefined)) continue;
      console.log(`ingest into ${name}: ${ingest(args).toFixed(1)} s (load average ${load()})`);
    }
  }
  const requestId = arg('request-id', undefined) ?? truth.incidents.find((i) => i.id === 'zscaler-bypass').events.find((e) => e.dataset === 'aws.waf').match['http.request.id'];
  const results = [];
  for (const [name, location] of targets) {
    // The seed's values() lists hold every matching row's value before de-duplication: DuckDB's
    // default 1 GB is not enough over 10 M rows (bench/trail.js).
    const store = await openStore(location, { readOnly: true, duckdb: { memoryLimit: arg('memory', '1GB') } });
    try {
      const engine = store.dialect.name === 'clickhouse' ? 'clickhouse' : 'duckdb';
      const events = (await store.query('SELECT count(*) FROM events')).rows[0][0];
      const cf = (await store.query('SELECT count(*) FROM events_aws_cloudfront')).rows[0][0];
      let seedRows = 0;
      let splRows = 0;
      let hops = '';
      let sections = 0;
      const r = {
        name,
        spl: await time(async () => {
          const c = await compileSplOn((sql, params) => store.query(sql, params).then((x) => x.rows), SEED_SPL, { catalog, aliases, tables: await store.datasetColumns(), fn: store.dialect.fn });
          splRows = (await store.query(c.sql, c.params)).rows.length;
        }),
        seed: await time(async () => { seedRows = (await store.query(SEED_SQL[engine])).rows.length; }),
        trail: await time(async () => { hops = (await buildTrail(store, { requestId })).hops.filter((h) => h.events.length).map((h) => h.kind).join(','); }),
        cloudfront: await time(async () => { sections = (await CLOUDFRONT_VIEW.run(store, {})).sections.length; }),
      };
      results.push(r);
      const bytes = engine === 'duckdb'
        ? statSync(location).size
        : Number((await store.query(bytesSql(location))).rows[0][0]);
      console.log(
        `${name}: ${Number(events).toLocaleString('en-US')} events (${Number(cf).toLocaleString('en-US')} CloudFront), ${(bytes / Number(events)).toFixed(1)} bytes on disk per event (${(bytes / 1e6).toFixed(0)} MB); ` +
          `seed SPL compiled for the store ${r.spl.toFixed(0)} ms (${splRows} rows), seed question hand-written SQL ${r.seed.toFixed(0)} ms (${seedRows} rows), ` +
          `trail --request-id ${r.trail.toFixed(0)} ms (hops ${hops}), CloudFront view ${r.cloudfront.toFixed(0)} ms (${sections} sections); load average ${load()}`,
      );
    } finally {
      await store.close();
    }
  }
  const duck = results[0];
  for (const r of results.slice(1)) {
    console.log(`${r.name} ÷ DuckDB: seed SPL ${(r.spl / duck.spl).toFixed(2)}, seed SQL ${(r.seed / duck.seed).toFixed(2)}, trail ${(r.trail / duck.trail).toFixed(2)}, CloudFront view ${(r.cloudfront / duck.cloudfront).toFixed(2)}`);
  }
} finally {
  await single?.stop();
  await pair?.stop();
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
