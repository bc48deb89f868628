import type { SqlExpressions } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { datasetFrom } from '../dataset-table.js';
import { num, rangeSql, tsMs, type TimeRange } from '../time-range.js';
import { internalSql, SENSITIVE_PORTS } from './internal.js';

/** Sources that reach at least this many (host, port) targets with this many rejected flows within one window are scanning. */
export const SCAN = { targets: 5, rejects: 10, windowSeconds: 600 };

const COLUMNS = [
  'timestamp', 'source_ip', 'destination_ip', 'destination_port', 'network_transport', 'network_iana_number', 'event_action', 'source_bytes', 'network_bytes',
  'source_packets', 'network_packets', 'network_direction', 'observer_ingress_interface_name',
];

/** The flow log table with the columns the view reads (undefined: no VPC flow records stored). */
export function flowTable(store: EventStore): Promise<string | undefined> {
  return datasetFrom(store, 'aws.vpcflow', COLUMNS);
}

// Column names are fixed catalog text; values (actions, ports, limits, times) are parameters.
function flowsCte(fn: SqlExpressions, from: string, range: TimeRange, params: Record<string, string | number>): string {
  Object.assign(params, { accept: 'accept', reject: 'reject' });
  return `WITH flows AS (
    SELECT "timestamp" AS ts, source_ip AS src, destination_ip AS dst, destination_port AS dport, COALESCE(network_transport, network_iana_number) AS proto,
      event_action AS action, COALESCE(source_bytes, network_bytes, 0) AS bytes, COALESCE(source_packets, network_packets, 0) AS packets,
      network_direction AS direction, observer_ingress_interface_name AS eni
    FROM ${from} AS t
    WHERE event_action IN ($accept, $reject) AND source_ip IS NOT NULL AND destination_ip IS NOT NULL${rangeSql(fn, range, params)})`;
}

export interface VpcTotals {
  flows: number;
  rejected: number;
  bytes: number;
  firstMs?: number | undefined;
  lastMs?: number | undefined;
}

export async function totals(store: EventStore, from: string, range: TimeRange): Promise<VpcTotals> {
  const params: Record<string, string | number> = {};
  const r = await store.query(`${flowsCte(store.dialect.fn, from, range, params)} SELECT count(*), count(*) FILTER (action = $reject), sum(bytes), min(ts), max(ts) FROM flows`, params);
  const [flows, rejected, bytes, first, last] = r.rows[0] ?? [];
  return { flows: num(flows), rejected: num(rejected), bytes: num(bytes), firstMs: tsMs(first), lastMs: tsMs(last) };
}

export async function perBucket(store: EventStore, from: string, range: TimeRange, widthS: number): Promise<Map<number, { flows: number; rejected: number }>> {
  const params: Record<string, string | number> = { width: widthS, widthMs: widthS * 1000 };
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)} SELECT epoch_ms(ts) // $widthMs * $width AS b, count(*), count(*) FILTER (action = $reject) FROM flows GROUP BY b`,
    params,
  );
  return new Map(r.rows.map(([b, f, rej]) => [num(b) * 1000, { flows: num(f), rejected: num(rej) }]));
}

export async function topTalkers(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)} SELECT src, dst, count(*) AS flows, sum(packets), sum(bytes) AS bytes, count(*) FILTER (action = $reject)
      FROM flows GROUP BY src, dst ORDER BY bytes DESC, flows DESC, src, dst LIMIT $limit`,
    params,
  );
  return r.rows;
}

export async function rejectedByPort(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)} SELECT dport, proto, count(*) AS n, count(DISTINCT src), count(DISTINCT dst), mode(src)
      FROM flows WHERE action = $reject GROUP BY dport, proto ORDER BY n DESC, dport LIMIT $limit`,
    params,
  );
  return r.rows;
}

