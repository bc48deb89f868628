import type { EcsEvent } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { isoFromMillis } from '../../ecs/time.js';
import type { EventStore } from '../../store/store.js';
import { datasetTables, projection } from '../dataset-table.js';
import { datasetTable } from '../../store/store.js';
import { num, rangeSql, tsMs, type TimeRange } from '../time-range.js';

/**
 * What "a source" is, at four levels, as data: a dataset as a whole, one account of it, one
 * CloudFront distribution, one VPC network interface. Each level is one column of the catalog.
 */
export const SOURCE_LEVELS = [
  { level: 'dataset', column: 'event_dataset', label: 'dataset' },
  { level: 'account', column: 'cloud_account_id', label: 'account' },
  { level: 'distribution', column: 'aws_cloudfront_distribution_id', label: 'distribution' },
  { level: 'interface', column: 'observer_ingress_interface_name', label: 'network interface' },
] as const;

export type SourceLevel = (typeof SOURCE_LEVELS)[number]['level'];

export interface SourceStats {
  level: SourceLevel;
  dataset: string;
  key: string;
  /** Buckets with at least one event. */
  buckets: number;
  events: number;
  firstMs: number;
  lastMs: number;
  /** Exact text of the last event's timestamp (for looking it up). */
  lastText: string;
  /** 95th percentile of the silences between consecutive active buckets, seconds (undefined with one bucket). */
  p95GapS: number | undefined;
  /** Every silence between consecutive active buckets longer than the source's alert threshold. */
  longGaps: { sinceMs: number; sinceText: string; untilMs: number; seconds: number }[];
}

/** Events of one source in one bucket. */
export interface BucketRow {
  bucket: number;
  events: number;
  firstMs: number;
  lastMs: number;
  /** Exact text of the bucket's last timestamp (for looking its event up). */
  lastText: string;
}

export interface SourceBuckets {
  level: SourceLevel;
  dataset: string;
  key: string;
  /** Active buckets in time order. */
  buckets: BucketRow[];
}

const quote = (name: string) => `"${name}"`;
/** Levels that mean something in one dataset only (PAN-OS logs interface names too). */
const OWN_TABLE: Record<string, string> = { aws_cloudfront_distribution_id: 'events_aws_cloudfront', observer_ingress_interface_name: 'events_aws_vpcflow' };

/**
 * One aggregation per dataset table at the finest grain it has (account, distribution, interface ×
 * bucket), united: a single pass over the events. Only the columns a table has are grouped on.
 * Identifiers come from the database catalog and the fixed levels above; values are parameters.
 */
function fineSql(tables: ReadonlyMap<string, ReadonlySet<string>>, where: string): string | undefined {
  const parts: string[] = [];
  for (const [table, have] of [...tables.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!have.has('timestamp') || !have.has('event_dataset')) continue;
    const keys = SOURCE_LEVELS.slice(1).map((l): string | undefined => (have.has(l.column) && (OWN_TABLE[l.column] ?? table) === table ? l.column : undefined));
    const present = keys.filter((k): k is string => !!k);
    parts.push(`SELECT any_value(event_dataset) AS ds, ${keys.map((k, i) => `${k ? quote(k) : 'NULL'} AS k${i}`).join(', ')},
        epoch_ms("timestamp") // $widthMs AS bucket, count(*) AS n, min("timestamp") AS first, max("timestamp") AS last
      FROM ${quote(table)} WHERE "timestamp" IS NOT NULL${where} GROUP BY ${[...present.map(quote), 'bucket'].join(', ')}`);
  }
  return parts.length ? parts.join('\nUNION ALL ') : undefined;
}

/** The store's dataset tables and their columns, read once per analysis. */
export const readTables = datasetTables;

/** Every source's active buckets (dataset, account, distribution, interface), from one pass over the events. */
export type Tables = ReadonlyMap<string, ReadonlySet<string>>;

export async function sourceBuckets(store: EventStore, tables: Tables, range: TimeRange, widthS: number): Promise<SourceBuckets[]> {
  const params: Record<string, string | number> = { widthMs: widthS * 1000 };
  const sql = fineSql(tables, rangeSql(range, params));
  if (!sql) return [];
  const r = await store.query(`SELECT ds, k0, k1, k2, bucket, n, first, last, CAST(last AS VARCHAR) FROM (${sql}) ORDER BY bucket`, params);
  const sources = new Map<string, SourceBuckets>();
  const add = (level: SourceLevel, ds: string, key: string, row: BucketRow) => {
    const id = `${level}\u0000${ds}\u0000${key}`;
    let src = sources.get(id);
    if (!src) sources.set(id, (src = { level, dataset: ds, key, buckets: [] }));
    const prev = src.buckets[src.buckets.length - 1];
    if (prev && prev.bucket === row.bucket) {
      prev.events += row.events;
      if (row.firstMs < prev.firstMs) prev.firstMs = row.firstMs;
      if (row.lastMs > prev.lastMs) [prev.lastMs, prev.lastText] = [row.lastMs, row.lastText];
    } else src.buckets.push({ ...row });
  };
  for (const [ds, k0, k1, k2, bucket, n, first, last, lastText] of r.rows) {
    const firstMs = tsMs(first);
    const lastMs = tsMs(last);
    if (firstMs === undefined || lastMs === undefined || typeof ds !== 'string') continue;
    const row: BucketRow = { bucket: num(bucket), events: num(n), firstMs, lastMs, lastText: String(lastText) };
    add('dataset', ds, ds, row);
    [k0, k1, k2].forEach((k, i) => {
      if (k !== null && k !== undefined && k !== '') add(SOURCE_LEVELS[i + 1]!.level, ds, String(k), row);
    });
  }
  return [...sources.values()];
}

