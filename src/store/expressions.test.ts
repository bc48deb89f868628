import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { ClickHouseStore } from './clickhouse/store.js';
import { tempDir } from '../testing/tmp.js';
import { clickhouseExpressions } from './clickhouse/expressions.js';
import { DuckDbStore } from './duckdb/duckdb-store.js';
import { duckdbExpressions } from './duckdb/expressions.js';
import { rowsOfList, type SqlExpressions, type SqlParams } from './expressions.js';
import type { QueryResult } from './store.js';

/**
 * Every dialect expression on DuckDB and on ClickHouse over the same rows: the answers must be
 * identical. The rows hold the edge cases (NULLs, empty lists, empty strings, a time before 1970,
 * whole seconds and milliseconds, integers beyond 2^53, out-of-range integer text, non-ASCII text).
 */
interface TestRow {
  id: number;
  g: string;
  s: string | null;
  n: number | bigint | null;
  d: number | null;
  /** Epoch ms. */
  ts: number | null;
  l: string[];
}

const T = (iso: string) => Date.parse(iso);
const ROWS: TestRow[] = [
  { id: 1, g: 'a', s: ' 12 ', n: 5, d: 1.5, ts: T('2026-11-20T08:00:16.363Z'), l: ['x', 'y'] },
  { id: 2, g: 'a', s: 'abc/.git/x', n: -7, d: 2.25, ts: T('1969-12-31T23:59:59.999Z'), l: [] },
  { id: 3, g: 'a', s: null, n: null, d: null, ts: null, l: [''] },
  { id: 4, g: 'b', s: '3000000000', n: 9007199254740993n, d: -0.5, ts: T('2026-11-20T08:00:16Z'), l: ['a,b', '%'] },
  { id: 5, g: 'b', s: 'Ärger%20x+y%zz%C3%A9', n: 100, d: 1e10, ts: T('2026-11-20T08:05:00.120Z'), l: ['x'] },
  { id: 6, g: 'b', s: '-42', n: 100, d: 3, ts: T('2026-11-21T00:00:00.001Z'), l: ['y', 'x'] },
  { id: 7, g: 'b', s: '-42', n: 250, d: 0.1, ts: T('2026-11-20T23:59:59.999Z'), l: [] },
  { id: 8, g: 'c', s: null, n: null, d: null, ts: null, l: [] },
];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function loadDuckDb(store: DuckDbStore): Promise<void> {
  await store.query('CREATE TABLE t (id INTEGER, g VARCHAR, s VARCHAR, n BIGINT, d DOUBLE, ts TIMESTAMP, l VARCHAR[])');
  const values = ROWS.map((r) => `(${r.id}, ${sqlString(r.g)}, ${r.s === null ? 'NULL' : sqlString(r.s)}, ${r.n === null ? 'NULL' : String(r.n)}, ${r.d === null ? 'NULL' : String(r.d)},
    ${r.ts === null ? 'NULL' : `TIMESTAMP ${sqlString(new Date(r.ts).toISOString().replace('T', ' ').replace('Z', ''))}`}, [${r.l.map(sqlString).join(', ')}]::VARCHAR[])`);
  await store.query(`INSERT INTO t VALUES ${values.join(', ')}`);
}

/** The same rows through the ClickHouse store itself (its `$name` substitution, its result rendering). */
async function loadClickHouse(store: ClickHouseStore): Promise<void> {
  await store.query(`CREATE TABLE t (id Int32, g String, s Nullable(String), n Nullable(Int64), d Nullable(Float64), ts Nullable(Decimal64(3)), l Array(String)) ENGINE = Memory`);
  const p: SqlParams = {};
  const values = ROWS.map((r, i) => {
    p[`g${i}`] = r.g;
    p[`s${i}`] = r.s;
    p[`d${i}`] = r.d;
    r.l.forEach((x, j) => (p[`l${i}_${j}`] = x));
    // Int64 beyond 2^53 and times before 1970: exact literals (VALUES reads them as the column's type), never a double.
    const ts = r.ts === null ? 'NULL' : (r.ts / 1000).toFixed(3);
    return `(${r.id}, $g${i}, $s${i}, ${r.n === null ? 'NULL' : String(r.n)}, $d${i}, ${ts}, [${r.l.map((_, j) => `$l${i}_${j}`).join(', ')}])`;
  });
  await store.query(`INSERT INTO t VALUES ${values.join(', ')}`, p);
}

