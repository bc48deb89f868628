import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { ECS_VERSION } from '../../ecs/event.js';
import { canonicalIp } from '../../ecs/ip.js';
import { isoFromMillis } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { RecordError, type ParserContext } from '../format.js';
import { IANA_PROTOCOLS, LOG_STATUS, TCP_FLAGS } from './fields.js';
import { communityId } from './community-id.js';
import { clip, type Layout } from './layout.js';

export const DATASET = 'aws.vpcflow';

// Maps, not object literals: a hostile value like `constructor` must not find a prototype member.
const ACTIONS = new Map<string, { action: string; outcome: 'success' | 'failure'; type: string }>([
  ['ACCEPT', { action: 'accept', outcome: 'success', type: 'allowed' }],
  ['REJECT', { action: 'reject', outcome: 'failure', type: 'denied' }],
]);
const DIRECTIONS = new Map([['ingress', 'ingress'], ['egress', 'egress']]);
const IP_TYPES = new Map([['IPV4', 'ipv4'], ['IPV6', 'ipv6']]);

/** A whole number of at most 15 digits (flow counters, ports, epoch seconds) without a regex. */
function wholeNumber(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(s);
}

function value(values: readonly string[], i: number): string | undefined {
  if (i < 0) return undefined;
  const v = values[i];
  return v === undefined || v === '-' || v === '' ? undefined : v;
}

function num(values: readonly string[], i: number, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = value(values, i);
  if (v === undefined) return undefined;
  const n = wholeNumber(v);
  if (n < 0 || n > max) throw new RecordError(`${name} '${clip(v)}' is not a whole number${max < Number.MAX_SAFE_INTEGER ? ` from 0 to ${max}` : ''}`);
  return n;
}

function ip(values: readonly string[], i: number, name: string): string | undefined {
  const v = value(values, i);
  if (v === undefined) return undefined;
  const out = canonicalIp(v);
  if (out === undefined) throw new RecordError(`${name} '${clip(v)}' is not an IP address`);
  return out;
}

/** `tcp-flags` bitmask → flag names; SYN-ACK is added when both are set (a server's reply). */
export function tcpFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of TCP_FLAGS) if (flags & bit) out.push(name);
  if ((flags & 18) === 18) out.push('SYN-ACK');
  return out;
}

// Records of one aggregation window share their start/end seconds: cache the text per second.
const ISO_SLOTS = 4096;
const isoSecond = new Float64Array(ISO_SLOTS).fill(-1);
const isoText: string[] = new Array<string>(ISO_SLOTS).fill('');
/** Latest second Date can print (9999-12-31T23:59:59Z). */
const MAX_EPOCH_SECONDS = 253402300799;

function epochIso(values: readonly string[], i: number, name: string): string | undefined {
  const s = num(values, i, name, MAX_EPOCH_SECONDS);
  if (s === undefined) return undefined;
  const slot = s % ISO_SLOTS;
  if (isoSecond[slot] === s) return isoText[slot];
  const text = isoFromMillis(s * 1000);
  isoSecond[slot] = s;
  isoText[slot] = text;
  return text;
}

/**
 * One flow-log record (VPC or Transit Gateway), read by position through its layout, to ECS. Throws
 * RecordError for values that cannot be trusted (non-IP addresses, non-numeric counters, no time).
 */
