import type { Rng } from '../generate/random.js';

/**
 * Record mutators: each takes one record's bytes and returns hostile variants of them — damaged bytes
 * (bit flips, insertions, deletions, truncation, NUL, invalid UTF-8), hostile values in fields (prototype
 * names, numeric extremes, impossible dates, lone surrogates, wrong JSON types), huge fields, deep
 * nesting and 10 MB lines, and records spliced into each other. Records are bytes, not strings, so that
 * invalid UTF-8 reaches the reader as it would from a file.
 */

export interface MutationContext {
  rng: Rng;
  /** Expensive mutations (megabytes, deep nesting) left for this batch. */
  heavyLeft: number;
  /** Another record of the same format, for splicing. */
  other(): Buffer;
}

export interface Mutator {
  name: string;
  weight: number;
  /** Costs megabytes or deep recursion: limited per batch. */
  heavy?: boolean;
  apply(record: Buffer, m: MutationContext): Buffer;
}

/** Field values that have broken parsers somewhere: prototype names, extremes, malformed times, addresses and encodings. */
export const HOSTILE_VALUES = [
  '', '-', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '99999999999999999999', '-1', 'NaN', '1e309', 'null', 'undefined',
  '2026-13-45T99:99:99Z', '::ffff:1.2.3.4', '1.2.3.4.5', '%00', '%ZZ', '%', '"', '{"a":', '\u2028', '\ud800', '0x', '[]', '{}', 'true', '\t', '\\',
  '300.1.1.1', 'fe80::1%eth0', '9999-12-31T23:59:59Z', '0000-00-00T00:00:00Z', '-62135596800', '275760-09-13T00:00:00Z', 'Bearer a.b.c',
  'eyJhbGciOiJub25lIn0.e30.', 'eyJ.eyJ.', '[01/Jan/1970:00:00:00 +9999]', '1/2/3', 'arn:aws:iam::', '<14>', 'CEF:0|', 'a=b=c', '"a""b"', 'A'.repeat(70_000),
];

/** Numbers at and beyond the edges of doubles, 64-bit integers and time. */
export const NUMERIC_EXTREMES = [
  '0', '-0', '1e309', '-1e309', '1e-400', '9007199254740993', '-9007199254740993', '9223372036854775808', '-9223372036854775809',
  '18446744073709551616', '99999999999999999999999999999999', '4294967296', '8640000000000001', '-8640000000000001', '0.000000000000000000001',
  '1.7976931348623157e308', '5e-324', '0x1F', '1_000', '+1', '.5', '1.', '00012',
];

/** Characters that delimit or quote fields in some format. */
const DELIMITERS = ['\t', ',', ' ', '"', "'", '\\', '{', '}', '[', ']', '|', '=', ':', '^', '%', '-', '\r', 'é', '😀', '\u0085', '\u2028', '\ufeff'];

/** Byte sequences that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncated sequences, bytes never used. */
const INVALID_UTF8 = [[0x80], [0xbf], [0xc0, 0xaf], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xfe], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]];

const DEEP_LEVELS = 100_000;
const HUGE_MIN = 64 * 1024;
const HUGE_MAX = 4 << 20;
const TEN_MB = 10 << 20;

const at = (m: MutationContext, b: Buffer) => m.rng.int(0, b.length);
const splice = (b: Buffer, i: number, remove: number, insert: Buffer | number[]) =>
  Buffer.concat([b.subarray(0, i), Buffer.from(insert), b.subarray(Math.min(b.length, i + remove))]);

/** The first JSON object in a record (after a syslog header or an export timestamp), with the text around it. */
function findJson(text: string): { before: string; value: unknown } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    return { before: text.slice(0, start), value: JSON.parse(text.slice(start)) };
  } catch {
    return undefined;
  }
}

/**
 * Replaces one value somewhere in a JSON record (up to a few levels deep) by `make(old)`; a `RawJson`
 * is written as it is (for text JSON.stringify cannot produce: deep nesting, huge numbers).
 */
