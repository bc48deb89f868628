import type { QueryBounds } from '../store/bounds.js';
import { datasetTable, type EventStore } from '../store/store.js';
import type { Finding } from './report.js';
import { isoSeconds, tsMs, type TimeRange } from './time-range.js';

/**
 * When a time filter finds nothing: what the store holds of the datasets asked about, whatever the
 * time. A user whose range misses the data (a day generated or ingested earlier, `--since 24h` on
 * last week's logs) is told where the data is instead of being told to ingest it.
 */
export interface StoredSpan {
  /** Per dataset held: its events and first and last times (epoch ms). */
  datasets: { dataset: string; events: number; firstMs: number; lastMs: number }[];
  events: number;
  firstMs?: number;
  lastMs?: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** What the store holds of `datasets` (every dataset when absent), over all time. */
export async function storedSpan(store: EventStore, datasets?: readonly string[], bounds?: QueryBounds): Promise<StoredSpan> {
  const tables = await store.datasetColumns();
  const wanted = datasets ? new Set(datasets.map(datasetTable)) : undefined;
  // Table names come from the database's own catalog, matched against the dataset names' tables.
  const selects = [...tables.keys()]
    .filter((t) => (wanted ? wanted.has(t) : t.startsWith('events_')))
    .sort()
    .map((t) => `SELECT event_dataset, count(*), min("timestamp"), max("timestamp") FROM ${quote(t)} WHERE "timestamp" IS NOT NULL GROUP BY event_dataset`);
  const span: StoredSpan = { datasets: [], events: 0 };
  if (!selects.length) return span;
  const r = await store.query(selects.join(' UNION ALL '), {}, bounds);
  for (const [dataset, n, first, last] of r.rows) {
    const firstMs = tsMs(first);
    const lastMs = tsMs(last);
    if (firstMs === undefined || lastMs === undefined) continue;
    const events = Number(n);
    span.datasets.push({ dataset: String(dataset), events, firstMs, lastMs });
    span.events += events;
    span.firstMs = Math.min(span.firstMs ?? firstMs, firstMs);
    span.lastMs = Math.max(span.lastMs ?? lastMs, lastMs);
  }
  span.datasets.sort((a, b) => a.dataset.localeCompare(b.dataset));
  return span;
}

/** `since 2026-12-06T10:00:00Z until …`, the range as the user gave it. */
export function rangeText(range: Pick<TimeRange, 'since' | 'until'>): string {
  return [range.since ? `since ${range.since}` : '', range.until ? `until ${range.until}` : ''].filter(Boolean).join(' ');
}

/**
 * The sentence saying where the data is: `the store holds 31 aws.cloudtrail events from … to …`
 * (per dataset when there are a few, else in total). Undefined when it holds none.
 */
export function heldText(span: StoredSpan): string | undefined {
  if (!span.events || span.firstMs === undefined || span.lastMs === undefined) return undefined;
  const one = (events: number, what: string, firstMs: number, lastMs: number) =>
    `${events.toLocaleString('en-US')} ${what}event${events === 1 ? '' : 's'} from ${isoSeconds(firstMs)} to ${isoSeconds(lastMs)}`;
  if (span.datasets.length <= 3) return `the store holds ${span.datasets.map((d) => one(d.events, `${d.dataset} `, d.firstMs, d.lastMs)).join(', ')}`;
  return `the store holds ${one(span.events, '', span.firstMs, span.lastMs)} (${span.datasets.length} datasets)`;
}

/**
 * The finding of a view whose range holds none of its events. With events of those datasets outside
 * the range: the range missed them, and the finding says where they are. Without: `ingest` advice.
 */
export async function nothingInRange(store: EventStore, range: TimeRange, datasets: readonly string[] | undefined, title: string, ingestAdvice: string): Promise<Finding> {
  const held = range.since || range.until ? heldText(await storedSpan(store, datasets)) : undefined;
  if (!held) return { severity: 'info', title, detail: ingestAdvice };
  return {
    severity: 'info', title: `${title} in this range`,
    detail: `Nothing ${rangeText(range)}, but ${held}.`,
    fix: 'widen the range (--since/--until) to cover them, or leave it out',
  };
}

/**
 * For views whose findings can be empty for good reasons (anomalies, coverage): a finding when the
 * range misses every stored event of the datasets (all of them before `since` or after `until`).
 */
export async function rangeMissesData(store: EventStore, range: TimeRange, datasets: readonly string[] | undefined, what: string): Promise<Finding | undefined> {
  if (range.sinceMs === undefined && range.untilMs === undefined) return undefined;
  const span = await storedSpan(store, datasets);
  if (span.firstMs === undefined || span.lastMs === undefined) return undefined;
  const misses = (range.sinceMs !== undefined && span.lastMs < range.sinceMs) || (range.untilMs !== undefined && span.firstMs > range.untilMs);
  if (!misses) return undefined;
  return { severity: 'info', title: `No ${what} in this range`, detail: `Nothing ${rangeText(range)}, but ${heldText(span)}.`, fix: 'widen the range (--since/--until) to cover them, or leave it out' };
}

/**
 * The note for a query whose `earliest=`/`latest=` miss every stored event of the datasets it names
 * (any dataset when it names none): where those events are. Undefined when the bounds overlap them
 * or the store holds none.
 */
export async function timeFilterNote(store: EventStore, filter: { earliest?: string; latest?: string; datasets: readonly string[] }, bounds?: QueryBounds): Promise<string | undefined> {
  const sinceMs = filter.earliest === undefined ? undefined : Date.parse(filter.earliest);
  const untilMs = filter.latest === undefined ? undefined : Date.parse(filter.latest);
  const span = await storedSpan(store, filter.datasets.length ? filter.datasets : undefined, bounds);
  if (span.firstMs === undefined || span.lastMs === undefined) return undefined;
  // latest= is exclusive.
  const misses = (sinceMs !== undefined && span.lastMs < sinceMs) || (untilMs !== undefined && span.firstMs >= untilMs);
  if (!misses) return undefined;
  const asked = [sinceMs === undefined ? '' : `earliest ${isoSeconds(sinceMs)}`, untilMs === undefined ? '' : `latest ${isoSeconds(untilMs)}`].filter(Boolean).join(', ');
  return `no events in the time range (${asked}), but ${heldText(span)}: widen earliest=/latest= to cover them`;
}
