/**
 * Splunk time modifiers (`earliest=`/`latest=`): `now`, `0`, relative `-24h`, `-7d@d`, `@w0`,
 * epoch seconds, and absolute times (ISO 8601, `2026-11-20 10:00:00`, Splunk's `11/20/2026:10:00:00`).
 * All UTC. Returns null for text that is none of these.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const UNITS: [RegExp, string][] = [
  [/^(s|sec|secs|second|seconds)$/, 's'],
  [/^(m|min|mins|minute|minutes)$/, 'm'],
  [/^(h|hr|hrs|hour|hours)$/, 'h'],
  [/^(d|day|days)$/, 'd'],
  [/^(w|week|weeks)(0)?$/, 'w'],
  [/^(mon|month|months)$/, 'mon'],
  [/^(q|qtr|qtrs|quarter|quarters)$/, 'q'],
  [/^(y|yr|yrs|year|years)$/, 'y'],
];

function unitOf(text: string): string | null {
  for (const [re, u] of UNITS) if (re.test(text)) return u;
  return null;
}

function shift(t: Date, n: number, unit: string): Date {
  const d = new Date(t);
  if (unit === 'mon' || unit === 'q' || unit === 'y') d.setUTCMonth(d.getUTCMonth() + n * (unit === 'mon' ? 1 : unit === 'q' ? 3 : 12));
  else d.setTime(d.getTime() + n * UNIT_MS[unit]!);
  return d;
}

function snap(t: Date, unit: string): Date {
  const d = new Date(t);
  const zero = ['s', 'm', 'h', 'd'].indexOf(unit);
  d.setUTCMilliseconds(0);
  if (zero >= 1 || unit === 'w' || unit === 'mon' || unit === 'q' || unit === 'y') d.setUTCSeconds(0);
  if (zero >= 2 || zero < 0) d.setUTCMinutes(0);
  if (zero >= 3 || zero < 0) d.setUTCHours(0);
  if (unit === 'w') d.setUTCDate(d.getUTCDate() - d.getUTCDay());
  if (unit === 'mon' || unit === 'q' || unit === 'y') d.setUTCDate(1);
  if (unit === 'q') d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3));
  if (unit === 'y') d.setUTCMonth(0);
  return d;
}

export function parseTime(text: string, now: Date): Date | null {
  const t = text.trim();
  if (t === 'now') return new Date(now);
  if (/^\d+(\.\d+)?$/.test(t)) return valid(new Date(Number(t) * 1000));
  const rel = /^(?:([+-])(\d*)([a-z]+))?(?:@([a-z]+\d?))?$/.exec(t);
  if (rel && (rel[1] || rel[4])) {
    let d = new Date(now);
    if (rel[1]) {
      const unit = unitOf(rel[3]!);
      if (!unit) return null;
      d = shift(d, (rel[1] === '-' ? -1 : 1) * (rel[2] ? Number(rel[2]) : 1), unit);
    }
    if (rel[4]) {
      const unit = unitOf(rel[4]);
      if (!unit) return null;
      d = snap(d, unit);
    }
    // -99999999999999999999h is no time: null, as for text that is none.
    return valid(d);
  }
  const splunk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?::(\d{1,2}):(\d{2}):(\d{2}))?$/.exec(t);
  if (splunk) {
    const [, mo, da, y, h = '0', mi = '0', s = '0'] = splunk;
    return valid(new Date(Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(s))));
  }
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (iso) return valid(new Date(`${iso[1]}T${iso[2] ?? '00:00:00'}${iso[3] ?? 'Z'}`));
  return null;
}

function valid(d: Date): Date | null {
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `YYYY-MM-DD HH:MM:SS.mmm`, how the store compares TIMESTAMP values. */
export function sqlTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

const MAX_SPAN_UNITS = 1_000_000;

/** A timechart span (`30s`, `5m`, `1h`, `1d`, `1w`, `1mon`) → a DuckDB interval text, or null. */
export function spanInterval(text: string): string | null {
  const m = /^(\d+)([a-z]+)$/.exec(text.trim());
  // A span beyond a million units (two millennia of seconds) is a typo, and DuckDB could not hold it.
  if (!m || Number(m[1]) <= 0 || Number(m[1]) > MAX_SPAN_UNITS) return null;
  const unit = unitOf(m[2]!);
  const names: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mon: 'month', q: 'quarter', y: 'year' };
  return unit ? `${Number(m[1])} ${names[unit]}` : null;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2678400, quarter: 7948800, year: 31622400 };

/** The longest a span interval (`5 minute`) can last, in seconds (a month as 31 days). */
export function spanSeconds(interval: string): number {
  const [n, unit] = interval.split(' ');
  return Number(n) * (UNIT_SECONDS[unit!] ?? 1);
}