class RawJson {
  constructor(readonly text: string) {}
}

function editJson(record: Buffer, m: MutationContext, make: (old: unknown) => unknown): Buffer | undefined {
  const found = findJson(record.toString('utf8'));
  if (!found || found.value === null || typeof found.value !== 'object') return undefined;
  let node = found.value as Record<string, unknown>;
  for (let depth = 0; ; depth++) {
    const keys = Object.keys(node);
    if (!keys.length) return undefined;
    const key = m.rng.pick(keys);
    const child = node[key];
    if (depth < 4 && child !== null && typeof child === 'object' && Object.keys(child).length && m.rng.chance(0.6)) {
      node = child as Record<string, unknown>;
      continue;
    }
    const raws: string[] = [];
    const put = (v: unknown) => {
      if (!(v instanceof RawJson)) return v;
      raws.push(v.text);
      return `__fuzz_raw_${raws.length - 1}__`;
    };
    // defineProperty: a key named __proto__ stays an own property (an assignment would set the prototype).
    Object.defineProperty(node, key, { value: put(make(child)), enumerable: true, writable: true, configurable: true });
    let text = JSON.stringify(found.value);
    raws.forEach((raw, i) => (text = text.replace(`"__fuzz_raw_${i}__"`, () => raw)));
    return Buffer.from(found.before + text);
  }
}

/** Replaces one delimited field (tab, comma or space separated, as the record looks) by `value`. */
function replaceField(record: Buffer, m: MutationContext, value: string): Buffer {
  const text = record.toString('utf8');
  const delimiter = text.includes('\t') ? '\t' : text.includes(',') && !text.trimStart().startsWith('{') ? ',' : ' ';
  const parts = text.split(delimiter);
  parts[m.rng.int(0, parts.length - 1)] = value;
  return Buffer.from(parts.join(delimiter));
}

/** A value for a JSON record, or a field for a delimited one. */
function replaceValue(record: Buffer, m: MutationContext, json: (old: unknown) => unknown, field: string): Buffer {
  return editJson(record, m, json) ?? replaceField(record, m, field);
}

const WRONG_TYPES: unknown[] = [null, 0, -1, 1e308, true, false, 'x', '', [], {}, [1, 'a'], { a: 1 }, [[]], [null], { '': '' }];

function deepText(m: MutationContext): string {
  return m.rng.chance(0.5) ? '['.repeat(DEEP_LEVELS) + ']'.repeat(DEEP_LEVELS) : '{"a":'.repeat(DEEP_LEVELS) + '1' + '}'.repeat(DEEP_LEVELS);
}

function hugeText(m: MutationContext, size: number): string {
  const unit = m.rng.pick(['A', 'é', '\\', '%41', '1', ' ', 'a,', '😀']);
  return unit.repeat(Math.ceil(size / unit.length));
}

