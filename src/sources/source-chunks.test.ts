import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { ByteSource } from './byte-source.js';
import { openSourceChunks } from './source-chunks.js';
import { SourceError, type TextChunk } from './text-reader.js';
import { vpcFlowParquet } from '../testing/vpcflow-parquet.js';
import { tempDir } from '../testing/tmp.js';

/** A non-local source (as an S3 object is) delivering its bytes in pieces of `piece` bytes. */
function streamed(bytes: Buffer, piece: number): ByteSource {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += piece) parts.push(bytes.subarray(i, i + piece));
  return { name: 's3://logs/object', size: bytes.length, open: () => Readable.from(parts) };
}

const spool = tempDir('packettrail-spool-test-');

async function readAll(src: ByteSource): Promise<TextChunk[]> {
  const out: TextChunk[] = [];
  for await (const c of await openSourceChunks(src, { spoolDir: spool })) out.push(c);
  return out;
}

test('a Parquet object streamed in pieces is spooled, read as JSON records, and its temporary file removed', async () => {
  const chunks = await readAll(streamed(vpcFlowParquet(25_000), 3));
  const rows = chunks.flatMap((c) => c.text.split('\n'));
  assert.equal(rows.length, 25_000);
  assert.equal(chunks[0]!.firstLine, 1);
  const r = JSON.parse(rows[10]!) as Record<string, unknown>;
  assert.equal(r.srcaddr, '10.0.1.10');
  assert.equal(r.action, 'REJECT');
  assert.equal(r.start, 1763798410);
  assert.deepEqual(readdirSync(spool), []);
});

test('text and gzip streams whose first pieces are shorter than the magic still read whole', async () => {
  const text = 'one\ntwo\r\nthree\n';
  for (const bytes of [Buffer.from(text), gzipSync(text)]) {
    const chunks = await readAll(streamed(bytes, 1));
    assert.deepEqual(chunks.map((c) => c.text).join('\n').split('\n'), ['one', 'two', 'three']);
  }
  assert.deepEqual(await readAll(streamed(Buffer.alloc(0), 1)), []);
  assert.deepEqual((await readAll(streamed(Buffer.from('PA'), 1))).map((c) => c.text), ['PA']);
});

test('a truncated Parquet object is a source error, and its temporary file is removed all the same', async () => {
  const whole = vpcFlowParquet(50);
  await assert.rejects(readAll(streamed(whole.subarray(0, whole.length - 30), 1024)), (e: unknown) => e instanceof SourceError && /not a readable Parquet file/.test(e.message));
  assert.deepEqual(readdirSync(spool), []);
});
