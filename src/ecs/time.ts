/**
 * Timestamps: everything inside packettrail is UTC, written as RFC 3339 with a `Z`. Milliseconds are
 * written only when the source had them, so a second-resolution log keeps second resolution.
 */
let lastIsoMs = NaN;
let lastIso = '';

export function isoFromMillis(ms: number): string {
  // Logs hold many records per second: remember the last conversion.
  if (ms === lastIsoMs) return lastIso;
  const s = new Date(ms).toISOString();
  lastIsoMs = ms;
  lastIso = ms % 1000 === 0 ? s.slice(0, 19) + 'Z' : s;
  return lastIso;
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

/** Seconds (as logged, e.g. `0.358`) → ECS `event.duration` nanoseconds. */
export function secondsToNanos(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '-') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1e9) : undefined;
}