export const MUTATORS: readonly Mutator[] = [
  { name: 'truncate', weight: 10, apply: (b, m) => b.subarray(0, m.rng.int(0, Math.max(0, b.length - 1))) },
  {
    name: 'bit-flip', weight: 10,
    apply: (b, m) => {
      const out = Buffer.from(b);
      for (let n = m.rng.int(1, 8); n > 0 && out.length; n--) out[m.rng.int(0, out.length - 1)]! ^= 1 << m.rng.int(0, 7);
      return out;
    },
  },
  { name: 'byte-insert', weight: 8, apply: (b, m) => splice(b, at(m, b), 0, m.rng.chance(0.5) ? [m.rng.int(0, 255)] : Buffer.from(m.rng.pick(DELIMITERS))) },
  { name: 'byte-delete', weight: 8, apply: (b, m) => splice(b, at(m, b), m.rng.int(1, 20), []) },
  { name: 'nul', weight: 3, apply: (b, m) => splice(b, at(m, b), 0, [0]) },
  { name: 'invalid-utf8', weight: 5, apply: (b, m) => splice(b, at(m, b), 0, m.rng.pick(INVALID_UTF8)) },
  { name: 'hostile-value', weight: 14, apply: (b, m) => replaceValue(b, m, () => m.rng.pick(HOSTILE_VALUES), m.rng.pick(HOSTILE_VALUES)) },
  { name: 'wrong-json-type', weight: 10, apply: (b, m) => replaceValue(b, m, () => structuredClone(m.rng.pick(WRONG_TYPES)), m.rng.pick(['[]', '{}', 'null', 'true'])) },
  {
    name: 'numeric-extreme', weight: 8,
    apply: (b, m) => {
      const extreme = m.rng.pick(NUMERIC_EXTREMES);
      const json = editJson(b, m, (old) => (typeof old === 'number' || m.rng.chance(0.3) ? new RawJson(/^-?\d/.test(extreme) && !/[x_]/.test(extreme) ? extreme : `"${extreme}"`) : extreme));
      if (json) return json;
      const text = b.toString('utf8');
      const runs = [...text.matchAll(/\d+/g)];
      if (!runs.length) return replaceField(b, m, extreme);
      const r = m.rng.pick(runs);
      return Buffer.from(text.slice(0, r.index) + extreme + text.slice(r.index + r[0].length));
    },
  },
  { name: 'lone-surrogate', weight: 4, apply: (b, m) => replaceValue(b, m, (old) => `${typeof old === 'string' ? old.slice(0, 8) : ''}${m.rng.pick(['\ud800', '\udfff', '\udc00x', 'x\ud83d'])}`, '\\ud800') },
  {
    name: 'prototype-key', weight: 5,
    apply: (b, m) => {
      const key = m.rng.pick(['__proto__', 'constructor', 'prototype']);
      const value: unknown = key === 'constructor' ? { prototype: { polluted: 'yes' } } : { polluted: 'yes', toString: 'x' };
      const found = findJson(b.toString('utf8'));
      if (found && found.value !== null && typeof found.value === 'object' && !Array.isArray(found.value)) {
        Object.defineProperty(found.value, key, { value, enumerable: true, writable: true, configurable: true });
        return Buffer.from(found.before + JSON.stringify(found.value));
      }
      return replaceField(b, m, key);
    },
  },
  { name: 'splice', weight: 5, apply: (b, m) => { const o = m.other(); return Buffer.concat([b.subarray(0, at(m, b)), o.subarray(m.rng.int(0, o.length))]); } },
  { name: 'concatenate', weight: 2, apply: (b, m) => Buffer.concat([b, m.other()]) },
  { name: 'huge-field', weight: 3, heavy: true, apply: (b, m) => { const t = hugeText(m, m.rng.int(HUGE_MIN, HUGE_MAX)); return replaceValue(b, m, () => t, t); } },
  { name: 'deep-nesting', weight: 3, heavy: true, apply: (b, m) => { const t = deepText(m); return replaceValue(b, m, () => new RawJson(t), t); } },
  { name: 'ten-mb-line', weight: 1, heavy: true, apply: (b, m) => { const t = hugeText(m, TEN_MB); return replaceValue(b, m, () => t, t); } },
];

const LIGHT = MUTATORS.filter((x) => !x.heavy);

/** Applies 1–3 random mutations; returns the record and the names of what was done. */
export function mutateRecord(record: Buffer, m: MutationContext): { bytes: Buffer; applied: string[] } {
  const applied: string[] = [];
  let bytes = record;
  for (let n = m.rng.int(1, 3); n > 0; n--) {
    const pool = m.heavyLeft > 0 ? MUTATORS : LIGHT;
    const mutator = m.rng.weighted(pool.map((x) => [x, x.weight] as const));
    try {
      bytes = mutator.apply(bytes, m);
    } catch {
      // A record already nested 10^5 deep cannot be re-serialized: leave it as it is.
      continue;
    }
    if (mutator.heavy) m.heavyLeft--;
    applied.push(mutator.name);
  }
  return { bytes, applied };
}
