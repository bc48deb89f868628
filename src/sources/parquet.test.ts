import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetOf } from '../testing/parquet.js';
import { isParquetFile, readParquetChunks } from './parquet.js';
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
