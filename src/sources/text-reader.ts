import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isAscii } from 'node:buffer';
import { sniffContent, sniffMagic, SNIFF_BYTES, utf16Encoding } from './binary-sniff.js';

export interface TextChunk {
  /** Whole lines joined by `\n`, without the final line terminator. */
  text: string;
  /** 1-based number of the chunk's first line within the source. */
  firstLine: number;
  lineCount: number;
  /** Bytes consumed from the underlying (possibly compressed) source so far: for progress bars. */
  bytesRead: number;
  /**
   * Set when the "chunk" is the start of a single line longer than maxLineChars (at most
   * OVERSIZED_HEAD_CHARS): the rest of the line is read past, not kept.
   */
  oversized?: boolean;
  /** With `oversized`: the whole line's length in characters. */
  lineLength?: number;
}

/** A problem with the source as a whole (truncated gzip, unreadable file): reported after the good lines. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly afterLine: number,
  ) {
    super(message);
  }
}

export interface ReadOptions {
  chunkChars?: number;
  /** A line longer than this is cut off and reported instead of buffered without bound (default DEFAULT_MAX_LINE_CHARS). */
  maxLineChars?: number;
}

/**
 * Longest line read by default. A line is buffered whole until it ends, so this bounds memory
 * per source; it stays large because a CloudTrail file is one JSON document on one line.
 */
export const DEFAULT_MAX_LINE_CHARS = 64 << 20;
/** How much of an over-long line its dead letter keeps: enough to tell what it was. */
export const OVERSIZED_HEAD_CHARS = 64 * 1024;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const GUNZIP_PIECE = 1 << 20;
const BOM = 0xfeff;