/** A condition as 1/0/NULL on both engines (DuckDB has booleans, ClickHouse UInt8). */
const asNumber = (cond: string) => `(CASE WHEN ${cond} THEN 1 WHEN NOT (${cond}) THEN 0 END)`;

interface Case {
  name: string;
  /** The query, built with one engine's expressions; parameters go into `params`. */
  sql(fn: SqlExpressions, params: SqlParams): string;
}

const perRow = (name: string, expr: (fn: SqlExpressions, params: SqlParams) => string): Case => ({ name, sql: (fn, p) => `SELECT id, ${expr(fn, p)} AS v FROM t ORDER BY id` });
const perGroup = (name: string, expr: (fn: SqlExpressions, params: SqlParams) => string): Case => ({ name, sql: (fn, p) => `SELECT g, ${expr(fn, p)} AS v FROM t GROUP BY g ORDER BY g` });

const CASES: Case[] = [
  perRow('literal (quotes and backslashes)', (fn) => fn.literal(String.raw`it's a\b \\ \n`)),
  perRow('always', (fn) => asNumber(fn.always)),
  perRow('epochMs', (fn) => fn.epochMs('ts')),
  perRow('epochUs', (fn) => fn.epochUs('ts')),
  perRow('bucketIndex, 300 s', (fn) => fn.bucketIndex('ts', '300')),
  perRow('bucketIndex, a bound width of one day', (fn, p) => ((p.w = 86_400), fn.bucketIndex('ts', '$w'))),
  perRow('intDiv of epoch ms (negative times round toward zero)', (fn, p) => ((p.wm = 300_000), fn.intDiv(fn.epochMs('ts'), '$wm'))),
  perRow('intDiv of negative numbers', (fn) => fn.intDiv('n', '2')),
  { name: 'timeParam: ms bounds, inclusive, before 1970 too', sql: (fn, p) => `SELECT id FROM t WHERE ts BETWEEN ${fn.timeParam(p, 'a', T('1969-12-31T23:59:59.999Z'))} AND ${fn.timeParam(p, 'b', T('2026-11-20T08:00:16.363Z'))} ORDER BY id` },
  { name: 'timeParam: exclusive bound at a millisecond', sql: (fn, p) => `SELECT id FROM t WHERE ts > ${fn.timeParam(p, 'a', T('2026-11-20T08:00:16Z'))} AND ts < ${fn.timeParam(p, 'b', T('2026-11-21T00:00:00.001Z'))} ORDER BY id` },
  perRow('epochMs of a time parameter', (fn, p) => fn.epochMs(fn.timeParam(p, 'x', T('2026-11-20T08:00:16.360Z')))),
  perRow('tryInteger (spaces, out of range, signs, junk, NULL)', (fn) => fn.tryInteger('s')),
  perRow('text of integers', (fn) => fn.text('n')),
  perRow('coalesce', (fn) => fn.coalesce('s', fn.text('n'), fn.literal('none'))),
  { name: 'coalesce of several keys, united and sorted', sql: (fn) => `SELECT * FROM (SELECT ${fn.coalesce('s', fn.nullOf('keyword'), fn.text('id'))} AS v, 1 AS k FROM t UNION ALL SELECT ${fn.coalesce(fn.nullOf('keyword'), 'g', 's')}, 2 FROM t) AS u ORDER BY k, v` },
  perRow('regexMatches', (fn) => asNumber(fn.regexMatches('s', String.raw`(^|/)\.(git|svn)(/|$)|^-\d+$`))),
  perRow('regexMatches, \\s and \\b', (fn) => asNumber(fn.regexMatches('s', String.raw`\b12\s`))),
  perRow('regexExtractFirst (no match: empty)', (fn) => fn.regexExtractFirst('s', '^([a-z]+)/')),
  perRow('startsWith', (fn) => asNumber(fn.startsWith('s', 'abc'))),
  perRow('contains', (fn) => asNumber(fn.contains('s', '/'))),
  perRow('lower (non-ASCII)', (fn) => fn.lower('s')),
  perRow('urlDecode (+ stays, malformed escapes stay)', (fn) => fn.urlDecode('s')),
  perRow('listContains', (fn, p) => ((p.v = 'x'), asNumber(fn.listContains('l', '$v')))),
  perRow('listContains the empty string', (fn, p) => ((p.v = ''), asNumber(fn.listContains('l', '$v')))),
  perRow('listHead', (fn) => fn.listHead('l', 1)),
  { name: 'inList of a bound list (commas, percent signs, quotes, spaces)', sql: (fn, p) => `SELECT id FROM t WHERE ${fn.inList('s', fn.stringListParam(p, 'xs', [' 12 ', 'a,b', '%', "it's", 'Ärger%20x+y%zz%C3%A9']))} ORDER BY id` },
  { name: 'inList of an empty list', sql: (fn, p) => `SELECT id FROM t WHERE ${fn.inList('s', fn.stringListParam(p, 'xs', []))} ORDER BY id` },
  { name: 'inList of a list holding the empty string', sql: (fn, p) => `SELECT count(*) FROM t WHERE ${fn.inList("COALESCE(s, '')", fn.stringListParam(p, 'xs', ['']))}` },
  perGroup('countIf (a NULL condition does not count)', (fn) => fn.countIf('n > 10')),
  perGroup('anyValue of a constant', (fn) => fn.anyValue('g')),
  perGroup('argMax (NULLs ignored)', (fn) => fn.argMax('id', 'd')),
  { name: 'mode', sql: (fn) => `SELECT ${fn.mode('s')}, ${fn.mode('n')} FROM t WHERE g = 'b'` },
  // The values met first are the largest: DuckDB's own mode() would answer 'z' and 9.
  { name: 'mode ties: the smallest value', sql: (fn) => `SELECT ${fn.mode("CASE WHEN id <= 2 THEN 'z' ELSE 'a' END")}, ${fn.mode('10 - id')} FROM t WHERE id IN (1, 2, 4, 5)` },
  { name: 'mode of no values', sql: (fn) => `SELECT ${fn.mode('s')} FROM t WHERE g = 'c'` },
  perGroup('quantileCont 0.95 of integers (interpolated)', (fn) => fn.quantileCont('n', 0.95)),
  perGroup('quantileCont 0.5 of doubles', (fn) => fn.quantileCont('d', 0.5)),
  { name: 'quantileCont over many values', sql: (fn) => `SELECT ${fn.quantileCont('id * 7 % 13', 0.95)}, ${fn.quantileCont('id * 7 % 13', 0.5)}, ${fn.quantileCont('id * 7 % 13', 0.01)} FROM t` },
  perGroup('lowerQuantiles', (fn) => `${fn.lowerQuantiles('d', [0.5, 0.95, 0.99], 8192)}[2]`),
  { name: 'lowerQuantiles over every row', sql: (fn) => `SELECT ${fn.lowerQuantiles('d', [0, 0.5, 0.95, 0.99, 1], 8192)} FROM t` },
  perGroup('listSorted (NULLs kept, ties by value)', (fn) => fn.listSorted('s', 'g')),
  perGroup('listSorted by time', (fn) => fn.listSorted('id', 'ts')),
  { name: 'listSortedIf', sql: (fn) => `SELECT g, ${fn.listSortedIf('id', 'ts', 'n > 10')} AS v FROM t WHERE g = 'b' GROUP BY g` },
  perGroup('distinctSorted', (fn) => fn.distinctSorted('n')),
  { name: 'nullOf: typed NULLs unite with the columns they stand for', sql: (fn) => `SELECT * FROM (SELECT id, s, n, ts FROM t WHERE id = 1 UNION ALL SELECT 9, ${fn.nullOf('keyword')}, ${fn.nullOf('long')}, ${fn.nullOf('date')}) AS u ORDER BY id` },
  {
    name: 'groupingSets: per set, keys of the other sets NULL, GROUPING 0 for its own',
    sql: (fn) => `SELECT * FROM (${fn.groupingSets({
      keys: [{ name: 'g', expr: 'g', type: 'keyword' }, { name: 'b', expr: fn.bucketIndex('ts', '86400'), type: 'long' }],
      sets: [['g'], ['b']],
      select: (key, grouping) => `${key('g')} AS g, ${key('b')} AS b, ${grouping('g')} AS gg, ${grouping('b')} AS gb, count(*) AS rows_in, ${fn.countIf("n > 10")} AS big`,
      from: 't', where: 'id <> 3',
    })}) AS x ORDER BY gg, g, b`,
  },
  {
    name: 'quantilesBySets: lowerQuantiles per set, keys of the other sets NULL, the set\'s index',
    sql: (fn) => `SELECT * FROM (${fn.quantilesBySets({
      keys: [{ name: 'g', expr: 'g', type: 'keyword' }, { name: 'b', expr: fn.bucketIndex('ts', '86400'), type: 'long' }],
      // Groups with values only (without: NULL or a list of NULLs, as lowerQuantiles says).
      sets: [['g'], ['b'], ['g', 'b']], from: 't', where: 'id NOT IN (3, 8)', qs: [0, 0.5, 0.95, 1], sample: 8192,
      values: [{ name: 'dq', expr: 'd' }, { name: 'nq', expr: 'n' }],
    })}) AS x ORDER BY grouping_set, g, b`,
  },
  {
    name: 'topPerGroup: the first rows of each group in rank order, some kept whatever their rank',
    sql: (fn) => fn.topPerGroup({ inner: 'SELECT g, id, d FROM t', group: 'g', order: 'd DESC, id', limit: '2', keepAll: "g = 'c'" }),
  },
  { name: 'topPerGroup without rows kept whatever their rank', sql: (fn) => fn.topPerGroup({ inner: 'SELECT g, id, s FROM t', group: 'g', order: 's, id', limit: '1' }) },
  // --- insights views
  { name: 'timeMin/timeMax of a time that is never NULL, over no rows (empty): NULL', sql: (fn, p) => `SELECT ${fn.timeMin(fn.coalesce('ts', fn.timeParam(p, 'x', 0)))}, ${fn.timeMax(fn.coalesce('ts', fn.timeParam(p, 'y', 0)))} FROM t WHERE g = 'none'` },
  perGroup('timeMin/timeMax over rows', (fn) => `${fn.epochMs(fn.timeMin('ts'))} * 1000 + ${fn.epochMs(fn.timeMax('ts'))}`),
  {
    name: 'withTable: a subquery read twice',
    sql: (fn) => fn.withTable('w', 'SELECT g, count(*) AS c FROM t GROUP BY g', (w) => `SELECT g, c FROM ${w} AS a WHERE c > (SELECT min(c) FROM ${w} AS b) ORDER BY g`),
  },
  {
    name: 'precedingSum: the sum over the span before each kept row, per partition (0 when none)',
    sql: (fn, p) => ((p.span = 2), `SELECT * FROM (${fn.precedingSum({ inner: 'SELECT g, id, id * 10 AS v FROM t', partition: ['g'], order: 'id', value: 'v', span: '$span', keep: 'id <> 5', as: 'before' })}) AS x ORDER BY g, id`),
  },
  {
    name: 'lag: the previous row\'s value in the partition (NULL first)',
    sql: (fn) => `SELECT g, id, s, ${fn.epochMs('ts')}, ${fn.epochMs('prev')} FROM (${fn.lag({ inner: 'SELECT g, id, s, ts FROM t', partition: ['g'], order: 'id', columns: ['s', 'ts'], lag: 'ts', as: 'prev' })}) AS x ORDER BY g, id`,
  },
  {
    name: 'pairsParam: a bound table of string pairs (commas, percent signs, quotes, empty strings)',
    sql: (fn, p) => `SELECT a, b FROM ${fn.pairsParam(p, 'pairs', [['x', 'a,b'], ["it's", '%'], ['', 'Ärger%20'], ['x', '']], ['a', 'b'])} AS pairs ORDER BY a, b`,
  },
  { name: 'pairsParam joined on both columns', sql: (fn, p) => `SELECT id FROM t JOIN ${fn.pairsParam(p, 'pairs', [['b', '-42'], ['a', ' 12 ']], ['g', 's'])} AS pairs USING (g, s) ORDER BY id` },
  { name: 'unnestList: one row per element (empty lists none)', sql: (fn) => `SELECT id, ${fn.unnestList('l')} AS e FROM t ORDER BY id, e` },
  // --- SPL timechart, dedup, eventstats, top/rare (issue 24)
  perRow('spanBucket of 10 minutes (aligned from 2000-01-03), a time before 1970 too', (fn) => fn.epochMs(fn.spanBucket('ts', { seconds: 600 }, "INTERVAL '10 minute'"))),
  perRow('spanBucket of a week (weeks begin on Mondays, as from 2000-01-03)', (fn) => fn.epochMs(fn.spanBucket('ts', { seconds: 604800 }, "INTERVAL '7 day'"))),
  { name: 'spanBucket of 3 months (from 2000-01), times from 1970', sql: (fn) => `SELECT id, ${fn.epochMs(fn.spanBucket('ts', { months: 3 }, "INTERVAL '3 month'"))} AS v FROM t WHERE id <> 2 ORDER BY id` },
  {
    name: 'spanSeries: every hour bucket from the first to the last',
    sql: (fn) => `SELECT ${fn.epochMs('"_time"')} AS ms FROM (${fn.spanSeries(fn.timeMin('x'), fn.timeMax('x'), `(SELECT ${fn.spanBucket('ts', { seconds: 3600 }, "INTERVAL '1 hour'")} AS x FROM t WHERE id IN (1, 5, 6, 7)) AS b`, { seconds: 3600 }, "INTERVAL '1 hour'")}) AS s ORDER BY ms`,
  },
  {
    name: 'spanSeries of months between bound times',
    sql: (fn, p) => `SELECT ${fn.epochMs('"_time"')} AS ms FROM (${fn.spanSeries(fn.spanBucket(fn.timeParam(p, 'a', T('2026-10-15T00:00:00Z')), { months: 1 }, "INTERVAL '1 month'"), fn.spanBucket(fn.timeBefore(fn.timeParam(p, 'b', T('2027-02-01T00:00:00Z'))), { months: 1 }, "INTERVAL '1 month'"), '(SELECT 1) AS one', { months: 1 }, "INTERVAL '1 month'")}) AS s ORDER BY ms`,
  },
  {
    name: 'spanSeries over no rows (empty): none',
    sql: (fn) => `SELECT ${fn.epochMs('"_time"')} AS ms FROM (${fn.spanSeries(fn.timeMin('ts'), fn.timeMax('ts'), "(SELECT ts FROM t WHERE g = 'none') AS b", { seconds: 60 }, "INTERVAL '1 minute'")}) AS s`,
  },
  perGroup('anyValueIf: the value of the row where the condition holds (NULL conditions and none: NULL)', (fn) => fn.anyValueIf('n', "id = 1 OR s = 'abc/.git/x' OR (g = 'b' AND s = 'Ärger%20x+y%zz%C3%A9')")),
  perRow('groupKey: equal for equal values and for NULLs', (fn) => `concat(${fn.groupKey('s')}, '|', ${fn.groupKey('n')})`),
  { name: 'numberedRows in a given order', sql: (fn) => `SELECT id, r FROM ${fn.numberedRows('t', 'ORDER BY g DESC, id', 'r')} AS x ORDER BY r` },
  {
    name: 'leftJoinUsing: unmatched rows read NULL where the value is nullable',
    sql: (fn) => `SELECT g, c FROM ${fn.leftJoinUsing('(SELECT DISTINCT g FROM t)', `(SELECT g, ${fn.nullable('count(*)')} AS c FROM t WHERE id < 4 GROUP BY g)`, ['g'])} ORDER BY g`,
  },
  perRow('isFinite of doubles', (fn) => `CASE WHEN ${fn.isFinite('d / 0.5')} THEN 1 ELSE 0 END`),
];

