import type { EventStore } from '../../store/store.js';
import type { FlowRow } from './diagnose.js';

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

// Identifiers are fixed text from the schema catalog; every value is a bound parameter.
const ENDPOINT_A = `source_ip || '|' || COALESCE(CAST(source_port AS VARCHAR), '')`;
const ENDPOINT_B = `destination_ip || '|' || COALESCE(CAST(destination_port AS VARCHAR), '')`;
const FLOWS = `SELECT observer_ingress_interface_name AS eni, source_ip, source_port, destination_ip, destination_port,
    TRY_CAST(network_iana_number AS INTEGER) AS protocol, event_action, network_direction,
    epoch_ms(COALESCE(event_start, "timestamp")) AS start_ms, epoch_ms(COALESCE(event_end, "timestamp")) AS end_ms,
    aws_vpcflow_tcp_flags AS tcp_flags, aws_vpcflow_reject_reason AS reject_reason, source_packets, source_bytes,
    COALESCE(observer_ingress_interface_name, '') || '|' || COALESCE(network_iana_number, '') || '|' ||
      least(${ENDPOINT_A}, ${ENDPOINT_B}) || '|' || greatest(${ENDPOINT_A}, ${ENDPOINT_B}) AS conversation
  FROM events
  WHERE event_dataset = $dataset AND cloud_service_name = $service AND event_action IN ($accept, $reject)
    AND source_ip IS NOT NULL AND destination_ip IS NOT NULL`;

function isoParam(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function optionalNumber(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

function where(q: FlowQuery, params: Record<string, string | number>): string {
  let sql = '';
  if (q.sinceMs !== undefined) {
    sql += ` AND COALESCE(event_end, "timestamp") >= CAST($since AS TIMESTAMP)`;
    params.since = isoParam(q.sinceMs);
  }
  if (q.untilMs !== undefined) {
    sql += ` AND COALESCE(event_start, "timestamp") <= CAST($until AS TIMESTAMP)`;
    params.until = isoParam(q.untilMs);
  }
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
  const params: Record<string, string | number> = { dataset: 'aws.vpcflow', service: 'vpc', accept: 'accept', reject: 'reject', limit: q.limit + 1 };
  const flows = FLOWS + where(q, params);
  const sql = q.rejectedOnly
    ? `WITH flows AS (${flows}) SELECT * FROM flows WHERE conversation IN (SELECT conversation FROM flows WHERE event_action = $reject) ORDER BY start_ms LIMIT $limit`
    : `${flows} ORDER BY start_ms LIMIT $limit`;
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
  const params: Record<string, string | number> = { dataset: 'aws.vpcflow', service: 'vpc', accept: 'accept', reject: 'reject' };
  const flows = FLOWS + where({ ...q, rejectedOnly: false, limit: 0 }, params);
  const sql = `WITH flows AS (${flows}),
    ends AS (SELECT eni, source_ip AS ip FROM flows WHERE eni IS NOT NULL UNION ALL SELECT eni, destination_ip FROM flows WHERE eni IS NOT NULL)
    SELECT eni, ip FROM ends GROUP BY eni, ip QUALIFY row_number() OVER (PARTITION BY eni ORDER BY count(*) DESC, ip) = 1`;
  const result = await store.query(sql, params);
  return new Map(result.rows.map(([eni, ip]) => [String(eni), String(ip)]));
}
