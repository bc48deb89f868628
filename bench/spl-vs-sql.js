// Benchmark: SPL detections compiled by packettrail against hand-written SQL for the same answer, on
// one store. Each pair is a security_content detection over a source packettrail ingests (CloudTrail,
// VPC flow, Zscaler, CloudFront), written as the detection is, up to its first command packettrail
// does not run yet (`security_content_ctime` → convert, bucket/bin: the other half of issue 22), and
// the SQL an analyst would write against the dataset's table. Both run `--runs` times (median), after
// one warm-up; the answers must be equal. Target: SPL within 2× of the SQL.
// Build a store first, e.g. `packettrail demo --dir /tmp/pt-big --scale 100` (≈ 10 M events), and add
// CloudTrail volume with `node bench/cloudtrail.js --keep` + `packettrail ingest --db … /tmp/pt-bench-cloudtrail-1m`.
// Usage: node bench/spl-vs-sql.js --db /tmp/pt-big/packettrail.duckdb [--runs 5] [--only 3,7]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { DuckDbStore } = await import(join(root, 'dist/store/duckdb/duckdb-store.js'));
const { compileSplOn, loadAliases } = await import(join(root, 'dist/query/spl/index.js'));
const { allColumns } = await import(join(root, 'dist/store/schema.js'));
const { listFormats } = await import(join(root, 'dist/formats/registry.js'));

const DB = arg('db', '');
const RUNS = Number(arg('runs', '5'));
const ONLY = arg('only', '') ? new Set(arg('only', '').split(',').map(Number)) : null;
if (!DB) {
  console.error('usage: node bench/spl-vs-sql.js --db STORE.duckdb [--runs 5] [--only 1,2]');
  process.exit(2);
}

// The add-on's CloudTrail fields in SQL, as an analyst would write them once.
const SRC = 'coalesce(aws_cloudtrail_source_ip_address, source_address)';
const USER_ARN = `coalesce(aws_cloudtrail_user_identity_arn, json_extract_string(aws_cloudtrail_request_parameters, '$.roleArn'))`;
const ACCOUNT = `CASE WHEN aws_cloudtrail_user_identity_type IN ('AWSAccount', 'AWSService') THEN aws_cloudtrail_recipient_account_id ELSE aws_cloudtrail_user_identity_account_id END`;
const ERROR_CODE = `coalesce(aws_cloudtrail_error_code, CASE WHEN json_extract_string(aws_cloudtrail_response_elements, '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END)`;
const CT = 'events_aws_cloudtrail';

/** `eventName=X eventSource=Y userAgent!=console… errorCode=success | stats count min max values(requestParameters.K) by src region eventName userAgent user_arn aws_account_id`. */
function evasion(name, source, key, as) {
  return {
    name: `aws ${name}`,
    spl: `\`cloudtrail\` eventName = ${name} eventSource = ${source} userAgent !=console.amazonaws.com errorCode = success | stats count min(_time) as firstTime max(_time) as lastTime values(requestParameters.${key}) as ${as} by src region eventName userAgent user_arn aws_account_id`,
    sql: `SELECT ${SRC} AS src, cloud_region AS region, event_action AS "eventName", user_agent_original AS "userAgent", ${USER_ARN} AS user_arn, ${ACCOUNT} AS aws_account_id,
      count(*) AS count, min(timestamp) AS "firstTime", max(timestamp) AS "lastTime", list_sort(list(DISTINCT json_extract_string(aws_cloudtrail_request_parameters, '$.${key}'))) AS ${as}
      FROM ${CT} WHERE event_action ILIKE '${name}' AND event_provider ILIKE '${source}' AND user_agent_original NOT ILIKE 'console.amazonaws.com' AND ${ERROR_CODE} ILIKE 'success'
      GROUP BY ALL HAVING src IS NOT NULL AND region IS NOT NULL AND "userAgent" IS NOT NULL AND user_arn IS NOT NULL AND aws_account_id IS NOT NULL ORDER BY ALL`,
  };
}

/** `eventName=X | stats count values(requestParameters.K) by eventSource aws_account_id errorCode userAgent eventID awsRegion userIdentity.principalId user_arn src_ip`. */
function iamChange(name, key) {
  return {
    name: `aws ${name}`,
    spl: `\`cloudtrail\` eventName=${name} | stats count values(requestParameters.${key}) as v min(_time) as firstTime max(_time) as lastTime by eventSource aws_account_id errorCode userAgent eventID awsRegion userIdentity.principalId user_arn src_ip`,
    sql: `SELECT event_provider AS "eventSource", ${ACCOUNT} AS aws_account_id, ${ERROR_CODE} AS "errorCode", user_agent_original AS "userAgent", aws_cloudtrail_event_id AS "eventID", cloud_region AS "awsRegion", user_id AS "userIdentity.principalId", ${USER_ARN} AS user_arn, ${SRC} AS src_ip,
      count(*) AS count, list_sort(list(DISTINCT json_extract_string(aws_cloudtrail_request_parameters, '$.${key}'))) AS v, min(timestamp) AS "firstTime", max(timestamp) AS "lastTime"
      FROM ${CT} WHERE event_action ILIKE '${name}'
      GROUP BY ALL HAVING "eventSource" IS NOT NULL AND aws_account_id IS NOT NULL AND "userAgent" IS NOT NULL AND "eventID" IS NOT NULL AND "awsRegion" IS NOT NULL AND "userIdentity.principalId" IS NOT NULL AND user_arn IS NOT NULL AND src_ip IS NOT NULL ORDER BY ALL`,
  };
}