/** Integer text → numbers at any depth: the DuckDB store gives BIGINTs inside lists as text, a store detail. */
function integers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(integers);
  return typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

describe('SQL expressions: the same answers on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let cluster: ClickHouseCluster;
  let duck: DuckDbStore;
  let house: ClickHouseStore;
  const run = {
    duckdb: (sql: string, params: SqlParams) => duck.query(sql, params),
    clickhouse: (sql: string, params: SqlParams) => house.query(sql, params),
  };
  before(async () => {
    cluster = await startClickHouse(1);
    duck = await DuckDbStore.open(join(tempDir('packettrail-expr-'), 'x.duckdb'));
    house = await ClickHouseStore.open(cluster.storeUrl('expressions'));
    await loadDuckDb(duck);
    await loadClickHouse(house);
  });
  after(async () => {
    await duck?.close();
    await house?.close();
    await cluster?.stop();
  });

  const both = async (c: Case): Promise<[QueryResult, QueryResult]> => {
    const pd: SqlParams = {};
    const pc: SqlParams = {};
    return [await run.duckdb(c.sql(duckdbExpressions, pd), pd), await run.clickhouse(c.sql(clickhouseExpressions, pc), pc)];
  };

  for (const c of CASES) {
    test(c.name, async () => {
      const [d, ch] = await both(c);
      assert.ok(d.rows.length > 0 || c.name.includes('empty'), 'the case has rows');
      // The ClickHouse store gives an empty list column as NULL (an Array cannot be NULL, and packettrail
      // stores NULL rather than an empty list): these rows hold empty lists, which DuckDB keeps.
      const emptyAsNull = (rows: unknown[][]) => rows.map((row) => row.map((v) => (Array.isArray(v) && v.length === 0 ? null : v)));
      assert.deepEqual(integers(ch.rows), integers(emptyAsNull(d.rows)));
    });
  }

  test('rowList: the rows of a group as one cell, read back by rowsOfList', async () => {
    const rows = async (engine: 'duckdb' | 'clickhouse', fn: SqlExpressions) =>
      (await run[engine](`SELECT g, ${fn.rowList([fn.text('id'), 's', fn.text(fn.epochMs('ts'))], [fn.epochMs('ts'), 'id'])} FROM t WHERE ts IS NOT NULL GROUP BY g ORDER BY g`, {})).rows.map(([g, cell]) => [g, rowsOfList(cell)]);
    const d = await rows('duckdb', duckdbExpressions);
    assert.deepEqual(d[0], ['a', [['2', 'abc/.git/x', '-1'], ['1', ' 12 ', '1795161616363']]]);
    assert.deepEqual(await rows('clickhouse', clickhouseExpressions), d);
  });

  test('timeText: the text of a time reads back as the same time, to the millisecond', async () => {
    for (const [engine, fn] of [['duckdb', duckdbExpressions], ['clickhouse', clickhouseExpressions]] as const) {
      const texts = await run[engine](`SELECT id, ${fn.timeText('ts')} FROM t WHERE ts IS NOT NULL ORDER BY id`, {});
      for (const [id, text] of texts.rows) {
        const p: SqlParams = {};
        const r = await run[engine](`SELECT id FROM t WHERE ts = ${fn.timeTextParam(p, 't', String(text))}`, p);
        assert.deepEqual(r.rows, [[id]], `${engine}: ${String(text)}`);
      }
    }
  });
});
