import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { demoStore, splRows, sqlRows } from './demo-store.fixture.js';
import { spl } from './testing.fixture.js';

// Each answer Splunk would give on the demo store, checked against hand-written SQL over the same
// events: these constructs used to return a different answer without an error.
let store: DuckDbStore;
before(async () => {
  store = await demoStore();
});
after(async () => store.close());

const n = (rows: Record<string, unknown>[]) => Number(Object.values(rows[0]!)[0]);

test("field names are case-sensitive: CloudTrail's eventID is not Windows' EventID", async () => {
  const expected = await sqlRows(store, 'SELECT aws_cloudtrail_event_id AS "eventID", count(*) AS "count" FROM events_aws_cloudtrail GROUP BY 1 ORDER BY 1');
  assert.ok(expected.length >= 31);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | stats count by eventID')).rows, expected);
  const windows = await splRows(store, 'sourcetype=aws:cloudtrail | stats count by EventID');
  assert.deepEqual(windows.rows, [], 'no CloudTrail event has a Windows EventID');
});

test('CIDR values in a search are subnet tests (= and !=), not text', async () => {
  const inside = n(await sqlRows(store, "SELECT count(*) FROM events_aws_vpcflow WHERE source_ip LIKE '10.%'"));
  assert.ok(inside > 1000);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow src_ip=10.0.0.0/8 | stats count')).rows), inside);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow src_ip="10.0.0.0/8" | stats count')).rows), inside, 'quoted too');
  const outside = n(await sqlRows(store, "SELECT count(*) FROM events_aws_vpcflow WHERE destination_ip IS NOT NULL AND destination_ip NOT LIKE '10.%'"));
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow dest_ip!=10.0.0.0/8 | stats count')).rows), outside);
  const narrow = n(await sqlRows(store, "SELECT count(*) FROM events_aws_vpcflow WHERE source_ip LIKE '10.0.1.%'"));
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow src_ip=10.0.1.0/24 | stats count')).rows), narrow);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow NOT src_ip=10.0.0.0/8 | stats count')).rows), n(await sqlRows(store, "SELECT count(*) FROM events_aws_vpcflow WHERE source_ip IS NULL OR source_ip NOT LIKE '10.%'")));
});

test('subsearches filter the outer search by their results; pipes inside stay inside; an empty one matches nothing', async () => {
  const expected = await sqlRows(
    store,
    `SELECT event_action AS "eventName", count(*) AS "count" FROM events WHERE event_dataset = 'aws.cloudtrail'
     AND lower(coalesce(aws_cloudtrail_source_ip_address, source_address)) IN (SELECT lower(coalesce(aws_cloudtrail_source_ip_address, source_address)) FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'StopLogging')
     GROUP BY 1 ORDER BY 1`,
  );
  assert.ok(expected.length >= 2);
  const sub = 'sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail eventName=StopLogging | fields src_ip] | stats count by eventName';
  assert.deepEqual((await splRows(store, sub)).rows, expected);
  const piped = 'sourcetype=aws:cloudtrail [| search sourcetype=aws:cloudtrail eventName=StopLogging | stats count by src_ip | table src_ip] | stats count by eventName';
  assert.deepEqual((await splRows(store, piped)).rows, expected);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail eventName=StopLogging | return src_ip] | stats count by eventName')).rows, expected);
  const total = n(await sqlRows(store, 'SELECT count(*) FROM events_aws_cloudtrail'));
  const matched = expected.reduce((s, r) => s + Number(r.count), 0);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudtrail NOT [search sourcetype=aws:cloudtrail eventName=StopLogging | fields src_ip] | stats count')).rows), total - matched);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail eventName=NoSuchCall | fields src_ip] | stats count')).rows, [{ count: 0 }]);
  // The subsearch's text is not searched for, nor its closing bracket compared.
  assert.doesNotMatch(JSON.stringify(spl('sourcetype=aws:cloudtrail [search eventName=StopLogging | fields src_ip]').params), /\[search|StopLogging\]/);
  assert.throws(() => spl('sourcetype=aws:cloudtrail [search eventName=StopLogging]'), /a subsearch passing on whole events is not supported/);
});

test('VPC flow action holds the CIM values: allowed and blocked, from ACCEPT and REJECT', async () => {
  const rejected = n(await sqlRows(store, "SELECT count(*) FROM events_aws_vpcflow WHERE aws_vpcflow_action = 'REJECT'"));
  assert.ok(rejected >= 12);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow action=blocked | stats count')).rows), rejected);
  const byAction = await sqlRows(store, `SELECT CASE aws_vpcflow_action WHEN 'ACCEPT' THEN 'allowed' WHEN 'REJECT' THEN 'blocked' ELSE 'unknown' END AS "action", count(*) AS "count" FROM events_aws_vpcflow GROUP BY 1 ORDER BY 1`);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow | stats count by action')).rows, byAction);
  assert.equal(n((await splRows(store, 'sourcetype=aws:cloudwatchlogs:vpcflow vpcflow_action=REJECT | stats count')).rows), rejected, "the add-on's raw field keeps the raw value");
});