const PAIRS = [
  evasion('StopLogging', 'cloudtrail.amazonaws.com', 'name', 'stopped_cloudtrail_name'),
  evasion('DeleteTrail', 'cloudtrail.amazonaws.com', 'name', 'deleted_cloudtrail_name'),
  evasion('DeleteLogGroup', 'logs.amazonaws.com', 'logGroupName', 'log_group_name'),
  iamChange('CreateVirtualMFADevice', 'virtualMFADeviceName'),
  iamChange('DeletePolicy', 'policyArn'),
  iamChange('SetDefaultPolicyVersion', 'policyArn'),
  iamChange('UpdateSAMLProvider', 'sAMLProviderArn'),
  iamChange('CreateAccessKey', 'userName'),
  iamChange('UpdateLoginProfile', 'userName'),
  {
    name: 'aws console login without MFA',
    spl: '`cloudtrail` eventName= ConsoleLogin errorCode=success "additionalEventData.MFAUsed"=No | stats count min(_time) as firstTime max(_time) as lastTime by src eventName eventSource aws_account_id errorCode additionalEventData.MFAUsed userAgent eventID awsRegion user_name userIdentity.arn',
    sql: `SELECT ${SRC} AS src, event_action AS "eventName", event_provider AS "eventSource", ${ACCOUNT} AS aws_account_id, ${ERROR_CODE} AS "errorCode", json_extract_string(aws_cloudtrail_additional_eventdata, '$.MFAUsed') AS "additionalEventData.MFAUsed",
      user_agent_original AS "userAgent", aws_cloudtrail_event_id AS "eventID", cloud_region AS "awsRegion", coalesce(aws_cloudtrail_user_identity_user_name, aws_cloudtrail_user_identity_session_context_session_issuer_user_name, regexp_replace(aws_cloudtrail_user_identity_arn, '^.*[:/]', '')) AS user_name, aws_cloudtrail_user_identity_arn AS "userIdentity.arn",
      count(*) AS count, min(timestamp) AS "firstTime", max(timestamp) AS "lastTime"
      FROM ${CT} WHERE event_action ILIKE 'ConsoleLogin' AND ${ERROR_CODE} ILIKE 'success' AND json_extract_string(aws_cloudtrail_additional_eventdata, '$.MFAUsed') ILIKE 'No'
      GROUP BY ALL HAVING src IS NOT NULL AND "eventSource" IS NOT NULL AND aws_account_id IS NOT NULL AND "userAgent" IS NOT NULL AND "awsRegion" IS NOT NULL AND user_name IS NOT NULL AND "userIdentity.arn" IS NOT NULL ORDER BY ALL`,
  },
  {
    name: 'aws bucket replication',
    spl: '`cloudtrail`  eventName = PutBucketReplication eventSource = s3.amazonaws.com | rename requestParameters.* as * | stats count values(bucketName) as source_bucket values(ReplicationConfiguration.Rule.ID) as rule_id values(ReplicationConfiguration.Rule.Destination.Bucket) as destination_bucket by _time user_arn user_type src_ip aws_account_id userIdentity.principalId user_agent',
    sql: `SELECT timestamp AS "_time", ${USER_ARN} AS user_arn, aws_cloudtrail_user_identity_type AS user_type, ${SRC} AS src_ip, ${ACCOUNT} AS aws_account_id, user_id AS "userIdentity.principalId", user_agent_original AS user_agent, count(*) AS count,
      list_sort(list(DISTINCT json_extract_string(aws_cloudtrail_request_parameters, '$.bucketName'))) AS source_bucket, list_sort(list(DISTINCT json_extract_string(aws_cloudtrail_request_parameters, '$.ReplicationConfiguration.Rule.ID'))) AS rule_id,
      list_sort(list(DISTINCT json_extract_string(aws_cloudtrail_request_parameters, '$.ReplicationConfiguration.Rule.Destination.Bucket'))) AS destination_bucket
      FROM ${CT} WHERE event_action ILIKE 'PutBucketReplication' AND event_provider ILIKE 's3.amazonaws.com'
      GROUP BY ALL HAVING user_arn IS NOT NULL AND user_type IS NOT NULL AND src_ip IS NOT NULL AND aws_account_id IS NOT NULL AND "userIdentity.principalId" IS NOT NULL AND user_agent IS NOT NULL ORDER BY ALL`,
  },
  {
    name: 'aws AMI shared (launchPermission{} paths)',
    spl: '`cloudtrail` eventName=ModifyImageAttribute (requestParameters.launchPermission.add.items{}.userId = * OR requestParameters.launchPermission.add.items{}.group = all) | stats count values(requestParameters.launchPermission.add.items{}.userId) as accounts_added by src_ip region eventName userAgent user_arn aws_account_id',
    sql: `SELECT ${SRC} AS src_ip, cloud_region AS region, event_action AS "eventName", user_agent_original AS "userAgent", ${USER_ARN} AS user_arn, ${ACCOUNT} AS aws_account_id, count(*) AS count,
      list_sort(list_distinct(flatten(list(json_extract_string(aws_cloudtrail_request_parameters, '$.launchPermission.add.items[*].userId'))))) AS accounts_added
      FROM ${CT} WHERE event_action ILIKE 'ModifyImageAttribute' AND (len(json_extract_string(aws_cloudtrail_request_parameters, '$.launchPermission.add.items[*].userId')) > 0 OR list_contains(list_transform(json_extract_string(aws_cloudtrail_request_parameters, '$.launchPermission.add.items[*].group'), lambda g: lower(g)), 'all'))
      GROUP BY ALL HAVING src_ip IS NOT NULL AND region IS NOT NULL AND "userAgent" IS NOT NULL AND user_arn IS NOT NULL AND aws_account_id IS NOT NULL ORDER BY ALL`,
  },
  {
    name: 'aws IAM AccessDenied discovery (without bucket)',
    spl: '`cloudtrail` (errorCode = "AccessDenied") user_type=IAMUser (userAgent!=*.amazonaws.com) | stats count as failures min(_time) as firstTime max(_time) as lastTime, dc(eventName) as methods, dc(eventSource) as sources by src_ip, userIdentity.arn | where failures >= 5 and methods >= 1 and sources >= 1',
    sql: `SELECT ${SRC} AS src_ip, aws_cloudtrail_user_identity_arn AS "userIdentity.arn", count(*) AS failures, min(timestamp) AS "firstTime", max(timestamp) AS "lastTime", count(DISTINCT event_action) AS methods, count(DISTINCT event_provider) AS sources
      FROM ${CT} WHERE ${ERROR_CODE} ILIKE 'AccessDenied' AND aws_cloudtrail_user_identity_type ILIKE 'IAMUser' AND user_agent_original NOT ILIKE '%.amazonaws.com'
      GROUP BY ALL HAVING src_ip IS NOT NULL AND "userIdentity.arn" IS NOT NULL AND failures >= 5 ORDER BY ALL`,
  },
  {
    name: 'aws subsearch: every call from the address that stopped logging',
    spl: '`cloudtrail` [search `cloudtrail` eventName=StopLogging | fields src_ip] | stats count by eventName',
    // Splunk's subsearch passes its first 10,000 rows, events newest first.
    sql: `SELECT event_action AS "eventName", count(*) AS count FROM ${CT} WHERE lower(${SRC}) IN (SELECT lower(src) FROM (SELECT ${SRC} AS src FROM ${CT} WHERE event_action ILIKE 'StopLogging' ORDER BY timestamp DESC LIMIT 10000)) GROUP BY ALL ORDER BY ALL`,
  },
  {
    name: 'aws errors by code',
    spl: '`cloudtrail` | stats count dc(eventName) as apis by errorCode',
    sql: `SELECT ${ERROR_CODE} AS "errorCode", count(*) AS count, count(DISTINCT event_action) AS apis FROM ${CT} GROUP BY ALL ORDER BY ALL`,
  },
  {
    name: 'vpc blocked internal traffic (CIDR)',
    spl: '`cloudwatchlogs_vpcflow` action=blocked src_ip=10.0.0.0/8 | stats count dc(dest_port) as ports by src_ip dest_ip',
    sql: `SELECT coalesce(source_ip, 'unknown') AS src_ip, coalesce(destination_ip, 'unknown') AS dest_ip, count(*) AS count, count(DISTINCT coalesce(CAST(destination_port AS VARCHAR), 'unknown')) AS ports FROM events_aws_vpcflow
      WHERE aws_vpcflow_action = 'REJECT' AND regexp_full_match(source_ip, '10\\.\\d+\\.\\d+\\.\\d+') GROUP BY ALL ORDER BY ALL`,
  },
  {
    name: 'vpc traffic leaving the private range',
    spl: '`cloudwatchlogs_vpcflow` dest_ip!=10.0.0.0/8 | stats sum(bytes) as bytes count by src_ip action',
    sql: `SELECT coalesce(source_ip, 'unknown') AS src_ip, CASE aws_vpcflow_action WHEN 'ACCEPT' THEN 'allowed' WHEN 'REJECT' THEN 'blocked' ELSE 'unknown' END AS action, sum(network_bytes) AS bytes, count(*) AS count FROM events_aws_vpcflow
      WHERE destination_ip IS NOT NULL AND NOT regexp_full_match(destination_ip, '10\\.\\d+\\.\\d+\\.\\d+') GROUP BY ALL ORDER BY ALL`,
  },
  {
    name: 'zscaler blocked threats',
    spl: '`zscaler_proxy` action=blocked threatname=* | stats count min(_time) as firstTime max(_time) as lastTime by action deviceowner user urlcategory url src dest',
    sql: `SELECT event_action AS action, user_name AS deviceowner, coalesce(user_email, user_name) AS "user", zscaler_url_category AS urlcategory, url_full AS url, source_ip AS src, url_domain AS dest, count(*) AS count, min(timestamp) AS "firstTime", max(timestamp) AS "lastTime"
      FROM events_zscaler_zia WHERE zscaler_feed = 'web' AND event_action ILIKE 'blocked' AND zscaler_threat_name IS NOT NULL GROUP BY ALL HAVING action IS NOT NULL AND deviceowner IS NOT NULL AND "user" IS NOT NULL AND urlcategory IS NOT NULL AND url IS NOT NULL AND src IS NOT NULL AND dest IS NOT NULL ORDER BY ALL`,
  },
  {
    name: 'cloudfront errors by edge (10 M lines)',
    spl: 'sourcetype=aws:cloudfront:accesslogs sc_status>=500 | stats count dc(c_ip) as clients by x_edge_location',
    sql: `SELECT aws_cloudfront_edge_location AS x_edge_location, count(*) AS count, count(DISTINCT source_ip) AS clients FROM events_aws_cloudfront WHERE http_response_status_code >= 500 GROUP BY ALL HAVING x_edge_location IS NOT NULL ORDER BY ALL`,
  },
  {
    name: 'cloudfront top clients (10 M lines)',
    spl: 'sourcetype=aws:cloudfront:accesslogs | stats count by c_ip | sort - count | head 10',
    sql: `SELECT source_ip AS c_ip, count(*) AS count FROM events_aws_cloudfront WHERE source_ip IS NOT NULL GROUP BY ALL ORDER BY count DESC, c_ip LIMIT 10`,
  },
];

