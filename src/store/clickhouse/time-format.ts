import type { TimeFormatPiece } from '../spl-functions.js';

/**
 * Splunk's strftime variables on ClickHouse, computed from the date parts (18.16's formatDateTime
 * lacks names of days and months, and later releases changed what `%M` and `%f` mean), in UTC, as
 * DuckDB's strftime writes them (names in English).
 */

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const names = (list: string[], short: boolean) => `[${list.map((n) => `'${short ? n.slice(0, 3) : n}'`).join(', ')}]`;

/** A whole number as text, at least `width` digits (zeros, or spaces) before it. */
function pad(x: string, width: number, fill = '0'): string {
  const text = `toString(${x})`;
  return `concat(substring('${fill.repeat(width)}', 1, toUInt64(greatest(0, ${width} - toInt64(length(${text}))))), ${text})`;
}

/** Each variable from `d` (the time's whole seconds as a UTC DateTime) and `t` (the time itself). */
const VARIABLES: Record<string, (d: string, t: string) => string> = {
  Y: (d) => toStringOf(`toYear(${d})`),
  y: (d) => pad(`toYear(${d}) % 100`, 2),
  m: (d) => pad(`toMonth(${d})`, 2),
  d: (d) => pad(`toDayOfMonth(${d})`, 2),
  e: (d) => pad(`toDayOfMonth(${d})`, 2, ' '),
  H: (d) => pad(`toHour(${d})`, 2),
  k: (d) => pad(`toHour(${d})`, 2, ' '),
  I: (d) => pad(`(toHour(${d}) + 11) % 12 + 1`, 2),
  M: (d) => pad(`toMinute(${d})`, 2),
  S: (d) => pad(`toSecond(${d})`, 2),
  p: (d) => `if(toHour(${d}) < 12, 'AM', 'PM')`,
  j: (d) => pad(`toDayOfYear(${d})`, 3),
  a: (d) => `${names(DAYS, true)}[toDayOfWeek(${d})]`,
  A: (d) => `${names(DAYS, false)}[toDayOfWeek(${d})]`,
  b: (d) => `${names(MONTHS, true)}[toMonth(${d})]`,
  h: (d) => `${names(MONTHS, true)}[toMonth(${d})]`,
  B: (d) => `${names(MONTHS, false)}[toMonth(${d})]`,
  // Weekday numbers: %u Monday 1 … Sunday 7, %w Sunday 0 … Saturday 6.
  u: (d) => toStringOf(`toDayOfWeek(${d})`),
  w: (d) => toStringOf(`toDayOfWeek(${d}) % 7`),
  // Weeks of the year: %U from the first Sunday, %W from the first Monday (days before: week 00); ISO %V and its year %G.
  U: (d) => pad(`intDiv(toDayOfYear(${d}) - 1 + 7 - toDayOfWeek(${d}) % 7, 7)`, 2),
  W: (d) => pad(`intDiv(toDayOfYear(${d}) - 1 + 7 - (toDayOfWeek(${d}) + 6) % 7, 7)`, 2),
  V: (d) => pad(`toISOWeek(${d})`, 2),
  G: (d) => toStringOf(`toISOYear(${d})`),
  s: (_d, t) => toStringOf(`toInt64(floor(toFloat64(${t})))`),
  // Fractions of the second: the store keeps milliseconds.
  g: (_d, t) => pad(millis(t), 3),
  f: (_d, t) => `concat(${pad(millis(t), 3)}, '000')`,
  n: (_d, t) => `concat(${pad(millis(t), 3)}, '000000')`,
};

const toStringOf = (x: string) => `toString(${x})`;
const millis = (t: string) => `toInt64(round((toFloat64(${t}) - floor(toFloat64(${t}))) * 1000))`;

/** A time (Decimal epoch seconds) as text, piece by piece; NULL for NULL. Variables are checked by the compiler (src/query/spl/timefmt.ts). */
export function clickhouseFormatTime(t: string, pieces: readonly TimeFormatPiece[], param: (value: string) => string): string {
  // The parts from the value without its NULL (18.16 cannot nest a Nullable result in if()).
  const value = `ifNull(${t}, toDecimal64(0, 3))`;
  const d = `toDateTime(toUInt32(floor(toFloat64(${value}))), 'UTC')`;
  const parts = pieces.map((p) => {
    if ('text' in p) return param(p.text);
    const f = VARIABLES[p.variable];
    if (!f) throw new Error(`time format variable '%${p.variable}' has no ClickHouse form`);
    return f(d, value);
  });
  return `if(isNull(${t}), NULL, ${parts.length ? `concat(${parts.join(', ')}, '')` : "''"})`;
}
