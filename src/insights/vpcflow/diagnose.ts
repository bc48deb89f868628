import { ipInCidr } from '../../ecs/ip.js';
import type { AddressFilter } from './never-logged.js';

/** One VPC flow record as the diagnosis needs it (a row of the events table, or built in tests). */
export interface FlowRow {
  /** interface-id; records without one are grouped together. */
  eni?: string | undefined;
  srcIp: string;
  srcPort?: number | undefined;
  dstIp: string;
  dstPort?: number | undefined;
  protocol?: number | undefined;
  action: 'accept' | 'reject';
  /** flow-direction (version 5+), relative to the interface. */
  direction?: 'ingress' | 'egress' | undefined;
  startMs: number;
  endMs: number;
  tcpFlags?: number | undefined;
  /** reject-reason (version 8), e.g. BPA. */
  reason?: string | undefined;
  packets?: number | undefined;
  bytes?: number | undefined;
}

export type Cause = 'nacl-or-sg' | 'nacl-return' | 'block-public-access' | 'return-rejected-request-unseen' | 'allowed';

export interface Connection {
  eni: string | undefined;
  /** Where the connection started, relative to the interface. */
  startedBy: 'remote' | 'interface';
  /** How the initiator was determined. */
  basis: 'tcp-flags' | 'ports' | 'first-record';
  /** How inbound/outbound was determined. */
  sides: 'flow-direction' | 'interface-address';
  client: { ip: string; port?: number | undefined };
  server: { ip: string; port?: number | undefined };
  protocol?: number | undefined;
  firstMs: number;
  lastMs: number;
  /** ACCEPT/REJECT of the request direction (client → server) and of the return direction; undefined when not logged. */
  request?: 'accept' | 'reject' | 'mixed' | undefined;
  response?: 'accept' | 'reject' | 'mixed' | undefined;
  records: number;
  cause: Cause;
  explanation: string;
}

export interface DiagnoseOptions {
  src?: AddressFilter | undefined;
  dst?: AddressFilter | undefined;
  port?: number | undefined;
  /** Also list connections nothing rejected. */
  all?: boolean | undefined;
  /** Records of one connection further apart than this are separate connections (default: 10 minutes, the longest aggregation interval). */
  windowMs?: number | undefined;
  /** Each ENI's own address, when known from more records than `rows` (see readInterfaceAddresses). */
  interfaceAddresses?: ReadonlyMap<string, string> | undefined;
}

const DEFAULT_WINDOW_MS = 10 * 60 * 1000;
const EPHEMERAL_MIN = 32768;
const WELL_KNOWN_MAX = 1023;
const SYN = 2;
const ACK = 16;

/** The interface's own addresses: per ENI, the address seen in most of its records. */
function interfaceAddresses(rows: readonly FlowRow[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const key = r.eni ?? '';
    let counts = out.get(key);
    if (!counts) out.set(key, (counts = new Map()));
    counts.set(r.srcIp, (counts.get(r.srcIp) ?? 0) + 1);
    counts.set(r.dstIp, (counts.get(r.dstIp) ?? 0) + 1);
  }
  return out;
}

function endpointKey(ip: string, port: number | undefined): string {
  return `${ip}|${port ?? ''}`;
}

