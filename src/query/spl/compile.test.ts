import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { seedDatabase, spl, splOn, splRows } from './testing.fixture.js';

let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(seedDatabase(), { readOnly: true });
});
after(async () => store.close());

/** Runs SPL on the seed database; rows as objects. */
const run = (query: string) => splRows(store, query);

test('base search: index → event_dataset parameters, field=value is a case-insensitive ILIKE with wildcards', async () => {
  const c = spl('index=cloudfront cache_status=h*');
  assert.match(c.sql, /FROM "events" WHERE \(\("event_dataset" IN \(\$p1\)\) AND \(CAST\(coalesce\("aws_cloudfront_edge_result_type", "aws_cloudfront_edge_response_result_type"\) AS VARCHAR\) ILIKE \$p2 ESCAPE '\\'\)\)/);
  assert.deepEqual(c.params, { p1: 'aws.cloudfront', p2: 'h%' });
  assert.equal((await run('index=cloudfront cache_status=h*')).length, 2);
  assert.equal((await run('index=cloudfront cache_status=HIT')).length, 2, 'case-insensitive');
  assert.equal((await run('index=cloudfront NOT cache_status=hit')).length, 1);
  assert.equal((await run('index=cloudfront cache_status!=hit')).length, 1);
  assert.equal((await run('user=*')).length, 7, 'field=* means the field exists');
  assert.equal((await run('src_ip=10.20.1.15 OR nat_src_ip=198.51.100.10')).length, 5);
  assert.equal((await run('index=aws*')).length, 3, 'wildcard index names');
  assert.equal((await run('sourcetype="aws:cloudfront:accesslogs"')).length, 3);
  assert.equal((await run('index=cisco.umbrella')).length, 1, 'a dataset id is an index name too');
});

