/**
 * Values as they travel between a command and the packettrail process that holds its database:
 * JSON, with what JSON cannot carry tagged so that it arrives exactly as it left — non-finite numbers
 * and -0 (a DOUBLE column), big integers, dates, `undefined` in arrays, Maps (detection counts per
 * rule) and Sets. A tag is an object with one key starting with `$`; keys of plain objects that
 * start with `$` are escaped with one more `$`, so a STRUCT field named `$num` stays a field.
 */

type Tagged = { $num: string } | { $big: string } | { $date: string } | { $undef: 1 } | { $map: unknown[] } | { $set: unknown[] };

function encodeValue(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
    return { $num: Object.is(v, -0) ? '-0' : String(v) } satisfies Tagged;
  }
  if (typeof v === 'bigint') return { $big: v.toString() } satisfies Tagged;
  if (v === undefined) return { $undef: 1 } satisfies Tagged;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Date) return { $date: v.toISOString() } satisfies Tagged;
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encodeValue(k), encodeValue(x)]) } satisfies Tagged;
  if (v instanceof Set) return { $set: [...v].map(encodeValue) } satisfies Tagged;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // An absent property and one set to undefined read the same: JSON drops it, so do we.
    if (x === undefined) continue;
    out[k.startsWith('$') ? `$${k}` : k] = encodeValue(x);
  }
  return out;
}

const NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0]!.startsWith('$') && !keys[0]!.startsWith('$$')) {
    const t = v as Record<string, unknown>;
    if ('$num' in t && typeof t.$num === 'string' && Object.hasOwn(NUMBERS, t.$num)) return NUMBERS[t.$num];
    if ('$big' in t && typeof t.$big === 'string' && /^-?\d+$/.test(t.$big)) return BigInt(t.$big);
    if ('$date' in t && typeof t.$date === 'string') return new Date(t.$date);
    if ('$undef' in t) return undefined;
    if ('$map' in t && Array.isArray(t.$map)) return new Map((t.$map as unknown[][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
    if ('$set' in t && Array.isArray(t.$set)) return new Set(t.$set.map(decodeValue));
    throw new Error(`unknown value tag ${keys[0]}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const key = k.startsWith('$') ? k.slice(1) : k;
    // Defined as own data properties: a field named __proto__ stays a field.
    Object.defineProperty(out, key, { value: decodeValue(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One value as JSON text (no line breaks: NDJSON streams carry one message a line). */
export function toWire(value: unknown): string {
  return JSON.stringify(encodeValue(value));
}

export function fromWire<T = unknown>(text: string): T {
  return decodeValue(JSON.parse(text)) as T;
}
