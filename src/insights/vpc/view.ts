import type { SqlExpressions } from '../../store/expressions.js';
import type { EventStore } from '../../store/store.js';
import { IANA_PROTOCOLS } from '../../formats/vpcflow/fields.js';
import { diagnose, type Connection } from '../vpcflow/diagnose.js';
import { readFlowRows, readInterfaceAddresses } from '../vpcflow/flow-rows.js';
import type { Finding, InsightOptions, InsightReport, ReportSection, TableSection } from '../report.js';
import { bucketSeconds, bucketStarts, isoSeconds, limitOf, num, timeRange, tsMs, type TimeRange } from '../time-range.js';
import { nothingInRange } from '../stored-span.js';
import type { InsightView } from '../views.js';
import { SENSITIVE_PORTS } from './internal.js';
import { bytesOut, flowTable, perBucket, rejectedByPort, rejectedBySource, scans, SCAN, sensitiveFromInternet, topTalkers, totals, type ScanRow, type SensitiveRow } from './read.js';

export interface VpcInsightOptions extends InsightOptions {
  /** Add the rejected-connection diagnosis (network ACL or security group) of `packettrail vpcflow diagnose`. */
  diagnose?: boolean;
}

/** Rejected inbound flows from one internet address to sensitive ports that make a finding (fewer is background noise). */
const PROBE_MIN_FLOWS = 10;
/** Stands in for the flow table in a store without flow records: every query then finds nothing. */
const noFlows = (fn: SqlExpressions) => `(SELECT ${fn.nullOf('date')} AS "timestamp", ${fn.nullOf('ip')} AS source_ip, ${fn.nullOf('ip')} AS destination_ip,
  ${fn.nullOf('long')} AS destination_port, ${fn.nullOf('keyword')} AS network_transport, ${fn.nullOf('keyword')} AS network_iana_number,
  ${fn.nullOf('keyword')} AS event_action, ${fn.nullOf('long')} AS source_bytes, ${fn.nullOf('long')} AS network_bytes, ${fn.nullOf('long')} AS source_packets,
  ${fn.nullOf('long')} AS network_packets, ${fn.nullOf('keyword')} AS network_direction, ${fn.nullOf('keyword')} AS observer_ingress_interface_name WHERE 1 = 0)`;
/** Most flow records the diagnosis reads. */
const DIAGNOSE_LIMIT = 500_000;

const time = (v: unknown) => {
  const ms = tsMs(v);
  return ms === undefined ? null : isoSeconds(ms);
};
const col = (name: string, type: TableSection['columns'][number]['type']) => ({ name, type });
const portName = (p: number) => (SENSITIVE_PORTS[p] ? `${p} (${SENSITIVE_PORTS[p]})` : String(p));

function scanFinding(s: ScanRow, why: Map<string, Map<string, number>> | undefined): Finding {
  const ports = s.ports.length > 8 ? `${s.ports.slice(0, 8).join(', ')} … (${s.ports.length} ports)` : s.ports.join(', ');
  const facts: Record<string, unknown> = { source: s.src, ports, hosts: s.hosts, 'rejected flows': s.rejected, 'accepted flows': s.accepted };
  const causes = why?.get(s.src);
  if (causes) facts['why rejected'] = [...causes.entries()].map(([k, n]) => `${n}× ${k}`).join('; ');
  return {
    severity: 'medium',
    title: `Port scan from ${s.src}`,
    detail: `${s.src} probed ${s.hosts} host${s.hosts === 1 ? '' : 's'} on port${s.ports.length === 1 ? '' : 's'} ${ports} (${s.targets} host:port targets); ${s.rejected} flows rejected within ${SCAN.windowSeconds / 60} minutes` +
      `${s.accepted ? `; ${s.accepted} of its flows in that time were accepted (see the sensitive-port findings for what is exposed)` : ''}.`,
    fix: `Block ${s.src} at the network ACL or WAF IP set if it keeps coming; make sure no security group allows these ports from 0.0.0.0/0. Which rule dropped each probe: packettrail insights vpc --diagnose, or packettrail vpcflow diagnose --src ${s.src}.`,
    facts,
    at: isoSeconds(s.firstMs),
  };
}

