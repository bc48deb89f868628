import { localToUtcMillis, parseZone, type TimeZone } from '../../ecs/timezone.js';
import { lookup } from './mappings.js';

const UTC = parseZone('UTC');

const MONTHS: Record<string, number | undefined> = lookup({ jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 });
// `2026-11-20T10:00:00.123+01:00` (the 10.x High Resolution Timestamp and SLS JSON), zone optional.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;
// CEF/LEEF `Nov 20 2026 10:00:00[.123][ GMT|UTC|+01:00]`.
const MONTH_FIRST = /^([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: ?(GMT|UTC|Z|[+-]\d{2}:?\d{2}))?$/;

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function offsetMillis(zone: string): number {
  if (zone === 'Z' || zone === 'z' || zone === 'GMT' || zone === 'UTC') return 0;
  const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
  const h = Number(zone.slice(1, 3));
  const m = Number(zone.slice(zone.length - 2));
  return sign * (h * 60 + m) * 60_000;
}

function fraction(text: string | undefined): number {
  return text ? Math.floor(Number(`0.${text}`) * 1000) : 0;
}

/**
 * A PAN-OS time in any of the forms its delivery formats use, to epoch ms: `YYYY/MM/DD HH:MM:SS`
 * (local time in `zone`), ISO 8601 with or without an offset (without: local), epoch seconds,
 * milliseconds or microseconds, and the CEF/LEEF `Mmm dd yyyy HH:MM:SS [GMT]` form. `undefined`
 * when the text is none of these or names a date that does not exist.
 */
export function parsePanTime(text: string, zone: TimeZone): number | undefined {
  // Fast path: the CSV form, 19 characters.
  if (text.length === 19 && text.charCodeAt(4) === 47 /* / */) {
    if (text.charCodeAt(7) !== 47 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
    const y = digits(text, 0, 4);
    const mo = digits(text, 5, 2);
    const d = digits(text, 8, 2);
    const h = digits(text, 11, 2);
    const mi = digits(text, 14, 2);
    const s = digits(text, 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined;
    return localToUtcMillis(y, mo, d, h, mi, s, 0, zone);
  }
  // Fast path: the High Resolution Timestamp, `2026-11-20T10:00:00.123+01:00` (29 characters).
  if (text.length === 29 && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(19) === 46 && text.charCodeAt(26) === 58) {
    const y = digits(text, 0, 4);
    const mo = digits(text, 5, 2);
    const d = digits(text, 8, 2);
    const h = digits(text, 11, 2);
    const mi = digits(text, 14, 2);
    const s = digits(text, 17, 2);
    const ms = digits(text, 20, 3);
    const oh = digits(text, 24, 2);
    const om = digits(text, 27, 2);
    const sign = text.charCodeAt(23);
    if (y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 && ms >= 0 && oh >= 0 && om >= 0 && (sign === 43 || sign === 45) && text.charCodeAt(4) === 45) {
      const local = localToUtcMillis(y, mo, d, h, mi, s, ms, UTC);
      return local === undefined ? undefined : local - (sign === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
  }
  const c0 = text.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const iso = ISO.exec(text);
    if (iso) {
      const [, y, mo, d, h, mi, s, frac, tz] = iso;
      if (tz === undefined) return localToUtcMillis(+y!, +mo!, +d!, +h!, +mi!, +s!, fraction(frac), zone);
      const local = localToUtcMillis(+y!, +mo!, +d!, +h!, +mi!, +s!, fraction(frac), 'UTC');
      return local === undefined ? undefined : local - offsetMillis(tz);
    }
    if (/^\d{9,17}$/.test(text)) {
      const n = Number(text);
      if (text.length <= 11) return n * 1000;
      if (text.length <= 14) return n;
      return Math.floor(n / 1000);
    }
    return undefined;
  }
  const m = MONTH_FIRST.exec(text);
  if (m) {
    const mo = MONTHS[m[1]!.toLowerCase()];
    if (mo === undefined) return undefined;
    const ms = fraction(m[7]);
    if (m[8] === undefined) return localToUtcMillis(+m[3]!, mo, +m[2]!, +m[4]!, +m[5]!, +m[6]!, ms, zone);
    const utc = localToUtcMillis(+m[3]!, mo, +m[2]!, +m[4]!, +m[5]!, +m[6]!, ms, 'UTC');
    return utc === undefined ? undefined : utc - offsetMillis(m[8]);
  }
  return undefined;
}
