/** Display helpers. Everything here returns plain strings: Preact renders them as text, never as markup. */

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

export type TimeZoneMode = 'utc' | 'local';
const ZONE_KEY = 'packettrail.timeZone';
const zoneListeners = new Set<(m: TimeZoneMode) => void>();
/**
 * Times are shown in UTC unless the analyst chose local time (kept in localStorage). One setting for
 * every table, chart and trail, so the chart axis and the rows under it never disagree.
 */
let zoneMode: TimeZoneMode = localStorage.getItem(ZONE_KEY) === 'local' ? 'local' : 'utc';

export const timeZoneMode = (): TimeZoneMode => zoneMode;

export function setTimeZoneMode(m: TimeZoneMode): void {
  zoneMode = m;
  localStorage.setItem(ZONE_KEY, m);
  for (const fn of zoneListeners) fn(m);
}

export function onTimeZoneChange(fn: (m: TimeZoneMode) => void): () => void {
  zoneListeners.add(fn);
  return () => zoneListeners.delete(fn);
}

/** `-05:00` for a time in New York in winter, from the browser's zone. */
function offsetText(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** `2026-11-20 08:00:04Z` (UTC) or `2026-11-20 03:00:04-05:00` (local): the zone is always written. */
export function instantText(ms: number, mode: TimeZoneMode = zoneMode): string {
  const shift = mode === 'local' ? -new Date(ms).getTimezoneOffset() * 60_000 : 0;
  const text = new Date(ms + shift).toISOString().slice(0, 19).replace('T', ' ');
  return mode === 'local' ? `${text}${offsetText(ms)}` : `${text}Z`;
}

/** `08:00:04Z` or `03:00:04-05:00`: a time of day, for hops of one trail. */
export const clockText = (ms: number, mode: TimeZoneMode = zoneMode): string => instantText(ms, mode).slice(11);

/** The zone as a label: `UTC` or `local time (UTC-05:00)`. */
export const zoneLabel = (mode: TimeZoneMode = zoneMode): string => (mode === 'utc' ? 'UTC' : `local time (UTC${offsetText(Date.now())})`);

const TIME_SHAPE = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** Milliseconds of a stored time (`2026-11-20 08:00:04.123` is UTC, as the store keeps it) or undefined. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !TIME_SHAPE.test(v)) return undefined;
  const iso = v.replace(' ', 'T');
  const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A stored time in the chosen zone, with the zone written; anything else as text. */
export function timeText(v: unknown): string {
  const ms = parseTime(v);
  return ms === undefined ? cellText(v) : instantText(ms);
}

/** `8.2M`, `250K`, `12`, `0.45`: axis labels that fit a narrow axis. */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Math.abs(n) < 1000) return String(Number(n.toFixed(Math.abs(n) < 10 ? 2 : 1)));
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** A value as an SPL quoted string: `"a \"b\" c"` (the lexer reads backslash escapes). */
export const splQuote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A nested document as dotted paths and values, in document order. */
export function flatten(doc: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, Array.isArray(doc) ? doc.map(cellText).join(', ') : cellText(doc)]);
  }
  return out;
}

export function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Only http(s) links become anchors: a rule's `link` could be `javascript:…`. */
export const safeUrl = (v: unknown): string | undefined => (typeof v === 'string' && /^https?:\/\//i.test(v) ? v : undefined);

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function toCsv(columns: string[], rows: unknown[][]): string {
  const esc = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  // A cell starting with = + - @ would be a formula in a spreadsheet: prefix it so it stays text.
  const safe = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  return [columns.map(esc).join(','), ...rows.map((r) => r.map((v) => esc(typeof v === 'string' ? safe(v) : cellText(v))).join(','))].join('\r\n') + '\r\n';
}
