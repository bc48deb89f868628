import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { NORMALIZERS } from './aliases.js';
import { spl } from './testing.fixture.js';

/*
 * Cheaper SQL for the same answers (issue 24's 10M-event benchmark): stats by a normalized field
 * normalizes each distinct value once, and `field=<whole number>` on a whole-number column is an
 * equality instead of a text match of every row. Each runs on DuckDB against the answer computed
 * here without the compiler.
 */
let store: DuckDbStore;
const URLS = ['https://app.example.com/', 'https://app.example.com', 'https://app.example.com/', 'https://app.example.com/login', 'https://h/?q=1/', null, 'https://other.example.net/'];
const STATUS = [404, 4040, 40, null, 0, -404, 404];
before(async () => {
  store = await DuckDbStore.open(':memory:');
  // An `events` relation with the columns the queries read (spl() compiles against the whole catalog's `events`).
  const rows = URLS.map((u, i) => `(${u === null ? 'NULL' : `'${u}'`}, TIMESTAMP '2026-11-20 10:00:00' + INTERVAL (${i}) SECOND, '10.0.0.${i % 3}', ${STATUS[i] ?? 'NULL'}, 'aws.cloudfront')`);
  await store.query(`CREATE TABLE events AS SELECT url_full, CAST(NULL AS VARCHAR) AS url_original, "timestamp", source_ip, CAST(NULL AS VARCHAR) AS client_ip, CAST(status AS BIGINT) AS http_response_status_code, event_dataset, CAST(NULL AS VARCHAR) AS event_id
    FROM (VALUES ${rows.join(', ')}) AS t(url_full, "timestamp", source_ip, status, event_dataset)`);
});
after(async () => store?.close());

async function run(query: string): Promise<unknown[][]> {
  const c = spl(query);
  return (await store.query(c.sql, c.params)).rows;
}

test('stats by the url alias normalizes each stored value once (its groups), with the rows of normalizing each event', async () => {
  const c = spl('index=cloudfront | stats count earliest(_time) as first latest(_time) as last values(src_ip) as ips min(src_ip) as low by url');
  assert.match(c.sql, /regexp_replace\(CAST\("__pt_k0" AS VARCHAR\)/, 'the regexp reads the grouped stored value');
  assert.doesNotMatch(c.sql, /regexp_replace\(CAST\(coalesce/, 'not every event\'s');
  const expected = new Map<string, { count: number; first: number; last: number; ips: Set<string>; low: string }>();
  URLS.forEach((u, i) => {
    if (u === null) return;
    const key = NORMALIZERS.url!.js(u);
    const ip = `10.0.0.${i % 3}`;
    const g = expected.get(key) ?? { count: 0, first: i, last: i, ips: new Set<string>(), low: ip };
    g.count++;
    g.last = i;
    g.ips.add(ip);
    if (ip < g.low) g.low = ip;
    expected.set(key, g);
  });
  const got = await run('index=cloudfront | stats count earliest(_time) as first latest(_time) as last values(src_ip) as ips min(src_ip) as low by url');
  const second = (d: unknown) => (d instanceof Date ? d.getUTCSeconds() : Number(String(d).slice(-2)));
  assert.deepEqual(
    got.map(([url, count, first, last, ips, low]) => [url, Number(count), second(first), second(last), ips, low]),
    [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([url, g]) => [url, g.count, g.first, g.last, [...g.ips].sort(), g.low]),
  );
  assert.equal(got.length, 4, 'https://app.example.com/ and https://app.example.com are one URL');
  // An aggregation that cannot be combined from parts: grouped at once, as before.
  assert.doesNotMatch(spl('| stats avg(status) by url').sql, /__pt_k0/);
  assert.deepEqual((await run('index=cloudfront | stats dc(src_ip) as n by url')).map((r) => [r[0], Number(r[1])]), [['https://app.example.com', 3], ['https://app.example.com/login', 1], ['https://h/?q=1/', 1], ['https://other.example.net', 1]]);
});

test('field=<whole number> on a whole-number column is an equality; other values match the number\'s text as before', async () => {
  const c = spl('index=cloudfront status=404');
  assert.match(c.sql, /"http_response_status_code" = CAST\(\$p\d+ AS BIGINT\)/);
  assert.doesNotMatch(c.sql, /ILIKE/, 'no cast of every row to text');
  // Unpinned, status is CloudTrail's calculated text or the others' number: each dataset its own match.
  assert.match(spl('status=404').sql, /ELSE \("http_response_status_code" = CAST\(\$p\d+ AS BIGINT\)\) END/);
  assert.deepEqual((await run('sc_status=404 | stats count')).map((r) => Number(r[0])), [2], 'a field of one dataset, NULL for the others');
  const statuses = async (query: string) => (await run(`index=cloudfront ${query} | stats count by status`)).map((r) => [Number(r[0]), Number(r[1])]);
  assert.deepEqual(await statuses('status=404'), [[404, 2]]);
  assert.deepEqual(await statuses('status=-404'), [[-404, 1]]);
  assert.deepEqual(await statuses('status=0'), [[0, 1]]);
  // Splunk matches the value's text: 0404, +404, 404.0 and -0 are not the text of any stored number.
  for (const v of ['0404', '+404', '404.0', '-0']) assert.deepEqual(await statuses(`status=${v}`), [], v);
  assert.deepEqual(await statuses('status=40*'), [[40, 1], [404, 2], [4040, 1]], 'wildcards match the text');
  assert.deepEqual(await statuses('status!=404'), [[-404, 1], [0, 1], [40, 1], [4040, 1]], 'an event without the field is not "not equal"');
  assert.deepEqual((await run('index=cloudfront NOT status=404 | stats count')).map((r) => Number(r[0])), [5], 'NOT keeps the event without the field');
  // A number past 2^53 is not exact as a parameter: matched as text, as before.
  assert.match(spl('status=9007199254740993').sql, /ILIKE/);
  // severity coalesces a whole-number column with text columns: not a number, matched as text.
  assert.match(spl('severity=3').sql, /ILIKE/);
});
