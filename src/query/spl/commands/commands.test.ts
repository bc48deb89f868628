import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { seedDatabase, spl, splOn, splRows } from '../testing.fixture.js';

/*
 * The seed events, newest first (Splunk's order for raw events):
 *   10:00:10 cloudfront /login Hit · 10:00:09 cloudfront / Hit · 10:00:08 app other.example.net ·
 *   10:00:07 app · 10:00:06 cloudfront / Miss · 10:00:04 panos ×2 · 10:00:03 zscaler ·
 *   10:00:01 defender · 10:00:00 umbrella
 */
let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(seedDatabase(), { readOnly: true });
});
after(async () => store.close());

const run = (query: string) => splRows(store, query);

const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);

test('raw events come newest first, as Splunk lists them: head keeps the newest, tail the oldest, table keeps the order', async () => {
  assert.deepEqual((await run('| head 2 | table _time index')).map((r) => r._time), ['2026-11-20 10:00:10', '2026-11-20 10:00:09']);
  assert.deepEqual((await run('| tail 1 | table index')).map((r) => r.index), ['cisco.umbrella']);
  assert.deepEqual((await run('index=cloudfront | table _time')).map((r) => r._time), ['2026-11-20 10:00:10', '2026-11-20 10:00:09', '2026-11-20 10:00:06']);
  assert.deepEqual((await run('index=cloudfront')).map((r) => r._time), ['2026-11-20 10:00:10', '2026-11-20 10:00:09', '2026-11-20 10:00:06']);
  // After an explicit sort, that order holds.
  assert.deepEqual((await run('index=cloudfront | sort _time | head 1 | table _time')).map((r) => r._time), ['2026-11-20 10:00:06']);
});

test('dedup keeps the newest event per value; keepempty=true keeps every event missing the field; consecutive=true; keepevents=true', async () => {
  assert.deepEqual(await run('index=cloudfront | dedup cache_status | table cache_status _time'), [
    { cache_status: 'Hit', _time: '2026-11-20 10:00:10' },
    { cache_status: 'Miss', _time: '2026-11-20 10:00:06' },
  ]);
  // 6 events have a status (all 200): one kept; the 4 without one are all kept. Across sourcetypes the CIM status is text, as Splunk shows it.
  assert.deepEqual((await run('| dedup status keepempty=true | table index status')).map((r) => r.status), ['200', null, null, null, null]);
  assert.deepEqual((await run('| sort _time | dedup consecutive=true index | table index')).map((r) => r.index), [
    'cisco.umbrella', 'microsoft.defender', 'zscaler.zia', 'panw.panos', 'aws.cloudfront', 'app.json', 'aws.cloudfront',
  ]);
  // keepevents=true: every event kept, the dedup field cleared on the duplicates.
  assert.deepEqual(await run('index=cloudfront | dedup keepevents=true cache_status | table _time cache_status'), [
    { _time: '2026-11-20 10:00:10', cache_status: 'Hit' },
    { _time: '2026-11-20 10:00:09', cache_status: null },
    { _time: '2026-11-20 10:00:06', cache_status: 'Miss' },
  ]);
  assert.deepEqual((await run('| stats count by index | eval k=if(count>1, "many", "one") | dedup keepevents=true k | table index k')).map((r) => r.k), ['many', null, 'one', null, null, null]);
  refused('| dedup keepevents=true consecutive=true user', /keepevents=true with consecutive=true is not supported/);
  refused('| dedup user keepevents=maybe', /expected/);
  refused('| dedup 2 consecutive=true user', /dedup N with consecutive=true is not supported/);
});