/** Groups records by ENI and unordered 5-tuple, then splits each group where records are more than a window apart. */
function conversations(rows: readonly FlowRow[], windowMs: number): FlowRow[][] {
  const groups = new Map<string, FlowRow[]>();
  for (const r of rows) {
    const a = endpointKey(r.srcIp, r.srcPort);
    const b = endpointKey(r.dstIp, r.dstPort);
    const key = `${r.eni ?? ''}|${r.protocol ?? ''}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const out: FlowRow[][] = [];
  for (const list of groups.values()) {
    list.sort((x, y) => x.startMs - y.startMs);
    let current: FlowRow[] = [];
    let lastEnd = -Infinity;
    for (const r of list) {
      if (current.length && r.startMs - lastEnd > windowMs) {
        out.push(current);
        current = [];
        lastEnd = -Infinity;
      }
      current.push(r);
      lastEnd = Math.max(lastEnd, r.endMs);
    }
    if (current.length) out.push(current);
  }
  return out;
}

/** Which endpoint (`src` of `first`, or its `dst`) started the connection, and on what evidence. */
function initiator(records: readonly FlowRow[]): { ip: string; port: number | undefined; basis: Connection['basis'] } {
  // tcp-flags is the OR over a window: once a handshake completes both directions show SYN and ACK,
  // but a record with SYN and no ACK can only come from the side that opened the connection (typically
  // the unanswered attempts a REJECT leaves).
  for (const r of records) {
    if (r.tcpFlags !== undefined && (r.tcpFlags & (SYN | ACK)) === SYN) return { ip: r.srcIp, port: r.srcPort, basis: 'tcp-flags' };
  }
  const first = records[0]!;
  const sp = first.srcPort;
  const dp = first.dstPort;
  if (sp !== undefined && dp !== undefined && sp !== dp && (sp > 0 || dp > 0)) {
    const server = serverPort(sp, dp);
    if (server !== undefined) {
      return server === dp ? { ip: first.srcIp, port: sp, basis: 'ports' } : { ip: first.dstIp, port: dp, basis: 'ports' };
    }
  }
  return { ip: first.srcIp, port: first.srcPort, basis: 'first-record' };
}

/** The server side's port by the usual conventions: well-known below ephemeral, else the lower one. */
function serverPort(a: number, b: number): number | undefined {
  if (a <= WELL_KNOWN_MAX && b > WELL_KNOWN_MAX) return a;
  if (b <= WELL_KNOWN_MAX && a > WELL_KNOWN_MAX) return b;
  if (a >= EPHEMERAL_MIN && b < EPHEMERAL_MIN) return b;
  if (b >= EPHEMERAL_MIN && a < EPHEMERAL_MIN) return a;
  return a === 0 || b === 0 ? undefined : Math.min(a, b);
}

function verdict(records: readonly FlowRow[]): Connection['request'] {
  if (!records.length) return undefined;
  const accepted = records.some((r) => r.action === 'accept');
  const rejected = records.some((r) => r.action === 'reject');
  return accepted && rejected ? 'mixed' : rejected ? 'reject' : 'accept';
}

/** Why a connection was (or was not) rejected, from the action of each direction. */
function explain(c: Omit<Connection, 'cause' | 'explanation'>, requestRows: readonly FlowRow[]): Pick<Connection, 'cause' | 'explanation'> {
  const inbound = c.startedBy === 'remote';
  const where = inbound ? 'inbound' : 'outbound';
  if (requestRows.some((r) => r.action === 'reject' && r.reason === 'BPA')) {
    return { cause: 'block-public-access', explanation: `${where} request blocked by VPC Block Public Access (reject-reason BPA), before security groups and network ACLs` };
  }
  if (c.request === 'reject' || c.request === 'mixed') {
    const rules = inbound ? 'inbound rules' : 'outbound rules';
    const partly = c.request === 'mixed' ? ' (some windows accepted, some rejected: a rule changed or only some packets matched)' : '';
    return { cause: 'nacl-or-sg', explanation: `${where} request REJECT: blocked by a network ACL or a security group (${rules})${partly}` };
  }
  if (c.response === 'reject' || c.response === 'mixed') {
    const back = inbound ? 'outbound' : 'inbound';
    if (c.request === undefined) {
      return {
        cause: 'return-rejected-request-unseen',
        explanation: `${back} return traffic REJECT and no record of the request: most likely the network ACL (stateless) ${back} rules for the ephemeral ports; a security group never blocks the replies of a connection it allowed`,
      };
    }
    return {
      cause: 'nacl-return',
      explanation: `${where} request ACCEPT, ${back} return traffic REJECT: the network ACL (stateless) dropped the return traffic (${back} rule for the ephemeral ports); the security group allowed it (it is stateful)`,
    };
  }
  return { cause: 'allowed', explanation: c.response === undefined ? `${where} request accepted; no return traffic logged` : 'accepted in both directions' };
}

function matches(f: AddressFilter | undefined, ip: string): boolean {
  return !f || ipInCidr(ip, f.range);
}

/**
 * Pairs each flow's records with the records of its return traffic (same ENI, reversed 5-tuple, within
 * the aggregation window), works out who started it, and explains every rejected connection the way
 * the VPC troubleshooting guidance does: an inbound REJECT is a network ACL or a security group; an
 * accepted request whose return traffic is rejected is the (stateless) network ACL, because security
 * groups are stateful.
 */
export function diagnose(rows: readonly FlowRow[], opts: DiagnoseOptions = {}): Connection[] {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const addresses = interfaceAddresses(rows);
  const out: Connection[] = [];
  for (const records of conversations(rows, windowMs)) {
    const first = records[0]!;
    const init = initiator(records);
    const clientIsSrc = (r: FlowRow) => r.srcIp === init.ip && (init.port === undefined || r.srcPort === init.port);
    const requestRows = records.filter(clientIsSrc);
    const responseRows = records.filter((r) => !clientIsSrc(r));
    const sample = requestRows[0] ?? responseRows[0]!;
    const client = clientIsSrc(sample) ? { ip: sample.srcIp, port: sample.srcPort } : { ip: sample.dstIp, port: sample.dstPort };
    const server = clientIsSrc(sample) ? { ip: sample.dstIp, port: sample.dstPort } : { ip: sample.srcIp, port: sample.srcPort };

    // Inbound or outbound: flow-direction says it for each record; otherwise the interface's own address decides.
    let startedBy: Connection['startedBy'];
    let sides: Connection['sides'];
    const directed = records.find((r) => r.direction !== undefined);
    if (directed) {
      sides = 'flow-direction';
      const clientSent = clientIsSrc(directed);
      const arrived = directed.direction === 'ingress';
      startedBy = clientSent === arrived ? 'remote' : 'interface';
    } else {
      sides = 'interface-address';
      const own = first.eni === undefined ? undefined : opts.interfaceAddresses?.get(first.eni);
      if (own === client.ip || own === server.ip) startedBy = own === client.ip ? 'interface' : 'remote';
      else {
        const counts = addresses.get(first.eni ?? '')!;
        startedBy = (counts.get(client.ip) ?? 0) > (counts.get(server.ip) ?? 0) ? 'interface' : 'remote';
      }
    }
    const base = {
      eni: first.eni,
      startedBy,
      basis: init.basis,
      sides,
      client,
      server,
      protocol: first.protocol,
      firstMs: Math.min(...records.map((r) => r.startMs)),
      lastMs: Math.max(...records.map((r) => r.endMs)),
      request: verdict(requestRows),
      response: verdict(responseRows),
      records: records.length,
    };
    const connection: Connection = { ...base, ...explain(base, requestRows) };
    if (connection.cause === 'allowed' && !opts.all) continue;
    if (!matches(opts.src, client.ip) || !matches(opts.dst, server.ip)) continue;
    if (opts.port !== undefined && client.port !== opts.port && server.port !== opts.port) continue;
    out.push(connection);
  }
  return out.sort((a, b) => a.firstMs - b.firstMs || (a.eni ?? '').localeCompare(b.eni ?? ''));
}
