import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import { compileSplOn } from './compile.js';
import { SplError } from './errors.js';
import { ALIASES, CATALOG, NOW, spl } from './testing.fixture.js';

// Events enough to pass the caps: 1,200 ids, 30 users with 40 events each, over ten hours.
let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(join(tempDir('packettrail-spl-caps-'), 'caps.duckdb'));
  await store.query(
    `CREATE TABLE events AS SELECT TIMESTAMP '2026-11-20 08:00:00' + to_seconds(CAST(i * 30 AS BIGINT)) AS "timestamp", 'e' || i AS event_id, 'aws.cloudfront' AS event_dataset, 'u' || (i % 30) AS user_name, 200 + i % 5 AS http_response_status_code FROM range(1200) t(i)`,
  );
});
after(async () => store.close());

const compileOn = (query: string, maxTimechartColumns?: number) =>
  compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), query, { catalog: CATALOG, aliases: ALIASES, now: NOW, ...(maxTimechartColumns ? { maxTimechartColumns } : {}) });

async function rows(query: string, maxTimechartColumns?: number): Promise<{ rows: Record<string, unknown>[]; warnings: string[] }> {
  const c = await compileOn(query, maxTimechartColumns);
  const r = await store.query(c.sql, c.params);
  return { rows: r.rows.map((row) => Object.fromEntries(r.columns.map((col, i) => [col.name, row[i]]))), warnings: c.warnings };
}

test('counts past the largest exact integer are parse errors naming the token, not int64 errors from the SQL', () => {
  const huge = '99999999999999999999';
  for (const [q, what] of [
    [`| head ${huge}`, /a row count must be a whole number up to 9007199254740991, found '99999999999999999999'/],
    [`| head limit=${huge}`, /a row count must be/],
    [`| tail ${huge}`, /a row count must be/],
    [`| sort ${huge} user`, /a limit must be/],
    [`| sort limit=${huge} user`, /a limit must be/],
    [`| dedup ${huge} user`, /a count must be/],
    [`| top limit=${huge} user`, /a limit must be/],
    [`| top ${huge} user`, /a limit must be/],
    [`| timechart limit=${huge} count by user`, /the limit must be a whole number up to 9007199254740991, found '99999999999999999999'/],
    [`| timechart limit=bottom${huge} count by user`, /the limit must be .*found 'bottom99999999999999999999'/],
  ] as const) {
    assert.throws(() => spl(q), (e: SplError) => {
      assert.ok(e instanceof SplError, `${q}: ${String(e)}`);
      assert.match(e.reason, what, q);
      assert.match(q.slice(e.offset, e.offset + e.length), /99999999999999999999$/, q);
      return true;
    });
  }
  assert.doesNotThrow(() => spl('| head 9007199254740991'));
});

test('head of the largest count runs; huge numbers elsewhere compare as doubles or are refused naming the argument', async () => {
  const huge = '99999999999999999999';
  assert.equal((await rows('| head 9007199254740991 | table event_id')).rows.length, 1200);
  assert.deepEqual((await rows(`| eval n=${huge} + 1 | head 1 | table n`)).rows, [{ n: 1e20 }]);
  assert.deepEqual((await rows(`| where len(user_name) < ${huge} | stats count`)).rows, [{ count: 1200 }]);
  assert.deepEqual((await rows(`user_name=u1 http_response_status_code<${huge} | stats count`)).rows, [{ count: 40 }]);
  for (const [q, what] of [
    [`| eval x=substr(user_name, ${huge})`, /substr\(\) argument 2 must be a whole number up to 2147483647, found '99999999999999999999'/],
    [`| eval x=substr(user_name, 1, ${huge})`, /substr\(\) argument 3 must be/],
    [`| eval x=round(1.5, ${huge})`, /round\(\) argument 2 must be/],
    [`| eval x=mvindex(split(user_name, "u"), ${huge})`, /mvindex\(\) argument 2 must be/],
  ] as const) {
    assert.throws(() => spl(q), (e: SplError) => e instanceof SplError && what.test(e.reason) && q.slice(e.offset, e.offset + e.length) === huge, q);
  }
});

test('timechart by: more series than the column cap is refused naming the cap; a limit within it runs', async () => {
  await assert.rejects(compileOn('| timechart span=1h limit=0 count by user_name', 10), (e: SplError) => {
    assert.ok(e instanceof SplError, String(e));
    assert.match(e.reason, /timechart by user_name: limit=0 \(every series\) would make 30 series of 1 column\(s\) each, more than the 10 columns a timechart may have; give limit=N with N up to 10/);
    return true;
  });
  await assert.rejects(compileOn('| timechart span=1h limit=12 count by user_name', 10), /limit=12 would make 12 series/);
  await assert.rejects(compileOn('| timechart span=1h limit=6 count dc(event_id) by user_name', 10), /6 series of 2 column\(s\) each.*N up to 5/);
  const capped = await rows('| timechart span=1h limit=10 count by user_name', 10);
  assert.equal(capped.rows.length, 10);
  assert.equal(Object.keys(capped.rows[0]!).length, 12, '_time, 10 series and OTHER');
  // A limit above the cap runs when the data has fewer series.
  assert.equal(Object.keys((await rows('| timechart span=1h limit=50 count by user_name', 40)).rows[0]!).length, 31);
  // The default cap: limit=0 over event ids (the audit's runaway) is refused before any big statement runs.
  await assert.rejects(compileOn('| timechart limit=0 count by event_id'), /limit=0 \(every series\) would make 1,200 series .*more than the 100 columns a timechart may have; give limit=N with N up to 100 /);
});

test('timechart by: series rank by score, count, then value in byte order; OTHER counts the rest', async () => {
  const r = await rows('| timechart span=1d limit=3 count by user_name');
  // Every user has 40 events: ties break by value, u0 < u1 < u10 in byte order.
  assert.deepEqual(r.rows, [{ _time: '2026-11-20 00:00:00', u0: 40, u1: 40, u10: 40, OTHER: 1080 }]);
  const bottom = await rows('| timechart span=1d limit=bottom2 count by user_name');
  assert.deepEqual(bottom.rows, [{ _time: '2026-11-20 00:00:00', u9: 40, u8: 40, OTHER: 1120 }]);
});

test('list() keeps the first 100 values of a group, as Splunk, and says so', async () => {
  const r = await rows('| stats list(event_id) as ids count');
  assert.equal((r.rows[0]!.ids as unknown[]).length, 100);
  assert.equal(r.rows[0]!.count, 1200);
  assert.deepEqual(r.warnings, ["list() keeps the first 100 values of each group, as Splunk's list_maxsize does"]);
  assert.equal(((await rows('| stats values(event_id) as ids')).rows[0]!.ids as unknown[]).length, 1200, 'values() has no cap (Splunk maxvalues=0)');
  assert.deepEqual((await rows('| stats values(event_id) as ids')).warnings, []);
});

test('top limit=0 lists every value, as Splunk (it listed none)', async () => {
  assert.equal((await rows('| top limit=0 user_name')).rows.length, 30);
  assert.equal((await rows('| top user_name')).rows.length, 10);
});
