import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

/**
 * IP → autonomous system from the range CSVs of `@ip-location-db/asn` (RouteViews + RIR + DB-IP
 * ASN Lite, CC BY 4.0): `start,end,asn,name`, sorted by start, non-overlapping. IPv4 rows hold the
 * addresses as numbers (asn-ipv4-num.csv), IPv6 rows as text (asn-ipv6.csv). Parsed once into typed
 * arrays and searched by bisection; AS names are decoded only for the rows that are looked up.
 */
export interface AsnInfo {
  number: number;
  name: string | undefined;
}

interface Table {
  /** IPv4: start/end as uint32. IPv6: start/end as (high, low) 64-bit halves. */
  starts: Uint32Array | BigUint64Array;
  ends: Uint32Array | BigUint64Array;
  asns: Uint32Array;
  /** Byte offset of the name field of each row in `text`. */
  nameAt: Uint32Array;
  text: Buffer;
  size: number;
}

const COMMA = 44;
const NEWLINE = 10;
const QUOTE = 34;

/** End of the field starting at `i` (a quoted field may hold commas; `""` is an escaped quote). */
function fieldEnd(buf: Buffer, i: number): number {
  if (buf[i] === QUOTE) {
    for (i++; i < buf.length; i++) {
      if (buf[i] === QUOTE) {
        if (buf[i + 1] === QUOTE) i++;
        else return i + 1;
      }
    }
    return buf.length;
  }
  while (i < buf.length && buf[i] !== COMMA && buf[i] !== NEWLINE && buf[i] !== 13) i++;
  return i;
}

function decodeName(buf: Buffer, at: number): string | undefined {
  const end = fieldEnd(buf, at);
  let name = buf.toString('utf8', at, end);
  if (name.startsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
  return name || undefined;
}

function digits(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return to > from ? n : NaN;
}

/** Parses asn-ipv4-num.csv; rows that do not parse are skipped (the file is data we ship, not input). */
export function parseIpv4Csv(text: Buffer): Table {
  const rows = countLines(text);
  const starts = new Uint32Array(rows), ends = new Uint32Array(rows), asns = new Uint32Array(rows), nameAt = new Uint32Array(rows);
  let size = 0;
  for (let i = 0; i < text.length; ) {
    const e1 = fieldEnd(text, i), e2 = fieldEnd(text, e1 + 1), e3 = fieldEnd(text, e2 + 1);
    const s = digits(text, i, e1), e = digits(text, e1 + 1, e2), a = digits(text, e2 + 1, e3);
    let next = text.indexOf(NEWLINE, e3);
    next = next < 0 ? text.length : next + 1;
    if (Number.isFinite(s) && Number.isFinite(e) && Number.isFinite(a) && text[e3] === COMMA) {
      starts[size] = s;
      ends[size] = e;
      asns[size] = a;
      nameAt[size] = e3 + 1;
      size++;
    }
    i = next;
  }
  return { starts, ends, asns, nameAt, text, size };
}

/** The eight 16-bit groups of an IPv6 address in plain hex form (`2001:db8::1`); undefined for anything else. */
function v6Groups(text: string): number[] | undefined {
  const gap = text.indexOf('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const head = parse(gap < 0 ? text : text.slice(0, gap));
  const tail = gap < 0 ? [] : parse(text.slice(gap + 2));
  const missing = 8 - head.length - tail.length;
  if ((gap < 0 && missing !== 0) || (gap >= 0 && missing < 1)) return undefined;
  const groups = [...head, ...new Array<number>(gap < 0 ? 0 : missing).fill(0), ...tail];
  return groups.some((g) => Number.isNaN(g)) ? undefined : groups;
}

function v6Halves(text: string): [bigint, bigint] | undefined {
  let groups = v6Groups(text);
  if (!groups) {
    // Embedded IPv4 and other rare spellings: the full parser.
    try {
      const parts = ipaddr.IPv6.parse(text).parts;
      groups = parts;
    } catch {
      return undefined;
    }
  }
  // Two 32-bit numbers per half keep the BigInt work to two conversions.
  const word = (a: number, b: number) => a * 65536 + b;
  const half = (k: number) => (BigInt(word(groups![k]!, groups![k + 1]!)) << 32n) | BigInt(word(groups![k + 2]!, groups![k + 3]!));
  return [half(0), half(4)];
}

function countLines(text: Buffer): number {
  let n = 1;
  for (let i = text.indexOf(NEWLINE); i >= 0; i = text.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/** Parses asn-ipv6.csv (addresses as text); starts/ends hold two 64-bit halves per row. */
export function parseIpv6Csv(text: Buffer): Table {
  const rows = countLines(text);
  const starts = new BigUint64Array(rows * 2), ends = new BigUint64Array(rows * 2), asns = new Uint32Array(rows), nameAt = new Uint32Array(rows);
  let size = 0;
  for (let i = 0; i < text.length; ) {
    const e1 = fieldEnd(text, i), e2 = fieldEnd(text, e1 + 1), e3 = fieldEnd(text, e2 + 1);
    const s = v6Halves(text.toString('latin1', i, e1)), e = v6Halves(text.toString('latin1', e1 + 1, e2)), a = digits(text, e2 + 1, e3);
    let next = text.indexOf(NEWLINE, e3);
    next = next < 0 ? text.length : next + 1;
    if (s && e && Number.isFinite(a) && text[e3] === COMMA) {
      starts[size * 2] = s[0];
      starts[size * 2 + 1] = s[1];
      ends[size * 2] = e[0];
      ends[size * 2 + 1] = e[1];
      asns[size] = a;
      nameAt[size] = e3 + 1;
      size++;
    }
    i = next;
  }
  return { starts, ends, asns, nameAt, text, size };
}

function ipv4Number(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Index of the last row whose start ≤ the address, or -1. */
function bisect(size: number, startLessOrEqual: (row: number) => boolean): number {
  let lo = 0, hi = size - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (startLessOrEqual(mid)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const info = (t: Table, row: number): AsnInfo => ({ number: t.asns[row]!, name: decodeName(t.text, t.nameAt[row]!) });

export function lookupIpv4(t: Table, ip: string): AsnInfo | undefined {
  const n = ipv4Number(ip);
  if (n === undefined) return undefined;
  const starts = t.starts as Uint32Array, ends = t.ends as Uint32Array;
  const row = bisect(t.size, (r) => starts[r]! <= n);
  return row >= 0 && ends[row]! >= n ? info(t, row) : undefined;
}

export function lookupIpv6(t: Table, ip: string): AsnInfo | undefined {
  const h = v6Halves(ip);
  if (!h) return undefined;
  const [hi, lo] = h;
  const starts = t.starts as BigUint64Array, ends = t.ends as BigUint64Array;
  const row = bisect(t.size, (r) => starts[r * 2]! < hi || (starts[r * 2] === hi && starts[r * 2 + 1]! <= lo));
  if (row < 0) return undefined;
  const eh = ends[row * 2]!, el = ends[row * 2 + 1]!;
  return eh > hi || (eh === hi && el >= lo) ? info(t, row) : undefined;
}

export function loadTable(path: string, version: 'ipv4' | 'ipv6'): Table {
  const text = readFileSync(path);
  return version === 'ipv4' ? parseIpv4Csv(text) : parseIpv6Csv(text);
}

export type AsnTable = Table;
