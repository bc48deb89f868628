import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { join } from 'node:path';
import { parquetOf } from '../testing/parquet.js';
import { isParquetFile, readParquetChunks } from './parquet.js';
import { SourceError } from './text-reader.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import type { ChunkResult } from '../pipeline/chunk.js';
import { tempDir } from '../testing/tmp.js';

// CloudFront v2 standard logging delivered as Parquet uses underscore column names.
function cloudfrontParquet(rows: number): Buffer {
  return parquetOf(rows, [
    ['date', () => '2026-11-20'],
    ['time', (i) => `10:00:${String(i % 60).padStart(2, '0')}`],
    ['x_edge_location', () => 'SEA19-C1'],
    ['c_ip', (i) => `192.0.2.${i % 200}`],
    ['cs_method', () => 'GET'],
    ['cs_host', () => 'd1abcdexample.cloudfront.net'],
    ['cs_uri_stem', (i) => `/p${i}`],
    ['sc_status', () => 200, 'INT32'],
    ['cs_user_agent', () => 'Mozilla/5.0%20(X11;%20Linux%20x86_64)'],
    ['x_edge_request_id', (i) => `pq${i}==`],
    ['x_host_header', () => 'app.example.com'],
    ['sc_bytes', () => 1234n, 'INT64'],
  ]);
}

test('Parquet files read as JSON records and normalize like v2 JSON logs', async () => {
  const dir = tempDir();
  const path = join(dir, 'cf-v2.parquet');
  writeFileSync(path, cloudfrontParquet(25_000));
  assert.equal(await isParquetFile(path), true);
  let rows = 0;
  for await (const c of readParquetChunks(path)) rows += c.lineCount;
  assert.equal(rows, 25_000);

  const events: Record<string, unknown>[] = [];
  const sink: EventSink = {
    output: 'ndjson',
    async write(_s, r: ChunkResult) {
      for (const l of r.text.split('\n')) if (l) events.push(JSON.parse(l));
    },
    async endSource() {},
  };
  const dead = new DeadLetterWriter(undefined);
  const summary = await runPipeline({ inputs: [path], format: 'auto', threads: 0, sink, deadLetters: dead });
  assert.equal(summary.sources[0]!.format, 'aws.cloudfront');
  assert.equal(summary.sources[0]!.rejected, 0);
  assert.equal(events.length, 25_000);
  const e = events[7] as { http: { request: { id: string }; response: { status_code: number; bytes: number } }; user_agent: { original: string }; url: { domain: string } };
  assert.equal(e.http.request.id, 'pq7==');
  assert.equal(e.http.response.status_code, 200);
  assert.equal(e.http.response.bytes, 1234);
  assert.equal(e.user_agent.original, 'Mozilla/5.0 (X11; Linux x86_64)');
  assert.equal(e.url.domain, 'app.example.com');
});

test('a damaged Parquet file is a source error, not a crash', async () => {
  const dir = tempDir();
  const path = join(dir, 'broken.parquet');
  const buf = cloudfrontParquet(10);
  writeFileSync(path, buf.subarray(0, buf.length - 40));
  const dead = new DeadLetterWriter(undefined);
  const sink: EventSink = { output: 'ndjson', async write() {}, async endSource() {} };
  const summary = await runPipeline({ inputs: [path], format: 'aws.cloudfront', threads: 0, sink, deadLetters: dead });
  assert.match(summary.sources[0]!.errors[0]!, /not a readable Parquet file/);
});

test('a Parquet page that inflates past MAX_PARQUET_PAGE_BYTES is refused before it is inflated', async () => {
  const dir = tempDir();
  const path = join(dir, 'bomb.parquet');
  // 70 distinct 1 MiB values in one GZIP page: 70 MiB declared, about 70 KB on disk.
  const data = Array.from({ length: 70 }, (_, i) => String(i).padEnd(1 << 20, 'a'));
  const file = parquetWriteBuffer({ columnData: [{ name: 'message', data, type: 'STRING' }], pageSize: 0, codec: 'GZIP', compressors: { GZIP: (b: Uint8Array) => gzipSync(b) } } as never);
  writeFileSync(path, Buffer.from(file));
  assert.ok(statSync(path).size < 200_000);
  await assert.rejects(
    (async () => {
      for await (const _ of readParquetChunks(path)) assert.fail('no rows are read from the page');
    })(),
    (e: unknown) => e instanceof SourceError && /GZIP page declares 73400\d+ bytes decompressed, beyond the 64 MiB limit per page \(MAX_PARQUET_PAGE_BYTES\)/.test(e.message),
  );
});

test('Parquet rows longer than maxLineChars become oversized markers with their length; chunks are cut by size', async () => {
  const dir = tempDir();
  const path = join(dir, 'long-rows.parquet');
  // One long value in the dictionary, repeated by every fifth row: cheap on disk, long as JSON.
  writeFileSync(path, parquetOf(100, [['id', (i) => `r${i}`], ['message', (i) => (i % 5 === 0 ? 'y'.repeat(5000) : 'short')]]));
  const chunks = [];
  for await (const c of readParquetChunks(path, { maxLineChars: 1000, chunkChars: 300 })) chunks.push(c);
  const markers = chunks.filter((c) => c.oversized);
  assert.deepEqual(markers.map((c) => c.firstLine), [1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56, 61, 66, 71, 76, 81, 86, 91, 96]);
  assert.ok(markers.every((c) => c.lineCount === 1 && c.lineLength! > 5000 && c.text.startsWith('{"id":"r') && c.text.length < 1100));
  const rows = chunks.filter((c) => !c.oversized);
  assert.ok(rows.every((c) => c.text.length < 300 + 40), 'chunks cut at about chunkChars');
  assert.equal(rows.reduce((n, c) => n + c.lineCount, 0), 80);
  // Row numbers stay those of the file.
  const numbered = chunks.flatMap((c) => (c.oversized ? [c.firstLine] : c.text.split('\n').map((_, k) => c.firstLine + k)));
  assert.deepEqual(numbered, Array.from({ length: 100 }, (_, i) => i + 1));
});