export function vpcflowToEcs(values: readonly string[], lay: Layout, raw: string, ctx: ParserContext): EcsEvent {
  const p = lay.pos;
  const start = epochIso(values, p.start, 'start');
  const end = epochIso(values, p.end, 'end');
  const timestamp = end ?? start;
  if (timestamp === undefined) throw new RecordError('no start or end time (Unix epoch seconds) in the record');

  const actionText = value(values, p.action);
  const status = value(values, p.logStatus);
  const event: NonNullable<EcsEvent['event']> = {
    kind: 'event',
    category: ['network'],
    type: ['connection'],
    dataset: DATASET,
    module: 'aws',
    id: eventIdFor(DATASET, raw),
    ingested: ctx.ingested,
    outcome: 'unknown',
  };
  const known = actionText === undefined ? undefined : ACTIONS.get(actionText);
  const statusInfo = status === undefined ? undefined : LOG_STATUS.get(status);
  if (known) {
    event.action = known.action;
    event.outcome = known.outcome;
    event.type = ['connection', known.type];
  } else if (actionText !== undefined) {
    throw new RecordError(`action '${clip(actionText)}' is not ACCEPT or REJECT`);
  } else if (statusInfo) {
    event.action = statusInfo.action;
    event.type = ['info'];
  }
  const rejectReason = value(values, p.rejectReason);
  if (rejectReason) event.reason = rejectReason;
  else if (statusInfo) event.reason = statusInfo.reason;
  if (start) event.start = start;
  if (end) event.end = end;
  if (ctx.original) event.original = raw;

  const tgw = p.tgwId >= 0;
  const out: EcsEvent = {
    '@timestamp': timestamp,
    ecs: { version: ECS_VERSION },
    event,
    cloud: { provider: 'aws', service: { name: tgw ? 'transitgateway' : 'vpc' } },
    observer: { vendor: 'AWS', product: tgw ? 'Transit Gateway Flow Logs' : 'VPC Flow Logs', type: 'flow-log' },
    log: { file: { path: ctx.source } },
  };
  const cloud = out.cloud as EcsObject;
  const observer = out.observer as EcsObject;

  const srcIp = ip(values, p.srcaddr, 'srcaddr');
  const dstIp = ip(values, p.dstaddr, 'dstaddr');
  const srcPort = num(values, p.srcport, 'srcport', 65535);
  const dstPort = num(values, p.dstport, 'dstport', 65535);
  const proto = num(values, p.protocol, 'protocol', 255);
  const bytes = num(values, p.bytes, 'bytes');
  const packets = num(values, p.packets, 'packets');

  const network: EcsObject = {};
  if (srcIp !== undefined || srcPort !== undefined || bytes !== undefined || packets !== undefined) {
    const source: EcsObject = {};
    if (srcIp !== undefined) {
      source.address = srcIp;
      source.ip = srcIp;
    }
    if (srcPort !== undefined) source.port = srcPort;
    if (bytes !== undefined) source.bytes = bytes;
    if (packets !== undefined) source.packets = packets;
    out.source = source;
  }
  if (dstIp !== undefined || dstPort !== undefined) {
    const destination: EcsObject = {};
    if (dstIp !== undefined) {
      destination.address = dstIp;
      destination.ip = dstIp;
    }
    if (dstPort !== undefined) destination.port = dstPort;
    out.destination = destination;
  }
  if (proto !== undefined) {
    network.iana_number = String(proto);
    const name = IANA_PROTOCOLS[proto];
    if (name) network.transport = name;
  }
  const ipType = srcIp ?? dstIp;
  if (ipType !== undefined) network.type = ipType.indexOf(':') >= 0 ? 'ipv6' : 'ipv4';
  else {
    const t = value(values, p.type);
    const mapped = t === undefined ? undefined : IP_TYPES.get(t.toUpperCase());
    if (mapped) network.type = mapped;
  }
  const direction = value(values, p.flowDirection);
  const ecsDirection = direction === undefined ? undefined : DIRECTIONS.get(direction);
  if (ecsDirection) network.direction = ecsDirection;
  if (bytes !== undefined) network.bytes = bytes;
  if (packets !== undefined) network.packets = packets;
  if (srcIp !== undefined && dstIp !== undefined && proto !== undefined) {
    const cid = communityId(srcIp, dstIp, proto, srcPort, dstPort);
    if (cid) network.community_id = cid;
  }
  for (const _ in network) {
    out.network = network;
    break;
  }

  const account = value(values, p.accountId);
  if (account) cloud.account = { id: account };
  const region = value(values, p.region);
  if (region) cloud.region = region;
  const az = value(values, p.azId);
  if (az) cloud.availability_zone = az;
  const instance = value(values, p.instanceId);
  if (instance) cloud.instance = { id: instance };
  const eni = value(values, p.interfaceId);
  if (eni) observer.ingress = { interface: { name: eni } };
  const tgwId = value(values, p.tgwId);
  if (tgwId) observer.name = tgwId;

  orchestration(values, lay, out);
  const vpc = vendorFields(values, lay, event);
  out.aws = { vpcflow: vpc };
  // pkt-srcaddr/pkt-dstaddr are the original packet's addresses (they differ from srcaddr/dstaddr behind NAT).
  const pktSrc = ip(values, p.pktSrcaddr, 'pkt-srcaddr');
  const pktDst = ip(values, p.pktDstaddr, 'pkt-dstaddr');
  if (pktSrc !== undefined) vpc.pkt_srcaddr = pktSrc;
  if (pktDst !== undefined) vpc.pkt_dstaddr = pktDst;
  if (pktSrc !== undefined || pktDst !== undefined) {
    const related: string[] = [];
    if (pktSrc !== undefined) related.push(pktSrc);
    if (pktDst !== undefined && pktDst !== pktSrc) related.push(pktDst);
    out.related = { ip: related };
  }
  fillRelated(out);
  return out;
}

