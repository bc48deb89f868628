import type { EcsEvent } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { isoFromMillis } from '../../ecs/time.js';
import type { SqlExpressions, SqlParams } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { projection } from '../dataset-table.js';
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

const quote = (name: string) => `"${name}"`;
/** Levels that mean something in one dataset only (PAN-OS logs interface names too). */
const OWN_TABLE: Record<string, string> = { aws_cloudfront_distribution_id: 'events_aws_cloudfront', observer_ingress_interface_name: 'events_aws_vpcflow' };

/**
 * One aggregation per dataset table at the finest grain it has (account, distribution, interface ×
 * bucket), united: a single pass over the events. Only the columns a table has are grouped on.
 * Identifiers come from the database catalog and the fixed levels above; values are parameters.
 */
function fineSql(fn: SqlExpressions, tables: ReadonlyMap<string, ReadonlySet<string>>, where: string): string | undefined {
  const parts: string[] = [];
  for (const [table, have] of [...tables.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!have.has('timestamp') || !have.has('event_dataset')) continue;
    const keys = SOURCE_LEVELS.slice(1).map((l): string | undefined => (have.has(l.column) && (OWN_TABLE[l.column] ?? table) === table ? l.column : undefined));
    const present = keys.filter((k): k is string => !!k);
    parts.push(`SELECT ${fn.anyValue('event_dataset')} AS ds, ${keys.map((k, i) => `${k ? quote(k) : fn.nullOf('keyword')} AS k${i}`).join(', ')},
        ${fn.intDiv(fn.epochMs('"timestamp"'), '$widthMs')} AS bucket, count(*) AS fine_n, min("timestamp") AS fine_first, max("timestamp") AS fine_last
      FROM ${quote(table)} WHERE "timestamp" IS NOT NULL${where} GROUP BY ${[...present.map(quote), 'bucket'].join(', ')}`);
  }
  return parts.length ? parts.join('\nUNION ALL ') : undefined;
}

export type Tables = ReadonlyMap<string, ReadonlySet<string>>;

export interface SourcesResult {
  stats: SourceStats[];
  /** Events per bucket of every dataset (the coverage series). */
  datasetBuckets: Map<string, { bucket: number; events: number }[]>;
}

/**
 * Every source's cadence in one pass over the events: per-table aggregation at the finest grain,
 * rolled up per level, the silences between active buckets from a window over the roll-up, their
 * 95th percentile, and the silences longer than the source's threshold. Returns one row per source.
 */
