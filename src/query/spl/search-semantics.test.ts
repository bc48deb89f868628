import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { compileOn, demoStore, splRows, sqlRows } from './demo-store.fixture.js';
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

test('a function call as a value in search is the text as written, compared as a literal (the search command calls no function)', async () => {
  const [names] = await sqlRows(store, `SELECT count(DISTINCT event_action) AS n FROM events_aws_cloudtrail`);
  assert.ok(Number(names!.n) > 1);
  // = compares with the text "f(x)": rows holding that text match, others not.
  assert.equal((await rows('sourcetype=aws:cloudtrail | stats count by eventName | eval v="f(x)" | search v=f(x)')).length, Number(names!.n));
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail | stats count by eventName | eval v="f(x)" | search v=g(x)'), []);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail | stats count by eventName | eval v="f(now(), \\"-1d\\")" | search v=f(now(), "-1d") | stats count'), [{ count: Number(names!.n) }]);
  // The corpus's `_time >= relative_time(now(), "-10m@m")` in search: a time against that text is never
  // greater (digits sort before letters), so nothing passes, while where computes the time and keeps rows.
  const q = 'sourcetype=aws:cloudtrail | bucket span=10m _time | stats count by _time';
  assert.ok((await rows(`${q} | where _time >= relative_time(now(), "-100d@d")`)).length > 0);
  assert.deepEqual(await rows(`${q} | search count>0 AND _time >= relative_time(now(), "-100d@d")`), []);
  // A value in parentheses after a space is a group, as before.
  assert.doesNotThrow(() => spl('| search status=200 (user=a OR user=b)'));
  refused('| search status=f(x', /expected '\)' to close 'f\('/);
});

test('a quoted field name before IN, as before = (security_content writes "result.status" IN (…))', async () => {
  const [expected] = await sqlRows(store, `SELECT count(*) AS n FROM events_aws_cloudtrail WHERE event_action ILIKE 'StopLogging' OR event_action ILIKE 'Create%'`);
  assert.ok(Number(expected!.n) > 1);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail "eventName" IN ("StopLogging", "Create*") | stats count'), [{ count: Number(expected!.n) }]);
  assert.deepEqual(await rows('sourcetype=aws:cloudtrail eventName IN ("StopLogging", "Create*") | stats count'), [{ count: Number(expected!.n) }]);
});

test('stats fn(eval(<expression>)) as name: count counts events where the expression is true, others aggregate its value', async () => {
  const [expected] = await sqlRows(
    store,
    `SELECT count(*) FILTER (WHERE event_action = 'CreateAccessKey') AS k, count(DISTINCT CASE WHEN event_action = 'CreateAccessKey' THEN aws_cloudtrail_user_identity_user_name END) AS u, count(*) FILTER (WHERE event_action LIKE 'Create%') AS c, count(*) AS n FROM events_aws_cloudtrail`,
  );
  assert.ok(Number(expected!.k) > 0 && Number(expected!.u) > 0 && Number(expected!.n) > Number(expected!.c));
  const got = await rows(
    'sourcetype=aws:cloudtrail | stats count(eval(eventName="CreateAccessKey")) as keys, dc(eval(if(eventName="CreateAccessKey", userIdentity.userName, null()))) as u, count(eval(like(eventName, "Create%"))) AS created, count',
  );
  assert.deepEqual(got, [{ keys: Number(expected!.k), u: Number(expected!.u), created: Number(expected!.c), count: Number(expected!.n) }]);
  // Numbers, by a field, as the corpus writes it (errors by edge location).
  const byEdge = await sqlRows(
    store,
    `SELECT aws_cloudfront_edge_location AS e, count(*) FILTER (WHERE http_response_status_code >= 400) AS errors, sum(CASE WHEN http_response_status_code >= 500 THEN 1 ELSE 0 END) AS s FROM events_aws_cloudfront GROUP BY e ORDER BY e`,
  );
  assert.ok(byEdge.some((r) => Number(r.errors) > 0));
  const spl = await rows('sourcetype=aws:cloudfront:accesslogs | stats count(eval(sc_status>=400)) as errors, sum(eval(if(sc_status>=500, 1, 0))) as s by x_edge_location');
  assert.deepEqual(
    spl.map((r) => [r.x_edge_location, Number(r.errors), Number(r.s)]),
    byEdge.map((r) => [r.e, Number(r.errors), Number(r.s)]),
  );
  // eventstats and streamstats take it too.
  const ev = await rows('sourcetype=aws:cloudtrail | eventstats count(eval(eventName="CreateAccessKey")) as keys | head 1 | table keys');
  assert.deepEqual(ev, [{ keys: Number(expected!.k) }]);
  // Splunk requires the name; a sum of true/false has no Splunk answer to copy; tstats reads indexed fields.
  refused('| stats count(eval(status>=400))', /count\(eval\(…\)\) needs a name/);
  refused('| stats sum(eval(status>=400)) as s', /sum\(\) of a true\/false expression is not supported/);
  refused('| tstats count(eval(x=1)) as n from datamodel=Web', /tstats: eval\(\) in an aggregation is not supported/);
});

test('compiled SQL does no per-row work the answer does not need: no dataset test on the dataset\'s own table, no null test of a by value never null', async () => {
  // Found by bench/spl-vs-sql.js: pairs 15 (errors by code) and 20 (top CloudFront clients) ran 2.3× and 80× the hand-written SQL.
  const q = 'sourcetype=aws:cloudtrail | stats count dc(eventName) as apis by errorCode';
  const c = await compileOn(store, q);
  assert.doesNotMatch(c.sql, /"event_dataset" IN/, 'the table holds only CloudTrail events');
  assert.doesNotMatch(c.sql, /IS NOT NULL GROUP BY/, "errorCode falls back to \"success\": never null");
  const expected = await sqlRows(
    store,
    `SELECT coalesce(aws_cloudtrail_error_code, CASE WHEN json_extract_string(aws_cloudtrail_response_elements, '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END) AS e, count(*) AS n, count(DISTINCT event_action) AS a FROM events_aws_cloudtrail GROUP BY e ORDER BY e`,
  );
  assert.deepEqual((await rows(q)).map((r) => [r.errorCode, Number(r.count), Number(r.apis)]), expected.map((r) => [r.e, Number(r.n), Number(r.a)]));
  // A by field that may be null keeps its test; a dataset test stays where other datasets are read.
  assert.match((await compileOn(store, 'sourcetype=aws:cloudtrail | stats count by userIdentity.userName')).sql, /IS NOT NULL GROUP BY/);
  assert.match((await compileOn(store, 'sourcetype=aws:cloudtrail OR sourcetype=aws:cloudfront:accesslogs | stats count by sourcetype')).sql, /"event_dataset" IN/);
  const [both] = await sqlRows(store, `SELECT (SELECT count(*) FROM events_aws_cloudtrail) + (SELECT count(*) FROM events_aws_cloudfront) AS n`);
  assert.deepEqual(await rows('(sourcetype=aws:cloudtrail OR sourcetype=aws:cloudfront:accesslogs) | stats count'), [{ count: Number(both!.n) }]);
});
