import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface TextChunk {
  /** Whole lines joined by `\n`, without the final line terminator. */
  text: string;
  /** 1-based number of the chunk's first line within the source. */
  firstLine: number;
  lineCount: number;
  /** Bytes consumed from the underlying (possibly compressed) source so far: for progress bars. */
  bytesRead: number;
  /** Set when the "chunk" is the start of a single line longer than maxLineChars (the line is dropped). */
  oversized?: boolean;
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
  /** A line longer than this is cut off and reported instead of buffered without bound. */
  maxLineChars?: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Opens a file path or `-` (stdin) as a byte stream. */
export function openBytes(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/**
 * Reads text in line-aligned chunks from a byte stream, gunzipping transparently when the stream
 * starts with the gzip magic bytes (whatever the file is called). Invalid UTF-8 is replaced, not
 * fatal. A truncated or corrupt gzip stream yields every complete line before the damage and then
 * throws SourceError.
 */
export async function* readTextChunks(bytes: Readable, options: ReadOptions = {}): AsyncGenerator<TextChunk> {
  const chunkChars = options.chunkChars ?? 1 << 20;
  const maxLine = options.maxLineChars ?? 64 << 20;
  let bytesRead = 0;
  bytes.on('data', (b: Buffer) => (bytesRead += b.length));
  const iterator = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return;
  const head: Buffer = first.value;
  const rest = async function* () {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  };
  const gz = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  const decoded: AsyncIterable<Buffer> = gz ? Readable.from(rest()).pipe(createGunzip()) : rest();

  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 1;
  let skippingOversized = false;
  const emit = (text: string): TextChunk => {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    const chunk = { text, firstLine: line, lineCount: count, bytesRead };
    line += count;
    return chunk;
  };
  try {
    for await (const buf of decoded) {
      pending += decoder.decode(buf, { stream: true });
      if (skippingOversized) {
        const nl = pending.indexOf('\n');
        if (nl < 0) {
          pending = '';
          continue;
        }
        pending = pending.slice(nl + 1);
        skippingOversized = false;
      }
      if (pending.length >= chunkChars) {
        const nl = pending.lastIndexOf('\n');
        if (nl >= 0) {
          yield emit(stripCr(pending.slice(0, nl)));
          pending = pending.slice(nl + 1);
        } else if (pending.length > maxLine) {
          // One line larger than the limit: hand on a marker line the parser will reject, drop the rest.
          yield { ...emit(pending.slice(0, 200)), oversized: true };
          pending = '';
          skippingOversized = true;
        }
      }
    }
    pending += decoder.decode();
  } catch (e) {
    const complete = pending.lastIndexOf('\n');
    if (complete >= 0) yield emit(stripCr(pending.slice(0, complete)));
    const reason = gz ? `gzip stream is truncated or corrupt (${(e as Error).message})` : `read failed (${(e as Error).message})`;
    throw new SourceError(reason, line - 1);
  }
  if (pending.endsWith('\n')) pending = pending.slice(0, -1);
  if (pending.length) yield emit(stripCr(pending));
}

function stripCr(text: string): string {
  return text.indexOf('\r') >= 0 ? text.replace(/\r$/gm, '') : text;
}