export async function sourceCadence(store: EventStore, tables: Tables, range: TimeRange, widthS: number, minSilenceS: number, factor: number): Promise<SourcesResult> {
  const params: Record<string, string | number> = { widthMs: widthS * 1000, minMs: minSilenceS * 1000 };
  const { fn } = store.dialect;
  const fine = fineSql(fn, tables, rangeSql(fn, range, params));
  if (!fine) return { stats: [], datasetBuckets: new Map() };
  const level = (fine: string, name: string, key: string) =>
    `SELECT '${name}' AS level, ds, ${key} AS key, bucket, sum(fine_n) AS n, min(fine_first) AS first, max(fine_last) AS last FROM ${fine} AS f${key === 'ds' ? '' : ` WHERE ${key} IS NOT NULL`} GROUP BY ds, ${key}, bucket`;
  // Each source's active buckets with the end of the one before: the silence between them. Silences
  // longer than the minimum come back (a source's threshold is the larger of it and factor × p95).
  const src = (fine: string) => [level(fine, 'dataset', 'ds'), level(fine, 'account', 'k0'), level(fine, 'distribution', 'k1'), level(fine, 'interface', 'k2')].join('\nUNION ALL ');
  const lagged = (fine: string) => fn.lag({ inner: src(fine), partition: ['level', 'ds', 'key'], order: 'bucket', columns: ['n', 'first', 'last'], lag: 'last', as: 'prev_last' });
  const gap = `${fn.epochMs('first')} - ${fn.epochMs('prev_last')}`;
  const long = `${fn.coalesce(gap, '0')} > $minMs`;
  const sql = fn.withTable('fine', fine, (f) => `SELECT level, ds, key, count(*), sum(n), min(first), max(last), ${fn.timeText('max(last)')}, ${fn.quantileCont(gap, 0.95)},
      ${fn.listSortedIf(fn.epochMs('prev_last'), 'bucket', long)}, ${fn.listSortedIf(fn.timeText('prev_last'), 'bucket', long)}, ${fn.listSortedIf(fn.epochMs('first'), 'bucket', long)},
      ${fn.listSortedIf('bucket', 'bucket', "level = 'dataset'")}, ${fn.listSortedIf('n', 'bucket', "level = 'dataset'")}
    FROM (${lagged(f)}) AS g GROUP BY level, ds, key ORDER BY level, ds, key`);
  const r = await store.query(sql, params);
  const stats: SourceStats[] = [];
  const datasetBuckets = new Map<string, { bucket: number; events: number }[]>();
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const [lvl, ds, key, buckets, events, first, last, lastText, p95, sinceMsList, sinceTexts, untilMsList, bucketList, countList] of r.rows) {
    const firstMs = tsMs(first);
    const lastMs = tsMs(last);
    if (firstMs === undefined || lastMs === undefined) continue;
    const p95GapS = p95 === null || p95 === undefined ? undefined : num(p95) / 1000;
    const threshold = Math.max(minSilenceS * 1000, factor * (p95 === null || p95 === undefined ? 0 : num(p95)));
    const untils = list(untilMsList);
    const texts = list(sinceTexts);
    const longGaps = list(sinceMsList).flatMap((since, i) => {
      const sinceMs = num(since);
      const untilMs = num(untils[i]);
      return untilMs - sinceMs > threshold ? [{ sinceMs, sinceText: String(texts[i]), untilMs, seconds: (untilMs - sinceMs) / 1000 }] : [];
    });
    stats.push({ level: lvl as SourceLevel, dataset: String(ds), key: String(key), buckets: num(buckets), events: num(events), firstMs, lastMs, lastText: String(lastText), p95GapS, longGaps });
    if (lvl === 'dataset') {
      const counts = list(countList);
      datasetBuckets.set(String(ds), list(bucketList).map((b, i) => ({ bucket: num(b), events: num(counts[i]) })));
    }
  }
  return { stats, datasetBuckets };
}

/** The first and last event time over every dataset table (min/max come from the tables' statistics). */
export async function dataSpan(store: EventStore, all: Tables, range: TimeRange): Promise<{ firstMs?: number; lastMs?: number }> {
  const tables = [...all.entries()].filter(([, have]) => have.has('timestamp'));
  if (!tables.length) return {};
  const params: Record<string, string | number> = {};
  const { fn } = store.dialect;
  const where = rangeSql(fn, range, params);
  const r = await store.query(`SELECT min(f), max(l) FROM (${tables.map(([t]) => `SELECT ${fn.timeMin('"timestamp"')} AS f, ${fn.timeMax('"timestamp"')} AS l FROM ${quote(t)} WHERE ${fn.always}${where}`).join(' UNION ALL ')}) AS spans`, params);
  return { firstMs: tsMs(r.rows[0]?.[0]), lastMs: tsMs(r.rows[0]?.[1]) };
}

/** The latest event time in the range: "now" for the data (a store of last month's logs is not silent today). */
export function dataHorizon(stats: readonly SourceStats[]): number | undefined {
  let last: number | undefined;
  for (const s of stats) if (s.level === 'dataset') last = Math.max(last ?? -Infinity, s.lastMs);
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
  const { fn } = store.dialect;
  const from = `(${projection(fn, table, have, [...new Set([...EVENT_FIELDS.map(([c]) => c), column])])})`;
  const params: SqlParams = { key };
  const r = await store.query(
    `SELECT ${EVENT_FIELDS.map(([c]) => `"${c}"`).join(', ')} FROM ${from} AS t
      WHERE "timestamp" = ${fn.timeTextParam(params, 't', timeText)} AND ${column} = $key ORDER BY event_id LIMIT 1`,
    params,
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