test('convert: ctime with timeformat (the ESCU macro), the numeric conversions, values a conversion cannot read', async () => {
  assert.deepEqual(await run('index=cloudfront | stats min(_time) as firstTime max(_time) as lastTime | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) ctime(lastTime)'), [
    { firstTime: '2026-11-20T10:00:06', lastTime: '2026-11-20T10:00:10' },
  ]);
  assert.deepEqual((await run('index=cloudfront | head 1 | convert ctime(_time) as t | table t')), [{ t: '11/20/2026 10:00:10' }], 'default timeformat');
  assert.deepEqual(
    await run('| head 1 | eval e=1700000000, dur="1+02:03:04", ms="01:02.5", mem="2m", u="42 ms", c="1,234,567.5", bad="x" | convert ctime(e) dur2sec(dur) mstime(ms) memk(mem) rmunit(u) rmcomma(c) num(bad) as bn ctime(bad) as bc | table e dur ms mem u c bn bc'),
    [{ e: '11/14/2023 22:13:20', dur: '93784', ms: '62.5', mem: '2048', u: '42', c: '1234567.5', bn: null, bc: 'x' }],
  );
  // auto(): one value it cannot read leaves the whole field as it is.
  assert.deepEqual((await run('| stats count by index | eval v=if(index="app.json", "n/a", "7") | convert auto(v) | table v')).map((r) => r.v), ['n/a', '7', '7', '7', '7', '7']);
  refused('| convert timeformat="%x" ctime(_time)', /time format variable '%x' is not supported/);
  refused('| convert foo(_time)', /unknown convert function 'foo'/);
  refused('| convert tz=UTC ctime(_time)', /convert option 'tz' is not supported/);
});

test('bin/bucket: time spans aligned to the epoch, 1d to the day, numeric ranges; unaligned spans refused', async () => {
  assert.deepEqual(await run('index=cloudfront | bin _time span=5s | stats count by _time'), [
    { _time: '2026-11-20 10:00:05', count: 2 },
    { _time: '2026-11-20 10:00:10', count: 1 },
  ]);
  assert.deepEqual((await run('index=cloudfront | bucket span=3h _time as hour | dedup hour | table hour')), [{ hour: '2026-11-20 09:00:00' }], '3h blocks from the epoch: 09:00');
  assert.deepEqual((await run('index=cloudfront | bucket _time span=1d | dedup _time | table _time')), [{ _time: '2026-11-20 00:00:00' }]);
  assert.deepEqual((await run('index=cloudfront | eval b=bytes_out | bin b span=1000 | dedup b | table b')), [{ b: '2000-3000' }]);
  refused('| bin _time', /bin without span= is not supported/);
  refused('| bin bins=10 _time', /bin option 'bins' is not supported/);
  refused('| bin _time span=1w', /span unit 'w' is not supported/);
  refused('| bin _time span=2d', /span=2d is not supported/);
});

test('fillnull: value=, default 0, only fields some result has without a list, creates listed fields', async () => {
  assert.deepEqual(await run('| table index status | fillnull value=none status | stats count by status'), [
    { status: '200', count: 6 },
    { status: 'none', count: 4 },
  ]);
  assert.deepEqual((await run('| stats count by index | eval x=if(index="app.json", null(), "5") | fillnull | table index x')).map((r) => r.x), ['0', '5', '5', '5', '5', '5']);
  assert.deepEqual((await run('| stats count by index | eval x=null() | fillnull | table x')).map((r) => r.x), [null, null, null, null, null, null], 'a field no result has is not filled');
  assert.deepEqual((await run('| stats count by index | fillnull value=0 missing | table missing')).map((r) => r.missing), [0, 0, 0, 0, 0, 0]);
  // On raw events, without a list: the fields the rest of the query names, where some event has them.
  assert.deepEqual(await run('| fillnull | stats count by status'), [{ status: '0', count: 4 }, { status: '200', count: 6 }]);
  refused('| fillnull | table *', /fillnull without a field list on raw events followed by a wildcard/);
});