test('bare terms search the text columns; numeric comparisons; IN; list columns match any element', async () => {
  assert.deepEqual((await run('other.example')).map((r) => r.url_original), ['https://other.example.net/']);
  assert.equal((await run('status>=200 status<300')).length, 6);
  assert.equal((await run('index=panfw dest_port IN (443, 8443)')).length, 2);
  assert.equal((await run('related_ip=198.51.100.*')).length > 0, true);
  assert.match(spl('related_ip=1.2.3.4').sql, /len\(list_filter\("related_ip", lambda v: coalesce\(\(CAST\(v AS VARCHAR\) ILIKE \$p1 ESCAPE .*\)\) > 0/);
});

test('eval and where: functions from the allow-list, parameters for literals, sequential assignments', async () => {
  const c = spl('index=cloudfront | eval host=upper(edge_location), n=len(host) + 1, tag=if(n > 5, "long", "short") . "!" | where n >= 9 AND tag="long!" | table host n tag');
  assert.match(c.sql, /upper\("aws_cloudfront_edge_location"\) AS "host"/);
  assert.match(c.sql, /CASE WHEN \("n" > CAST\(\$p\d AS BIGINT\)\) THEN \$p\d ELSE \$p\d END/);
  const rows = await run('index=cloudfront | eval host=upper(edge_location), n=len(host) + 1, tag=if(n > 5, "long", "short") . "!" | where n >= 9 AND tag="long!" | table host n tag');
  assert.deepEqual(rows[0], { host: 'FRA56-P3', n: 9, tag: 'long!' });
  assert.equal(rows.length, 3);
  const f = await run(
    'index=app | eval a=coalesce(null(), user), b=case(status>=500, "err", status>=200, "ok"), c=substr(url, 9, 3), d=replace(url, "^https://", ""), e=round(3.14159, 2), t=strftime(_time, "%H:%M"), l=lower("ABC"), m=tonumber("42") | where user="lee.cole" | table a b c d e t l m',
  );
  assert.deepEqual(f, [{ a: 'lee.cole', b: 'ok', c: 'app', d: 'app.example.com', e: 3.14, t: '10:00', l: 'abc', m: 42 }]);
});

test('where compares as Splunk does when the kinds differ: as numbers when both sides are numbers, else as text', async () => {
  // x is text made by eval: "10" > 9.5 as numbers (as text, "10" < "9.5").
  assert.deepEqual(await run('index=cloudfront | eval x=if(cache_status="Hit", "10", "9") | where x > 9.5 | stats count'), [{ count: 2 }]);
  assert.deepEqual(await run('index=cloudfront | eval x=if(cache_status="Hit", "err", "5") | where x > 3 | stats count by x | sort x'), [{ x: '5', count: 1 }, { x: 'err', count: 2 }], '"err" > "3" as text');
  assert.deepEqual(await run('index=cloudfront | eval code=tostring(status) | where code >= 200 AND code < 300 | stats count'), [{ count: 3 }]);
  assert.deepEqual(await run('index=cloudfront | where status = "200" | stats count'), [{ count: 3 }], 'a number column against numeric text');
  // Kinds the compiler knows stay plain comparisons.
  assert.match(spl('index=cloudfront | where status >= 500').sql, /\("http_response_status_code" >= CAST\(\$p2 AS BIGINT\)\)/);
  assert.match(spl('index=cloudfront | eval n=len(url) + 1 | where n > 3').sql, /\("n" > CAST\(\$p\d AS BIGINT\)\)/);
  assert.match(spl('index=cloudfront | where edge_location = "LAX1"').sql, /\("aws_cloudfront_edge_location" = \$p2\)/);
});

test('stats: count, dc, values, list, earliest/latest, min/max/avg/sum, perc, by (rows without the by field dropped)', async () => {
  const c = spl('index=cloudfront | stats count dc(src_ip) as ips values(edge_location) perc50(status) by index');
  assert.match(c.sql, /count\(DISTINCT "source_ip"\) AS "ips"/, 'CloudFront events: the add-on\'s src_ip is c-ip');
  assert.match(c.sql, /list_sort\(list_distinct\(list\(DISTINCT "aws_cloudfront_edge_location"\)\)\) AS "values\(edge_location\)"/);
  assert.match(c.sql, /quantile_cont\(TRY_CAST\("http_response_status_code" AS DOUBLE\), 0\.5\)/);
  const rows = await run('index=cloudfront | stats count dc(src_ip) as ips values(cache_status) list(cache_status) as all earliest(cache_status) as first latest(_time) as last min(status) max(bytes_out) avg(status) sum(status) perc50(status) by edge_location');
  assert.deepEqual(rows, [{
    edge_location: 'FRA56-P3', count: 3, ips: 1, 'values(cache_status)': ['Hit', 'Miss'], all: ['Miss', 'Hit', 'Hit'], first: 'Miss',
    last: '2026-11-20 10:00:10', 'min(status)': 200, 'max(bytes_out)': 2048, 'avg(status)': 200, 'sum(status)': 600, 'perc50(status)': 200,
  }]);
  assert.deepEqual(await run('| stats count'), [{ count: 10 }]);
  assert.deepEqual((await run('| stats count by cache_status')).map((r) => r.cache_status), ['Hit', 'Miss'], 'events without cache_status dropped');
});

test('stats and timechart by a multivalue field group by each of its values, as in Splunk', async () => {
  assert.deepEqual(await run('| stats count by related_ip'), [
    { related_ip: '10.20.1.15', count: 5 },
    { related_ip: '13.224.10.1', count: 4 },
    { related_ip: '198.51.100.10', count: 8 },
    { related_ip: '203.0.113.7', count: 1 },
  ]);
  assert.deepEqual(await run('index=cloudfront | stats count dc(src_ip) as ips by event.category'), [{ 'event.category': 'web', count: 3, ips: 1 }]);
  assert.deepEqual(await run('| timechart span=1h count by related_ip'), [{ _time: '2026-11-20 10:00:00', '198.51.100.10': 8, '10.20.1.15': 5, '13.224.10.1': 4, '203.0.113.7': 1 }]);
});

test('timechart span= buckets time, every bucket from the first to the last; by makes a column per series', async () => {
  const c = spl('index=cloudfront | timechart span=5s count');
  assert.match(c.sql, /time_bucket\(CAST\(\$p2 AS INTERVAL\), "timestamp"\) AS "_time"/);
  assert.equal(c.params.p2, '5 second');
  assert.deepEqual(await run('index=cloudfront | timechart span=5s count by cache_status'), [
    { _time: '2026-11-20 10:00:05', Hit: 1, Miss: 1 },
    { _time: '2026-11-20 10:00:10', Hit: 1, Miss: 0 },
  ]);
  assert.deepEqual(await run('| timechart span=1h count'), [{ _time: '2026-11-20 10:00:00', count: 10 }]);
  assert.deepEqual(await run('index=cloudfront | timechart span=1s count by cache_status'), [
    { _time: '2026-11-20 10:00:06', Hit: 0, Miss: 1 },
    { _time: '2026-11-20 10:00:07', Hit: 0, Miss: 0 },
    { _time: '2026-11-20 10:00:08', Hit: 0, Miss: 0 },
    { _time: '2026-11-20 10:00:09', Hit: 1, Miss: 0 },
    { _time: '2026-11-20 10:00:10', Hit: 1, Miss: 0 },
  ], 'empty buckets are shown, counts 0');
  assert.deepEqual((await run('index=cloudfront | timechart span=1s cont=f count by cache_status')).map((r) => r._time), ['2026-11-20 10:00:06', '2026-11-20 10:00:09', '2026-11-20 10:00:10']);
  assert.deepEqual(await run('earliest=-3h index=cloudfront | timechart span=1h count by cache_status'), [
    { _time: '2026-11-20 09:00:00', Hit: 0, Miss: 0 },
    { _time: '2026-11-20 10:00:00', Hit: 2, Miss: 1 },
    { _time: '2026-11-20 11:00:00', Hit: 0, Miss: 0 },
  ], 'earliest= (and latest=, default now) set the range of buckets; latest is exclusive');
  assert.deepEqual((await run('earliest=2026-11-20T09:30:00Z latest=2026-11-20T11:00:00Z index=cloudfront | timechart span=30m count')).map((r) => [r._time, r.count]), [
    ['2026-11-20 09:30:00', 0], ['2026-11-20 10:00:00', 3], ['2026-11-20 10:30:00', 0],
  ]);
  assert.equal((await run('earliest=-3000d index=cloudfront | timechart span=1s count')).length, 5, 'a range of too many buckets falls back to the events');
  assert.deepEqual(await run('index=cloudfront | timechart span=2s avg(status) by cache_status'), [
    { _time: '2026-11-20 10:00:06', Hit: null, Miss: 200 },
    { _time: '2026-11-20 10:00:08', Hit: 200, Miss: null },
    { _time: '2026-11-20 10:00:10', Hit: 200, Miss: null },
  ], 'other aggregations stay empty where a series has no event');
});

test('timechart by: the most frequent series, then NULL and OTHER; several aggregations name their columns', async () => {
  assert.deepEqual(await run('| timechart span=1h count by cache_status'), [{ _time: '2026-11-20 10:00:00', Hit: 2, Miss: 1, NULL: 7 }]);
  assert.deepEqual(await run('| timechart span=1h usenull=f count by cache_status'), [{ _time: '2026-11-20 10:00:00', Hit: 2, Miss: 1 }]);
  assert.deepEqual(await run('index=cloudfront | timechart span=1h limit=1 count by cache_status'), [{ _time: '2026-11-20 10:00:00', Hit: 2, OTHER: 1 }]);
  assert.deepEqual(await run('index=cloudfront | timechart span=1h limit=1 useother=false count by cache_status'), [{ _time: '2026-11-20 10:00:00', Hit: 2 }]);
  assert.deepEqual(await run('index=cloudfront | timechart span=1h count dc(src_ip) as ips by cache_status'), [
    { _time: '2026-11-20 10:00:00', 'count: Hit': 2, 'ips: Hit': 1, 'count: Miss': 1, 'ips: Miss': 1 },
  ]);
  assert.deepEqual(await run('| timechart span=1h count by cache_status | table _time Miss'), [{ _time: '2026-11-20 10:00:00', Miss: 1 }], 'later commands see the series');
  assert.deepEqual(await run('index=cloudfront status=999 | timechart count by cache_status'), [], 'no event, no row');
});

test('timechart by: series rank by the first aggregation summed over the buckets (Splunk: agg=sum), limit=topN / bottomN', async () => {
  const weighted = 'index=cloudfront | eval w=if(cache_status="Miss", 100, 1) | timechart span=1h';
  // Hit has more events (2 against 1), Miss the larger sum (100 against 2).
  assert.deepEqual(await run(`${weighted} limit=1 sum(w) by cache_status`), [{ _time: '2026-11-20 10:00:00', Miss: 100, OTHER: 2 }]);
  assert.deepEqual(await run(`${weighted} limit=top1 sum(w) by cache_status`), [{ _time: '2026-11-20 10:00:00', Miss: 100, OTHER: 2 }]);
  assert.deepEqual(await run(`${weighted} limit=bottom1 sum(w) by cache_status`), [{ _time: '2026-11-20 10:00:00', Hit: 2, OTHER: 100 }]);
  assert.deepEqual(await run(`${weighted} limit=1 count sum(w) as weight by cache_status`), [
    { _time: '2026-11-20 10:00:00', 'count: Hit': 2, 'weight: Hit': 2, 'count: OTHER': 1, 'weight: OTHER': 100 },
  ], 'the first aggregation ranks');
  assert.deepEqual(await run(`${weighted} limit=1 latest(url) by cache_status`), [
    { _time: '2026-11-20 10:00:00', Hit: 'https://app.example.com/login', OTHER: 'https://app.example.com' },
  ], 'an aggregation that is not a number ranks by event count');
  assert.deepEqual(await run(`${weighted} limit=1 perc50(w) perc90(w) by cache_status`).then((rows) => Object.keys(rows[0]!)), ['_time', 'perc50(w): Miss', 'perc90(w): Miss', 'perc50(w): OTHER', 'perc90(w): OTHER']);
  const named = 'index=cloudfront | eval x=if(cache_status="Hit", "OTHER", "NULL") | timechart span=1h';
  assert.deepEqual(await run(`${named} limit=1 count by x`), [{ _time: '2026-11-20 10:00:00', OTHER: 2, 'OTHER (2)': 1 }], 'a value named OTHER is not the OTHER series');
  assert.deepEqual(await run(`${named} count by x`), [{ _time: '2026-11-20 10:00:00', OTHER: 2, NULL: 1 }], 'nor is a value named NULL the NULL series');
  assert.throws(() => spl('| timechart limit=first2 count by cache_status'), /expected a limit \(a whole number, or topN \/ bottomN\)/);
});

test('timechart by: series values from the logs are bound parameters and quoted column names', async () => {
  const hostile = `a"b'); DROP TABLE events; --`;
  const query = `index=cloudfront | eval x=if(cache_status="Hit", "${hostile.replace(/"/g, '\\"')}", "y") | timechart span=1h count by x`;
  const c = await splOn(store, query);
  // In the SQL only as the quoted column name; compared as a bound parameter.
  assert.equal(c.sql.split('DROP TABLE').length, 2);
  assert.ok(c.sql.includes(`AS "a""b'); DROP TABLE events; --"`));
  assert.ok(Object.values(c.params).includes(hostile));
  assert.deepEqual(await run(query), [{ _time: '2026-11-20 10:00:00', [hostile]: 2, y: 1 }]);
});

test('table, fields, rename, sort, head, tail', async () => {
  const base = 'index=cloudfront | table _time url cache_status';
  assert.deepEqual((await run(`${base} | sort -_time | head 1`)).map((r) => r.url), ['https://app.example.com/login']);
  assert.deepEqual((await run(`${base} | sort _time | tail 2`)).map((r) => r._time), ['2026-11-20 10:00:10', '2026-11-20 10:00:09']);
  assert.deepEqual(Object.keys((await run(`${base} | fields - cache_status | head 1`))[0]!), ['_time', 'url']);
  assert.deepEqual(Object.keys((await run(`${base} | rename cache_status as cs, url as "the url" | head 1`))[0]!).sort(), ['_time', 'cs', 'the url']);
  assert.deepEqual(Object.keys((await run('index=cloudfront | fields edge_location, cache_* | head 1'))[0]!), ['edge_location', 'cache_status']);
  assert.equal((await run('| head')).length, 10);
  const raw = await run('index=umbrella');
  assert.equal(raw[0]!._time, '2026-11-20 10:00:00', 'raw events show the default columns with _time');
  assert.equal(raw[0]!.event_dataset, 'cisco.umbrella');
});

test('dedup keeps the first event per value; top and rare count values with percentages', async () => {
  assert.match(spl('| dedup nat_src_ip').sql, /QUALIFY row_number\(\) OVER \(PARTITION BY "source_nat_ip" ORDER BY __pt_row\) <= CAST\(\$p1 AS BIGINT\)/);
  assert.deepEqual((await run('| sort _time | dedup src_ip | table src_ip _time')).map((r) => r.src_ip), ['10.20.1.15', '198.51.100.10', '203.0.113.7']);
  assert.equal((await run('| dedup 2 src_ip')).length, 5);
  assert.deepEqual(await run('| top limit=2 src_ip'), [
    { src_ip: '198.51.100.10', count: 4, percent: 40 },
    { src_ip: '10.20.1.15', count: 5, percent: 50 },
  ].sort((a, b) => b.count - a.count));
  assert.deepEqual(await run('| rare limit=1 src_ip showperc=false'), [{ src_ip: '203.0.113.7', count: 1 }]);
  assert.deepEqual(await run('| top limit=1 cache_status by edge_location'), [{ edge_location: 'FRA56-P3', cache_status: 'Hit', count: 2, percent: 200 / 3 }]);
});

test('time ranges: earliest/latest relative to now, absolute, epoch; latest is exclusive', async () => {
  const c = spl('earliest=-2h latest=now');
  assert.match(c.sql, /"timestamp" >= CAST\(\$p1 AS TIMESTAMP\)\) AND \("timestamp" < CAST\(\$p2 AS TIMESTAMP\)\)/);
  assert.deepEqual(c.params, { p1: '2026-11-20 10:00:00.000', p2: '2026-11-20 12:00:00.000' });
  assert.equal((await run('earliest=-2h')).length, 10);
  assert.equal((await run('earliest=-1h')).length, 0);
  assert.equal((await run('earliest="2026-11-20T10:00:06Z" latest="2026-11-20 10:00:10"')).length, 4);
  assert.equal((await run('earliest=11/20/2026:10:00:09')).length, 2);
  assert.equal((await run(`latest=${Date.UTC(2026, 10, 20, 10, 0, 1) / 1000}`)).length, 1);
  assert.equal((await run('index=app earliest=0')).length, 2);
});

test("the console's time range: bounds the first base search like earliest/latest; the query's own bounds win; other starts are told", async () => {
  const range = { earliest: new Date('2026-11-20T10:00:06Z'), latest: new Date('2026-11-20T10:00:10Z') };
  assert.equal((await run('*')).length > 4, true);
  assert.equal((await splRows(store, '*', { range })).length, 4, 'same rows as earliest="2026-11-20T10:00:06Z" latest="2026-11-20 10:00:10"');
  assert.equal((await splRows(store, '| search *', { range })).length, 4, 'a leading | search is the base search');
  // The query's own earliest= wins over the range (Splunk: inline time modifiers override the picker).
  assert.equal((await splRows(store, 'earliest=11/20/2026:10:00:09', { range })).length, 2);
  // Only the first search: a later `| search` is not bounded again, and a subsearch is not bounded.
  const c = spl('index=cloudfront | search status=200', { range });
  assert.equal((c.sql.match(/"timestamp" >= /g) ?? []).length, 1);
  assert.deepEqual(c.timeFilter, { datasets: ['aws.cloudfront'], earliest: '2026-11-20T10:00:06.000Z', latest: '2026-11-20T10:00:10.000Z' });
  // timechart fills its buckets over the range, as with earliest=/latest=.
  assert.deepEqual((await splRows(store, 'index=cloudfront | timechart span=30m count', { range: { earliest: new Date('2026-11-20T09:30:00Z'), latest: new Date('2026-11-20T11:00:00Z') } })).length, 3);
  const lookupFirst = spl('| tstats count from datamodel=Web by Web.status', { range });
  assert.ok(lookupFirst.warnings.some((w) => /time range does not apply/.test(w)), lookupFirst.warnings.join('; '));
});