test('wildcard rename and values(*) work on the fields they match', async () => {
  const names = await sqlRows(store, `SELECT json_extract_string(aws_cloudtrail_request_parameters, '$.name') AS "name", count(*) AS "count" FROM events_aws_cloudtrail WHERE json_extract_string(aws_cloudtrail_request_parameters, '$.name') IS NOT NULL GROUP BY 1 ORDER BY 1`);
  assert.ok(names.length >= 2);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | rename requestParameters.* as * | stats count by name')).rows, names);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | rename requestParameters.name as name | stats count by name')).rows, names);
  const agents = await sqlRows(store, 'SELECT count(DISTINCT user_agent_original) AS n FROM events_aws_cloudtrail');
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | table eventName userAgent | rename user* as u* | stats dc(uAgent) as n')).rows, agents);
  const values = await sqlRows(store, 'SELECT list_sort(list(DISTINCT event_action)) AS "eventName", list_sort(list(DISTINCT user_agent_original)) AS "userAgent" FROM events_aws_cloudtrail');
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | table eventName userAgent | stats values(*) as *')).rows, values);
  assert.throws(() => spl('sourcetype=aws:cloudtrail | stats values(*) as *'), /values\(\*\) over raw events is not supported/);
  // A wildcard rename does not touch _time: it stays the event's time (ESCU's `rename requestParameters.* as *`
  // then `stats min(_time) as firstTime` and `convert ctime(firstTime)`).
  const first = await sqlRows(store, `SELECT strftime(min("timestamp"), '%Y-%m-%dT%H:%M:%S') AS "firstTime" FROM events_aws_cloudtrail`);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | rename requestParameters.* as * | stats min(_time) as firstTime | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)')).rows, first);
});

test('CloudTrail names resolve to CloudTrail fields; hints point at the sourcetype\'s own names', async () => {
  const codes = await sqlRows(store, `SELECT coalesce(aws_cloudtrail_error_code, CASE WHEN json_extract_string(aws_cloudtrail_response_elements, '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END) AS "errorCode", count(*) AS "count" FROM events WHERE event_dataset = 'aws.cloudtrail' GROUP BY 1 ORDER BY 1`);
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | stats count by errorCode')).rows, codes, "the add-on's calculated errorCode: success when the call did not fail");
  const types = await sqlRows(store, 'SELECT aws_cloudtrail_event_type AS "eventType", count(*) AS "count" FROM events_aws_cloudtrail GROUP BY 1 ORDER BY 1');
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail | stats count by eventType')).rows, types);
  assert.match((await splRows(store, 'sourcetype=aws:cloudtrail | stats count by errorCdoe')).warnings.join(), /did you mean errorCode/);
  assert.match((await splRows(store, 'sourcetype=aws:cloudtrail | stats count by eventtype')).warnings.join(), /did you mean eventType/);
});

test("a subsearch keeps its first rows in Splunk's order, events newest first: return and return N; head too", async () => {
  const SRC = 'coalesce(aws_cloudtrail_source_ip_address, source_address)';
  const CT = "events WHERE event_dataset = 'aws.cloudtrail' AND";
  const bySrc = (srcs: string[]) =>
    sqlRows(store, `SELECT count(*) AS "count" FROM ${CT} lower(${SRC}) IN (${srcs.map((s) => `'${s.toLowerCase()}'`).join(', ')})`);
  const newest = (await sqlRows(store, `SELECT ${SRC} AS src FROM ${CT} ${SRC} IS NOT NULL ORDER BY timestamp DESC LIMIT 3`)).map((r) => String(r.src));
  const oldest = (await sqlRows(store, `SELECT ${SRC} AS src FROM ${CT} ${SRC} IS NOT NULL ORDER BY timestamp LIMIT 1`)).map((r) => String(r.src));
  assert.notEqual(newest[0], oldest[0], 'the order must matter on this store');
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail src_ip=* | return src_ip] | stats count')).rows, await bySrc(newest.slice(0, 1)));
  assert.deepEqual((await splRows(store, 'sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail src_ip=* | return 3 src_ip] | stats count')).rows, await bySrc(newest));
  const ids = await sqlRows(store, 'SELECT aws_cloudtrail_event_id AS "eventID", timestamp FROM events_aws_cloudtrail ORDER BY timestamp DESC LIMIT 4');
  assert.notEqual(String(ids[2]!.timestamp), String(ids[3]!.timestamp), 'no tie at the cut');
  const head = (await splRows(store, 'sourcetype=aws:cloudtrail | head 3 | table eventID')).rows.map((r) => r.eventID);
  assert.deepEqual(head, ids.slice(0, 3).map((r) => r.eventID), 'head 3: the three newest, newest first');
});

