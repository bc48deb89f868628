/**
 * The one time range of the alerts, search, entity and dashboard pages, kept in the URL as
 * `earliest`/`latest`: Splunk's relative syntax (`-24h`, `-7d@d`, `now`) or RFC 3339 instants, so a
 * link reproduces the view. Relative ranges count back from the store's latest event, not from the
 * clock: on a store of last month's logs "last 24 h" is the last day of the data (the picker shows
 * the absolute range it resolved to). Pages send the resolved range to the API as since/until.
 */
import { useEffect, useState } from 'preact/hooks';
import { parseTime } from '../../src/query/spl/time.ts';
import { api } from './api.ts';
import { instantText, type TimeZoneMode } from './format.ts';
import { href, setParams } from './router.ts';

export const RANGE_PRESETS: readonly (readonly [string, string])[] = [
  ['-15m', 'last 15 min'],
  ['-1h', 'last 1 h'],
  ['-24h', 'last 24 h'],
  ['-7d', 'last 7 d'],
  ['-30d', 'last 30 d'],
];

/** Pages that share the range: a link between them carries it. */
const RANGE_PAGES = /^\/(alerts|search|dashboards|entity)(\/|$)/;

/** Older links named the bounds since/until (alerts, dashboards): read as earliest/latest. */
const LEGACY = { earliest: 'since', latest: 'until' } as const;

export interface PickedRange {
  earliest: string;
  latest: string;
}

export function rangeOf(params: URLSearchParams): PickedRange {
  return { earliest: params.get('earliest') ?? params.get(LEGACY.earliest) ?? '', latest: params.get('latest') ?? params.get(LEGACY.latest) ?? '' };
}

export interface ResolvedRange {
  /** RFC 3339 bounds sent to the API (absent: open). */
  since?: string;
  until?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Counted back from this instant (relative ranges): the second after the latest event. */
  anchorMs?: number;
  error?: string;
}

const isRelative = (t: string) => /^(now$|[+-]|@)/.test(t.trim());
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The range's absolute bounds. `latestEventMs` anchors relative bounds (null: the store is empty,
 * count from now); a relative range with no `latest` ends at the anchor, so its last event is in it.
 */
export function resolveRange(r: PickedRange, latestEventMs: number | null): ResolvedRange {
  const relative = isRelative(r.earliest) || isRelative(r.latest);
  const anchorMs = latestEventMs === null ? Date.now() : Math.floor(latestEventMs / 1000) * 1000 + 1000;
  const out: ResolvedRange = relative ? { anchorMs } : {};
  const bound = (text: string, name: string): number | undefined => {
    if (!text) return undefined;
    const t = parseTime(text, new Date(anchorMs));
    if (!t) {
      out.error = `${name} '${text.slice(0, 60)}' is not a time: use -24h, -7d@d, now or 2026-11-20T08:00:00Z`;
      return undefined;
    }
    return t.getTime();
  };
  const sinceMs = bound(r.earliest, 'earliest');
  let untilMs = bound(r.latest, 'latest');
  if (untilMs === undefined && relative && r.earliest && !out.error) untilMs = anchorMs;
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) out.error = `earliest is after latest`;
  if (out.error) return out;
  if (sinceMs !== undefined) Object.assign(out, { sinceMs, since: iso(sinceMs) });
  if (untilMs !== undefined) Object.assign(out, { untilMs, until: iso(untilMs) });
  return out;
}

/** The latest event's time from /api/status, asked once per page load (relative ranges wait for it). */
let latestEvent: Promise<number | null> | undefined;
function loadLatestEvent(): Promise<number | null> {
  latestEvent ??= api<{ last: string | null }>('/api/status').then(
    (s) => (s.last ? Date.parse(`${String(s.last).replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(String(s.last)) ? '' : 'Z'}`) : null),
    () => {
      latestEvent = undefined;
      return null;
    },
  );
  return latestEvent;
}

/** The URL's range, resolved; `ready` is false while a relative range waits for the latest event's time. */
export function useTimeRange(params: URLSearchParams): { picked: PickedRange; resolved: ResolvedRange; ready: boolean } {
  const picked = rangeOf(params);
  const needsAnchor = isRelative(picked.earliest) || isRelative(picked.latest);
  const [anchor, setAnchor] = useState<{ ms: number | null } | undefined>();
  useEffect(() => {
    if (!needsAnchor || anchor) return;
    let live = true;
    void loadLatestEvent().then((ms) => live && setAnchor({ ms }));
    return () => void (live = false);
  }, [needsAnchor, anchor]);
  if (needsAnchor && !anchor) return { picked, resolved: {}, ready: false };
  return { picked, resolved: resolveRange(picked, anchor?.ms ?? null), ready: true };
}

/** The resolved range as API parameters (undefined values are left out by qs/href). */
export const rangeQuery = (r: ResolvedRange): { since?: string; until?: string } => ({ since: r.since, until: r.until });

/** Sets the range: a history entry (Back returns to the previous range); the page's paging starts over. */
export function pickRange(earliest: string, latest: string): void {
  setParams({ earliest, latest, [LEGACY.earliest]: undefined, [LEGACY.latest]: undefined, offset: undefined });
}

/** A zoom on a chart: the selected instants (whole seconds, widened to hold the selection). */
export function zoomTo(fromMs: number, toMs: number): void {
  const a = Math.floor(Math.min(fromMs, toMs) / 1000) * 1000;
  const b = Math.max(a + 1000, Math.ceil(Math.max(fromMs, toMs) / 1000) * 1000);
  pickRange(iso(a), iso(b));
}

/**
 * A link to one of the range pages keeps the current page's range when it names none itself
 * (pivots, the page menu, entity links).
 */
export function carryRange(to: string, from: string = location.search): string {
  const url = new URL(to, location.origin);
  if (url.origin !== location.origin || !RANGE_PAGES.test(url.pathname) || !RANGE_PAGES.test(location.pathname)) return to;
  if (url.searchParams.has('earliest') || url.searchParams.has('latest')) return to;
  const picked = rangeOf(new URLSearchParams(from));
  if (!picked.earliest && !picked.latest) return to;
  return href(url.pathname, { ...Object.fromEntries(url.searchParams), earliest: picked.earliest, latest: picked.latest });
}

/** A typed bound: relative text as it is; an instant with its zone as written, else in the zone shown (UTC or local). */
export function typedBound(text: string, zone: TimeZoneMode): string | undefined {
  const t = text.trim();
  if (!t) return '';
  if (isRelative(t)) return parseTime(t, new Date()) ? t : undefined;
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i.exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zoneText] = m;
  let ms: number;
  if (zoneText) ms = Date.parse(`${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi}:${s.padStart(2, '0')}.${frac.padEnd(3, '0')}${zoneText.toUpperCase() === 'Z' ? 'Z' : zoneText}`);
  else if (zone === 'local') ms = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0'))).getTime();
  else ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0')));
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : undefined;
}

/** An instant of the range as the picker shows it: in the zone chosen, the zone written. */
export const boundText = (ms: number | undefined, zone: TimeZoneMode): string => (ms === undefined ? '' : instantText(ms, zone));
