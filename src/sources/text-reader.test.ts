import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readTextChunks, SourceError, type ReadOptions, type TextChunk } from './text-reader.js';

/** Cuts bytes into pieces of the given sizes (cycling), as a stream would deliver them. */
function piecewise(bytes: Buffer, sizes: number[]): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(pieces);
}

async function readAll(stream: Readable, options?: ReadOptions): Promise<TextChunk[]> {
  const out: TextChunk[] = [];
  for await (const c of readTextChunks(stream, options)) out.push(c);
  return out;
}

/** Every chunk starts where the previous one ended and holds whole lines. */
function assertContiguous(chunks: TextChunk[]): void {
  let line = 1;
  for (const c of chunks) {
    assert.equal(c.firstLine, line);
    assert.equal(c.lineCount, c.text.split('\n').length);
    line += c.lineCount;
  }
}

const LINES = Array.from({ length: 500 }, (_, i) => `line ${i} ${'é€😀'.repeat(i % 7)} ${'x'.repeat((i * 37) % 90)}`);

test('lines split across pieces (even inside UTF-8 characters) come back whole, in line-aligned chunks', async () => {
  const text = LINES.join('\n') + '\n';
  for (const sizes of [[1], [3, 7, 2], [1000], [4096, 5]]) {
    const chunks = await readAll(piecewise(Buffer.from(text), sizes), { chunkChars: 256 });
    assert.ok(chunks.length > 10, 'several chunks');
    assertContiguous(chunks);
    assert.deepEqual(chunks.map((c) => c.text).join('\n').split('\n'), LINES);
  }
});

test('a single-line document much larger than the chunk size is one chunk', async () => {
  const doc = JSON.stringify({ Records: Array.from({ length: 2000 }, (_, i) => ({ eventName: `E${i}`, n: i })) });
  const chunks = await readAll(piecewise(Buffer.from(doc), [1000, 333]), { chunkChars: 1024 });
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.text, doc);
  assert.equal(chunks[0]!.lineCount, 1);
  // Followed by more lines: the long line still ends its chunk where its newline is.
  const more = await readAll(piecewise(Buffer.from(`${doc}\nnext\nlast`), [700]), { chunkChars: 1024 });
  assertContiguous(more);
  assert.deepEqual(more.map((c) => c.text).join('\n').split('\n'), [doc, 'next', 'last']);
});

test('CRLF line ends are stripped, a lone CR inside a line is kept', async () => {
  const text = 'a\r\nb\rc\r\n\r\nd\r\n';
  for (const sizes of [[1], [2], [100]]) {
    const chunks = await readAll(piecewise(Buffer.from(text), sizes), { chunkChars: 2 });
    assertContiguous(chunks);
    assert.deepEqual(chunks.map((c) => c.text).join('\n').split('\n'), ['a', 'b\rc', '', 'd']);
  }
});

test('a file without a trailing newline keeps its last line; an empty file yields nothing', async () => {
  const chunks = await readAll(piecewise(Buffer.from('one\ntwo\nthree'), [4]), { chunkChars: 5 });
  assertContiguous(chunks);
  assert.deepEqual(chunks.map((c) => c.text).join('\n').split('\n'), ['one', 'two', 'three']);
  assert.deepEqual(await readAll(Readable.from([Buffer.alloc(0)])), []);
  assert.deepEqual(await readAll(Readable.from([])), []);
});

test('gzip is recognized by its magic bytes and read in any piece size', async () => {
  const text = LINES.join('\n');
  const gz = gzipSync(text);
  for (const sizes of [[1], [17, 5], [1 << 20]]) {
    const chunks = await readAll(piecewise(gz, sizes), { chunkChars: 4096 });
    assertContiguous(chunks);
    assert.deepEqual(chunks.map((c) => c.text).join('\n').split('\n'), LINES);
  }
  // A single-line gzipped document larger than the chunk size.
  const doc = `{"Records":[${'{"a":1},'.repeat(50_000)}{"a":2}]}`;
  const docChunks = await readAll(piecewise(gzipSync(doc), [999]), { chunkChars: 4096 });
  assert.deepEqual(docChunks.map((c) => c.text), [doc]);
});

