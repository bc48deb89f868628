import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from './byte-source.js';
import { isParquetFile, PARQUET_MAGIC, readParquetChunks } from './parquet.js';
import { peekBytes, readTextChunks, SourceError, type ReadOptions, type TextChunk } from './text-reader.js';

export interface SourceReadOptions extends ReadOptions {
  /** Where a streamed Parquet object is copied (default: the system's temporary directory). */
  spoolDir?: string;
}

/**
 * A source's text, chunk by chunk, whatever its bytes are: text (gzip or not) is read as it streams;
 * Parquet is read by random access (its index sits at the end), from the file itself when the source
 * is a local file, else — an S3 object, stdin, a pushed file — after the stream has been copied to a
 * temporary file, removed once the chunks are read.
 */
export async function openSourceChunks(src: ByteSource, options: SourceReadOptions = {}): Promise<AsyncGenerator<TextChunk>> {
  const local = src.path !== undefined && src.path !== '-';
  if (local && (await isParquetFile(src.path!))) return readParquetChunks(src.path!, options);
  const opened = await src.open();
  const bytes = opened instanceof Readable ? opened : Readable.from(opened);
  if (local) return readTextChunks(bytes, options);
  const peeked = await peekBytes(bytes, PARQUET_MAGIC.length);
  if (peeked.head.subarray(0, PARQUET_MAGIC.length).equals(PARQUET_MAGIC)) return spooledParquet(peeked.all, options.spoolDir ?? tmpdir(), options);
  return readTextChunks(bytes, options, peeked);
}

async function* spooledParquet(bytes: AsyncIterable<Buffer>, spoolDir: string, options: ReadOptions): AsyncGenerator<TextChunk> {
  const dir = await mkdtemp(join(spoolDir, 'packettrail-parquet-'));
  try {
    const path = join(dir, 'object.parquet');
    try {
      await pipeline(Readable.from(bytes), createWriteStream(path));
    } catch (e) {
      throw new SourceError(`Parquet object could not be read to the end (${(e as Error).message})`, 0);
    }
    yield* readParquetChunks(path, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
