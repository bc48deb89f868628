import type { QueryResult } from '../store.js';
import { TIME_RESULT_TYPE } from './dialect.js';

/**
 * Query results read from ClickHouse's TSVWithNamesAndTypes output and turned into the JSON shapes the
 * DuckDB store returns: integers as numbers (strings past the safe range), floats as numbers, text as
 * text, lists as arrays (an empty one as NULL), time (`Decimal(18, 3)`, reserved for it) as the text
 * DuckDB gives a TIMESTAMP (`2026-11-20 08:00:16.12`: trailing zeros of the fraction dropped), or
 * RFC 3339. Booleans are stored as UInt8, which is also the type of small literals (`SELECT 1`): a
 * UInt8 column is a boolean (true/false, as DuckDB returns them) when its name is a boolean column
 * of the catalog (`booleanColumns`).
 *
 * An empty array is NULL: Array columns cannot be NULL in ClickHouse, so a list the record lacked is
 * stored empty; packettrail never stores an empty list, and DuckDB holds NULL there.
 */

/** ClickHouse type names given in DuckDB's words, so callers that look at result types treat both engines alike. */
const RESULT_TYPES: Readonly<Record<string, string>> = {
  String: 'VARCHAR', FixedString: 'VARCHAR', UUID: 'UUID',
  Int8: 'TINYINT', Int16: 'SMALLINT', Int32: 'INTEGER', Int64: 'BIGINT',
  UInt8: 'UTINYINT', UInt16: 'USMALLINT', UInt32: 'UINTEGER', UInt64: 'UBIGINT',
  Float32: 'FLOAT', Float64: 'DOUBLE', Date: 'DATE', DateTime: 'TIMESTAMP',
  [TIME_RESULT_TYPE]: 'TIMESTAMP',
};

type Convert = (cell: string) => unknown;

/** `Nullable(T)` and `LowCardinality(T)` → T. */
function bare(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return m ? bare(m[1]!) : type;
}

export function resultTypeName(type: string): string {
  const t = bare(type);
  const array = /^Array\((.*)\)$/.exec(t);
  if (array) return `${resultTypeName(array[1]!)}[]`;
  return RESULT_TYPES[t] ?? t;
}

const FLOAT_WORDS: Readonly<Record<string, number>> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN, '-nan': NaN };

function integer(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** Epoch seconds with milliseconds (`1701234567.120`) → `2023-11-29 05:09:27.12`, or RFC 3339. */
export function timeText(epochSeconds: string, rfc3339: boolean): string {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(epochSeconds);
  if (!m) return epochSeconds;
  const ms = (Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0'))) * (m[1] ? -1 : 1);
  const iso = new Date(ms).toISOString();
  if (Number.isNaN(ms) || !/^\d{4}-/.test(iso)) return epochSeconds;
  const fraction = iso.slice(19, 23).replace(/\.?0+$/, '');
  return rfc3339 ? `${iso.slice(0, 19)}${fraction}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}

function converterFor(type: string, rfc3339: boolean): Convert {
  const t = bare(type);
  if (t === TIME_RESULT_TYPE) return (c) => timeText(c, rfc3339);
  if (/^U?Int(8|16|32|64|128|256)$/.test(t)) return integer;
  if (/^Float(32|64)$/.test(t) || /^Decimal/.test(t)) return (c) => FLOAT_WORDS[c] ?? Number(c);
  return unescapeTsv;
}

/** A stored boolean (UInt8 0/1) as DuckDB returns it. */
const booleanCell: Convert = (c) => (c === '0' ? false : c === '1' ? true : integer(c));

/** A cell's converter: arrays are written with their elements quoted, and not escaped again as a TSV cell. */
function cellConverterFor(type: string, rfc3339: boolean): Convert {
  const array = /^Array\((.*)\)$/.exec(bare(type));
  if (array) {
    // parseArray unescapes quoted elements itself; a nested array is one element, parsed in turn.
    const inner = bare(array[1]!);
    const nested = inner.startsWith('Array(') ? cellConverterFor(inner, rfc3339) : undefined;
    const element: Convert = nested ? (e) => nested(e) ?? [] : /^U?Int|^Float|^Decimal/.test(inner) ? converterFor(array[1]!, rfc3339) : (e) => e;
    return (c) => (c === '[]' ? null : parseArray(c).map((e) => (e === null ? null : element(e))));
  }
  return converterFor(type, rfc3339);
}

/** One TSV cell unescaped (ClickHouse writes \t \n \\ \' \0 \b \f \r as escapes). */
export function unescapeTsv(cell: string): string {
  if (!cell.includes('\\')) return cell;
  return cell.replace(/\\(.)/gs, (_, ch: string) => TSV_UNESCAPES[ch] ?? ch);
}

const TSV_UNESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f', a: '\x07', v: '\v', e: '\x1b' };

/**
 * An array as ClickHouse writes it in TSV (`['a','b\'c']`, `[1,2]`, `[NULL]`): elements as text
 * (quoted strings unescaped), NULL as null.
 */
export function parseArray(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 1;
  const n = text.length - 1;
  while (i < n) {
    if (text[i] === ',' || text[i] === ' ') {
      i++;
      continue;
    }
    if (text[i] === "'") {
      let s = '';
      i++;
      while (i < n && text[i] !== "'") {
        if (text[i] === '\\') {
          const ch = text[i + 1]!;
          s += TSV_UNESCAPES[ch] ?? ch;
          i += 2;
        } else s += text[i++];
      }
      out.push(s);
      i++;
    } else {
      // Numbers and nested values: up to the next comma at this depth.
      let depth = 0;
      const start = i;
      while (i < n && (depth > 0 || text[i] !== ',')) {
        // A quoted string inside a nested value may hold brackets and commas: skipped whole.
        if (text[i] === "'") {
          for (i++; i < n && text[i] !== "'"; i++) if (text[i] === '\\') i++;
          i++;
          continue;
        }
        if (text[i] === '[' || text[i] === '(') depth++;
        else if (text[i] === ']' || text[i] === ')') depth--;
        i++;
      }
      const v = text.slice(start, i).trim();
      out.push(v === 'NULL' ? null : v);
    }
  }
  return out;
}

/** Reads the two header lines (names, types), then converts rows line by line. */
export class TsvResultReader {
  columns: QueryResult['columns'] | undefined;
  private names: string[] | undefined;
  private converters: Convert[] = [];

  constructor(
    private readonly rfc3339: boolean,
    /** Catalog columns of type boolean: result columns of these names holding UInt8 are booleans. */
    private readonly booleanColumns: ReadonlySet<string> = new Set(),
  ) {}

  /** Converts one line: undefined for the header lines. */
  line(text: string): unknown[] | undefined {
    if (!this.names) {
      this.names = text.split('\t').map(unescapeTsv);
      return undefined;
    }
    if (!this.columns) {
      const types = text.split('\t').map(unescapeTsv);
      const boolean = (i: number) => this.booleanColumns.has(this.names![i]!) && bare(types[i] ?? '') === 'UInt8';
      this.columns = this.names.map((name, i) => ({ name, type: boolean(i) ? 'BOOLEAN' : resultTypeName(types[i] ?? 'String') }));
      this.converters = types.map((t, i) => (boolean(i) ? booleanCell : cellConverterFor(t, this.rfc3339)));
      return undefined;
    }
    const cells = text.split('\t');
    const row = new Array<unknown>(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      row[i] = cell === '\\N' ? null : this.converters[i]!(cell);
    }
    return row;
  }
}
