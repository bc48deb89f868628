import { createReadStream } from 'node:fs';
import type { Column } from '../schema.js';

/**
 * The RowEncoder's staged rows (tab-separated; an empty cell is NULL, `""` an empty string, cells
 * with tabs, newlines or quotes in double quotes) rewritten as ClickHouse's TabSeparated input for
 * the columns a load stores: NULL as `\N`, backslash escapes, time as epoch seconds with
 * milliseconds, booleans as 1/0. ClickHouse then parses the rows itself, in bulk.
 */

type Kind = Column['type'];
type Cell = (raw: string, quoted: boolean) => string;

export class StagedRowError extends Error {}

/** `2026-11-20T08:00:16.363Z` (what every format writes) without Date.parse. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** A time as epoch milliseconds (what a Decimal64(3) of epoch seconds holds); finer digits are cut. */
export function epochMs(text: string): number {
  const m = ISO_UTC.exec(text);
  let ms: number;
  if (m) ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')));
  else ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new StagedRowError(`expected a time, got ${JSON.stringify(text.slice(0, 80))}`);
  return ms;
}

/**
 * A time as epoch seconds with milliseconds (`1763625616.363`). Finer digits are cut: the type
 * holds milliseconds (18.16 has no DateTime64), as every supported format's time does.
 */
