import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { InflateBudget, InflateLimitError, MAX_INFLATE_RATIO, MAX_RECORD_INFLATED_BYTES, inflate, inflateSync } from './bounded-inflate.js';

const MB = 1 << 20;

test('a record budget stops at the size limit and is shared by every payload inside the record', () => {
  const ten = gzipSync(Buffer.alloc(10 * MB));
  const budget = new InflateBudget(1 << 30);
  assert.equal(budget.gunzip(ten).length, 10 * MB);
  assert.equal(budget.inflated, 10 * MB);
  // 10 MiB more would make 20 MiB within one record: past MAX_RECORD_INFLATED_BYTES.
  assert.throws(() => budget.gunzip(ten), (e: unknown) => e instanceof InflateLimitError && /beyond 16 MiB, the limit for one record \(MAX_RECORD_INFLATED_BYTES/.test(e.message));
  assert.equal(budget.inflated, 10 * MB, 'what did not fit is not counted');
  assert.equal(new InflateBudget(1 << 30).gunzip(gzipSync(Buffer.alloc(MAX_RECORD_INFLATED_BYTES))).length, MAX_RECORD_INFLATED_BYTES, 'up to the limit is fine');
});

test('a record budget stops at MAX_INFLATE_RATIO times the record size', () => {
  const payload = gzipSync(Buffer.alloc(1000 * MAX_INFLATE_RATIO));
  assert.equal(new InflateBudget(1000).gunzip(payload).length, 1000 * MAX_INFLATE_RATIO);
  assert.throws(
    () => new InflateBudget(999).gunzip(payload),
    (e: unknown) => e instanceof InflateLimitError && e.message === "inflates beyond 1000 times the record's 999 characters, the limit for one record (MAX_INFLATE_RATIO; nested compression: a decompression bomb?)",
  );
});

test('inflateSync and inflate (gzip, brotli) stop at maxBytes; corrupt data is another error', async () => {
  const data = Buffer.alloc(4 * MB, 'a');
  for (const [codec, packed] of [['gzip', gzipSync(data)], ['brotli', brotliCompressSync(data)]] as const) {
    assert.equal(inflateSync(codec, packed, 4 * MB).length, 4 * MB);
    assert.throws(() => inflateSync(codec, packed, MB), (e: unknown) => e instanceof InflateLimitError && /inflates beyond the limit of 1 MiB/.test(e.message));
    assert.equal((await inflate(codec, packed, 4 * MB)).length, 4 * MB);
    await assert.rejects(inflate(codec, packed, MB), InflateLimitError);
    await assert.rejects(inflate(codec, packed.subarray(0, 10), MB), (e: unknown) => !(e instanceof InflateLimitError));
  }
});
