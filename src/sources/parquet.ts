import { open } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors, decompressZstd, type Compressors } from 'hyparquet-compressors';
import { formatBytes, inflateSync } from '../util/bounded-inflate.js';
import { DEFAULT_MAX_LINE_CHARS, OVERSIZED_HEAD_CHARS, SourceError, type ReadOptions, type TextChunk } from './text-reader.js';

/** The four bytes every Parquet file starts (and ends) with. */
export const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');
const ROWS_PER_CHUNK = 10_000;
const CHUNK_CHARS = 1 << 20;

/**
 * Largest decompressed page a Parquet file may declare. Writers cut pages at about 1 MiB (parquet-mr,
 * Arrow, DuckDB) and dictionary pages at about 1 MiB too; a page declared larger is refused before
 * anything is allocated for it, so a small file cannot claim gigabytes.
 */
export const MAX_PARQUET_PAGE_BYTES = 64 << 20;

function pageLimit(codec: string, length: number): void {
  if (length > MAX_PARQUET_PAGE_BYTES) {
    throw new Error(`${codec} page declares ${length} bytes decompressed, beyond the ${formatBytes(MAX_PARQUET_PAGE_BYTES)} limit per page (MAX_PARQUET_PAGE_BYTES)`);
  }
}

/**
 * hyparquet-compressors' decoders, each held to the page size the header declares (at most
 * MAX_PARQUET_PAGE_BYTES): gzip and brotli through zlib with maxOutputLength (the pure-JS brotli
 * grows its output past the declared size), zstd into a buffer of the declared size (without one,
 * fzstd allocates what the frame header claims), the others already write into one.
 */
const boundedCompressors: Compressors = {
  SNAPPY: (input, length) => (pageLimit('SNAPPY', length), compressors.SNAPPY!(input, length)),
  GZIP: (input, length) => (pageLimit('GZIP', length), inflateSync('gzip', input, length)),
  BROTLI: (input, length) => (pageLimit('BROTLI', length), inflateSync('brotli', input, length)),
  ZSTD: (input, length) => (pageLimit('ZSTD', length), decompressZstd(input, new Uint8Array(length))),
  LZ4: (input, length) => (pageLimit('LZ4', length), compressors.LZ4!(input, length)),
  LZ4_RAW: (input, length) => (pageLimit('LZ4_RAW', length), compressors.LZ4_RAW!(input, length)),
};

/** True when a local file starts with the Parquet magic bytes. */
export async function isParquetFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.equals(PARQUET_MAGIC);
  } finally {
    await fh.close();
  }
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Reads a Parquet file (CloudFront v2 standard logging, VPC flow logs delivered as Parquet) as JSON
 * lines, one object per row with the file's column names, so the formats' JSON-record readers take
 * them unchanged. Row numbers stand in for line numbers. hyparquet (MIT, pure JS) does the decoding,
 * with hyparquet-compressors for gzip/zstd/brotli/lz4 pages, bounded (boundedCompressors).
 * Dictionary encoding lets a small file repeat one long value in every row: rows are measured
 * before they are written out, a row longer than maxLineChars becomes an oversized marker as an
 * over-long text line does, and chunks are cut at about 1 MiB of text.
 */
export async function* readParquetChunks(path: string, options: ReadOptions = {}): AsyncGenerator<TextChunk> {
  const maxLine = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const chunkChars = options.chunkChars ?? CHUNK_CHARS;
  let total = 0;
  let file;
  try {
    file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    total = Number(metadata.num_rows);
  } catch (e) {
    throw new SourceError(`not a readable Parquet file (${(e as Error).message})`, 0);
  }
  for (let start = 0; start < total; start += ROWS_PER_CHUNK) {
    const end = Math.min(total, start + ROWS_PER_CHUNK);
    let rows: Record<string, unknown>[];
    try {
      rows = (await parquetReadObjects({ file, rowStart: start, rowEnd: end, compressors: boundedCompressors })) as Record<string, unknown>[];
    } catch (e) {
      throw new SourceError(`Parquet rows ${start + 1}-${end} unreadable (${(e as Error).message})`, start);
    }
    const bytesRead = Math.round((file.byteLength * end) / Math.max(1, total));
    let lines: string[] = [];
    let chars = 0;
    let firstLine = start + 1;
    const flush = (): TextChunk => {
      const chunk = { text: lines.join('\n'), firstLine, lineCount: lines.length, bytesRead };
      firstLine += lines.length;
      lines = [];
      chars = 0;
      return chunk;
    };
    for (const row of rows) {
      const size = measure(row, maxLine + 1);
      if (size > maxLine) {
        if (lines.length) yield flush();
        yield { text: headOf(row), firstLine: firstLine++, lineCount: 1, bytesRead, oversized: true, lineLength: size };
        continue;
      }
      const json = JSON.stringify(row, jsonValue);
      lines.push(json);
      chars += json.length + 1;
      if (chars >= chunkChars) yield flush();
    }
    if (lines.length) yield flush();
  }
}

/** About how long a value is as JSON (its strings and a little per item), counting no further than `stop`. */
function measure(value: unknown, stop: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return 8;
  let n = 2;
  for (const v of Array.isArray(value) ? value : Object.entries(value)) {
    n += measure(v, stop - n) + 1;
    if (n > stop) break;
  }
  return n;
}

/** The start of an over-long row as JSON, its long strings shortened first (it is never written whole). */
function headOf(row: Record<string, unknown>): string {
  const short = (key: string, v: unknown): unknown => {
    if (typeof v === 'string' && v.length > 1024) return `${v.slice(0, 1024)}…`;
    if (Array.isArray(v) && v.length > 100) return [...v.slice(0, 100), '…'];
    return jsonValue(key, v);
  };
  return JSON.stringify(row, short).slice(0, OVERSIZED_HEAD_CHARS);
}
