// Issue 2's hint, measured: "DuckDB's own read_csv reads about 1,000,000 lines/s of this log". How
// fast could ingest be if DuckDB did all of it: read the raw CloudFront log, compute the stored
// columns in SQL and write them, with no JavaScript per line? Only what SQL cannot do is done in
// JavaScript, once per distinct value: the user agent (ua-parser-js) and the public-suffix split of
// the two host names, joined back in. This is an upper bound, not a product path: it skips the
// validation and dead letters of the parser, the IPv6 canonical form, `x-forwarded-for` lists and
// detection (rules run on events in the parser threads), and it writes a fresh table with no
// duplicate check unless --insert is given (then an empty table first, and INSERT … WHERE NOT EXISTS as
// the store's loads do).
//
//   node bench/cloudfront-sql-ceiling.js [--log bench/out/cloudfront-1000000.log] [--memory 512MB] [--insert]
//
// Prints lines/s (wall, start to checkpoint) and CPU-µs per line.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseEncodedUserAgent } = await import(join(root, 'dist', 'ecs', 'user-agent.js'));
const { splitDomain } = await import(join(root, 'dist', 'ecs', 'domain.js'));

const log = arg('log', join(root, 'bench', 'out', 'cloudfront-1000000.log'));
const memory = arg('memory', '512MB');
const head = readFileSync(log, 'utf8').slice(0, 1 << 16).split('\n');
const skip = head.findIndex((l) => !l.startsWith('#'));
const dir = mkdtempSync(join(tmpdir(), 'pt-sql-ceiling-'));
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

const instance = await DuckDBInstance.create(join(dir, 'ceiling.duckdb'), { memory_limit: memory, checkpoint_threshold: '256MB' });
const con = await instance.connect();
// One VARCHAR per line, split on tabs in SQL: the raw line is also what event.id hashes.
const lines = `(SELECT l, string_split(l, chr(9)) AS v FROM read_csv(${lit(log)}, columns={'l': 'VARCHAR'}, delim=chr(1), quote='', escape='',
  header=false, skip=${skip}, auto_detect=false))`;
const c0 = cpuSeconds();
const t0 = performance.now();

// Pass 1: the distinct values that need JavaScript.
const distinct = await con.runAndReadAll(`SELECT 'ua' AS k, v[11] FROM ${lines} GROUP BY 2 UNION ALL SELECT 'host', lower(h) FROM
  (SELECT unnest([v[7], v[16]]) AS h FROM ${lines}) GROUP BY 2`);
await con.run(`CREATE TEMP TABLE ua (raw VARCHAR, original VARCHAR, name VARCHAR, version VARCHAR, os_name VARCHAR, os_version VARCHAR, os_full VARCHAR, device VARCHAR)`);
await con.run(`CREATE TEMP TABLE host (raw VARCHAR, registered VARCHAR, sub VARCHAR, tld VARCHAR)`);
const uaRows = await con.createAppender('ua');
const hostRows = await con.createAppender('host');
for (const [kind, value] of distinct.getRows()) {
  if (value === null) continue;
  if (kind === 'ua') {
    const u = parseEncodedUserAgent(value);
    for (const x of [value, u.original, u.name, u.version, u.os?.name, u.os?.version, u.os?.full, u.device?.name]) {
      if (x === undefined) uaRows.appendNull();
      else uaRows.appendVarchar(String(x));
    }
    uaRows.endRow();
  } else {
    const d = splitDomain(value);
    for (const x of [value, d?.registered_domain, d?.subdomain, d?.top_level_domain]) {
      if (x === undefined) hostRows.appendNull();
      else hostRows.appendVarchar(x);
    }
    hostRows.endRow();
  }
}
uaRows.closeSync();
hostRows.closeSync();
const t1 = performance.now();

