import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { MAX_RESULT_INFLATED_BYTES, MAX_RESULT_RECORDS, processChunk, type ChunkOutput, type ChunkTask } from './chunk.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { parseText } from '../testing/parse.js';

/** App JSON log lines; `pad` makes each event larger, `word` puts non-ASCII text in the message. */
function appLines(n: number, word: string, pad = 0): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ time: `2026-11-20T10:00:${String(i % 60).padStart(2, '0')}Z`, level: 'info', message: `${word} ${i} ${'x'.repeat(pad)}`, method: 'GET', url: `https://app.example.com/p${i}`, status: 200 }),
  ).join('\n');
}

function task(text: string, output: ChunkOutput): ChunkTask {
  return { formatId: 'app.json', options: {}, source: 'app.log', original: false, ingested: '2026-11-22T00:00:00.000Z', headers: [], text, firstLine: 1, document: false, output };
}

test('NDJSON output is the UTF-8 of each event as JSON, one per line, in a buffer of its own per chunk', () => {
  const text = appLines(50, 'é€😀 "quoted" \\ \u0001');
  const events = processChunk(task(text, 'events')).eventList!;
  const first = processChunk(task(text, 'ndjson'));
  assert.equal(first.text, '');
  assert.equal(Buffer.from(first.bytes!).toString('utf8'), events.map((e) => JSON.stringify(e) + '\n').join(''));
  // The next chunk reuses the thread's buffer: the first result's bytes must not change.
  const copy = Buffer.from(first.bytes!);
  processChunk(task(appLines(50, 'other'), 'ndjson'));
  assert.deepEqual(Buffer.from(first.bytes!), copy);
});

test('NDJSON output larger than the initial buffer grows it and loses nothing', () => {
  // 3,000 events of about 2.5 KB each: about 7.5 MB, over the 4 MiB buffer.
  const r = processChunk(task(appLines(3000, 'grow', 2400), 'ndjson'));
  const lines = Buffer.from(r.bytes!).toString('utf8').split('\n');
  assert.ok(r.bytes!.length > 4 << 20);
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 3000);
  assert.deepEqual(lines.map((l) => JSON.parse(l).message), Array.from({ length: 3000 }, (_, i) => `grow ${i} ${'x'.repeat(2400)}`));
  const none = processChunk(task('not json at all', 'ndjson'));
  assert.equal(none.bytes, undefined);
  assert.equal(none.rejected, 1);
});

test('a chunk of more records than a result holds is parsed in parts: rest carries the lines left and the headers in effect', () => {
  const [version, fields, ...records] = cloudFrontLog(3).trimEnd().split('\n');
  const junk = Array.from({ length: MAX_RESULT_RECORDS + 10 }, () => 'x');
  const text = [version, fields, records[0], ...junk, records[1], records[2]].join('\n');
  const t: ChunkTask = { ...task(text, 'events'), formatId: 'aws.cloudfront', source: 'E2EXAMPLE.2026-11-20-00.abcd.gz' };
  const first = processChunk(t);
  assert.ok(first.rest, 'the result is full before the chunk ends');
  assert.equal(first.records + first.skipped.header!, MAX_RESULT_RECORDS);
  assert.equal(first.rest.firstLine, MAX_RESULT_RECORDS + 1);
  assert.deepEqual(first.rest.headers, [version, fields]);
  assert.equal(text.split('\n').slice(MAX_RESULT_RECORDS).join('\n'), first.rest.text);
  // The rest parses with the header replayed: its CloudFront lines are events.
  const second = processChunk({ ...t, ...first.rest });
  assert.equal(second.rest, undefined);
  assert.equal(second.events, 2);
  assert.equal(first.events + second.events, 3);
  assert.equal(first.rejected + second.rejected, junk.length);
  assert.equal(second.deadLetters.at(-1)!.line, junk.length + 3, 'line numbers continue across parts');
  // parseText (as the pipeline) reads the whole chunk.
  const all = parseText('aws.cloudfront', text, { source: t.source });
  assert.deepEqual([all.events.length, all.rejected.length, all.records], [3, junk.length, 3 + junk.length]);
});

test('envelope lines that inflate a lot fill a result early: the bytes inflated per result are bounded too', () => {
  // One app.json record of 8 MiB in about 11 KB of base64.
  const big = gzipSync(JSON.stringify({ time: '2026-11-20T10:00:00Z', message: 'x'.repeat(8 << 20) }), { level: 9 }).toString('base64');
  const lines = Array.from({ length: 6 }, () => big);
  const r = processChunk(task(lines.join('\n'), 'none'));
  assert.deepEqual([r.events, r.rejected], [4, 0]);
  assert.ok(r.rest, 'cut after the line that passed MAX_RESULT_INFLATED_BYTES');
  assert.equal(r.rest.firstLine, Math.ceil(MAX_RESULT_INFLATED_BYTES / (8 << 20)) + 1);
});
