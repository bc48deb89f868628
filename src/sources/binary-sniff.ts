/**
 * Recognizes input that is not text before it is cut into records: an executable, an archive, an
 * image or a database given to `ingest` by mistake is one source error naming what it looks like,
 * not hundreds of dead letters of binary data. Runs on the first bytes after gzip is undone.
 */

/** How much of a source's start is examined (after gzip): enough lines to judge, read anyway. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * A block is binary when at least this share of its bytes are NUL, control characters (other than
 * tab, line feed, vertical tab, form feed, carriage return and ESC) or bytes of invalid UTF-8 (a
 * long run of NULs counting once: see NUL_HOLE_MIN) …
 */
export const BINARY_BYTE_SHARE = 0.1;
/**
 * … and more than this share of its lines hold one. The two together keep a damaged text log a text
 * log: a NUL, or a run of NULs left by a crash, sits in one or a few lines (one bad record, which
 * rejects only itself), however many bytes it spans; an executable, archive or image is damaged
 * everywhere. Measured on a development machine (first 64 KiB after gzip): of 10,045 text files
 * (the reference logs and Sigma rules of ../shared, /usr/share/doc, /etc, /var/log) none passed both
 * thresholds; the 8 refused were PDF, tar and DVI documents inside gzip. 1,076 ELF files and 214
 * .evtx/.zip files were all refused (by their magic number).
 */
export const BINARY_LINE_SHARE = 0.5;

/** A run of at least this many NUL bytes counts as one damaged spot (see BlockStats.holeExcess). */
export const NUL_HOLE_MIN = 16;

/**
 * Below this many bytes only magic numbers decide: a few bytes are weak evidence, and a source that
 * short makes a few dead letters at most, each showing what it was.
 */
export const SNIFF_MIN_BYTES = 512;

interface Magic {
  /** Bytes at `at` (default 0); a string is taken byte per character. */
  bytes: string | readonly number[];
  at?: number;
  what: string;
  /** A further test when the magic bytes alone could start a text line. */
  also?: (head: Buffer) => boolean;
}

const ZIP = 'a ZIP archive (ZIP, JAR, an Office document…): unpack it first';
const DECOMPRESS = (kind: string) => `${kind}-compressed data: decompress it first (gzip is read as it is, no other compression)`;
const PCAP = 'a packet capture (pcap): packettrail reads logs, not packets';
const UTF32 = 'UTF-32 text: convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)';