function sensitiveFindings(rows: readonly SensitiveRow[], scanners: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const accepted = new Map<number, SensitiveRow[]>();
  for (const r of rows) if (r.action === 'accept') accepted.set(r.port, [...(accepted.get(r.port) ?? []), r]);
  for (const [port, rs] of accepted) {
    const hosts = [...new Set(rs.flatMap((r) => r.hosts))];
    const flows = rs.reduce((a, r) => a + r.flows, 0);
    out.push({
      severity: 'high',
      title: `${portName(port)} reachable from the internet`,
      detail: `${flows} inbound flows from ${rs.length} internet addresses to port ${port} were ACCEPTED (hosts include ${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ', …' : ''}).`,
      fix: `Remove the security group rule that allows ${port} from 0.0.0.0/0 (aws ec2 revoke-security-group-ingress); reach these hosts through SSM Session Manager, a VPN or a bastion with a narrow source range.`,
      facts: { sources: rs.slice(0, 10).map((r) => `${r.src} (${r.flows})`).join(', '), hosts: hosts.slice(0, 20).join(', ') },
      at: isoSeconds(Math.min(...rs.map((r) => r.firstMs))),
    });
  }
  const probes = new Map<string, SensitiveRow[]>();
  for (const r of rows) if (r.action === 'reject' && !scanners.has(r.src)) probes.set(r.src, [...(probes.get(r.src) ?? []), r]);
  for (const [src, rs] of probes) {
    const flows = rs.reduce((a, r) => a + r.flows, 0);
    if (flows < PROBE_MIN_FLOWS) continue;
    out.push({
      severity: 'low',
      title: `${src} probing ${rs.map((r) => portName(r.port)).join(', ')}`,
      detail: `${flows} inbound flows from ${src} to sensitive ports were rejected: blocked, but someone is trying.`,
      fix: `Nothing is exposed; block ${src} at the network ACL if it persists.`,
      facts: { ports: rs.map((r) => `${r.port}: ${r.flows}`).join(', '), hosts: [...new Set(rs.flatMap((r) => r.hosts))].slice(0, 20).join(', ') },
      at: isoSeconds(Math.min(...rs.map((r) => r.firstMs))),
    });
  }
  return out;
}

