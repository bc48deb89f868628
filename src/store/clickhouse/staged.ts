import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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

/**
 * A time as epoch seconds with milliseconds (`1763625616.363`). Finer digits are cut: the type
 * holds milliseconds (18.16 has no DateTime64), as every supported format's time does.
 */
export function epochText(text: string): string {
  const m = ISO_UTC.exec(text);
  let ms: number;
  if (m) ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')));
  else ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new StagedRowError(`expected a time, got ${JSON.stringify(text.slice(0, 80))}`);
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

/** The converter for one staged file layout: `columns` as staged, `used` as loaded. */
export class StagedConverter {
  private readonly picks: number[];
  private readonly cells: Cell[];
  private readonly arrays: boolean[];
  private readonly names: string[];
  private lastTime = { raw: '', out: '' };
  /** Rows converted so far (what a direct load stored once its INSERT returns). */
  rowsConverted = 0;

  constructor(columns: readonly Column[], used: readonly Column[]) {
    const index = new Map(columns.map((c, i) => [c.name, i]));
    this.picks = used.map((c) => index.get(c.name)!);
    this.names = used.map((c) => c.name);
    this.arrays = used.map((c) => c.type === 'keyword[]');
    this.cells = used.map((c) => (c.type === 'date' ? (raw: string) => this.time(raw) : CELLS[c.type]));
  }

  /** Consecutive rows mostly share a time. */
  private time(raw: string): string {
    if (raw !== this.lastTime.raw) this.lastTime = { raw, out: epochText(raw) };
    return this.lastTime.out;
  }

  /** One staged row's fields (quotes removed) → a TabSeparated line. */
  row(fields: readonly string[], quoted: readonly boolean[] | undefined, line: number): string {
    this.rowsConverted++;
    let out = '';
    for (let i = 0; i < this.picks.length; i++) {
      const f = this.picks[i]!;
      const raw = fields[f] ?? '';
      const isQuoted = quoted?.[f] ?? false;
      let cell: string;
      if (raw === '' && !isQuoted) cell = this.arrays[i] ? '[]' : '\\N';
      else {
        try {
          cell = this.cells[i]!(raw, isQuoted);
        } catch (e) {
          throw new StagedRowError(`staged row ${line}, column ${this.names[i]}: ${(e as Error).message}`);
        }
      }
      out += i ? '\t' + cell : cell;
    }
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

/** Bytes of converted rows handed to the HTTP request at once. */
const OUTPUT_CHUNK_CHARS = 1 << 20;

/** The staged file as TabSeparated text, in chunks: what the load's INSERT streams to the server. */
export async function* convertStagedFile(file: string, converter: StagedConverter): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let out = '';
  let line = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    let pos = 0;
    // The next quote, looked up again only once passed: rows with quotes are rare.
    let q = -2;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      if (q !== -1 && q < pos) q = text.indexOf('"', pos);
      line++;
      if (q < 0 || q > nl) {
        out += converter.row(text.slice(pos, nl).split('\t'), undefined, line);
        pos = nl + 1;
      } else {
        const rec = splitQuoted(text, pos);
        if (!rec) {
          line--;
          break;
        }
        out += converter.row(rec.fields, rec.quoted, line);
        pos = rec.end;
      }
      if (out.length >= OUTPUT_CHUNK_CHARS) {
        yield out;
        out = '';
      }
    }
    rest = text.slice(pos);
  }
  rest += decoder.end();
  if (rest.length) throw new StagedRowError(`staged file ${file} ends in the middle of a row`);
  if (out) yield out;
}
