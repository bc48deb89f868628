import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createClient } from '@clickhouse/client';
import { freePort } from '../../testing/clickhouse.js';
import { isTransientStoreError, retryTransient, StoreRetriesExhaustedError, type RetryPolicy } from './retry.js';
import { ClickHouseQueryError } from './store.js';

const QUICK: RetryPolicy = { limitMs: 2_000, firstDelayMs: 10, maxDelayMs: 50 };

test('connection failures and 18.16 cluster errors are transient; mistakes in a statement are not', async () => {
  // A real refused connection and a real client timeout, as the store's client reports them.
  const refused = createClient({ url: `http://127.0.0.1:${await freePort()}`, request_timeout: 2_000 });
  const silent = createServer(() => {}).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  const hanging = createClient({ url: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, request_timeout: 300 });
  try {
    const errors = await Promise.all([refused, hanging].map((c) => c.command({ query: 'SELECT 1' }).then(() => undefined, (e: unknown) => e)));
    for (const e of errors) assert.ok(isTransientStoreError(e), String(e));
  } finally {
    await Promise.all([refused.close(), hanging.close()]);
    silent.close();
  }
  const distributedSend = new ClickHouseQueryError('Code: 210, e.displayText() = DB::NetException: Connection refused (127.0.0.1:41699): Insertion status:\nWrote 1 blocks and 32624 rows on shard 0 replica 0', 210);
  assert.ok(isTransientStoreError(distributedSend));
  assert.ok(isTransientStoreError(new Error('Code: 279, e.displayText() = DB::NetException: All connection tries failed.')));
  assert.ok(isTransientStoreError(new Error('wrapped', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })));
  assert.ok(!isTransientStoreError(new ClickHouseQueryError('Code: 62, e.displayText() = DB::Exception: Syntax error', 62)));
  assert.ok(!isTransientStoreError(new ClickHouseQueryError('Code: 60, e.displayText() = DB::Exception: Table x.y doesn\'t exist', 60)));
  assert.ok(!isTransientStoreError(new Error('expected a time, got "x"')));
});

test('a write is attempted again after transient failures, with growing waits, until it succeeds', async () => {
  let calls = 0;
  const waits: number[] = [];
  const result = await retryTransient('a load', async () => {
    if (++calls < 4) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    return 'stored';
  }, QUICK, { onRetry: (_e, _n, wait) => waits.push(wait) });
  assert.equal(result, 'stored');
  assert.equal(calls, 4);
  assert.equal(waits.length, 3);
  assert.ok(waits[2]! > waits[0]!, `waits grow: ${waits.join(', ')}`);
});

test('a mistake is thrown at once; transient failures past the limit fail with the last error', async () => {
  let calls = 0;
  await assert.rejects(retryTransient('a load', async () => {
    calls++;
    throw new ClickHouseQueryError('Code: 62, Syntax error', 62);
  }, QUICK), /Syntax error/);
  assert.equal(calls, 1);
  const started = Date.now();
  calls = 0;
  await assert.rejects(retryTransient('a load', async () => {
    calls++;
    throw new ClickHouseQueryError('Code: 279, All connection tries failed', 279);
  }, { limitMs: 300, firstDelayMs: 20, maxDelayMs: 40 }), (e: Error) => e instanceof StoreRetriesExhaustedError && /a load failed \d+ times .*retry limit reached.*All connection tries failed/.test(e.message));
  assert.ok(calls > 2, `retried ${calls} times`);
  assert.ok(Date.now() - started < 2_000, 'and gave up near the limit');
  calls = 0;
  await assert.rejects(retryTransient('a load', async () => {
    calls++;
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  }, { ...QUICK, limitMs: 0 }), /socket hang up/);
  assert.equal(calls, 1, 'retry_limit=0: no retry');
});
