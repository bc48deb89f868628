import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { tempDir } from '../testing/tmp.js';
import { ClickHouseStore } from './clickhouse/store.js';
import { clickhouseExpressions } from './clickhouse/expressions.js';
import { DuckDbStore } from './duckdb/duckdb-store.js';
import { duckdbExpressions } from './duckdb/expressions.js';
import type { SqlExpressions, SqlParams } from './expressions.js';
import type { JsonStep } from './spl-functions.js';

/**
 * JSON paths of json columns (Splunk's `a.b`, `items{}.id` over the store's JSON text) on both
 * engines: ClickHouse 18.16 has no JSON parser, so its SQL walks the text's tokens; the answers must
 * be DuckDB's, where keys repeat at other depths, strings hold brackets, quotes and escapes, and
 * values are objects, arrays, nulls, numbers and booleans.
 */
const DOCS: unknown[] = [
  { a: { b: 'x', c: [1, 2.5, { b: 'deep' }] }, b: 'top' },
  { a: { c: [{ id: 'i-1', s: { n: 'run' } }, { id: 'i-2' }, { other: 1 }, 'loose', null, [3]] }, id: 'outer' },
  { a: { b: { b: 'nested b' } }, 'x.y': 'dotted', 'q"k': 'quoted key', 'br{}': '[{"not": "json"}]' },
  { a: { b: 'say "hi" \\ {[,:]}\n\té 😀', c: [] }, n: -1.5e-7, t: true, f: false, z: null },
  { c: [[1, 2], [3]], a: [{ b: 'in array' }] },
  [{ a: { b: 'root array' } }],
  { a: { c: [{ id: 'dup' }, { id: 'dup2', id2: 'x' }] }, b: 'first', b2: { b: 'not this' } },
];

/** [path as text, steps]. */
const PATHS: [string, JsonStep[]][] = [
  ['a.b', [{ key: 'a' }, { key: 'b' }]],
  ['b', [{ key: 'b' }]],
  ['id', [{ key: 'id' }]],
  ['a.c{}', [{ key: 'a' }, { key: 'c' }, { each: true }]],
  ['a.c{}.id', [{ key: 'a' }, { key: 'c' }, { each: true }, { key: 'id' }]],
  ['a.c{}.s.n', [{ key: 'a' }, { key: 'c' }, { each: true }, { key: 's' }, { key: 'n' }]],
  ['c{}{}', [{ key: 'c' }, { each: true }, { each: true }]],
  ['a{}.b', [{ key: 'a' }, { each: true }, { key: 'b' }]],
  ['{}.a.b', [{ each: true }, { key: 'a' }, { key: 'b' }]],
  ['x.y (one key)', [{ key: 'x.y' }]],
  ['q"k', [{ key: 'q"k' }]],
  ['br{}', [{ key: 'br{}' }]],
  ['n', [{ key: 'n' }]],
  ['t', [{ key: 't' }]],
  ['f', [{ key: 'f' }]],
  ['z', [{ key: 'z' }]],
  ['a (an object)', [{ key: 'a' }]],
];

describe('JSON paths: the same leaves on DuckDB and ClickHouse', { skip: clickhouseSkip() }, () => {
  let cluster: ClickHouseCluster;
  let duck: DuckDbStore;
  let house: ClickHouseStore;
  const answers = new Map<string, { duckdb: unknown[][]; clickhouse: unknown[][] }>();

  const run = async (store: DuckDbStore | ClickHouseStore, fn: SqlExpressions, steps: JsonStep[]) => {
    const p: SqlParams = {};
    let n = 0;
    const param = (v: string) => ((p[`k${++n}`] = v), `$k${n}`);
    const many = steps.some((s) => 'each' in s);
    const value = many ? fn.listCount(fn.jsonLeaves('j', steps, param)) : fn.jsonLeaf('j', steps, param);
    // Lists: their values joined, as DuckDB's empty list is NULL and ClickHouse's is empty.
    const shown = many ? `CASE WHEN ${value} IS NULL THEN NULL ELSE ${fn.listJoin(fn.jsonLeaves('j', steps, param), "'|'")} END` : value;
    return (await store.query(`SELECT id, ${shown} AS v FROM docs ORDER BY id`, p)).rows;
  };

  before(async () => {
    cluster = await startClickHouse(1);
    duck = await DuckDbStore.open(join(tempDir('packettrail-json-'), 'x.duckdb'));
    house = await ClickHouseStore.open(cluster.storeUrl('json'));
    await duck.query('CREATE TABLE docs (id INTEGER, j JSON)');
    await house.query('CREATE TABLE docs (id Int32, j Nullable(String)) ENGINE = Memory');
    const p: SqlParams = {};
    const values = [...DOCS.map((d, i) => ((p[`d${i}`] = JSON.stringify(d)), `(${i + 1}, $d${i})`)), `(${DOCS.length + 1}, NULL)`].join(', ');
    await duck.query(`INSERT INTO docs VALUES ${values}`, p);
    await house.query(`INSERT INTO docs VALUES ${values}`, p);
  });
  after(async () => {
    await duck?.close();
    await house?.close();
    await cluster?.stop();
  });

  for (const [name, steps] of PATHS) {
    test(name, async () => {
      const duckdb = await run(duck, duckdbExpressions, steps);
      const clickhouse = await run(house, clickhouseExpressions, steps);
      answers.set(name, { duckdb, clickhouse });
      assert.deepEqual(clickhouse, duckdb);
    });
  }

  test('the answers are the leaves at the path, nothing else', () => {
    const at = (name: string) => answers.get(name)!.duckdb.map((r) => r[1]);
    assert.deepEqual(at('a.b'), ['x', null, null, 'say "hi" \\ {[,:]}\n\té 😀', null, null, null, null]);
    assert.deepEqual(at('b'), ['top', null, null, null, null, null, 'first', null]);
    assert.deepEqual(at('a.c{}.id'), [null, 'i-1|i-2', null, null, null, null, 'dup|dup2', null]);
    assert.deepEqual(at('a.c{}'), ['1|2.5', 'loose', null, null, null, null, null, null]);
    assert.deepEqual(at('c{}{}'), [null, null, null, null, '1|2|3', null, null, null]);
    assert.deepEqual(at('{}.a.b'), [null, null, null, null, null, 'root array', null, null]);
    assert.deepEqual(at('n'), [null, null, null, '-1.5e-7', null, null, null, null]);
    assert.deepEqual(at('t'), [null, null, null, 'true', null, null, null, null]);
  });
});