test('CIDR values a subsearch hands over are subnet tests, as in the search text Splunk substitutes', async () => {
  const count = (sql: string) => sqlRows(store, sql).then(n);
  const vpc = (net: string) => `sourcetype=aws:cloudwatchlogs:vpcflow [search sourcetype=aws:cloudwatchlogs:vpcflow | head 1 | eval src_ip="${net}" | fields src_ip] | stats count`;
  const inside = await count("SELECT count(*) FROM events_aws_vpcflow WHERE source_ip LIKE '10.%'");
  assert.ok(inside > 1000);
  assert.equal(n((await splRows(store, vpc('10.0.0.0/8'))).rows), inside);
  assert.equal(n((await splRows(store, vpc('10.0.1.0/24'))).rows), await count("SELECT count(*) FROM events_aws_vpcflow WHERE source_ip LIKE '10.0.1.%'"));
  assert.equal(n((await splRows(store, vpc('10.0.1.*'))).rows), await count("SELECT count(*) FROM events_aws_vpcflow WHERE source_ip LIKE '10.0.1.%'"), 'wildcards stay wildcards');
  const v6 = await count("SELECT count(*) FROM events_aws_cloudfront WHERE source_ip LIKE '%:%'");
  assert.ok(v6 > 0, 'the demo has IPv6 clients');
  const cf = (net: string) => `sourcetype=aws:cloudfront:accesslogs [search sourcetype=aws:cloudfront:accesslogs | head 1 | eval c_ip="${net}" | fields c_ip] | stats count`;
  assert.equal(n((await splRows(store, cf('::/0'))).rows), v6);
  const first = (await sqlRows(store, "SELECT min(source_ip) AS ip FROM events_aws_cloudfront WHERE source_ip LIKE '%:%'"))[0]!.ip as string;
  const prefix = first.split(':').slice(0, 2).join(':');
  const within = await count(`SELECT count(*) FROM events_aws_cloudfront WHERE lower(source_ip) LIKE '${prefix.toLowerCase()}:%'`);
  assert.equal(n((await splRows(store, cf(`${prefix}::/32`))).rows), within);
});

test('a subsearch starting with a generating command runs that command, never searches its words', () => {
  for (const q of ['sourcetype=aws:cloudtrail [ inputlookup legit_domains.csv | fields domain ]', 'sourcetype=aws:cloudtrail [tstats count by src]']) {
    let compiled: ReturnType<typeof spl> | undefined;
    try {
      compiled = spl(q);
    } catch (e) {
      assert.match((e as Error).message, /inputlookup|tstats|legit_domains/, q);
    }
    if (compiled) assert.doesNotMatch(JSON.stringify(compiled.params), /inputlookup|tstats|legit_domains/, q);
  }
  assert.throws(() => spl('sourcetype=aws:cloudtrail | eval x = 1 + [search eventName=StopLogging | return $src_ip]'), /a subsearch in an eval or where expression is not supported/);
});

test("format's separators: fields of a row ORed or rows ANDed as written; other strings refused", async () => {
  const SRC = 'coalesce(aws_cloudtrail_source_ip_address, source_address)';
  const stopped = `SELECT lower(${SRC}) FROM events WHERE event_dataset = 'aws.cloudtrail' AND event_action = 'StopLogging'`;
  const either = await sqlRows(store, `SELECT count(*) AS "count" FROM events WHERE event_dataset = 'aws.cloudtrail' AND (lower(${SRC}) IN (${stopped}) OR lower(event_action) = 'consolelogin')`);
  const both = await sqlRows(store, `SELECT count(*) AS "count" FROM events WHERE event_dataset = 'aws.cloudtrail' AND lower(${SRC}) IN (${stopped}) AND lower(event_action) = 'consolelogin'`);
  const sub = (format: string) => `sourcetype=aws:cloudtrail [search sourcetype=aws:cloudtrail eventName=StopLogging | eval eventName="ConsoleLogin" | stats count by src_ip eventName | fields src_ip eventName | ${format}] | stats count`;
  assert.notDeepEqual(either, both);
  assert.deepEqual((await splRows(store, sub('format "(" "(" "OR" ")" "OR" ")"'))).rows, either);
  assert.deepEqual((await splRows(store, sub('format'))).rows, both);
  assert.deepEqual((await splRows(store, sub('format maxresults=0 "(" "(" "AND" ")" "OR" ")"'))).rows, both);
  assert.throws(() => spl(sub('format "[" "(" "AND" ")" "OR" "]"')), /format with '\[' where '\(' is is not supported/);
  assert.throws(() => spl(sub('format emptystr="*"')), /format option emptystr= is not supported/);
  assert.throws(() => spl(sub('format "(" "(" "and" ")" "OR" ")"')), /format with the separator 'and' is not supported/);
});