/** Magic numbers of the binary formats met among logs by mistake, most specific first. Data, not code. */
export const BINARY_MAGIC: readonly Magic[] = [
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable or library' },
  { bytes: 'MZ', what: 'a Windows executable (PE)', also: isPe },
  { bytes: [0xfe, 0xed, 0xfa, 0xce], what: 'a Mach-O executable' },
  { bytes: [0xfe, 0xed, 0xfa, 0xcf], what: 'a Mach-O executable' },
  { bytes: [0xce, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], what: 'a Mach-O universal binary or a Java class file' },
  { bytes: [0x00, 0x61, 0x73, 0x6d], what: 'a WebAssembly module' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: ZIP },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: ZIP },
  { bytes: [0x50, 0x4b, 0x07, 0x08], what: ZIP },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: 'GIF87a', what: 'a GIF image' },
  { bytes: 'GIF89a', what: 'a GIF image' },
  { bytes: '%PDF-', what: 'a PDF document' },
  { bytes: 'SQLite format 3\u0000', what: 'an SQLite database' },
  { bytes: 'DUCK', at: 8, what: 'a DuckDB database: query it with packettrail query --db FILE' },
  { bytes: 'ElfFile\u0000', what: 'a Windows event log (.evtx): export its events as JSON first (Get-WinEvent … | ConvertTo-Json)' },
  { bytes: [0xd4, 0xc3, 0xb2, 0xa1], what: PCAP },
  { bytes: [0xa1, 0xb2, 0xc3, 0xd4], what: PCAP },
  { bytes: [0x4d, 0x3c, 0xb2, 0xa1], what: PCAP },
  { bytes: [0xa1, 0xb2, 0x3c, 0x4d], what: PCAP },
  { bytes: [0x0a, 0x0d, 0x0d, 0x0a], what: PCAP, also: (h) => hasAt(h, [0x1a, 0x2b, 0x3c, 0x4d], 8) || hasAt(h, [0x4d, 0x3c, 0x2b, 0x1a], 8) },
  { bytes: [0x1f, 0x8b], what: 'gzip data inside gzip (compressed twice): decompress it once first' },
  { bytes: 'PAR1', what: 'a Parquet file inside gzip: decompress it first (Parquet is read as it is)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: DECOMPRESS('xz') },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: DECOMPRESS('zstd') },
  { bytes: 'BZh', what: DECOMPRESS('bzip2'), also: (h) => h[3]! >= 0x31 && h[3]! <= 0x39 && hasAt(h, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive: unpack it first' },
  { bytes: 'Rar!\u001a\u0007', what: 'a RAR archive: unpack it first' },
  { bytes: 'ustar', at: 257, what: 'a tar archive: unpack it first' },
  { bytes: '!<arch>\n', what: 'an ar archive (a static library or a .deb package)' },
  // UTF-16 is read (see utf16Encoding); UTF-32, with its byte order mark, is not.
  { bytes: [0xff, 0xfe, 0x00, 0x00], what: UTF32 },
  { bytes: [0x00, 0x00, 0xfe, 0xff], what: UTF32 },
];

function hasAt(head: Buffer, bytes: string | readonly number[], at: number): boolean {
  if (head.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = typeof bytes === 'string' ? bytes.charCodeAt(i) : bytes[i]!;
    if (head[at + i] !== b) return false;
  }
  return true;
}

/** `MZ` starts many words: a PE file has its `PE\0\0` header where the DOS header's e_lfanew points. */
function isPe(head: Buffer): boolean {
  if (head.length < 0x40) return false;
  const at = head.readUInt32LE(0x3c);
  return hasAt(head, [0x50, 0x45, 0x00, 0x00], at);
}

/** What a block's bytes are made of: suspicious bytes and the lines that hold one. */
export interface BlockStats {
  bytes: number;
  /**
   * NUL bytes in runs of NUL_HOLE_MIN or more, beyond the first of each run: the hole a crash
   * leaves in a log is one damaged spot, however long, not evidence of binary data byte by byte.
   */
  holeExcess: number;
  /** NUL, control characters other than \t \n \v \f \r ESC, and bytes of invalid UTF-8. */
  suspicious: number;
  nul: number;
  lines: number;
  badLines: number;
}

/** Length of the valid UTF-8 sequence starting at `i` (lead byte ≥ 0x80), 0 when invalid; -1 when cut off by the block's end. */
function utf8Length(b: Buffer, i: number): number {
  const lead = b[i]!;
  const n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (!n) return 0;
  for (let k = 1; k < n; k++) {
    if (i + k >= b.length) return -1;
    const c = b[i + k]!;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  // Overlong three- and four-byte forms, surrogates, and code points past U+10FFFF.
  const second = b[i + 1]!;
  if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return 0;
  return n;
}

export function blockStats(block: Buffer): BlockStats {
  const s: BlockStats = { bytes: block.length, holeExcess: 0, suspicious: 0, nul: 0, lines: 0, badLines: 0 };
  let nulRun = 0;
  let lineBad = false;
  let lineEmpty = true;
  const endLine = () => {
    if (!lineEmpty) {
      s.lines++;
      if (lineBad) s.badLines++;
    }
    lineBad = false;
    lineEmpty = true;
  };
  for (let i = 0; i < block.length; ) {
    const c = block[i]!;
    if (c === 0x0a) {
      nulRun = 0;
      endLine();
      i++;
      continue;
    }
    lineEmpty = false;
    if (c !== 0) nulRun = 0;
    if (c < 0x80) {
      if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c && c !== 0x0d && c !== 0x1b) || c === 0x7f) {
        s.suspicious++;
        lineBad = true;
      }
      if (c === 0) {
        s.nul++;
        nulRun++;
        if (nulRun === NUL_HOLE_MIN) s.holeExcess += NUL_HOLE_MIN - 1;
        else if (nulRun > NUL_HOLE_MIN) s.holeExcess++;
      }
      i++;
      continue;
    }
    const n = utf8Length(block, i);
    if (n < 0) break; // a character cut by the block's end: not evidence either way
    if (n === 0) {
      s.suspicious++;
      lineBad = true;
      i++;
    } else i += n;
  }
  endLine();
  return s;
}

/** What a source's first bytes say it is by a known binary format's magic number, else undefined. */
export function sniffMagic(head: Buffer): string | undefined {
  for (const m of BINARY_MAGIC) if (hasAt(head, m.bytes, m.at ?? 0) && (!m.also || m.also(head))) return m.what;
  return undefined;
}

/**
 * What a source's first bytes (UTF-8 after gzip and any UTF-16 conversion) look like when they are
 * binary data by the share of bytes and lines that text does not hold, else undefined.
 */
export function sniffContent(head: Buffer): string | undefined {
  if (head.length < SNIFF_MIN_BYTES) return undefined;
  const block = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  const s = blockStats(block);
  if (s.nul === s.bytes) return `only NUL bytes in its first ${block.length.toLocaleString('en-US')} bytes (a file allocated but never written, or zeroed)`;
  const suspicious = s.suspicious - s.holeExcess;
  if (suspicious < BINARY_BYTE_SHARE * (s.bytes - s.holeExcess) || s.badLines <= BINARY_LINE_SHARE * s.lines) return undefined;
  const share = Math.round((100 * s.suspicious) / s.bytes);
  return `binary data (${share} % of the first ${block.length.toLocaleString('en-US')} bytes are NUL, control characters or invalid UTF-8)`;
}

/** What a source's first bytes (after gzip) look like when they are not text, else undefined. */
export function sniffBinary(head: Buffer): string | undefined {
  return sniffMagic(head) ?? sniffContent(head);
}

/**
 * The UTF-16 encoding a source's first bytes are in, else undefined: by its byte order mark, or
 * without one (PowerShell's `Out-File`, Windows tools) when it is ASCII-range text in UTF-16 — every
 * other byte NUL, the others not. Such a source is converted to UTF-8 before it is read.
 */
export function utf16Encoding(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe && !(head[2] === 0 && head[3] === 0)) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const block = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  const pairs = Math.floor(block.length / 2);
  if (pairs < UTF16_MIN_PAIRS) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < block.length; i += 2) {
    if (block[i] === 0) evenNul++;
    if (block[i + 1] === 0) oddNul++;
  }
  if (Math.min(evenNul, oddNul) > UTF16_OTHER_NUL_SHARE * pairs) return undefined;
  if (oddNul >= UTF16_NUL_SHARE * pairs) return 'utf-16le';
  if (evenNul >= UTF16_NUL_SHARE * pairs) return 'utf-16be';
  return undefined;
}

/** UTF-16 without a byte order mark is recognized from this many byte pairs (shorter: a few dead letters at most). */
const UTF16_MIN_PAIRS = 8;
/** … when at least this share of pairs have their high byte NUL (ASCII-range characters) … */
const UTF16_NUL_SHARE = 0.9;
/** … and at most this share their low byte (NUL characters). */
const UTF16_OTHER_NUL_SHARE = 0.1;
