import type { Readable } from 'node:stream';

/** Bytes read as one source: a file, stdin, an S3 object, records pushed to `collect`. */
export interface ByteSource {
  /** Shown in stats and dead letters: a path, `stdin`, `s3://bucket/key`. */
  name: string;
  /** Size in bytes when known, else 0. */
  size: number;
  open(): Readable | NodeJS.ReadableStream | Promise<Readable | NodeJS.ReadableStream>;
  /** A local file path (`-` for stdin): a Parquet file is read from disk instead of being copied first. */
  path?: string;
  /** Added to every line number (pushed records numbered within their origin). */
  lineOffset?: number;
  /** This source's format (a format id or `auto`), instead of the run's. */
  format?: string;
}
