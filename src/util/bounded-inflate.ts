import { brotliDecompress, brotliDecompressSync, gunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * Every decompression of bytes that arrive from outside goes through here, bounded by output size
 * (zlib's `maxOutputLength`: inflating stops at the limit, so neither memory nor time grows with
 * what the payload claims) and, for records, by ratio.
 *
 * Where the limits apply:
 *   - one record (an envelope line: a CloudWatch Logs subscription payload, a Firehose record,
 *     a base64 line, with every payload nested inside it): RECORD_INFLATE_LIMITS, see InflateBudget;
 *   - an HTTP request body sent with `Content-Encoding: gzip`: the input's own body limit;
 *   - a Parquet page: the page size its header declares, itself at most MAX_PARQUET_PAGE_BYTES
 *     (src/sources/parquet.ts).
 * A whole gzip file or object is NOT capped here: a gzip log object of several GB is legitimate.
 * It is streamed (src/sources/text-reader.ts) with flat memory: pieces of 1 MiB, lines bounded by
 * maxLineChars, parse results bounded per task (src/pipeline/chunk.ts MAX_RESULT_RECORDS). A ratio
 * cap would add nothing there: deflate itself cannot exceed about 1032:1, and the time spent
 * inflating a stream is what reading that much text costs anyway.
 */

/**
 * Most bytes one record may inflate to, all its nested payloads together. A CloudWatch Logs
 * subscription payload is one Kinesis/Firehose record (at most 1 MiB compressed) holding at most
 * one PutLogEvents batch (at most 1 MiB of messages, 10,000 events): a few MiB once inflated, with
 * the JSON around each event.
 */
export const MAX_RECORD_INFLATED_BYTES = 16 << 20;

/**
 * Most bytes a record may inflate to per character of the record as it arrived (its base64 text).
 * One gzip layer cannot pass it (deflate tops out near 1032:1, which base64 brings to about 774
 * per character); the most repetitive real logs measured reach about 150. Only compression nested
 * inside compression exceeds it: that is how a few hundred bytes become gigabytes.
 */
export const MAX_INFLATE_RATIO = 1000;

export interface InflateLimits {
  maxBytes: number;
  /** Output bytes per input byte; Infinity: none. */
  maxRatio: number;
}

export const RECORD_INFLATE_LIMITS: InflateLimits = { maxBytes: MAX_RECORD_INFLATED_BYTES, maxRatio: MAX_INFLATE_RATIO };

/** Decompression stopped at a limit; the message names the limit (for the dead letter). */
export class InflateLimitError extends Error {}

/**
 * What one record may still inflate to. Created once per record with the record's own size and
 * shared by every payload opened inside it, so nesting cannot multiply the limit.
 */
export class InflateBudget {
  private used = 0;

  constructor(
    /** Size of the record as it arrived, in characters (base64 text). */
    readonly inputSize: number,
    readonly limits: InflateLimits = RECORD_INFLATE_LIMITS,
  ) {}

  /** Bytes inflated so far within this record. */
  get inflated(): number {
    return this.used;
  }

  private get limit(): number {
    return Math.min(this.limits.maxBytes, this.limits.maxRatio * this.inputSize);
  }

  /** Gunzips `bytes` within what is left of the budget, or throws InflateLimitError. */
  gunzip(bytes: Uint8Array): Buffer {
    const room = this.limit - this.used;
    if (room < 1) throw this.exceeded();
    let out: Buffer;
    try {
      out = gunzipSync(bytes, { maxOutputLength: Math.floor(room) });
    } catch (e) {
      if (isTooLarge(e)) throw this.exceeded();
      throw e;
    }
    this.used += out.length;
    return out;
  }

  private exceeded(): InflateLimitError {
    const { maxBytes, maxRatio } = this.limits;
    if (maxBytes <= maxRatio * this.inputSize) {
      return new InflateLimitError(`inflates beyond ${formatBytes(maxBytes)}, the limit for one record (MAX_RECORD_INFLATED_BYTES; a decompression bomb?)`);
    }
    return new InflateLimitError(
      `inflates beyond ${maxRatio} times the record's ${this.inputSize} characters, the limit for one record (MAX_INFLATE_RATIO; nested compression: a decompression bomb?)`,
    );
  }
}

const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

export type Codec = 'gzip' | 'brotli';

/** Decompresses `bytes` to at most `maxBytes`, or throws InflateLimitError (on the event loop: small inputs). */
export function inflateSync(codec: Codec, bytes: Uint8Array, maxBytes: number): Buffer {
  const options: ZlibOptions = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    return codec === 'gzip' ? gunzipSync(bytes, options) : brotliDecompressSync(bytes, options);
  } catch (e) {
    if (isTooLarge(e)) throw new InflateLimitError(`${codec} data inflates beyond the limit of ${formatBytes(maxBytes)}`);
    throw e;
  }
}

/** As inflateSync, on libuv's thread pool: for servers, which must not block their event loop. */
export async function inflate(codec: Codec, bytes: Uint8Array, maxBytes: number): Promise<Buffer> {
  const options: ZlibOptions = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    return await (codec === 'gzip' ? gunzipAsync(bytes, options) : brotliAsync(bytes, options));
  } catch (e) {
    if (isTooLarge(e)) throw new InflateLimitError(`${codec} data inflates beyond the limit of ${formatBytes(maxBytes)}`);
    throw e;
  }
}

function isTooLarge(e: unknown): boolean {
  return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

/** `16 MiB`, `1.5 KiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}