export async function rejectedBySource(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)} SELECT src, count(*) AS n, count(DISTINCT dst), count(DISTINCT dport), min(ts), max(ts), NOT ${internalSql('src')}
      FROM flows WHERE action = $reject GROUP BY src ORDER BY n DESC, src LIMIT $limit`,
    params,
  );
  return r.rows;
}

export interface ScanRow {
  src: string;
  targets: number;
  ports: number[];
  hosts: number;
  rejected: number;
  accepted: number;
  firstMs: number;
  lastMs: number;
}

/**
 * Sources that touched many (host, port) targets, mostly rejected, within one window. Windows are
 * laid twice, the second half a window later, so a scan straddling a boundary is still whole in one.
 */
export async function scans(store: EventStore, from: string, range: TimeRange): Promise<ScanRow[]> {
  const params: Record<string, string | number> = { windowMs: SCAN.windowSeconds * 1000, halfMs: SCAN.windowSeconds * 500, targets: SCAN.targets, rejects: SCAN.rejects };
  const target = `hash(dst, dport)`;
  const busy = `HAVING count(DISTINCT ${target}) >= $targets AND count(*) >= $rejects`;
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)},
      -- Windows are found among rejected flows only (a scan is mostly refused); their flows, accepted ones too, are the hits.
      rej AS (SELECT src, dst, dport, epoch_ms(ts) // $windowMs AS w0, (epoch_ms(ts) + $halfMs) // $windowMs AS w1 FROM flows WHERE action = $reject),
      win0 AS (SELECT src, w0 FROM rej GROUP BY src, w0 ${busy}),
      win1 AS (SELECT src, w1 FROM rej GROUP BY src, w1 ${busy}),
      fw AS (SELECT *, epoch_ms(ts) // $windowMs AS w0, (epoch_ms(ts) + $halfMs) // $windowMs AS w1 FROM flows WHERE src IN (SELECT src FROM win0 UNION SELECT src FROM win1)),
      -- (src, w) is unique in each window list, so the outer joins add no rows.
      hits AS (SELECT fw.* FROM fw LEFT JOIN win0 ON win0.src = fw.src AND win0.w0 = fw.w0 LEFT JOIN win1 ON win1.src = fw.src AND win1.w1 = fw.w1
               WHERE win0.src IS NOT NULL OR win1.src IS NOT NULL)
      SELECT src, count(DISTINCT ${target}), list(DISTINCT dport ORDER BY dport),
        count(DISTINCT dst), count(*) FILTER (action = $reject), count(*) FILTER (action <> $reject), min(ts), max(ts)
      FROM hits GROUP BY src ORDER BY 5 DESC, src`,
    params,
  );
  return r.rows.map(([src, targets, ports, hosts, rejected, accepted, first, last]) => ({
    src: String(src), targets: num(targets), ports: ((ports as unknown[]) ?? []).map(num), hosts: num(hosts),
    rejected: num(rejected), accepted: num(accepted), firstMs: tsMs(first) ?? 0, lastMs: tsMs(last) ?? 0,
  }));
}

export interface SensitiveRow {
  src: string;
  port: number;
  action: 'accept' | 'reject';
  flows: number;
  /** Distinct hosts reached, and up to two of them (the lowest and highest address). */
  hostCount: number;
  hosts: string[];
  bytes: number;
  firstMs: number;
  lastMs: number;
}

/** The sensitive ports as SQL literals (whole numbers from the table above): a literal IN list costs a third less than a list parameter unnested per query. */
const PORT_LIST = Object.keys(SENSITIVE_PORTS).map((p) => String(Number.parseInt(p, 10))).join(', ');

/** Most (source, port, action) groups read: accepted ones first, then the busiest. */
const SENSITIVE_ROWS = 5000;

/** Inbound flows from internet addresses to sensitive ports (requests only: the port is the destination). */
export async function sensitiveFromInternet(store: EventStore, from: string, range: TimeRange): Promise<SensitiveRow[]> {
  const params: Record<string, string | number> = { egress: 'egress', rows: SENSITIVE_ROWS };
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)} SELECT src, dport, action, count(*) AS n, count(DISTINCT dst), min(dst), max(dst), sum(bytes), min(ts), max(ts)
      FROM flows
      WHERE dport IN (${PORT_LIST}) AND COALESCE(direction, '') <> $egress
        AND NOT ${internalSql('src')} AND ${internalSql('dst')}
      GROUP BY src, dport, action ORDER BY action = $accept DESC, n DESC, src, dport LIMIT $rows`,
    params,
  );
  return r.rows.map(([src, port, action, flows, hostCount, lo, hi, bytes, first, last]) => ({
    src: String(src), port: num(port), action: action === 'accept' ? 'accept' : 'reject', flows: num(flows), hostCount: num(hostCount),
    hosts: [...new Set([String(lo), String(hi)])], bytes: num(bytes), firstMs: tsMs(first) ?? 0, lastMs: tsMs(last) ?? 0,
  }));
}

/** Accepted bytes from internal hosts to each internet destination: the exfiltration candidates. */
export async function bytesOut(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const params: Record<string, string | number> = { limit, ingress: 'ingress' };
  // Rank destinations by bytes first; the details (hosts, ports, times) only for the top ones.
  const outbound = (t: string) => `${t}action = $accept AND COALESCE(${t}direction, '') <> $ingress AND ${internalSql(`${t}src`)} AND NOT ${internalSql(`${t}dst`)}`;
  const r = await store.query(
    `${flowsCte(store.dialect.fn, from, range, params)}, top AS (SELECT dst, sum(bytes) AS b FROM flows WHERE ${outbound('')} GROUP BY dst ORDER BY b DESC, dst LIMIT $limit)
      SELECT f.dst, t.b, count(*), count(DISTINCT f.src), list(DISTINCT f.dport ORDER BY f.dport)[1:8], min(f.ts), max(f.ts)
      FROM flows f JOIN top t ON f.dst = t.dst WHERE ${outbound('f.')}
      GROUP BY f.dst, t.b ORDER BY t.b DESC, f.dst`,
    params,
  );
  return r.rows;
}
