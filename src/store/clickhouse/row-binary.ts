import type { Column } from '../schema.js';
import { clickhouseColumnType } from './dialect.js';
import { epochMs, StagedRowError, type Output, type RowConverter } from './staged.js';

/**
 * The staged rows (row-encoder.ts) as ClickHouse's RowBinary input: every cell as the column's
 * binary value (a Nullable's null flag, then a string's length and bytes, a number's 8 bytes
 * little-endian, a list's count and strings). The server copies it into columns without parsing
 * text: 18.16 spends most of an insert's CPU parsing TabSeparated (≈ 0.8 µs a cell), and RowBinary
 * costs the client no more than TabSeparated (plain text cells are copied as bytes either way).
 *
 * The binary values must match the table's types exactly: the store uses this converter only when
 * every loaded column has the type `clickhouseColumnType` gives it (binaryTypesMatch).
 */

type Kind = Column['type'];

/** How a cell of each kind becomes bytes, from the staged text. */
const enum Encoding {
  String,
  Int64,
  Float64,
  UInt8,
  Time,
  List,
}

const ENCODINGS: Readonly<Record<Kind, Encoding>> = {
  keyword: Encoding.String,
  text: Encoding.String,
  ip: Encoding.String,
  json: Encoding.String,
  long: Encoding.Int64,
  double: Encoding.Float64,
  boolean: Encoding.UInt8,
  date: Encoding.Time,
  'keyword[]': Encoding.List,
};

/** The ClickHouse types this encoding writes (anything else: the load falls back to TabSeparated). */
const BINARY_TYPES: ReadonlySet<string> = new Set([
  'String', 'Nullable(String)', 'Nullable(Int64)', 'Nullable(Float64)', 'Nullable(UInt8)', 'Decimal(18, 3)', 'Nullable(Decimal(18, 3))', 'Array(String)',
]);

/** ClickHouse's name of a type as system.columns shows it (`Decimal64(3)` is `Decimal(18, 3)`). */
function canonicalType(type: string): string {
  return type.replace(/Decimal64\(3\)/g, 'Decimal(18, 3)');
}

/**
 * True when every column has, in the table (`stored`: name → type as system.columns shows it), the
 * type this encoding writes for it.
 */
export function binaryTypesMatch(columns: readonly Column[], stored: ReadonlyMap<string, string>): boolean {
  return columns.every((c) => {
    const want = canonicalType(clickhouseColumnType(c));
    return BINARY_TYPES.has(want) && stored.get(c.name) === want;
  });
}

const FLOAT_WORDS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, nan: NaN, inf: Infinity, '-inf': -Infinity };
const SAFE_INTEGER = /^-?\d{1,15}$/;
const INTEGER = /^-?\d{1,19}$/;
const TWO_32 = 2 ** 32;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Bytes one cell may take beyond its staged text (null flag, a length of up to 5 bytes, an 8-byte
 * number): a row's bytes are reserved at once, so a row is never cut between two chunks of the
 * request. A list's items take no more than their literal (`'…', ` around each, a length before each).
 */
const CELL_OVERHEAD = 16;

export class RowBinaryConverter implements RowConverter {
  readonly format = 'RowBinary';
  readonly columns: readonly Column[];
  private readonly picks: number[];
  private readonly encodings: Encoding[];
  private readonly nullable: boolean[];
  private readonly idAt: number;
  private lastTimeBytes: Buffer = Buffer.alloc(0);
  private lastMs = 0;
  skip: ReadonlySet<string> | undefined;
  rowsConverted = 0;
  rowsSkipped = 0;

  constructor(columns: readonly Column[], used: readonly Column[]) {
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const loaded = used.map((c) => ({ c, at: index.get(c.name)! })).sort((a, b) => a.at - b.at);
    this.columns = loaded.map((l) => l.c);
    this.picks = loaded.map((l) => l.at);
    this.encodings = this.columns.map((c) => ENCODINGS[c.type]);
    this.nullable = this.columns.map((c) => clickhouseColumnType(c).startsWith('Nullable('));
    this.idAt = this.columns.findIndex((c) => c.name === 'event_id');
  }