test('mvexpand and makemv: a row per value, in the input order; single values and missing fields kept', async () => {
  assert.deepEqual(await run('index=cloudfront | head 1 | eval l=split("a,b,c", ",") | mvexpand l | table l'), [{ l: 'a' }, { l: 'b' }, { l: 'c' }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval l=split("a,b,c", ",") | mvexpand l limit=2 | table l'), [{ l: 'a' }, { l: 'b' }]);
  assert.deepEqual(await run('index=cloudfront | head 2 | eval l=if(cache_status="Hit", split("x y", " "), null()) | mvexpand l | stats count'), [{ count: 4 }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval l="a,,b" | makemv delim="," l | mvexpand l | table l'), [{ l: 'a' }, { l: 'b' }], 'allowempty=false drops empty values');
  assert.deepEqual(await run('index=cloudfront | head 1 | eval l="a,,b" | makemv delim="," allowempty=true l | eval n=mvcount(l) | table n'), [{ n: 3 }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval l="k1=v1;k2=v2" | makemv tokenizer="(\\w+)=" l | table l'), [{ l: ['k1', 'k2'] }]);
  refused('| makemv setsv=true x', /makemv option 'setsv' is not supported/);
});

test('eventstats adds each group\'s statistics to every event, order kept; events missing the by field get none', async () => {
  assert.deepEqual(await run('| stats count by index | eventstats sum(count) as total | head 2'), [
    { index: 'app.json', count: 2, total: 10 },
    { index: 'aws.cloudfront', count: 3, total: 10 },
  ]);
  assert.deepEqual(await run('| eventstats count as n by cache_status | table index cache_status n | head 4'), [
    { index: 'aws.cloudfront', cache_status: 'Hit', n: 2 },
    { index: 'aws.cloudfront', cache_status: 'Hit', n: 2 },
    { index: 'app.json', cache_status: null, n: null },
    { index: 'app.json', cache_status: null, n: null },
  ]);
  assert.deepEqual(await run('index=cloudfront | eventstats avg(bytes_out) as avg max(_time) as last | table avg last | head 1'), [{ avg: 2048, last: '2026-11-20 10:00:10' }]);
  refused('| eventstats allnum=true count', /allnum=true is not supported/);
  refused('| eventstats count by related_ip', /eventstats by 'related_ip', which holds several values, is not supported/);
});

test('streamstats: running statistics in the order of the input, current=f, window= over the stream (global=true) or per group, reset_on_change', async () => {
  assert.deepEqual(await run('index=cloudfront | streamstats count as n dc(cache_status) as kinds | table _time n kinds'), [
    { _time: '2026-11-20 10:00:10', n: 1, kinds: 1 },
    { _time: '2026-11-20 10:00:09', n: 2, kinds: 1 },
    { _time: '2026-11-20 10:00:06', n: 3, kinds: 2 },
  ]);
  assert.deepEqual((await run('index=cloudfront | sort _time | streamstats count as n by cache_status | table cache_status n')), [
    { cache_status: 'Miss', n: 1 },
    { cache_status: 'Hit', n: 1 },
    { cache_status: 'Hit', n: 2 },
  ]);
  assert.deepEqual((await run('index=cloudfront | streamstats current=f window=1 global=false max(_time) as prev by cache_status | table prev')).map((r) => r.prev), [null, '2026-11-20 10:00:10', null]);
  assert.deepEqual((await run('| streamstats count as n by cache_status | table n | head 3')).map((r) => r.n), [1, 2, null], 'no by field, no statistics');
  // Newest first: cloudfront, cloudfront, app, app, cloudfront, panos …
  assert.deepEqual((await run('| streamstats window=3 count as n by index | head 5 | table n')).map((r) => r.n), [1, 2, 1, 2, 1], 'global=true: the last 3 results of the stream');
  assert.deepEqual((await run('| streamstats window=3 global=false count as n by index | head 5 | table n')).map((r) => r.n), [1, 2, 1, 2, 3], 'global=false: the last 3 of the group');
  assert.deepEqual((await run('| streamstats window=2 current=f global=true count as n by index | head 5 | table n')).map((r) => r.n), [0, 1, 0, 1, 0]);
  refused('| streamstats time_window=1h count', /streamstats option 'time_window' is not supported/);
  assert.deepEqual((await run('| streamstats reset_on_change=true count as n by index | head 6 | table n')).map((r) => r.n), [1, 2, 1, 2, 1, 1], 'a change of index starts over');
  assert.deepEqual((await run('| streamstats count as n by index | head 6 | table n')).map((r) => r.n), [1, 2, 1, 2, 3, 1]);
  assert.deepEqual((await run('| eval k=if(index="app.json", null(), "same") | streamstats reset_on_change=true count as n by k | head 6 | table n')).map((r) => r.n), [1, 2, null, null, 3, 4], 'results without the field reset nothing');
  refused('| streamstats reset_before="(x=1)" count', /streamstats option 'reset_before' is not supported/);
  refused('| streamstats window=10001 count', /window must be a whole number up to 10000/);
});

test('rex: named groups become fields (first match, or every match with max_match), sed mode rewrites in place', async () => {
  assert.deepEqual(await run('index=cloudfront | rex field=url "https://(?<host>[^/]+)(?<path>/.*)?" | table host path'), [
    { host: 'app.example.com', path: '/login' },
    { host: 'app.example.com', path: null },
    { host: 'app.example.com', path: null },
  ]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval s="a1b22c333" | rex field=s max_match=0 "(?P<n>\\d+)" | table n'), [{ n: ['1', '22', '333'] }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval s="a1b22c333" | rex field=s max_match=2 "(?<n>\\d+)" | table n'), [{ n: ['1', '22'] }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | rex field=url mode=sed "s/https:\\/\\///" | table url'), [{ url: 'app.example.com/login' }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval s="aXbX" | rex field=s mode=sed "s/X/-/g" | rex field=s mode=sed "y/ab/AB/" | table s'), [{ s: 'A-B-' }]);
  // No match: a field the event has keeps its value.
  assert.deepEqual(await run('index=cloudfront | head 1 | eval host="kept" | rex field=url "^ftp://(?<host>.+)" | table host'), [{ host: 'kept' }]);
  refused('| rex field=url "(?<a>x)(?=y)"', /regex uses lookahead/);
  refused('| rex field=url "(a)\\1"', /backreference/);
  refused('| rex field=url "(?<a>x)" offset_field=o', /rex option 'offset_field' is not supported/);
  refused('| rex field=url "nogroup"', /has no named group/);
  refused('| rex field=url mode=sed "s/a/b/2"', /sed flag '2' is not supported/);
});

test('regex keeps the events whose field matches; != those with the field that do not match', async () => {
  assert.deepEqual((await run('| regex url="login$" | table url')).map((r) => r.url), ['https://app.example.com/login']);
  assert.equal((await run('| regex url!="login$"')).length, 7, 'the 8 events with a url, less the one matching');
  refused('| regex url="a++"', /possessive quantifier/);
});

test('spath reads a JSON path of a field, {} makes a multivalue; without a path it is refused', async () => {
  assert.deepEqual(await run('index=cloudfront | head 1 | eval j="{\\"a\\":{\\"b\\":[{\\"c\\":1},{\\"c\\":2}],\\"d\\":\\"x\\"}}" | spath input=j path=a.d | spath input=j output=cs a.b{}.c | table a.d cs'), [{ 'a.d': 'x', cs: ['1', '2'] }]);
  assert.deepEqual(await run('index=cloudfront | head 1 | eval j="not json" | spath input=j path=a | table a'), [{ a: null }]);
  // A field no event has: null (the JSON path on a constant NULL once failed to bind as a list).
  assert.deepEqual(await run('index=cloudfront | head 1 | spath input=no_such_field output=x a{}.b | spath input=no_such_field output=y a | table x y'), [{ x: null, y: null }]);
  // (spath on a raw event the store does not hold is refused: subsearch-outputlookup.test.ts, on the demo store.)
  refused('| spath input=url', /spath without a path/);
  refused('| spath input=url path=a{1}', /array index in 'a\{1\}' is not supported/);
});

test('generating commands only come first; every command is listed in the unknown-command message', () => {
  assert.throws(() => spl('| frobnicate x'), /unknown or unsupported command 'frobnicate'.*streamstats/);
});

test('iplocation: the country of each address from the bundled database (English names, prefix=); no city, region or coordinates', async () => {
  assert.deepEqual(
    await run('| stats count by index | eval ip=case(index="app.json", "8.8.8.8", index="panw.panos", "2a00:1450:4001:82b::200e", index="zscaler.zia", "not-an-ip", index="aws.cloudfront", "10.1.2.3") | iplocation prefix=geo_ ip | table index geo_Country'),
    [
      { index: 'app.json', geo_Country: 'United States' },
      { index: 'aws.cloudfront', geo_Country: null },
      { index: 'cisco.umbrella', geo_Country: null },
      { index: 'microsoft.defender', geo_Country: null },
      { index: 'panw.panos', geo_Country: 'Ireland' },
      { index: 'zscaler.zia', geo_Country: null },
    ],
  );
  const c = await splOn(store, '| stats count by src_ip | iplocation src_ip');
  assert.match(c.warnings.join('\n'), /City, Region, lat and lon are not available/);
  // City is not made: a field no event has is null, as in Splunk, with a warning.
  assert.match((await splOn(store, '| iplocation src_ip | stats count by City')).warnings.join('\n'), /field 'City': it is null/);
  refused('| iplocation allfields=true src_ip', /allfields=true is not supported/);
  refused('| iplocation lang=de src_ip', /lang=de is not supported/);
});

test('addtotals: the numeric values of the fields summed per result (numeric text too, other text left out), as ESCU scores them', async () => {
  assert.deepEqual(
    (await run('| stats count by index | eval a=if(count>1, 1, 0), b="2", c="x" | addtotals fieldname=Score, a, b c | table index Score | head 3')),
    [{ index: 'app.json', Score: 3 }, { index: 'aws.cloudfront', Score: 3 }, { index: 'cisco.umbrella', Score: 2 }],
  );
  assert.deepEqual((await run('| stats count by index | eval a=1 | addtotals | table Total | head 2')).map((r) => r.Total), [3, 4], 'without fields: every numeric field');
  assert.deepEqual((await run('| stats count by index | eval c="x" | addtotals c | table Total | head 1')).map((r) => r.Total), [null], 'no numeric value: no total');
  assert.deepEqual((await run('| stats count by index | addtotals row=f | fields - index | head 1')), [{ count: 2 }]);
  refused('| stats count by index | addtotals col=t', /addtotals option 'col' is not supported/);
  refused('index=app | addtotals', /addtotals without a field list on events/);
  refused('| stats count by _time | addtotals', /addtotals without a field list over results holding '_time' is not supported/);
});

test('foreach: the eval template once per matching field, <<FIELD>> and <<MATCHSTR>> replaced (ESCU undoes fillnull_value=null with it)', async () => {
  assert.deepEqual(await run('| stats count as n_a dc(url) as n_b by index | foreach n_* [eval x_<<MATCHSTR>> = <<FIELD>> * 10] | head 1'), [{ index: 'app.json', n_a: 2, n_b: 2, x_a: 20, x_b: 20 }]);
  assert.deepEqual(
    await run('| stats count by index | eval v=if(count>1, "null", "kept") | foreach * [ eval <<FIELD>> = if(<<FIELD>>="null",null(),<<FIELD>>)] | table v | head 3'),
    [{ v: null }, { v: null }, { v: 'kept' }],
  );
  refused('| stats count by index | foreach count [eval <<FIELD>>=nosuchfn(<<FIELD>>)]', /in the foreach template for 'count': unknown function 'nosuchfn'/);
  refused('| stats count by index | foreach count [stats count]', /only eval is supported in a foreach template/);
  refused('| stats count by index | foreach mode=multivalue count [eval x=1]', /foreach mode=multivalue is not supported/);
  refused('index=app | foreach * [eval x=1]', /foreach over raw events/);
});

test('list(), first() and last() follow the events\' order (newest first) and skip events without the field', async () => {
  assert.deepEqual(await run('index=cloudfront | stats list(uri_path) as paths first(uri_path) as newest last(uri_path) as oldest first(_time) as t count'), [
    { paths: ['/login', '/', '/'], newest: '/login', oldest: '/', t: '2026-11-20 10:00:10', count: 3 },
  ]);
  assert.deepEqual(await run('index=cloudfront | stats list(cache_status) as s first(cache_status) as f last(cache_status) as l by uri_path | sort uri_path'), [
    { uri_path: '/', s: ['Hit', 'Miss'], f: 'Hit', l: 'Miss' },
    { uri_path: '/login', s: ['Hit'], f: 'Hit', l: 'Hit' },
  ]);
  // After a sort, in the sorted order.
  assert.deepEqual(await run('index=cloudfront | sort _time | stats list(cache_status) as s first(_time) as f last(_time) as l'), [
    { s: ['Miss', 'Hit', 'Hit'], f: '2026-11-20 10:00:06', l: '2026-11-20 10:00:10' },
  ]);
});