test('sort keeps 10,000 rows unless given a count, as in Splunk; sort 0 keeps all', async () => {
  const total = n(await sqlRows(store, 'SELECT count(*) FROM events'));
  assert.ok(total > 10_000);
  assert.equal(n((await splRows(store, '| sort _time | stats count')).rows), 10_000);
  assert.equal(n((await splRows(store, '| sort 0 _time | stats count')).rows), total);
  assert.equal(n((await splRows(store, '| sort 20 _time | stats count')).rows), 20);
});

test('a join subsearch is a search of its own: its sourcetype pins its fields, not the outer search\'s', async () => {
  const clients = n(await sqlRows(store, 'SELECT count(DISTINCT source_ip) FROM events_aws_cloudfront'));
  assert.ok(clients > 1);
  const calls = n(await sqlRows(store, 'SELECT count(*) FROM events_aws_cloudtrail'));
  // c_ip is the CloudFront add-on's name: with the outer search's CloudTrail pinned it would be null (0 clients).
  const joined = await splRows(store, 'sourcetype=aws:cloudtrail | stats count as calls | eval k=1 | join k [search sourcetype=aws:cloudfront:accesslogs | stats dc(c_ip) as clients | eval k=1] | table calls clients');
  assert.deepEqual(joined.rows.map((r) => [Number(r.calls), Number(r.clients)]), [[calls, clients]]);
  const appended = await splRows(store, 'sourcetype=aws:cloudtrail | stats count as calls | append [search sourcetype=aws:cloudfront:accesslogs | stats dc(c_ip) as clients] | table calls clients');
  assert.deepEqual(appended.rows.map((r) => [r.calls === null ? null : Number(r.calls), r.clients === null ? null : Number(r.clients)]), [[calls, null], [null, clients]]);
});

test('tstats over Network_Traffic: the CIM action values and CIDR values in where, as hand-written SQL', async () => {
  // The model's VPC flow events: those with addresses and a protocol (cim-datamodels.yml).
  const flows = "event_dataset = 'aws.vpcflow' AND source_ip IS NOT NULL AND destination_ip IS NOT NULL AND network_transport IS NOT NULL";
  const blocked = n(await sqlRows(store, `SELECT count(*) FROM events WHERE ${flows} AND aws_vpcflow_action = 'REJECT'`));
  assert.ok(blocked >= 12);
  assert.equal(n((await splRows(store, '| tstats count from datamodel=Network_Traffic where All_Traffic.action=blocked')).rows), blocked);
  assert.equal(n((await splRows(store, '| tstats count from datamodel=Network_Traffic.Blocked_Traffic')).rows), blocked);
  // Addresses: the VPC flows and the Palo Alto traffic logs.
  const traffic = `((${flows}) OR (event_dataset = 'panw.panos' AND panw_panos_type = 'TRAFFIC'))`;
  const inside = n(await sqlRows(store, `SELECT count(*) FROM events WHERE ${traffic} AND source_ip LIKE '10.%'`));
  assert.ok(inside > 1618, 'both sources');
  assert.equal(n((await splRows(store, '| tstats count from datamodel=Network_Traffic where All_Traffic.src_ip=10.0.0.0/8')).rows), inside);
  const outside = n(await sqlRows(store, `SELECT count(*) FROM events WHERE ${traffic} AND destination_ip NOT LIKE '10.%'`));
  assert.equal(n((await splRows(store, '| tstats count from datamodel=Network_Traffic where All_Traffic.dest_ip!=10.0.0.0/8')).rows), outside);
});

test('a subsearch starting with tstats runs it: the outer search keeps the events of its results', async () => {
  const expected = await sqlRows(
    store,
    `SELECT count(*) AS "count" FROM events_aws_vpcflow WHERE source_ip IN (SELECT DISTINCT source_ip FROM events_aws_vpcflow WHERE aws_vpcflow_action = 'REJECT' AND destination_ip IS NOT NULL AND network_transport IS NOT NULL)`,
  );
  assert.ok(n(expected) > 0);
  const q = 'sourcetype=aws:cloudwatchlogs:vpcflow [| tstats count from datamodel=Network_Traffic where All_Traffic.action=blocked by All_Traffic.src_ip | rename All_Traffic.src_ip as src_ip | fields src_ip] | stats count';
  assert.equal(n((await splRows(store, q)).rows), n(expected));
  const noPipe = 'sourcetype=aws:cloudwatchlogs:vpcflow [tstats count from datamodel=Network_Traffic where All_Traffic.action=blocked by All_Traffic.src_ip | rename All_Traffic.src_ip as src_ip | fields src_ip] | stats count';
  assert.equal(n((await splRows(store, noPipe)).rows), n(expected));
});