  /** The staged row `bytes[start, end)` (no quote, no NUL: every cell as written) appended to `out`; nothing when its id is in `skip`. */
  plainRow(bytes: Buffer, start: number, end: number, line: number, out: Output): void {
    out.reserve(end - start + CELL_OVERHEAD * this.picks.length);
    const mark = out.length;
    let field = 0;
    let pos = start;
    for (let i = 0; i < this.picks.length; i++) {
      const want = this.picks[i]!;
      while (field < want && pos <= end) {
        while (pos < end && bytes[pos] !== TAB) pos++;
        pos++;
        field++;
      }
      let cellEnd = pos;
      if (pos <= end) {
        while (cellEnd < end && bytes[cellEnd] !== TAB) cellEnd++;
        field++;
      } else cellEnd = pos = end + 1;
      if (cellEnd <= pos || pos > end) this.missing(i, line, out);
      else if (i === this.idAt && this.skip?.has(bytes.toString('utf8', pos, cellEnd))) {
        this.rowsSkipped++;
        out.length = mark;
        return;
      } else {
        const encoding = this.encodings[i]!;
        if (this.nullable[i]) out.byte(0);
        if (encoding === Encoding.String) {
          varint(out, cellEnd - pos);
          out.copy(bytes, pos, cellEnd);
        } else if (encoding === Encoding.Time) int64(out, this.timeMs(bytes, pos, cellEnd, i, line));
        else this.value(i, bytes.toString('utf8', pos, cellEnd), line, out);
      }
      pos = cellEnd + 1;
    }
    this.rowsConverted++;
  }

  /** One staged row's fields (quotes removed) appended to `out`; nothing when its id is in `skip`. */
  quotedRow(fields: readonly string[], quoted: readonly boolean[], line: number, out: Output): void {
    if (this.idAt >= 0 && this.skip?.has(fields[this.picks[this.idAt]!] ?? '')) {
      this.rowsSkipped++;
      return;
    }
    // One reservation for the whole row: a row is never cut between two chunks of the request.
    let room = 0;
    for (const f of this.picks) room += Buffer.byteLength(fields[f] ?? '') + CELL_OVERHEAD;
    out.reserve(room);
    for (let i = 0; i < this.picks.length; i++) {
      const f = this.picks[i]!;
      const raw = fields[f] ?? '';
      if (raw === '' && !quoted[f]) {
        this.missing(i, line, out);
        continue;
      }
      if (this.nullable[i]) out.byte(0);
      if (this.encodings[i] === Encoding.String) {
        const n = Buffer.byteLength(raw);
        varint(out, n);
        out.length += out.buffer.write(raw, out.length);
      } else this.value(i, raw, line, out);
    }
    this.rowsConverted++;
  }

  /** An absent cell: NULL, or an empty list; the columns every event has cannot be absent. */
  private missing(i: number, line: number, out: Output): void {
    if (this.encodings[i] === Encoding.List) out.byte(0);
    else if (this.nullable[i]) out.byte(1);
    else throw new StagedRowError(`staged row ${line}: column ${this.columns[i]!.name} is empty`);
  }

  /** A non-string cell's value (after its null flag). */
  private value(i: number, raw: string, line: number, out: Output): void {
    try {
      switch (this.encodings[i]) {
        case Encoding.Int64:
          return integer(out, raw);
        case Encoding.Float64: {
          const x = FLOAT_WORDS[raw] ?? (raw.trim() === '' ? NaN : Number(raw));
          if (Number.isNaN(x) && FLOAT_WORDS[raw] === undefined) throw new StagedRowError(`expected a number, got ${JSON.stringify(raw.slice(0, 80))}`);
          out.buffer.writeDoubleLE(x, out.length);
          out.length += 8;
          return;
        }
        case Encoding.UInt8:
          if (raw === 'true' || raw === '1') return out.byte(1);
          if (raw === 'false' || raw === '0') return out.byte(0);
          throw new StagedRowError(`expected true or false, got ${JSON.stringify(raw.slice(0, 80))}`);
        case Encoding.Time:
          return int64(out, epochMs(raw));
        case Encoding.List:
          return list(out, raw);
        default:
          return string(out, raw);
      }
    } catch (e) {
      throw new StagedRowError(`staged row ${line}, column ${this.columns[i]!.name}: ${(e as Error).message}`);
    }
  }