/** ECS task fields, mapped as Elastic's pipeline does. */
function orchestration(values: readonly string[], lay: Layout, out: EcsEvent): void {
  const p = lay.pos;
  const clusterArn = value(values, p.ecsClusterArn);
  const clusterName = value(values, p.ecsClusterName);
  const instanceArn = value(values, p.ecsContainerInstanceArn);
  const instanceId = value(values, p.ecsContainerInstanceId);
  if (clusterArn || clusterName || instanceArn || instanceId) {
    const orchestrator: EcsObject = { type: 'ecs' };
    if (clusterArn || clusterName) {
      const cluster: EcsObject = {};
      if (clusterArn) cluster.id = clusterArn;
      if (clusterName) cluster.name = clusterName;
      orchestrator.cluster = cluster;
    }
    if (instanceArn || instanceId) {
      const resource: EcsObject = {};
      if (instanceId) resource.id = instanceId;
      if (instanceArn) resource.name = instanceArn;
      orchestrator.resource = resource;
    }
    out.orchestrator = orchestrator;
  }
  const service = value(values, p.ecsServiceName);
  if (service) out.service = { name: service };
}

function vendorFields(values: readonly string[], lay: Layout, event: NonNullable<EcsEvent['event']>): EcsObject {
  const vpc: EcsObject = {};
  for (const [i, key] of lay.unknown) {
    const v = value(values, i);
    if (v !== undefined) vpc[key] = v;
  }
  for (const [i, path] of lay.vendor) {
    const v = value(values, i);
    if (v === undefined) continue;
    if (path.length === 1) vpc[path[0]!] = v;
    else {
      const parent = (vpc[path[0]!] as EcsObject | undefined) ?? (vpc[path[0]!] = {});
      parent[path[1]!] = v;
    }
  }
  const flags = num(values, lay.pos.tcpFlags, 'tcp-flags', 255);
  if (flags !== undefined) {
    vpc.tcp_flags = flags;
    vpc.tcp_flags_array = tcpFlagNames(flags);
  }
  const lostWords: string[] = [];
  for (const [i, key, words] of lay.lost) {
    const n = num(values, i, key.replace(/_/g, '-'));
    if (n === undefined) continue;
    vpc[key] = n;
    if (n > 0) lostWords.push(`${n} ${words}`);
  }
  if (lostWords.length && !event.reason) {
    event.reason = `packets lost at the transit gateway: ${lostWords.join(', ')}`;
    event.outcome = 'failure';
  }
  return vpc;
}