async function diagnosis(store: EventStore, range: TimeRange, limit: number): Promise<{ section: ReportSection; bySource: Map<string, Map<string, number>> }> {
  const q = { sinceMs: range.sinceMs, untilMs: range.untilMs };
  const { rows, truncated } = await readFlowRows(store, { ...q, limit: DIAGNOSE_LIMIT, rejectedOnly: true });
  const connections = diagnose(rows, { interfaceAddresses: await readInterfaceAddresses(store, q) }).filter((c) => c.cause !== 'allowed');
  const bySource = new Map<string, Map<string, number>>();
  for (const c of connections) {
    const m = bySource.get(c.client.ip) ?? new Map<string, number>();
    bySource.set(c.client.ip, m);
    m.set(c.explanation, (m.get(c.explanation) ?? 0) + 1);
  }
  const ep = (e: Connection['client']) => (e.port === undefined ? e.ip : e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
  const shown = connections.slice(0, Math.max(limit, 50));
  const title = `Why rejected (network ACL or security group)${connections.length > shown.length ? ` — first ${shown.length} of ${connections.length}` : ''}${truncated ? ' — record limit reached, narrow the range' : ''}`;
  return {
    bySource,
    section: {
      kind: 'table', id: 'diagnosis', title,
      columns: [col('first seen', 'time'), col('interface', 'string'), col('client', 'string'), col('server', 'string'), col('proto', 'string'), col('explanation', 'string')],
      rows: shown.map((c) => [isoSeconds(c.firstMs), c.eni ?? null, ep(c.client), ep(c.server), c.protocol === undefined ? null : (IANA_PROTOCOLS[c.protocol] ?? String(c.protocol)), c.explanation]),
    },
  };
}

/**
 * VPC traffic from the flow logs: top talkers, rejected traffic by port and by source, port scans,
 * sensitive ports reached from the internet, bytes out per internet destination; with `diagnose`,
 * which of the network ACL and the security group dropped each rejected connection.
 */
export async function vpcReport(store: EventStore, o: VpcInsightOptions): Promise<InsightReport> {
  const started = Date.now();
  const range = timeRange(o);
  const limit = limitOf(o);
  const table = (await flowTable(store)) ?? noFlows(store.dialect.fn);
  // Independent queries, side by side (a read-only store runs them on several connections): on small
  // tables each costs DuckDB's fixed per-query time, which adds up when they queue.
  const withSeries = totals(store, table, range).then(async (t) => {
    if (t.firstMs === undefined || t.lastMs === undefined) return { t, series: undefined };
    const from = range.sinceMs ?? t.firstMs;
    const to = range.untilMs ?? t.lastMs;
    const width = bucketSeconds(o, to - from);
    return { t, series: { width, starts: bucketStarts(from, to, width), counts: await perBucket(store, table, range, width) } };
  });
  const [{ t, series }, scanRows, sensitive, diag, talkers, byPort, bySource, out] = await Promise.all([
    withSeries,
    scans(store, table, range),
    sensitiveFromInternet(store, table, range),
    o.diagnose ? diagnosis(store, range, limit) : undefined,
    topTalkers(store, table, range, limit),
    rejectedByPort(store, table, range, limit),
    rejectedBySource(store, table, range, limit),
    bytesOut(store, table, range, limit),
  ]);
  const findings = [...scanRows.map((s) => scanFinding(s, diag?.bySource)), ...sensitiveFindings(sensitive, new Set(scanRows.map((s) => s.src)))];
  if (!t.flows) findings.push(await nothingInRange(store, range, ['aws.vpcflow'], 'No VPC flow records', 'The store holds no accepted or rejected aws.vpcflow records: ingest the flow logs (AWSLogs/<account>/vpcflowlogs/…).'));

  const sections: ReportSection[] = [{ kind: 'findings', id: 'traffic-findings', title: 'Findings', findings }];
  if (series) {
    const { width, starts, counts } = series;
    sections.push({
      kind: 'series', id: 'flows', title: `Flow records per ${width >= 3600 ? `${width / 3600} h` : `${width / 60} min`}`, buckets: starts.map(isoSeconds),
      series: [{ name: 'flows', values: starts.map((s) => counts.get(s)?.flows ?? 0) }, { name: 'rejected', values: starts.map((s) => counts.get(s)?.rejected ?? 0) }],
    });
  }
  sections.push({
    kind: 'table', id: 'top-talkers', title: 'Top talkers (by bytes)',
    columns: [col('source', 'string'), col('destination', 'string'), col('flows', 'number'), col('packets', 'number'), col('bytes', 'bytes'), col('rejected', 'number')],
    rows: talkers.map(([s, d, f, p, b, r]) => [String(s), String(d), num(f), num(p), num(b), num(r)]),
  });
  sections.push({
    kind: 'table', id: 'rejected-by-port', title: 'Rejected traffic by destination port',
    columns: [col('port', 'string'), col('protocol', 'string'), col('rejected', 'number'), col('sources', 'number'), col('hosts', 'number'), col('top source', 'string')],
    rows: byPort.map(([p, proto, n, s, h, top]) => [p === null ? null : portName(num(p)), proto === null ? null : String(proto), num(n), num(s), num(h), String(top)]),
  });
  sections.push({
    kind: 'table', id: 'rejected-by-source', title: 'Rejected traffic by source',
    columns: [col('source', 'string'), col('internet', 'string'), col('rejected', 'number'), col('hosts', 'number'), col('ports', 'number'), col('first', 'time'), col('last', 'time')],
    rows: bySource.map(([s, n, h, p, f, l, ext]) => [String(s), ext ? 'yes' : 'no', num(n), num(h), num(p), time(f), time(l)]),
  });
  sections.push({
    kind: 'table', id: 'sensitive-ports', title: 'Sensitive ports from the internet (SSH, RDP, databases…)',
    columns: [col('source', 'string'), col('port', 'string'), col('action', 'string'), col('flows', 'number'), col('hosts', 'number'), col('e.g.', 'string'), col('first', 'time'), col('last', 'time')],
    rows: [...sensitive].sort((a, b) => b.flows - a.flows).slice(0, limit).map((r) => [r.src, portName(r.port), r.action, r.flows, r.hostCount, r.hosts.join(', '), isoSeconds(r.firstMs), isoSeconds(r.lastMs)]),
  });
  sections.push({
    kind: 'table', id: 'bytes-out', title: 'Bytes out per internet destination (exfiltration candidates)',
    columns: [col('destination', 'string'), col('bytes out', 'bytes'), col('flows', 'number'), col('internal hosts', 'number'), col('ports', 'string'), col('first', 'time'), col('last', 'time')],
    rows: out.map(([d, b, f, s, p, first, last]) => [String(d), num(b), num(f), num(s), ((p as unknown[]) ?? []).map(String).join(', '), time(first), time(last)]),
  });
  if (diag) sections.push(diag.section);
  return {
    view: 'vpc', title: `VPC traffic — ${t.flows} flow records, ${t.rejected} rejected`, range: { since: range.since, until: range.until }, sections, tookMs: Date.now() - started,
  };
}

export const VPC_VIEW: InsightView = {
  id: 'vpc',
  title: 'VPC traffic',
  description: 'Top talkers, rejected traffic by port and source, port scans, sensitive ports from the internet, bytes out per internet destination; --diagnose explains each rejection (network ACL or security group).',
  run: vpcReport,
};