/** Opens a file path or `-` (stdin) as a byte stream. */
export function openBytes(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/** The first bytes of a stream, read ahead to recognize its kind, and every byte (those included) in order. */
export interface PeekedBytes {
  head: Buffer;
  all: AsyncIterable<Buffer>;
}

/** Reads at least `n` bytes ahead (fewer at the end): a pipe may deliver fewer first. */
export async function peekBytes(bytes: Readable, n: number): Promise<PeekedBytes> {
  const iterator = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer = Buffer.alloc(0);
  while (head.length < n) {
    const r = await iterator.next();
    if (r.done) break;
    head = head.length ? Buffer.concat([head, r.value]) : r.value;
  }
  const all = async function* () {
    if (head.length) yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  };
  return { head, all: all() };
}

/**
 * Reads text in line-aligned chunks from a byte stream, gunzipping transparently when the stream
 * starts with the gzip magic bytes (whatever the file is called). Invalid UTF-8 is replaced, not
 * fatal; UTF-16 is converted; a source that is not text throws NotTextError before any line. A
 * truncated or corrupt gzip stream yields every complete line before the damage and then throws
 * SourceError.
 *
 * `peeked`: the stream's bytes when a caller has already read ahead (see peekBytes); `bytes` is then
 * only counted for progress.
 */
export async function* readTextChunks(bytes: Readable, options: ReadOptions = {}, peeked?: PeekedBytes): AsyncGenerator<TextChunk> {
  const chunkChars = options.chunkChars ?? 1 << 20;
  const maxLine = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  let bytesRead = peeked?.head.length ?? 0;
  bytes.on('data', (b: Buffer) => (bytesRead += b.length));
  // The gzip test needs two bytes.
  const { head, all } = peeked ?? (await peekBytes(bytes, 2));
  if (!head.length) return;
  const gz = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  // 1 MiB output pieces instead of zlib's 16 KiB: 64 times fewer trips through the loop below.
  const decoded = textOnly(gz ? Readable.from(all).pipe(createGunzip({ chunkSize: GUNZIP_PIECE })) : all);

  // Pure ASCII pieces (most logs) are copied as Latin-1, a fifth of TextDecoder's cost; others go
  // through the streaming TextDecoder (faster than Buffer's UTF-8 for non-ASCII text). A piece may
  // skip the decoder only while it holds no partial character: after a piece ending in ASCII.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let decoderClean = true;
  // The byte order mark is dropped here, once: TextDecoder would drop it at its first call, which
  // may come in the middle of the text.
  let atStart = true;
  // Text read but not yet emitted. Appending builds a rope; only emitting flattens it, once a chunk.
  let pending = '';
  // Offset of the last newline in `pending` (-1: none). Found in each new piece alone: rescanning
  // the whole pending text per piece made a single-line document (a CloudTrail Records file)
  // cost quadratic time.
  let lastNl = -1;
  let line = 1;
  // An over-long line being read past: its start and its length so far.
  let skippingOversized = false;
  let oversizedHead = '';
  let oversizedLength = 0;
  const oversized = (): TextChunk => {
    const chunk = { text: oversizedHead, firstLine: line, lineCount: 1, bytesRead, oversized: true, lineLength: oversizedLength };
    line++;
    skippingOversized = false;
    oversizedHead = '';
    return chunk;
  };
  const emit = (text: string): TextChunk => {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    const chunk = { text, firstLine: line, lineCount: count, bytesRead };
    line += count;
    return chunk;
  };
  try {
    for await (const buf of decoded) {
      let piece: string;
      if (decoderClean && isAscii(buf)) piece = buf.toString('latin1');
      else {
        piece = decoder.decode(buf, { stream: true });
        decoderClean = buf.length > 0 && buf[buf.length - 1]! < 0x80;
      }
      if (atStart && piece.length) {
        atStart = false;
        if (piece.charCodeAt(0) === BOM) piece = piece.slice(1);
      }
      if (skippingOversized) {
        const nl = piece.indexOf('\n');
        if (nl < 0) {
          oversizedLength += piece.length;
          continue;
        }
        oversizedLength += nl;
        yield oversized();
        piece = piece.slice(nl + 1);
      }
      // indexOf first: lastIndexOf scans 30 times slower, and a piece of a long line has no newline.
      const nl = piece.indexOf('\n') < 0 ? -1 : piece.lastIndexOf('\n');
      if (nl >= 0) lastNl = pending.length + nl;
      pending += piece;
      if (pending.length < chunkChars) continue;
      if (lastNl >= 0) {
        yield emit(stripCr(pending.slice(0, lastNl)));
        pending = pending.slice(lastNl + 1);
        lastNl = -1;
      } else if (pending.length > maxLine) {
        // One line larger than the limit: keep its start, read past the rest counting it, and hand
        // on a marker for the dead letter once its length is known.
        // A copy: a slice would keep the whole buffered line alive while the rest is read past.
        oversizedHead = Buffer.from(pending.slice(0, Math.min(OVERSIZED_HEAD_CHARS, maxLine)), 'utf16le').toString('utf16le');
        oversizedLength = pending.length;
        pending = '';
        skippingOversized = true;
      }
    }
    if (skippingOversized) yield oversized();
    else {
      const tail = decoder.decode();
      pending += atStart && tail.charCodeAt(0) === BOM ? tail.slice(1) : tail;
    }
  } catch (e) {
    if (e instanceof NotTextError) {
      // Nothing more is read: the file (or download) is closed now, not when it is collected.
      bytes.destroy();
      throw e;
    }
    if (lastNl >= 0) yield emit(stripCr(pending.slice(0, lastNl)));
    if (skippingOversized) yield oversized();
    const reason = gz ? `gzip stream is truncated or corrupt (${(e as Error).message})` : `read failed (${(e as Error).message})`;
    throw new SourceError(reason, line - 1);
  }
  if (pending.endsWith('\n')) pending = pending.slice(0, -1);
  if (pending.length) yield emit(stripCr(pending));
}

/** A source that is not text (an executable, an archive, an image…): one error for the source, nothing read. */
export class NotTextError extends SourceError {
  constructor(readonly looksLike: string) {
    super(`not a text log: this looks like ${looksLike}`, 0);
  }
}

/**
 * The decoded bytes as UTF-8, after their first SNIFF_BYTES have been checked for being text (see
 * binary-sniff.ts): a binary source throws NotTextError before a line of it is read; UTF-16 text
 * is converted as it streams.
 */
async function* textOnly(decoded: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = decoded[Symbol.asyncIterator]();
  const pieces: Buffer[] = [];
  let size = 0;
  let exhausted = false;
  // A read error (a gzip stream cut short) comes after the lines before it: judged on what was read.
  let failed: { error: unknown } | undefined;
  try {
    while (size < SNIFF_BYTES) {
      const r = await iterator.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      pieces.push(r.value);
      size += r.value.length;
    }
  } catch (error) {
    failed = { error };
  }
  const head = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
  const refuse = async (looksLike: string): Promise<never> => {
    if (!failed && !exhausted) await iterator.return?.();
    throw new NotTextError(looksLike);
  };
  const magic = sniffMagic(head);
  if (magic) await refuse(magic);
  const rest = async function* (): AsyncGenerator<Buffer> {
    // In the pieces read: one piece per sniffed block would make one chunk of many lines.
    yield* pieces;
    if (failed) throw failed.error;
    if (exhausted) return;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  };
  const utf16 = utf16Encoding(head);
  if (!utf16) {
    const looksLike = sniffContent(head);
    if (looksLike) await refuse(looksLike);
    yield* rest();
    return;
  }
  // The decoder drops the byte order mark and replaces unpaired surrogates, as UTF-8 text's are.
  const decoder = new TextDecoder(utf16);
  let first = true;
  for await (const piece of rest()) {
    const utf8 = Buffer.from(decoder.decode(piece, { stream: true }), 'utf8');
    if (first) {
      first = false;
      const looksLike = sniffContent(utf8);
      if (looksLike) await refuse(`${looksLike} once read as ${utf16.toUpperCase()}`);
    }
    yield utf8;
  }
  const tail = decoder.decode();
  if (tail) yield Buffer.from(tail, 'utf8');
}

function stripCr(text: string): string {
  return text.indexOf('\r') >= 0 ? text.replace(/\r$/gm, '') : text;
}
