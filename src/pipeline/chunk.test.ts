import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processChunk, type ChunkOutput, type ChunkTask } from './chunk.js';

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
