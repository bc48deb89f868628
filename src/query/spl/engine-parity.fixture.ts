import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventStore } from '../../store/store.js';
import { firstDifference } from '../../testing/first-difference.js';
import { compileSplOn } from './compile.js';
import { SplError } from './errors.js';
import type { LookupCatalog } from './lookups/catalog.js';
import { ALIASES, CATALOG, NOW } from './testing.fixture.js';

/**
 * The engine-parity check shared by src/query/spl/engines.test.ts and lookups/engines.test.ts: a
 * query's rows on DuckDB and on ClickHouse compared (the first differing row named), and a refusal
 * on ClickHouse checked by the construct it names.
 */

export interface ParityQuery {
  query: string;
  language?: 'spl' | 'sql';
  /** The order of the rows is part of the answer (sort, head, top); otherwise both sides are compared sorted. */
  ordered?: boolean;
}

export interface RefusedQuery {
  query: string;
  construct: string;
}

/**
 * Numbers to 12 significant digits: the engines sum floating-point values in different orders. An
 * empty list is null: ClickHouse arrays cannot be NULL, so the store returns an empty one as NULL
 * (src/store/clickhouse/results.ts), where DuckDB's values() of nothing is [].
 */
function comparable(rows: unknown[][], ordered: boolean): unknown[][] {
  const round = (v: unknown): unknown =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : Array.isArray(v) ? (v.length ? v.map(round) : null) : v;
  const out = rows.map((r) => r.map(round));
  return ordered ? out : out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}

/** The query's columns and comparable rows on a store (SPL compiled to the store's dialect). */
export async function parityAnswer(store: EventStore, q: ParityQuery, lookups?: LookupCatalog): Promise<{ columns: string[]; rows: unknown[][] }> {
  let sql = q.query;
  let params: Record<string, string | number | boolean | null> = {};
  if (q.language !== 'sql') {
    ({ sql, params } = await compileSplOn((s, p) => store.query(s, p).then((r) => r.rows), q.query, {
      catalog: CATALOG, aliases: ALIASES, now: NOW, tables: await store.datasetColumns(), fn: store.dialect.fn, lookups,
    }));
  }
  const r = await store.query(sql, params);
  return { columns: r.columns.map((c) => c.name), rows: comparable(r.rows, q.ordered ?? false) };
}

/**
 * One test per query (same columns and rows on both stores, DuckDB answering rows) and one per
 * refusal (DuckDB runs it, ClickHouse refuses it naming the construct). The stores are read when
 * the tests run (set in the suite's before()).
 */
export function parityTests(stores: () => { duck: EventStore; house: EventStore }, queries: readonly ParityQuery[], refused: readonly RefusedQuery[], lookups?: LookupCatalog): void {
  for (const q of queries) {
    test(q.query, async () => {
      const { duck, house } = stores();
      const expected = await parityAnswer(duck, q, lookups);
      const actual = await parityAnswer(house, q, lookups);
      assert.deepEqual(actual.columns, expected.columns, 'columns');
      // An empty answer would make the comparison say nothing.
      assert.ok(expected.rows.length > 0, 'DuckDB answers rows');
      const diff = firstDifference(actual.rows, expected.rows);
      assert.equal(diff, undefined, `ClickHouse differs from DuckDB at ${diff}`);
    });
  }
  for (const r of refused) {
    test(`refused on ClickHouse by name: ${r.query}`, async () => {
      const { duck, house } = stores();
      await assert.doesNotReject(parityAnswer(duck, { query: r.query }, lookups), 'DuckDB runs it');
      await assert.rejects(parityAnswer(house, { query: r.query }, lookups), (e: unknown) => {
        assert.ok(e instanceof SplError, String(e));
        assert.ok(e.message.includes(`${r.construct} is not supported on a ClickHouse store`), e.message);
        return true;
      });
    });
  }
}
