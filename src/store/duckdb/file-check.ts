import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** A DuckDB database file holds `DUCK` at this offset (after an 8-byte checksum). */
const MAGIC_OFFSET = 8;
const MAGIC = 'DUCK';
/** Bytes read to recognize the file and to quote its start. */
const HEAD_BYTES = 24;

/** What a file that is not a database most likely is, by its first bytes. */
const KNOWN_STARTS: readonly { magic: number[]; what: string }[] = [
  { magic: [0x1f, 0x8b], what: 'gzip data' },
  { magic: [...Buffer.from('SQLite format 3')], what: 'an SQLite database' },
  { magic: [...Buffer.from('PAR1')], what: 'a Parquet file' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
];

/**
 * Why the file at `path` cannot be opened as a DuckDB database — `is a directory`, `is empty`,
 * `is not a DuckDB database (it starts with "{\n  \"incidents\"…")` — or undefined when it looks like
 * one or does not exist (then it is created, or reported missing, by the caller). DuckDB's own
 * messages for these cases name neither the file's content nor, for some names, the file at all.
 */
export function whyNotDuckDb(path: string): string | undefined {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'is a directory, not a DuckDB database';
    if (!st.isFile()) return 'is not a regular file, not a DuckDB database';
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `cannot be read: ${code ?? (e as Error).message}`;
  }
  if (size === 0) return 'is empty, not a DuckDB database';
  const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    return `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head.subarray(MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length).toString('latin1') === MAGIC) return undefined;
  const known = KNOWN_STARTS.find((k) => k.magic.every((b, i) => head[i] === b));
  return `is not a DuckDB database (it starts with ${known ? `the bytes of ${known.what}` : quoteStart(head, size)})`;
}

/** The first bytes as text when they are text (`"{\n  \"incid…"`), else in hex. */
function quoteStart(head: Buffer, size: number): string {
  // A character cut by the end of the head is not a sign of binary data.
  const text = head.toString('utf8').replace(/\uFFFD{1,3}$/, '');
  const printable = !text.includes('\uFFFD') && !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
  if (printable) return `${JSON.stringify(text)}${size > head.length ? '…' : ''}`;
  return `the bytes ${[...head.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}${size > 12 ? ' …' : ''}`;
}
