/**
 * Timestamps: everything inside packettrail is UTC, written as RFC 3339 with a `Z`. Milliseconds are
 * written only when the source had them, so a second-resolution log keeps second resolution.
 */
let lastIsoMs = NaN;
let lastIso = '';
const DAY_MS = 86_400_000;
const WHOLE_SECOND = /\.000Z$/;
/** The ECMAScript time value range: ±8.64e15 ms. */
const MAX_DATE_MS = 8.64e15;
let dayStart = NaN;
let dayPrefix = '';
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Whether a millisecond count is a whole time a Date can hold (±8.64e15 ms): sums of hostile counters may not be. */
export function isTimeValue(ms: number): boolean {
  return Number.isSafeInteger(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

export function isoFromMillis(ms: number): string {
  // Logs hold many records per second: remember the last conversion.
  if (ms === lastIsoMs) return lastIso;
  const iso = Number.isInteger(ms) && Math.abs(ms) < MAX_DATE_MS ? isoFromDay(ms) : isoFromDate(ms);
  lastIsoMs = ms;
  lastIso = iso;
  return iso;
}

/**
 * Records carry several times each (start, end, received) that defeat the one-entry cache but share
 * a day: `Date` formats the day once (years, leap days), the time of day is arithmetic.
 */
function isoFromDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (day !== dayStart) {
    const s = new Date(ms).toISOString();
    dayPrefix = s.slice(0, s.indexOf('T') + 1);
    dayStart = day;
  }
  const inDay = ms - day;
  const second = Math.floor(inDay / 1000);
  const milli = inDay - second * 1000;
  const time = `${dayPrefix}${TWO[Math.floor(second / 3600)]}:${TWO[Math.floor(second / 60) % 60]}:${TWO[second % 60]}`;
  return milli === 0 ? `${time}Z` : `${time}.${THREE[milli]}Z`;
}

/** Fractional and out-of-range values: `Date`'s own truncation and RangeError. */
function isoFromDate(ms: number): string {
  const s = new Date(ms).toISOString();
  return ms % 1000 === 0 ? s.replace(WHOLE_SECOND, 'Z') : s;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

let lastDate = '';
let lastTime = '';
let lastDateTimeMs: number | undefined;

/** `YYYY-MM-DD` + `HH:MM:SS[.fff]` in UTC → epoch ms, or `undefined` when either part is malformed. */
export function millisFromDateTime(date: string, time: string): number | undefined {
  if (date === lastDate && time === lastTime) return lastDateTimeMs;
  lastDateTimeMs = computeDateTime(date, time);
  lastDate = date;
  lastTime = time;
  return lastDateTimeMs;
}

function computeDateTime(date: string, time: string): number | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const month = Number(d[2]);
  const day = Number(d[3]);
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  const second = Number(t[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = t[4] ? Math.round(Number(t[4]) * 1000) : 0;
  const value = Date.UTC(Number(d[1]), month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2023-02-31 over into March: reject dates that did not survive the round trip.
  if (new Date(value).getUTCDate() !== day) return undefined;
  return value;
}

/** Unix epoch seconds with an optional fraction (`1607497744.123`) → epoch ms. */
export function millisFromEpochSeconds(value: string): number | undefined {
  if (!/^\d{9,11}(\.\d+)?$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

/** Any ISO 8601 / RFC 3339 string Date understands, requiring an explicit zone or treating it as UTC. */
export function millisFromIso(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const ms = Date.parse(hasZone ? value : value.replace(' ', 'T') + 'Z');
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The longest `event.duration` a long column holds: the largest double below 2^63 nanoseconds (about
 * 292 years). A hostile counter multiplied into nanoseconds goes beyond it, and one such value made the
 * store refuse a whole chunk of events.
 */
export const MAX_DURATION_NANOS = 2 ** 63 - 1024;

/** `amount` units of `nanosPerUnit` nanoseconds as ECS `event.duration`; undefined when negative, not finite or beyond a long. */
export function nanosFrom(amount: number, nanosPerUnit: number): number | undefined {
  const ns = Math.round(amount * nanosPerUnit);
  return ns >= 0 && ns <= MAX_DURATION_NANOS ? ns : undefined;
}

/** Seconds (as logged, e.g. `0.358`) → ECS `event.duration` nanoseconds. */
export function secondsToNanos(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '-') return undefined;
  return nanosFrom(Number(value), 1e9);
}