/** The first and last event time over every dataset table (min/max come from the tables' statistics). */
export async function dataSpan(store: EventStore, all: Tables, range: TimeRange): Promise<{ firstMs?: number; lastMs?: number }> {
  const tables = [...all.entries()].filter(([, have]) => have.has('timestamp'));
  if (!tables.length) return {};
  const params: Record<string, string | number> = {};
  const where = rangeSql(range, params);
  const r = await store.query(`SELECT min(f), max(l) FROM (${tables.map(([t]) => `SELECT min("timestamp") AS f, max("timestamp") AS l FROM ${quote(t)} WHERE true${where}`).join(' UNION ALL ')})`, params);
  return { firstMs: tsMs(r.rows[0]?.[0]), lastMs: tsMs(r.rows[0]?.[1]) };
}

/** Linear-interpolated quantile of sorted values (as DuckDB's quantile_cont). */
function quantile(sorted: readonly number[], q: number): number | undefined {
  if (!sorted.length) return undefined;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** A source's cadence: its usual gap (95th percentile of the silences between active buckets) and the long ones. */
export function sourceStats(src: SourceBuckets, minSilenceS: number, factor: number): SourceStats {
  const b = src.buckets;
  const gaps: SourceStats['longGaps'] = [];
  for (let i = 1; i < b.length; i++) gaps.push({ sinceMs: b[i - 1]!.lastMs, sinceText: b[i - 1]!.lastText, untilMs: b[i]!.firstMs, seconds: (b[i]!.firstMs - b[i - 1]!.lastMs) / 1000 });
  const p95GapS = quantile(gaps.map((g) => g.seconds).sort((x, y) => x - y), 0.95);
  const threshold = Math.max(minSilenceS, factor * (p95GapS ?? 0));
  const last = b[b.length - 1]!;
  return {
    level: src.level, dataset: src.dataset, key: src.key, buckets: b.length, events: b.reduce((a, x) => a + x.events, 0), firstMs: b[0]!.firstMs,
    lastMs: last.lastMs, lastText: last.lastText, p95GapS, longGaps: gaps.filter((g) => g.seconds > threshold),
  };
}

/** The latest event time in the range: "now" for the data (a store of last month's logs is not silent today). */
export function dataHorizon(sources: readonly SourceBuckets[]): number | undefined {
  let last: number | undefined;
  for (const s of sources) if (s.level === 'dataset' && s.buckets.length) last = Math.max(last ?? -Infinity, s.buckets[s.buckets.length - 1]!.lastMs);
  return last;
}

// The last event is shown and attached to the alert with these fields (column → ECS path).
const EVENT_FIELDS: [string, string][] = [
  ['event_id', 'event.id'], ['timestamp', '@timestamp'], ['event_dataset', 'event.dataset'], ['event_action', 'event.action'],
  ['event_provider', 'event.provider'], ['event_outcome', 'event.outcome'], ['source_ip', 'source.ip'], ['destination_ip', 'destination.ip'],
  ['user_name', 'user.name'], ['cloud_account_id', 'cloud.account.id'], ['cloud_region', 'cloud.region'], ['log_file_path', 'log.file.path'],
  ['aws_cloudfront_distribution_id', 'aws.cloudfront.distribution_id'], ['observer_ingress_interface_name', 'observer.ingress.interface.name'],
  ['url_path', 'url.path'], ['message', 'message'],
];

/** The source's event at `timeText` (its last before a silence), as an ECS document. */
export async function eventAt(store: EventStore, tables: Tables, level: SourceLevel, dataset: string, key: string, timeText: string): Promise<EcsEvent | undefined> {
  const column = SOURCE_LEVELS.find((l) => l.level === level)!.column;
  const table = datasetTable(dataset);
  const have = tables.get(table);
  if (!have) return undefined;
  const from = `(${projection(table, have, [...new Set([...EVENT_FIELDS.map(([c]) => c), column])])})`;
  const r = await store.query(
    `SELECT ${EVENT_FIELDS.map(([c]) => `"${c}"`).join(', ')} FROM ${from} AS t
      WHERE "timestamp" = CAST($t AS TIMESTAMP) AND ${column} = $key ORDER BY event_id LIMIT 1`,
    { t: timeText, key },
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const event: EcsEvent = {};
  EVENT_FIELDS.forEach(([c, path], i) => {
    let v = row[i];
    if (v === null || v === undefined) return;
    if (c === 'timestamp') v = isoFromMillis(tsMs(v) ?? 0);
    setPath(event, path, v as string | number);
  });
  return event;
}
