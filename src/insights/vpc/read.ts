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

/**
 * The accepted and rejected flows of the range as a subquery named `flows` (ClickHouse 18.16 has no
 * WITH … AS (subquery)). Column names are fixed catalog text; values (actions, ports, limits, times)
 * are parameters.
 */
function flowsFrom(fn: SqlExpressions, from: string, range: TimeRange, params: Record<string, string | number>): string {
  Object.assign(params, { accept: 'accept', reject: 'reject' });
  return `(SELECT "timestamp" AS ts, source_ip AS src, destination_ip AS dst, destination_port AS dport, ${fn.coalesce('network_transport', 'network_iana_number')} AS proto,
      event_action AS action, ${fn.coalesce('source_bytes', 'network_bytes', '0')} AS bytes, ${fn.coalesce('source_packets', 'network_packets', '0')} AS packets,
      network_direction AS direction, observer_ingress_interface_name AS eni
    FROM ${from} AS t
    WHERE event_action IN ($accept, $reject) AND source_ip IS NOT NULL AND destination_ip IS NOT NULL${rangeSql(fn, range, params)}) AS flows`;
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
  const { fn } = store.dialect;
  const r = await store.query(`SELECT count(*), ${fn.countIf('action = $reject')}, sum(bytes), ${fn.timeMin('ts')}, ${fn.timeMax('ts')} FROM ${flowsFrom(fn, from, range, params)}`, params);
  const [flows, rejected, bytes, first, last] = r.rows[0] ?? [];
  return { flows: num(flows), rejected: num(rejected), bytes: num(bytes), firstMs: tsMs(first), lastMs: tsMs(last) };
}

export async function perBucket(store: EventStore, from: string, range: TimeRange, widthS: number): Promise<Map<number, { flows: number; rejected: number }>> {
  const { fn } = store.dialect;
  const params: Record<string, string | number> = { width: widthS, widthMs: widthS * 1000 };
  const r = await store.query(
    `SELECT ${fn.intDiv(fn.epochMs('ts'), '$widthMs')} * $width AS b, count(*), ${fn.countIf('action = $reject')} FROM ${flowsFrom(fn, from, range, params)} GROUP BY b`,
    params,
  );
  return new Map(r.rows.map(([b, f, rej]) => [num(b) * 1000, { flows: num(f), rejected: num(rej) }]));
}

export async function topTalkers(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const { fn } = store.dialect;
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `SELECT src, dst, count(*) AS flow_count, sum(packets), sum(bytes) AS total_bytes, ${fn.countIf('action = $reject')}
      FROM ${flowsFrom(fn, from, range, params)} GROUP BY src, dst ORDER BY total_bytes DESC, flow_count DESC, src, dst LIMIT $limit`,
    params,
  );
  return r.rows;
}

export async function rejectedByPort(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const { fn } = store.dialect;
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `SELECT dport, proto, count(*) AS n, count(DISTINCT src), count(DISTINCT dst), ${fn.mode('src')}
      FROM ${flowsFrom(fn, from, range, params)} WHERE action = $reject GROUP BY dport, proto ORDER BY n DESC, dport LIMIT $limit`,
    params,
  );
  return r.rows;
}

export async function rejectedBySource(store: EventStore, from: string, range: TimeRange, limit: number): Promise<unknown[][]> {
  const { fn } = store.dialect;
  const params: Record<string, string | number> = { limit };
  const r = await store.query(
    `SELECT src, count(*) AS n, count(DISTINCT dst), count(DISTINCT dport), min(ts), max(ts), NOT ${internalSql(fn, 'src')}
      FROM ${flowsFrom(fn, from, range, params)} WHERE action = $reject GROUP BY src ORDER BY n DESC, src LIMIT $limit`,
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
  const { fn } = store.dialect;
  // A target is a (host, port) pair; a flow without a port is the host's portless target.
  const target = fn.coalesce(`dst || '|' || ${fn.text('dport')}`, `dst || '|'`);
  const w0 = fn.intDiv(fn.epochMs('ts'), '$windowMs');
  const w1 = fn.intDiv(`(${fn.epochMs('ts')} + $halfMs)`, '$windowMs');
  const flows = flowsFrom(fn, from, range, params);
  // Windows are found among rejected flows only (a scan is mostly refused); their flows, accepted
  // ones too, are the hits. A window is named by its source and number (no joins: 18.16's differ).
  const busy = (w: string) => `SELECT src || '|' || ${fn.text(w)} AS win FROM ${flows} WHERE action = $reject
      GROUP BY src, ${w} HAVING count(DISTINCT ${target}) >= $targets AND count(*) >= $rejects`;
  const r = await store.query(
    `SELECT src, count(DISTINCT ${target}), ${fn.distinctSorted('dport')},
        count(DISTINCT dst), ${fn.countIf('action = $reject')} AS rejected_flows, ${fn.countIf('action <> $reject')}, min(ts), max(ts)
      FROM ${flows}
      WHERE src || '|' || ${fn.text(w0)} IN (${busy(w0)}) OR src || '|' || ${fn.text(w1)} IN (${busy(w1)})
      GROUP BY src ORDER BY rejected_flows DESC, src`,
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
  const { fn } = store.dialect;
  const r = await store.query(
    `SELECT src, dport, action, count(*) AS n, count(DISTINCT dst), min(dst), max(dst), sum(bytes), min(ts), max(ts)
      FROM ${flowsFrom(fn, from, range, params)}
      WHERE dport IN (${PORT_LIST}) AND COALESCE(direction, '') <> $egress
        AND NOT ${internalSql(fn, 'src')} AND ${internalSql(fn, 'dst')}
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
  const { fn } = store.dialect;
  const outbound = `action = $accept AND COALESCE(direction, '') <> $ingress AND ${internalSql(fn, 'src')} AND NOT ${internalSql(fn, 'dst')}`;
  const top = `SELECT dst AS top_dst, sum(bytes) AS top_bytes FROM ${flowsFrom(fn, from, range, params)} WHERE ${outbound} GROUP BY dst ORDER BY top_bytes DESC, dst LIMIT $limit`;
  const r = await store.query(
    `SELECT dst, top_bytes, count(*), count(DISTINCT src), ${fn.listHead(fn.distinctSorted('dport'), 8)}, min(ts), max(ts)
      FROM ${flowsFrom(fn, from, range, params)} JOIN (${top}) AS t ON dst = top_dst WHERE ${outbound}
      GROUP BY dst, top_bytes ORDER BY top_bytes DESC, dst`,
    params,
  );
  return r.rows;
}
