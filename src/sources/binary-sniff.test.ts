import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readSync, closeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { NotTextError, readTextChunks } from './text-reader.js';
import { sniffBinary, utf16Encoding } from './binary-sniff.js';

/** Reproducible bytes that are not text (a linear congruential sequence). */
function noise(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

async function readAllText(bytes: Buffer | Buffer[]): Promise<string> {
  const parts: string[] = [];
  for await (const c of readTextChunks(Readable.from(Array.isArray(bytes) ? bytes : [bytes]), { chunkChars: 4096 })) parts.push(c.text);
  return parts.join('\n');
}

async function refusal(bytes: Buffer | Buffer[]): Promise<string> {
  try {
    await readAllText(bytes);
  } catch (e) {
    assert.ok(e instanceof NotTextError, `a NotTextError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('read as text');
}

const LOG = Array.from({ length: 400 }, (_, i) => `2026-11-20T10:00:${String(i % 60).padStart(2, '0')}Z host sshd[${i}]: Accepted publickey for user${i} from 192.0.2.${i % 250}`).join('\n') + '\n';

test('an executable is refused by its magic number, before a line is read: the node binary itself', async () => {
  const fd = openSync(process.execPath, 'r');
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const expected = sniffBinary(head);
  assert.ok(expected, 'the running node binary is recognized');
  assert.match(await refusal(head), new RegExp(`not a text log: this looks like ${expected!.replace(/[()]/g, '\\$&')}`));
  assert.match(await refusal(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), noise(200_000)])), /an ELF executable/);
});

test('images, archives and other compressions are named, with what to do', async () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise(3000)]);
  assert.match(await refusal(png), /a PNG image/);
  assert.match(await refusal(Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), noise(100)])), /ZIP archive.*unpack it first/);
  assert.match(await refusal(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), noise(100)])), /zstd-compressed data: decompress it first/);
  assert.match(await refusal(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\0\0\0b\0\0\0', 'latin1')])), /UTF-32 text/);
});

test('gzip holding something other than a log: a tar archive, noise, or gzip again', async () => {
  const tar = Buffer.alloc(10240);
  tar.write('access.log', 0);
  tar.write('ustar', 257, 'latin1');
  tar.write(LOG.slice(0, 5000), 512);
  assert.match(await refusal(gzipSync(tar)), /a tar archive: unpack it first/);
  assert.match(await refusal(gzipSync(noise(300_000))), /binary data \(\d+ % of the first 65,536 bytes are NUL, control characters or invalid UTF-8\)/);
  assert.match(await refusal(gzipSync(gzipSync(LOG))), /compressed twice/);
  assert.match(await refusal(gzipSync(Buffer.alloc(100_000))), /only NUL bytes/);
  // Split into pieces smaller than the sniffed block: judged on the whole block all the same.
  assert.match(await refusal(Array.from({ length: 100 }, (_, i) => noise(1000, i))), /binary data/);
});

test('a damaged text log stays text: a run of NULs left by a crash, stray control characters, Latin-1', async () => {
  const lines = LOG.split('\n');
  lines[10] = '\u0000'.repeat(20_000) + lines[10];
  lines[20] = lines[20]!.replace('sshd', 'ss\u0001\u0002hd');
  const latin1 = Buffer.from(lines.slice(30, 60).map((l) => l + ' utilisateur refusé').join('\n'), 'latin1');
  const text = await readAllText([Buffer.from(lines.slice(0, 30).join('\n') + '\n'), latin1]);
  assert.equal(text.split('\n').length, 60);
  assert.equal(sniffBinary(Buffer.from(LOG)), undefined);
});

test('UTF-16 text is read as text, with or without a byte order mark, whatever the byte split', async () => {
  const expected = LOG.replace(/\n$/, '').replace(/user1\b/g, 'usér1 😀');
  const source = expected + '\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(source, 'utf16le')]);
  const be = Buffer.from(le).swap16();
  const bareLe = Buffer.from(source, 'utf16le');
  assert.equal(utf16Encoding(le), 'utf-16le');
  assert.equal(utf16Encoding(be), 'utf-16be');
  assert.equal(utf16Encoding(bareLe), 'utf-16le');
  assert.equal(utf16Encoding(Buffer.from(source)), undefined);
  for (const bytes of [le, be, bareLe, Buffer.from(bareLe).swap16()]) {
    // Pieces of odd sizes cut characters and surrogate pairs in two.
    const pieces: Buffer[] = [];
    for (let at = 0, k = 0; at < bytes.length; at += 1 + (k++ % 4) * 333) pieces.push(bytes.subarray(at, at + 1 + (k % 4) * 333));
    assert.equal(await readAllText(pieces), expected);
  }
  assert.equal(await readAllText(gzipSync(le)), expected);
});

test('short sources are judged by magic numbers only: a few bytes are weak evidence', async () => {
  assert.equal(await readAllText(Buffer.from('\u0001\u0002 hello\n', 'latin1')), '\u0001\u0002 hello');
  assert.equal(sniffBinary(Buffer.from('MZ is a word too: MZ-1 report\n')), undefined);
});
