/**
 * POST /api/query pages a result on the server: `offset` and `limit` give one page, the total is
 * the whole result's, pages put together are the result, and the bounds are refused past their limits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { MAX_ROW_LIMIT, MAX_ROW_OFFSET } from './query-runner.js';
import { buildConsoleDb } from './test-fixture.js';

let server: ConsoleServer;
let base: string;

before(async () => {
  const fixture = await buildConsoleDb();
  server = await createConsoleServer({ db: fixture.db });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});

after(async () => {
  await server?.close();
});

const query = async (body: Record<string, unknown>) => {
  const res = await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

test('offset: pages of a result put together are the result; total is the whole result', async () => {
  const q = 'SELECT event_id FROM events ORDER BY timestamp, event_id';
  const whole = await query({ query: q, language: 'sql', limit: MAX_ROW_LIMIT });
  assert.equal(whole.status, 200);
  const n = whole.body.total as number;
  assert.ok(n > 120, `${n} rows`);
  const pages = [];
  for (let offset = 0; offset < 120; offset += 40) {
    const page = await query({ query: q, language: 'sql', limit: 40, offset });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.offset, offset);
    assert.equal(page.body.total, n, 'the total of the whole result on every page');
    assert.equal(page.body.rows.length, 40);
    assert.equal(page.body.truncated, true, 'more rows follow');
    pages.push(...page.body.rows);
  }
  assert.deepEqual(pages, whole.body.rows.slice(0, 120));
  const last = await query({ query: q, language: 'sql', limit: 40, offset: n - 10 });
  assert.deepEqual(last.body.rows, whole.body.rows.slice(n - 10));
  assert.equal(last.body.total, n);
  assert.equal(last.body.truncated, false);
  const past = await query({ query: q, language: 'sql', limit: 40, offset: n + 5 });
  assert.deepEqual(past.body.rows, []);
  assert.equal(past.body.total, n, 'a page past the end still says how many there are');
  // SPL pages the same way.
  const spl = await query({ query: 'index=* | sort 0 timestamp, event_id | fields event_id', language: 'spl', limit: 5, offset: 3 });
  assert.equal(spl.status, 200, JSON.stringify(spl.body));
  assert.equal(spl.body.rows.length, 5);
  assert.equal(spl.body.offset, 3);
});

test('offset and limit past their bounds are refused', async () => {
  for (const body of [{ offset: -1 }, { offset: MAX_ROW_OFFSET + 1 }, { offset: 1.5 }, { offset: 'x' }, { limit: MAX_ROW_LIMIT + 1 }]) {
    const r = await query({ query: 'SELECT 1 AS one', language: 'sql', ...body });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
});