const catalog = allColumns(listFormats());
const aliases = loadAliases(catalog);
const store = await DuckDbStore.open(DB, { readOnly: true });
const tables = await store.datasetColumns();
const count = (await store.query('SELECT count(*) FROM events')).rows[0][0];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`node ${process.version}; store ${DB}: ${count} events; ${RUNS} runs each (median), after one warm-up; load average ${load()}`);

const normalize = (rows) => rows.map((r) => JSON.stringify(r.map((v) => (Array.isArray(v) ? [...v].sort() : v)))).sort();
async function time(sql, params) {
  await store.query(sql, params);
  const ms = [];
  let rows;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = (await store.query(sql, params)).rows;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], rows };
}

let worst = 0;
console.log('| # | detection | rows | SPL compile ms | SPL ms | SQL ms | SPL ÷ SQL | same answer |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [i, p] of PAIRS.entries()) {
  if (ONLY && !ONLY.has(i + 1)) continue;
  const t0 = performance.now();
  let c, compileMs, spl, sql;
  try {
    c = await compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), p.spl, { catalog, aliases, tables });
    compileMs = performance.now() - t0;
    spl = await time(c.sql, c.params);
    sql = await time(p.sql);
  } catch (e) {
    // A store without the pair's data (no Zscaler threat column) is reported, not a crash of the whole run.
    console.log(`| ${i + 1} | ${p.name} | — | — | — | — | — | not run: ${String(e.message).split('\n')[0]} |`);
    process.exitCode = 1;
    continue;
  }
  const same = JSON.stringify(normalize(spl.rows.map((r) => r.map(String)))) === JSON.stringify(normalize(sql.rows.map((r) => r.map(String))));
  const ratio = spl.ms / sql.ms;
  worst = Math.max(worst, ratio);
  if (!same) process.exitCode = 1;
  console.log(`| ${i + 1} | ${p.name} | ${spl.rows.length} | ${compileMs.toFixed(1)} | ${spl.ms.toFixed(1)} | ${sql.ms.toFixed(1)} | ${ratio.toFixed(2)} | ${same ? 'yes' : 'NO'} |`);
}
console.log(`worst ratio ${worst.toFixed(2)} (target ≤ 2); load average ${load()}`);
await store.close();
