import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { demoStore, splRows, sqlRows } from './demo-store.fixture.js';
import { spl } from './testing.fixture.js';

/* Constructs of Splunk's security_content detections, on the demo store, against hand-written SQL. */
let store: DuckDbStore;
before(async () => {
  store = await demoStore();
});
after(async () => store?.close());

const rows = async (query: string) => (await splRows(store, query)).rows;
const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);
const BUCKET = `json_extract_string(aws_cloudtrail_request_parameters, '$.bucketName')`;

test('fillnull without a field list on raw events fills the fields the rest of the query reads, where some event has them', async () => {
  const expected = await sqlRows(store, `SELECT coalesce(${BUCKET}, 'NA') AS b, count(*) AS n FROM events_aws_cloudtrail GROUP BY b ORDER BY b`);
  assert.ok(expected.length > 1 && expected.some((r) => r.b === 'NA'), 'some CloudTrail events have a bucket name, others not');
  const got = await rows('sourcetype=aws:cloudtrail | fillnull value=NA | stats count by requestParameters.bucketName');
  assert.deepEqual(got.map((r) => [r['requestParameters.bucketName'], Number(r.count)]), expected.map((r) => [r.b, Number(r.n)]));
  // The corpus's form (value 0), through rename.
  const renamed = await rows('sourcetype=aws:cloudtrail | rename requestParameters.bucketName AS bucketName | fillnull | stats count by bucketName');
  assert.deepEqual(renamed.map((r) => r.bucketName), expected.map((r) => (r.b === 'NA' ? '0' : r.b)).sort());
  // A field no event has is not one of the results' fields: not filled (stats by it has no rows), as in Splunk.
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail | fillnull | stats count by requestParameters.noSuchKey'), []);
  // A wildcard afterwards would reach fields not filled here.
  refused('sourcetype=aws:cloudtrail | fillnull | stats values(*) as * by user', /fillnull without a field list on raw events followed by a wildcard/);
});

test('match() and replace() with the regex from a field, as Splunk allows (RE2, per event, bounded)', async () => {
  const q = 'sourcetype=aws:cloudtrail | eval p=if(eventName="CreateAccessKey", "^ops-", "^nobody$") | eval m=if(match(userIdentity.userName, p), 1, 0) | stats count by m';
  const expected = await sqlRows(
    store,
    `SELECT CASE WHEN regexp_matches(aws_cloudtrail_user_identity_user_name, CASE WHEN event_action = 'CreateAccessKey' THEN '^ops-' ELSE '^nobody$' END) THEN 1 ELSE 0 END AS m, count(*) AS n FROM events_aws_cloudtrail GROUP BY m ORDER BY m`,
  );
  assert.ok(expected.length === 2, 'both outcomes occur');
  assert.deepEqual((await rows(q)).map((r) => [Number(r.m), Number(r.count)]), expected.map((r) => [Number(r.m), Number(r.n)]));
  // The corpus's detection: the user acting on another user's access key.
  const corpus = 'sourcetype=aws:cloudtrail eventName=CreateAccessKey | eval match=if(match(userIdentity.userName,requestParameters.userName),1,0) | search match=0 | stats count by requestParameters.userName';
  const other = await sqlRows(
    store,
    `SELECT json_extract_string(aws_cloudtrail_request_parameters, '$.userName') AS u, count(*) AS n FROM events_aws_cloudtrail WHERE event_action = 'CreateAccessKey' AND NOT regexp_matches(aws_cloudtrail_user_identity_user_name, json_extract_string(aws_cloudtrail_request_parameters, '$.userName')) GROUP BY u ORDER BY u`,
  );
  assert.ok(other.length > 0);
  assert.deepEqual((await rows(corpus)).map((r) => [r['requestParameters.userName'], Number(r.count)]), other.map((r) => [r.u, Number(r.n)]));
  const replaced = await sqlRows(store, `SELECT regexp_replace(aws_cloudtrail_user_identity_user_name, '-', '_', 'g') AS r FROM events_aws_cloudtrail WHERE event_action = 'CreateAccessKey' ORDER BY "timestamp" DESC, event_id`);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail eventName=CreateAccessKey | eval p="-", r=replace(userIdentity.userName, p, "_") | table r'), replaced);
  // A pattern longer than the bound fails the query naming the function; a literal is still checked when compiled.
  await assert.rejects(rows(`sourcetype=aws:cloudtrail | head 1 | eval p="${'a'.repeat(1100)}" | eval m=match(eventName, p) | table m`), /match\(\): a regular expression read from a field is longer than 1024 characters/);
  refused('| eval m=match(url, "(?=x)")', /lookahead|PCRE|not supported/i);
});

test('a function call as a value in search is refused, naming it (the search command compares with literals)', () => {
  refused('sourcetype=aws:cloudtrail | stats count by _time | search count=1 AND _time >= relative_time(now(), "-10m@m")', /'relative_time\(…\)' in a search: the search command compares a field with a literal value and does not call functions/);
  // A value in parentheses after a space is a group, as before.
  assert.doesNotThrow(() => spl('| search status=200 (user=a OR user=b)'));
});

test('a quoted field name before IN, as before = (security_content writes "result.status" IN (…))', async () => {
  const [expected] = await sqlRows(store, `SELECT count(*) AS n FROM events_aws_cloudtrail WHERE event_action ILIKE 'StopLogging' OR event_action ILIKE 'Create%'`);
  assert.ok(Number(expected!.n) > 1);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail "eventName" IN ("StopLogging", "Create*") | stats count'), [{ count: Number(expected!.n) }]);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail eventName IN ("StopLogging", "Create*") | stats count'), [{ count: Number(expected!.n) }]);
});
