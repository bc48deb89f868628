import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../../store/duckdb/duckdb-store.js';
import { seedDatabase, spl, splRows } from '../testing.fixture.js';

/* join and append on the seed store (cloudfront: Hit 10:00:10, Hit 10:00:09, Miss 10:00:06). */
let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(seedDatabase(), { readOnly: true });
});
after(async () => store.close());

const run = (query: string) => splRows(store, query);
const refused = (query: string, message: RegExp) => assert.throws(() => spl(query), message, query);

test('join: inner keeps results with a match, left/outer keeps all; the subsearch pipes stay inside its brackets', async () => {
  const sub = '[search index=cloudfront OR index=app | stats dc(url) as urls by index]';
  assert.deepEqual(await run(`| stats count by index | join index ${sub}`), [
    { index: 'app.json', count: 2, urls: 2 },
    { index: 'aws.cloudfront', count: 3, urls: 2 },
  ]);
  const left = await run(`| stats count by index | join type=left index ${sub}`);
  assert.deepEqual(left.map((r) => [r.index, r.urls]), [['app.json', 2], ['aws.cloudfront', 2], ['cisco.umbrella', null], ['microsoft.defender', null], ['panw.panos', null], ['zscaler.zia', null]]);
  assert.deepEqual(await run(`| stats count by index | join type=outer index ${sub} | stats count`), [{ count: 6 }]);
  // Options after the fields, as security_content writes them.
  assert.deepEqual(await run(`| stats count by index | join index type=left ${sub}`), left);
});

test('join on raw events keeps their order; max=1 (default) takes the first match in the subsearch order, max=0 every one', async () => {
  assert.deepEqual(await run('index=cloudfront | join cache_status [| stats count as n by cache_status] | table _time cache_status n'), [
    { _time: '2026-11-20 10:00:10', cache_status: 'Hit', n: 2 },
    { _time: '2026-11-20 10:00:09', cache_status: 'Hit', n: 2 },
    { _time: '2026-11-20 10:00:06', cache_status: 'Miss', n: 1 },
  ]);
  // The subsearch lists the Hit events newest first: max=1 takes 10:00:10 for each Hit.
  const sub = '[search index=cloudfront | eval seen=_time | table cache_status seen]';
  assert.deepEqual((await run(`index=cloudfront | join cache_status ${sub} | table seen`)).map((r) => r.seen), ['2026-11-20 10:00:10', '2026-11-20 10:00:10', '2026-11-20 10:00:06']);
  assert.deepEqual((await run(`index=cloudfront | join max=0 cache_status ${sub} | table seen`)).length, 5);
  assert.deepEqual((await run(`index=cloudfront | join max=2 cache_status ${sub} | table seen`)).length, 5);
});

test('join: a field on both sides takes the subsearch value (overwrite=true) unless overwrite=false; without fields, the common ones', async () => {
  const q = (opts: string) => `| stats count by index | eval count=if(index="app.json", 100, count) | join ${opts} index [search index=app | stats count by index | eval count=7, extra="x"]`;
  assert.deepEqual((await run(q(''))).map((r) => [r.count, r.extra]), [[7, 'x']]);
  assert.deepEqual((await run(q('overwrite=false'))).map((r) => [r.count, r.extra]), [[100, 'x']]);
  assert.deepEqual(await run('| stats count by index | join [search index=app | stats count by index | eval note="n"]'), [{ index: 'app.json', count: 2, note: 'n' }], 'common fields: index and count');
});

test('append: the subsearch results after the current ones, fields united by name', async () => {
  assert.deepEqual(await run('index=cloudfront | stats count by cache_status | append [search index=app | stats count as c by index]'), [
    { cache_status: 'Hit', count: 2, index: null, c: null },
    { cache_status: 'Miss', count: 1, index: null, c: null },
    { cache_status: null, count: null, index: 'app.json', c: 2 },
  ]);
  assert.deepEqual((await run('| stats count by index | append [| stats count as total] | tail 1')), [{ index: null, count: null, total: 10 }]);
  assert.deepEqual((await run('| stats count by index | append maxout=1 [search index=cloudfront | stats count by cache_status] | stats count')), [{ count: 7 }]);
});

test('join and append refuse what they do not answer as Splunk would, naming it', () => {
  refused('| stats count by index | join index', /join needs a subsearch in brackets/);
  refused('| stats count by index | join index []', /the join subsearch is empty/);
  refused('| stats count by index | join usetime=true index [search index=app | stats count by index]', /usetime=true is not supported/);
  refused('| stats count by index | join type=right index [search index=app | stats count by index]', /join type=right is not supported/);
  refused('| stats count by index | join index [search index=app]', /a join subsearch passing on whole events is not supported/);
  refused('| stats count by index | join user [search index=app | stats count by index]', /join: the subsearch has no field 'user'/);
  refused('index=app | join [search index=app | stats count by index]', /join without field names on events is not supported/);
  refused('| stats count by index | join index [search index=app | outputlookup x.csv]', /outputlookup in a join subsearch is not supported/);
  refused('| stats count by index | join index [search index=app | nosuch]', /in the join subsearch: unknown or unsupported command 'nosuch'/);
  refused('| stats count by index | join extendtimerange=true index [search index=app | stats count by index]', /join option 'extendtimerange' is not supported/);
  refused('index=cloudfront | append [search index=app | stats count]', /append after raw events is not supported/);
  refused('| stats count by index | append [search index=app]', /an append subsearch passing on whole events is not supported/);
});
