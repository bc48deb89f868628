import type { SqlExpressions, SqlParams } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { datasetFrom } from '../dataset-table.js';
import type { FlowRow } from './diagnose.js';

const DATASET = 'aws.vpcflow';

export interface FlowQuery {
  /** Epoch ms bounds: records whose [start, end] overlaps them. */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  port?: number | undefined;
  /** Only records of conversations (ENI, protocol, endpoint pair) that have at least one REJECT. */
  rejectedOnly: boolean;
  /** Most records read (the newest are dropped first). */
  limit: number;
}

/** The flow-log columns read (fixed catalog names); a store lacking some reads them as NULL. */
const COLUMNS = [
  'event_id', 'timestamp', 'event_dataset', 'cloud_service_name', 'observer_ingress_interface_name', 'source_ip', 'source_port', 'destination_ip', 'destination_port',
  'network_iana_number', 'event_action', 'network_direction', 'event_start', 'event_end', 'aws_vpcflow_tcp_flags', 'aws_vpcflow_reject_reason', 'source_packets', 'source_bytes',
];

// Identifiers are fixed text from the schema catalog; every value is a bound parameter. The rows'
// order (and so which are cut at the limit) is total: by start, then event id.
function flowsSql(fn: SqlExpressions, from: string): string {
  const endpoint = (ip: string, port: string) => `concat(${ip}, '|', ${fn.coalesce(fn.text(port), "''")})`;
  const a = endpoint('source_ip', 'source_port');
  const b = endpoint('destination_ip', 'destination_port');
  return `SELECT observer_ingress_interface_name AS eni, source_ip, source_port, destination_ip, destination_port,
    ${fn.tryInteger('network_iana_number')} AS protocol, event_action, network_direction,
    ${fn.epochMs(fn.coalesce('event_start', '"timestamp"'))} AS start_ms, ${fn.epochMs(fn.coalesce('event_end', '"timestamp"'))} AS end_ms,
    aws_vpcflow_tcp_flags AS tcp_flags, aws_vpcflow_reject_reason AS reject_reason, source_packets, source_bytes,
    concat(${fn.coalesce('observer_ingress_interface_name', "''")}, '|', ${fn.coalesce('network_iana_number', "''")}, '|',
      CASE WHEN ${a} <= ${b} THEN ${a} ELSE ${b} END, '|', CASE WHEN ${a} <= ${b} THEN ${b} ELSE ${a} END) AS conversation, event_id
  FROM ${from} AS t
  WHERE event_dataset = $dataset AND cloud_service_name = $service AND event_action IN ($accept, $reject)
    AND source_ip IS NOT NULL AND destination_ip IS NOT NULL`;
}

function optionalNumber(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

function where(fn: SqlExpressions, q: FlowQuery, params: SqlParams): string {
  let sql = '';
  if (q.sinceMs !== undefined) sql += ` AND ${fn.coalesce('event_end', '"timestamp"')} >= ${fn.timeParam(params, 'since', q.sinceMs)}`;
  if (q.untilMs !== undefined) sql += ` AND ${fn.coalesce('event_start', '"timestamp"')} <= ${fn.timeParam(params, 'until', q.untilMs)}`;
  if (q.port !== undefined) {
    sql += ` AND (source_port = $port OR destination_port = $port)`;
    params.port = q.port;
  }
  return sql;
}

/**
 * Reads the accepted and rejected VPC flow records (not Transit Gateway, not NODATA/SKIPDATA) matching
 * the filter, by default only those of conversations with a REJECT (the rest cannot explain anything).
 */
export async function readFlowRows(store: EventStore, q: FlowQuery): Promise<{ rows: FlowRow[]; truncated: boolean }> {
  const from = await datasetFrom(store, DATASET, COLUMNS);
  if (!from) return { rows: [], truncated: false };
  const params: SqlParams = { dataset: DATASET, service: 'vpc', accept: 'accept', reject: 'reject', limit: q.limit + 1 };
  const { fn } = store.dialect;
  const flows = flowsSql(fn, from) + where(fn, q, params);
  const sql = q.rejectedOnly
    ? fn.withTable('flows', flows, (f) => `SELECT * FROM ${f} AS fl WHERE conversation IN (SELECT conversation FROM ${f} AS rejected WHERE event_action = $reject) ORDER BY start_ms, event_id LIMIT $limit`)
    : `${flows} ORDER BY start_ms, event_id LIMIT $limit`;
  const result = await store.query(sql, params);
  const rows: FlowRow[] = [];
  for (const r of result.rows.slice(0, q.limit)) {
    const [eni, srcIp, srcPort, dstIp, dstPort, protocol, action, direction, startMs, endMs, tcpFlags, reason, packets, bytes] = r;
    rows.push({
      eni: typeof eni === 'string' ? eni : undefined,
      srcIp: String(srcIp),
      srcPort: optionalNumber(srcPort),
      dstIp: String(dstIp),
      dstPort: optionalNumber(dstPort),
      protocol: optionalNumber(protocol),
      action: action === 'reject' ? 'reject' : 'accept',
      direction: direction === 'ingress' || direction === 'egress' ? direction : undefined,
      startMs: optionalNumber(startMs) ?? 0,
      endMs: optionalNumber(endMs) ?? optionalNumber(startMs) ?? 0,
      tcpFlags: optionalNumber(tcpFlags),
      reason: typeof reason === 'string' ? reason : undefined,
      packets: optionalNumber(packets),
      bytes: optionalNumber(bytes),
    });
  }
  return { rows, truncated: result.rows.length > q.limit };
}

/**
 * Each interface's own address: the address that takes part in most of its records in the time range
 * (an ENI's records all have its address on one side). Used to tell inbound from outbound when the
 * records carry no flow-direction.
 */
export async function readInterfaceAddresses(store: EventStore, q: Pick<FlowQuery, 'sinceMs' | 'untilMs'>): Promise<Map<string, string>> {
  const from = await datasetFrom(store, DATASET, COLUMNS);
  if (!from) return new Map();
  const params: SqlParams = { dataset: DATASET, service: 'vpc', accept: 'accept', reject: 'reject' };
  const { fn } = store.dialect;
  const flows = flowsSql(fn, from) + where(fn, { ...q, rejectedOnly: false, limit: 0 }, params);
  const sql = fn.withTable('flows', flows, (f) => {
    const ends = `SELECT eni, source_ip AS ip FROM ${f} AS a WHERE eni IS NOT NULL UNION ALL SELECT eni, destination_ip AS ip FROM ${f} AS b WHERE eni IS NOT NULL`;
    return fn.topPerGroup({ inner: `SELECT eni, ip, count(*) AS n FROM (${ends}) AS ends GROUP BY eni, ip`, group: 'eni', order: 'n DESC, ip', limit: '1' });
  });
  const result = await store.query(sql, params);
  return new Map(result.rows.map(([eni, ip]) => [String(eni), String(ip)]));
}