// Pass 2: every column of the table, computed and written.
const insert = process.argv.includes('--insert');
const n = (i) => `nullif(nullif(v[${i}], '-'), '')`;
const url = `v[17] || '://' || lower(v[16]) || v[8] || coalesce('?' || ${n(12)}, '')`;
const select = `SELECT
  replace(replace(rtrim(to_base64(from_hex(left(sha256('aws.cloudfront' || chr(10) || l), 32))), '='), '+', '-'), '/', '_') AS event_id,
  '8.17.0' AS ecs_version, CAST(v[1] || ' ' || v[2] AS TIMESTAMP) AS "timestamp",
  'aws.cloudfront' AS event_dataset, 'aws' AS event_module, 'event' AS event_kind, ['web'] AS event_category, ['access'] AS event_type,
  coalesce(${n(23)}, ${n(14)}) AS event_action,
  CASE WHEN CAST(v[9] AS INT) = 0 OR CAST(v[9] AS INT) >= 400 THEN 'failure' ELSE 'success' END AS event_outcome,
  CAST(round(CAST(v[19] AS DOUBLE) * 1e9) AS BIGINT) AS event_duration, CAST(now() AS TIMESTAMP) AS event_ingested,
  ${lit(log)} AS log_file_path, 'AWS' AS observer_vendor, 'CloudFront' AS observer_product, 'cdn' AS observer_type,
  'aws' AS cloud_provider, 'cloudfront' AS cloud_service_name,
  v[5] AS source_address, v[5] AS source_ip, CAST(v[27] AS BIGINT) AS source_port,
  v[7] AS destination_address, lower(v[7]) AS destination_domain, dh.registered AS destination_registered_domain,
  dh.sub AS destination_subdomain, dh.tld AS destination_top_level_domain,
  v[3] AS server_geo_name, CASE WHEN v[24] = 'HTTP/3.0' THEN 'udp' ELSE 'tcp' END AS network_transport, v[17] AS network_protocol,
  CASE WHEN contains(v[5], ':') THEN 'ipv6' ELSE 'ipv4' END AS network_type,
  v[15] AS http_request_id, v[6] AS http_request_method, CAST(v[18] AS BIGINT) AS http_request_bytes,
  nullif(CAST(v[9] AS BIGINT), 0) AS http_response_status_code, CAST(v[4] AS BIGINT) AS http_response_bytes,
  CAST(${n(31)} AS BIGINT) AS http_response_body_bytes, url_decode(${n(30)}) AS http_response_mime_type,
  regexp_replace(v[24], '^HTTP/', '', 'i') AS http_version,
  ${url} AS url_original, ${url} AS url_full, v[17] AS url_scheme, lower(v[16]) AS url_domain, uh.registered AS url_registered_domain,
  uh.sub AS url_subdomain, uh.tld AS url_top_level_domain, v[8] AS url_path, ${n(12)} AS url_query,
  nullif(lower(regexp_extract(v[8], '\\.([A-Za-z0-9]{1,16})$', 1)), '') AS url_extension,
  ua.original AS user_agent_original, ua.name AS user_agent_name, ua.version AS user_agent_version, ua.os_name AS user_agent_os_name,
  ua.os_version AS user_agent_os_version, ua.os_full AS user_agent_os_full, ua.device AS user_agent_device_name,
  regexp_extract(v[21], '^(TLS|SSL)v?([\\d.]+)$', 2) AS tls_version, lower(regexp_extract(v[21], '^(TLS|SSL)v?([\\d.]+)$', 1)) AS tls_version_protocol,
  v[22] AS tls_cipher, [v[5]] AS related_ip, list_distinct([lower(v[7]), lower(v[16])]) AS related_hosts,
  v[7] AS aws_cloudfront_domain, v[3] AS aws_cloudfront_edge_location, v[14] AS aws_cloudfront_edge_result_type,
  v[23] AS aws_cloudfront_edge_response_result_type, v[29] AS aws_cloudfront_edge_detailed_result_type,
  CAST(v[19] AS DOUBLE) AS aws_cloudfront_time_taken, CAST(v[28] AS DOUBLE) AS aws_cloudfront_time_to_first_byte
FROM ${lines} AS r
LEFT JOIN ua ON ua.raw = r.v[11]
LEFT JOIN host AS dh ON dh.raw = lower(r.v[7])
LEFT JOIN host AS uh ON uh.raw = lower(r.v[16])`;
if (insert) {
  // As a store load would: into the existing table, leaving out the rows already stored.
  await con.run(`CREATE TABLE events_aws_cloudfront AS ${select} LIMIT 0`);
  await con.run(`INSERT INTO events_aws_cloudfront SELECT * FROM (${select}) AS s
    WHERE NOT EXISTS (SELECT 1 FROM events_aws_cloudfront AS e WHERE e.event_id = s.event_id)`);
} else {
  await con.run(`CREATE TABLE events_aws_cloudfront AS ${select}`);
}
await con.run('CHECKPOINT');
const wall = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - c0;
const rows = Number((await con.runAndReadAll('SELECT count(*) FROM events_aws_cloudfront')).getRows()[0][0]);
const width = Number((await con.runAndReadAll(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'events_aws_cloudfront'`)).getRows()[0][0]);
con.closeSync();
instance.closeSync();
rmSync(dir, { recursive: true, force: true });
console.log(
  `DuckDB-only CloudFront load (${insert ? 'INSERT with the duplicate check' : 'CREATE TABLE AS'}): ${rows.toLocaleString('en-US')} lines × ${width} columns in ${wall.toFixed(2)} s = ` +
    `${Math.round(rows / wall).toLocaleString('en-US')} lines/s (distinct-value pass ${((t1 - t0) / 1000).toFixed(2)} s); ` +
    `${((cpu * 1e6) / rows).toFixed(1)} CPU-µs per line; memory limit ${memory}; ${availableParallelism()} cores; ` +
    `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