export function epochText(text: string): string {
  const ms = epochMs(text);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

function escapeTsv(s: string): string {
  return /[\\\t\n\r\0]/.test(s) ? s.replace(/[\\\t\n\r\0]/g, (c) => TSV_ESCAPES[c]!) : s;
}
const TSV_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** Inside a list literal backslashes and quotes are escaped already; raw control characters are not. */
function escapeList(s: string): string {
  return /[\t\n\r\0]/.test(s) ? s.replace(/[\t\n\r\0]/g, (c) => TSV_ESCAPES[c]!) : s;
}

function integerCell(raw: string): string {
  if (/^-?\d{1,19}$/.test(raw)) return raw;
  const n = Number(raw);
  // As DuckDB's cast does: a fraction rounds (half away from zero).
  if (Number.isFinite(n) && Math.abs(n) < 2 ** 63) return String(Math.sign(n) * Math.round(Math.abs(n)));
  throw new StagedRowError(`expected a whole number, got ${JSON.stringify(raw.slice(0, 80))}`);
}

const FLOAT_WORDS: Readonly<Record<string, string>> = { NaN: 'nan', Infinity: 'inf', '-Infinity': '-inf' };

const CELLS: Record<Kind, Cell> = {
  keyword: (raw) => escapeTsv(raw),
  text: (raw) => escapeTsv(raw),
  ip: (raw) => escapeTsv(raw),
  json: (raw) => escapeTsv(raw),
  long: integerCell,
  double: (raw) => FLOAT_WORDS[raw] ?? raw,
  boolean: (raw) => (raw === 'true' ? '1' : raw === 'false' ? '0' : raw),
  date: (raw) => epochText(raw),
  'keyword[]': (raw) => escapeList(raw),
};

/** Kinds whose unquoted staged cell is already ClickHouse TabSeparated text (no tab, newline, `"` or `\\` unquoted). */
const PLAIN: ReadonlySet<Kind> = new Set<Kind>(['keyword', 'text', 'ip', 'json', 'keyword[]']);

/** Staged rows → one of ClickHouse's input formats (TabSeparated here, RowBinary in row-binary.ts). */
export interface RowConverter {
  /** The input format's name, for the INSERT. */
  readonly format: string;
  /** The loaded columns in the order of the converted cells. */
  readonly columns: readonly Column[];
  /** Ids the store holds already: rows with one of them are left out (see ClickHouseStore.loadStaged). */
  skip: ReadonlySet<string> | undefined;
  rowsConverted: number;
  rowsSkipped: number;
  plainRow(bytes: Buffer, start: number, end: number, line: number, out: Output): void;
  quotedRow(fields: readonly string[], quoted: readonly boolean[], line: number, out: Output): void;
}

/**
 * The converter for one staged file layout: `columns` as staged, `used` as loaded. The loaded
 * columns come out in their staged order (`columns`, which the INSERT names), so a row is read
 * once from left to right and only the cells loaded are cut out of it.
 */
export class StagedConverter implements RowConverter {
  readonly format = 'TabSeparated';
  /** The loaded columns in the order of the converted cells. */
  readonly columns: readonly Column[];
  private readonly picks: number[];
  private readonly cells: Cell[];
  private readonly arrays: boolean[];
  private readonly plain: boolean[];
  /** Where event_id is among the loaded columns (-1: not loaded). */
  private readonly idAt: number;
  private readonly dates: boolean[];
  private lastTime = { raw: '', out: '' };
  private lastTimeBytes: Buffer = Buffer.alloc(0);
  /** Ids the store holds already: rows with one of them are left out (see ClickHouseStore.loadStaged). */
  skip: ReadonlySet<string> | undefined;
  /** Rows converted so far (what a direct load stored once its INSERT returns). */
  rowsConverted = 0;
  /** Rows left out because their id is in `skip`. */
  rowsSkipped = 0;

  constructor(columns: readonly Column[], used: readonly Column[]) {
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const loaded = used.map((c) => ({ c, at: index.get(c.name)! })).sort((a, b) => a.at - b.at);
    this.columns = loaded.map((l) => l.c);
    this.picks = loaded.map((l) => l.at);
    this.arrays = this.columns.map((c) => c.type === 'keyword[]');
    this.plain = this.columns.map((c) => PLAIN.has(c.type));
    this.dates = this.columns.map((c) => c.type === 'date');
    this.cells = this.columns.map((c) => (c.type === 'date' ? (raw: string) => this.time(raw) : CELLS[c.type]));
    this.idAt = this.columns.findIndex((c) => c.name === 'event_id');
  }

  /** Consecutive rows mostly share a time. */
  private time(raw: string): string {
    if (raw !== this.lastTime.raw) this.lastTime = { raw, out: epochText(raw) };
    return this.lastTime.out;
  }

  private cell(i: number, raw: string, quoted: boolean, line: number): string {
    try {
      return this.cells[i]!(raw, quoted);
    } catch (e) {
      throw new StagedRowError(`staged row ${line}, column ${this.columns[i]!.name}: ${(e as Error).message}`);
    }
  }

  /**
   * The staged row `bytes[start, end)` (no quote and no NUL in it: every cell as written) appended
   * to `out` as a TabSeparated line; nothing when its id is in `skip`. Cells are cut at tabs up to
   * the last loaded column; text cells are copied as bytes, never decoded.
   */
  plainRow(bytes: Buffer, start: number, end: number, line: number, out: Output): void {
    // Enough for every cell this row can become (a converted number or time is at most 20
    // characters): the row is never cut between two chunks, so a skipped row is simply undone.
    out.reserve(2 * (end - start) + 32 * this.picks.length + 2);
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
      if (i) out.byte(TAB);
      if (cellEnd <= pos || pos > end) out.ascii(this.arrays[i] ? '[]' : '\\N');
      else if (i === this.idAt && this.skip?.has(bytes.toString('utf8', pos, cellEnd))) {
        this.rowsSkipped++;
        out.length = mark;
        return;
      } else if (this.plain[i]) out.copy(bytes, pos, cellEnd);
      else if (this.dates[i]) out.ascii(this.timeBytes(bytes, pos, cellEnd));
      else out.text(this.cell(i, bytes.toString('utf8', pos, cellEnd), false, line));
      pos = cellEnd + 1;
    }
    out.byte(NEWLINE);
    this.rowsConverted++;
  }

  /** The time cell `bytes[start, end)` as epoch text, without decoding it when it repeats the previous one. */
  private timeBytes(bytes: Buffer, start: number, end: number): string {
    const last = this.lastTimeBytes;
    if (last.length === end - start) {
      let same = true;
      for (let k = 0; k < last.length; k++) {
        if (last[k] !== bytes[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastTime.out;
    }
    this.lastTimeBytes = Buffer.from(bytes.subarray(start, end));
    return this.time(bytes.toString('latin1', start, end));
  }

  quotedRow(fields: readonly string[], quoted: readonly boolean[], line: number, out: Output): void {
    out.text(this.row(fields, quoted, line));
  }

  /** One staged row's fields (quotes removed) → a TabSeparated line, or '' when its id is in `skip`. */
  row(fields: readonly string[], quoted: readonly boolean[] | undefined, line: number): string {
    if (this.idAt >= 0 && this.skip?.has(fields[this.picks[this.idAt]!] ?? '')) {
      this.rowsSkipped++;
      return '';
    }
    let out = '';
    for (let i = 0; i < this.picks.length; i++) {
      const f = this.picks[i]!;
      const raw = fields[f] ?? '';
      const isQuoted = quoted?.[f] ?? false;
      const cell = raw === '' && !isQuoted ? (this.arrays[i] ? '[]' : '\\N') : this.cell(i, raw, isQuoted, line);
      out += i ? '\t' + cell : cell;
    }
    this.rowsConverted++;
    return out + '\n';
  }
}

/** Splits one quoted staged record starting at `start`; undefined when it continues past the text. */
function splitQuoted(text: string, start: number): { fields: string[]; quoted: boolean[]; end: number } | undefined {
  const fields: string[] = [];
  const quoted: boolean[] = [];
  let i = start;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0 || q + 1 >= text.length) return undefined;
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      quoted.push(true);
    } else {
      let j = i;
      while (j < text.length && text[j] !== '\t' && text[j] !== '\n') j++;
      if (j >= text.length) return undefined;
      fields.push(text.slice(i, j));
      quoted.push(false);
      i = j;
    }
    if (i >= text.length) return undefined;
    if (text[i] === '\n') return { fields, quoted, end: i + 1 };
    i++; // the tab
  }
}