test('a truncated gzip stream yields the complete lines, then a SourceError after the last one', async () => {
  const gz = gzipSync(LINES.join('\n') + '\n');
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  const got: TextChunk[] = [];
  await assert.rejects(
    (async () => {
      for await (const c of readTextChunks(piecewise(cut, [100]), { chunkChars: 1 << 20 })) got.push(c);
    })(),
    (e: unknown) => e instanceof SourceError && /truncated or corrupt/.test(e.message) && e.afterLine === got.reduce((n, c) => n + c.lineCount, 0),
  );
  const lines = got.map((c) => c.text).join('\n').split('\n');
  assert.ok(lines.length > 10 && lines.length < LINES.length);
  assert.deepEqual(lines, LINES.slice(0, lines.length));
});

test('a line over maxLineChars becomes one oversized marker with its start and length; the lines after it keep their numbers', async () => {
  const text = `first\n${'y'.repeat(5000)}\nafter\nend`;
  const chunks = await readAll(piecewise(Buffer.from(text), [100]), { chunkChars: 64, maxLineChars: 1000 });
  const marker = chunks.find((c) => c.oversized);
  assert.ok(marker);
  assert.equal(marker.firstLine, 2);
  assert.equal(marker.text, 'y'.repeat(1000));
  assert.equal(marker.lineLength, 5000);
  const rest = chunks.filter((c) => !c.oversized);
  assert.deepEqual(rest.map((c) => [c.firstLine, c.text]), [[1, 'first'], [3, 'after\nend']]);
  // An oversized last line without newline is dropped whole, even its cut-off last character.
  const cutChar = Buffer.from([0xe2, 0x82]);
  const tail = await readAll(piecewise(Buffer.concat([Buffer.from(`a\n${'z'.repeat(3000)}`), cutChar]), [100]), { chunkChars: 64, maxLineChars: 1000 });
  assert.deepEqual(tail.map((c) => [c.firstLine, c.text.length, c.oversized ?? false, c.lineLength]), [[1, 1, false, undefined], [2, 1000, true, 3000]]);
});

test('a leading byte order mark is dropped (a later U+FEFF kept); invalid UTF-8 becomes U+FFFD as TextDecoder does', async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  for (const sizes of [[1], [2, 5], [100]]) {
    const chunks = await readAll(piecewise(Buffer.concat([bom, Buffer.from('a\n\ufeffb\n')]), sizes));
    assert.deepEqual(chunks.map((c) => c.text), ['a\n\ufeffb']);
  }
  const garbage = Buffer.from([0x61, 0xff, 0x0a, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98, 0x0a, 0xed, 0xa0, 0x80, 0x0a, 0xe2, 0x82]);
  for (const sizes of [[1], [2, 3], [100]]) {
    const chunks = await readAll(piecewise(garbage, sizes));
    assert.deepEqual(chunks.map((c) => c.text).join('\n'), new TextDecoder().decode(garbage));
  }
});

test('ASCII pieces after a piece cut inside a character still complete it; U+FEFF after the start is text', async () => {
  const euro = Buffer.from('€'); // 3 bytes
  const text = Buffer.concat([Buffer.from('ab'), euro.subarray(0, 2), euro.subarray(2), Buffer.from('cd\n\ufeffxy\n'), Buffer.from([0xe2]), Buffer.from('z')]);
  for (const sizes of [[4, 1, 3], [3, 2], [1], [5, 100]]) {
    const chunks = await readAll(piecewise(text, sizes));
    assert.deepEqual(chunks.map((c) => c.text).join('\n'), new TextDecoder().decode(text), String(sizes));
  }
});
