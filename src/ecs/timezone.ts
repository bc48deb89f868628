/**
 * Local wall-clock times without a zone (PAN-OS `2026/11/20 10:00:00`, Zscaler feeds) → UTC, given
 * the zone the collector was told the device logs in: a fixed offset (`+02:00`, `-0330`, `UTC`) or an
 * IANA name (`Europe/Paris`). IANA offsets come from `Intl.DateTimeFormat` (no tz database shipped)
 * and are cached per local hour, because a log holds millions of records from a few hours.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const CACHE_LIMIT = 50_000;

export interface TimeZone {
  /** The zone as given (`+02:00`, `Europe/Paris`). */
  readonly name: string;
  /** Set for fixed offsets: minutes east of UTC. */
  readonly fixedOffsetMinutes: number | undefined;
  /** Offset in milliseconds east of UTC at a UTC instant. */
  offsetAt(utcMillis: number): number;
  /** The UTC instant of a local wall-clock time given as if it were UTC (`Date.UTC(...)` of the fields). */
  toUtc(localMillis: number): number;
}

const FIXED = /^(?:UTC|GMT|Z)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const UTC_NAMES = new Set(['utc', 'gmt', 'z', 'etc/utc', 'etc/gmt', 'zulu', 'universal']);

class FixedZone implements TimeZone {
  private readonly offsetMs: number;
  constructor(
    readonly name: string,
    readonly fixedOffsetMinutes: number,
  ) {
    this.offsetMs = fixedOffsetMinutes * 60_000;
  }
  offsetAt(): number {
    return this.offsetMs;
  }
  toUtc(localMillis: number): number {
    return localMillis - this.offsetMs;
  }
}

class IanaZone implements TimeZone {
  readonly fixedOffsetMinutes = undefined;
  private readonly format: Intl.DateTimeFormat;
  private readonly byUtcHour = new Map<number, number>();
  /** Local hour → offset to subtract; NaN marks an hour holding a transition (resolved per call). */
  private readonly byLocalHour = new Map<number, number>();
  private lastHour = NaN;
  private lastOffset = 0;

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(utcMillis: number): number {
    // Offsets change on whole minutes, and in practice only at instants that are whole UTC quarter
    // hours; caching by UTC hour and computing exactly for the rest keeps this cheap and right.
    const hour = Math.floor(utcMillis / HOUR);
    const cached = this.byUtcHour.get(hour);
    if (cached !== undefined) return cached;
    const start = this.exactOffset(hour * HOUR);
    const end = this.exactOffset(hour * HOUR + HOUR - 1);
    if (start === end) {
      if (this.byUtcHour.size >= CACHE_LIMIT) this.byUtcHour.clear();
      this.byUtcHour.set(hour, start);
      return start;
    }
    return this.exactOffset(utcMillis);
  }

  toUtc(localMillis: number): number {
    const hour = Math.floor(localMillis / HOUR);
    if (hour === this.lastHour) return localMillis - this.lastOffset;
    let offset = this.byLocalHour.get(hour);
    if (offset === undefined) {
      // An hour whose first and last minute resolve with one offset resolves every minute with it.
      const first = this.resolve(hour * HOUR);
      const last = this.resolve(hour * HOUR + HOUR - 1);
      offset = first === last ? first : NaN;
      if (this.byLocalHour.size >= CACHE_LIMIT) this.byLocalHour.clear();
      this.byLocalHour.set(hour, offset);
    }
    if (Number.isNaN(offset)) return localMillis - this.resolve(localMillis);
    this.lastHour = hour;
    this.lastOffset = offset;
    return localMillis - offset;
  }

  /**
   * The offset that turns a local time into UTC, resolved like Temporal's `compatible`
   * disambiguation: a time repeated when clocks go back takes the earlier instant (the offset in
   * force before the change); a time skipped when clocks go forward is read with the offset before
   * the change, which moves it forward by the gap (02:30 → 03:30 local).
   */
  private resolve(localMillis: number): number {
    const before = this.offsetAt(localMillis - DAY);
    const after = this.offsetAt(localMillis + DAY);
    if (before === after) return before;
    const earlyOk = this.offsetAt(localMillis - before) === before;
    const lateOk = this.offsetAt(localMillis - after) === after;
    if (earlyOk && lateOk) return localMillis - before <= localMillis - after ? before : after;
    if (lateOk) return after;
    return before;
  }

  private exactOffset(utcMillis: number): number {
    const parts = this.format.formatToParts(new Date(utcMillis));
    let y = 0;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const p of parts) {
      switch (p.type) {
        case 'year':
          y = Number(p.value);
          break;
        case 'month':
          mo = Number(p.value);
          break;
        case 'day':
          d = Number(p.value);
          break;
        case 'hour':
          h = Number(p.value);
          break;
        case 'minute':
          mi = Number(p.value);
          break;
        case 'second':
          s = Number(p.value);
          break;
        default:
          break;
      }
    }
    const floored = utcMillis - (((utcMillis % 1000) + 1000) % 1000);
    return Date.UTC(y, mo - 1, d, h, mi, s) - floored;
  }
}

const zones = new Map<string, TimeZone>();

/**
 * Reads a zone: `UTC`/`Z`/`GMT`, an offset (`+02:00`, `-0330`, `+9`, `UTC+01:00`) or an IANA name.
 * Throws a RangeError saying what was expected when the zone is neither.
 */
export function parseZone(zone: string): TimeZone {
  const key = zone.trim();
  const hit = zones.get(key);
  if (hit) return hit;
  const result = compute(key);
  zones.set(key, result);
  return result;
}

function compute(zone: string): TimeZone {
  if (UTC_NAMES.has(zone.toLowerCase())) return new FixedZone(zone, 0);
  const m = FIXED.exec(zone);
  if (m) {
    const hours = Number(m[2]);
    const minutes = m[3] === undefined ? 0 : Number(m[3]);
    if (hours > 18 || minutes > 59) throw new RangeError(`time zone offset '${zone}' is out of range (expected -18:00 to +18:00)`);
    return new FixedZone(zone, (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes));
  }
  try {
    return new IanaZone(zone);
  } catch {
    throw new RangeError(`unknown time zone '${zone}' (expected an offset like +02:00 or an IANA name like Europe/Paris)`);
  }
}

/**
 * A local wall-clock time in `zone` → epoch milliseconds UTC. Month is 1-based. Returns `undefined`
 * when a field is out of range or the date does not exist (2026-02-30). Throws like `parseZone` for
 * an unknown zone given as a string; pass a parsed zone on hot paths.
 */
export function localToUtcMillis(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  zone: TimeZone | string,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || ms < 0 || ms > 999) return undefined;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 2026-02-30 into March: a day that does not survive the round trip does not exist.
  if (d > 28 && new Date(local).getUTCDate() !== d) return undefined;
  return (typeof zone === 'string' ? parseZone(zone) : zone).toUtc(local);
}