  /** The time cell `bytes[start, end)` as epoch milliseconds, not decoded again when it repeats the previous one (consecutive rows mostly share a time). */
  private timeMs(bytes: Buffer, start: number, end: number, i: number, line: number): number {
    const last = this.lastTimeBytes;
    if (last.length === end - start && bytes.compare(last, 0, last.length, start, end) === 0) return this.lastMs;
    try {
      this.lastMs = epochMs(bytes.toString('latin1', start, end));
    } catch (e) {
      throw new StagedRowError(`staged row ${line}, column ${this.columns[i]!.name}: ${(e as Error).message}`);
    }
    this.lastTimeBytes = Buffer.from(bytes.subarray(start, end));
    return this.lastMs;
  }
}

const TAB = 9;

/** An unsigned LEB128 length (what RowBinary puts before a string or a list). */
function varint(out: Output, n: number): void {
  while (n >= 0x80) {
    out.byte((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.byte(n);
}

/** A string (the row's reservation holds it: see CELL_OVERHEAD). */
function string(out: Output, s: string): void {
  const n = Buffer.byteLength(s);
  varint(out, n);
  out.length += out.buffer.write(s, out.length);
}

/** A safe integer as 8 bytes little-endian, two's complement. */
function int64(out: Output, n: number): void {
  const hi = Math.floor(n / TWO_32);
  out.buffer.writeUInt32LE(n - hi * TWO_32, out.length);
  out.buffer.writeInt32LE(hi, out.length + 4);
  out.length += 8;
}

/** A whole number's text as Int64; a fraction rounds half away from zero, as DuckDB's cast (and the TabSeparated path) does. */
function integer(out: Output, raw: string): void {
  if (SAFE_INTEGER.test(raw)) return int64(out, Number(raw));
  if (INTEGER.test(raw)) {
    const big = BigInt(raw);
    if (big >= INT64_MIN && big <= INT64_MAX) {
      out.buffer.writeBigInt64LE(big, out.length);
      out.length += 8;
      return;
    }
  }
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n) && Math.abs(n) < 2 ** 63) {
    const r = Math.sign(n) * Math.round(Math.abs(n));
    if (Number.isSafeInteger(r)) return int64(out, r);
    out.buffer.writeBigInt64LE(BigInt(r), out.length);
    out.length += 8;
    return;
  }
  throw new StagedRowError(`expected a whole number, got ${JSON.stringify(raw.slice(0, 80))}`);
}

/**
 * A staged list literal (`['a', 'b']`, backslash escapes: row-encoder.ts listLiteral) as
 * RowBinary's count and strings.
 */
function list(out: Output, raw: string): void {
  const items = parseList(raw);
  varint(out, items.length);
  for (const item of items) string(out, item);
}

export function parseList(raw: string): string[] {
  const items: string[] = [];
  let i = skipSpaces(raw, 0);
  if (raw[i] !== '[') throw new StagedRowError(`expected a list literal, got ${JSON.stringify(raw.slice(0, 80))}`);
  i = skipSpaces(raw, i + 1);
  if (raw[i] === ']') return checkEnd(raw, i + 1, items);
  for (;;) {
    if (raw[i] !== "'") throw new StagedRowError(`expected a quoted list item at ${i}, got ${JSON.stringify(raw.slice(0, 80))}`);
    let item = '';
    let j = i + 1;
    for (;;) {
      if (j >= raw.length) throw new StagedRowError(`unterminated list item in ${JSON.stringify(raw.slice(0, 80))}`);
      const c = raw[j]!;
      if (c === '\\' && j + 1 < raw.length) {
        item += raw[j + 1];
        j += 2;
      } else if (c === "'") break;
      else {
        item += c;
        j++;
      }
    }
    items.push(item);
    i = skipSpaces(raw, j + 1);
    if (raw[i] === ']') return checkEnd(raw, i + 1, items);
    if (raw[i] !== ',') throw new StagedRowError(`expected , or ] at ${i} of ${JSON.stringify(raw.slice(0, 80))}`);
    i = skipSpaces(raw, i + 1);
  }
}

function skipSpaces(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}

function checkEnd(raw: string, i: number, items: string[]): string[] {
  if (skipSpaces(raw, i) !== raw.length) throw new StagedRowError(`unexpected text after a list literal: ${JSON.stringify(raw.slice(0, 80))}`);
  return items;
}