const TAB = 9;
const NEWLINE = 10;
const QUOTE = 34;

/** Bytes of converted rows handed to the HTTP request at once. */
const OUTPUT_CHUNK_BYTES = 1 << 20;
/** A chunk this close to full is sent rather than cut at its next row. */
const OUTPUT_SLACK_BYTES = 4096;

/** The converted rows being gathered into one chunk of the request body. */
export class Output {
  buffer = Buffer.allocUnsafe(OUTPUT_CHUNK_BYTES);
  length = 0;
  private readonly done: Buffer[] = [];

  /** Room for `n` more bytes (the chunk so far set aside when it lacks it). */
  reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    if (this.length) this.done.push(this.buffer.subarray(0, this.length));
    this.buffer = Buffer.allocUnsafe(Math.max(OUTPUT_CHUNK_BYTES, n));
    this.length = 0;
  }
  byte(b: number): void {
    this.buffer[this.length++] = b;
  }
  /** ASCII text (reserved by the caller). */
  ascii(s: string): void {
    for (let k = 0; k < s.length; k++) this.buffer[this.length++] = s.charCodeAt(k);
  }
  copy(from: Buffer, start: number, end: number): void {
    if (end - start < 24) for (let k = start; k < end; k++) this.buffer[this.length++] = from[k]!;
    else this.length += from.copy(this.buffer, this.length, start, end);
  }
  /** Any text, as UTF-8. */
  text(s: string): void {
    this.reserve(Buffer.byteLength(s));
    this.length += this.buffer.write(s, this.length);
  }
  /** A chunk is ready to be sent. */
  get ready(): boolean {
    return this.done.length > 0 || this.length >= OUTPUT_CHUNK_BYTES - OUTPUT_SLACK_BYTES;
  }
  /** The chunks ready to be sent (every byte gathered, with `all`). */
  take(all = false): Buffer[] {
    if (this.length && (all || this.length >= OUTPUT_CHUNK_BYTES - OUTPUT_SLACK_BYTES)) {
      this.done.push(this.buffer.subarray(0, this.length));
      this.buffer = all ? Buffer.alloc(0) : Buffer.allocUnsafe(OUTPUT_CHUNK_BYTES);
      this.length = 0;
    }
    return this.done.splice(0);
  }
}

/**
 * Where the staged record starting at `start` ends (after its newline), reading quoted cells as the
 * RowEncoder writes them (`"…""…"`, which may hold tabs and newlines); -1 when it ends past `bytes`.
 */
function quotedRowEnd(bytes: Buffer, start: number): number {
  let i = start;
  for (;;) {
    if (bytes[i] === QUOTE) {
      i++;
      for (;;) {
        const q = bytes.indexOf(QUOTE, i);
        if (q < 0 || q + 1 >= bytes.length) return -1;
        if (bytes[q + 1] === QUOTE) i = q + 2;
        else {
          i = q + 1;
          break;
        }
      }
    } else {
      while (i < bytes.length && bytes[i] !== TAB && bytes[i] !== NEWLINE) i++;
    }
    if (i >= bytes.length) return -1;
    if (bytes[i] === NEWLINE) return i + 1;
    i++; // the tab
  }
}

/**
 * The staged file as TabSeparated bytes, in chunks: what the load's INSERT streams to the server.
 * Rows without quotes or NUL (nearly all) are converted byte by byte (plainRow);
 * the others are decoded and split.
 */
export async function* convertStagedFile(file: string, converter: RowConverter): AsyncGenerator<Buffer> {
  const out = new Output();
  let rest: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const bytes = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let pos = 0;
    // The next quote and NUL, looked up again only once passed: rows with either are rare.
    let q = -2;
    let nul = -2;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, pos);
      if (nl < 0) break;
      if (q !== -1 && q < pos) q = bytes.indexOf(QUOTE, pos);
      if (nul !== -1 && nul < pos) nul = bytes.indexOf(0, pos);
      line++;
      if ((q < 0 || q > nl) && (nul < 0 || nul > nl)) {
        converter.plainRow(bytes, pos, nl, line, out);
        pos = nl + 1;
      } else {
        const end = q >= 0 && q < nl ? quotedRowEnd(bytes, pos) : nl + 1;
        if (end < 0) {
          line--;
          break;
        }
        const text = bytes.toString('utf8', pos, end);
        const rec = splitQuoted(text, 0);
        if (!rec) throw new StagedRowError(`staged row ${line} of ${file} is not a tab-separated record`);
        converter.quotedRow(rec.fields, rec.quoted, line, out);
        pos = end;
      }
      if (out.ready) yield* out.take();
    }
    rest = bytes.subarray(pos);
  }
  if (rest.length) throw new StagedRowError(`staged file ${file} ends in the middle of a row`);
  yield* out.take(true);
}
