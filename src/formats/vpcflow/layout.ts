import { KNOWN_FIELDS, PACKETS_LOST_FIELDS, STRING_VENDOR_FIELDS, canonicalField } from './fields.js';
export { clip } from '../shared/reason.js';

/** Column positions of the fields the mapping reads (-1 when the layout lacks the field). */
export interface Positions {
  srcaddr: number;
  dstaddr: number;
  srcport: number;
  dstport: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action: number;
  logStatus: number;
  accountId: number;
  interfaceId: number;
  instanceId: number;
  region: number;
  azId: number;
  tcpFlags: number;
  type: number;
  pktSrcaddr: number;
  pktDstaddr: number;
  flowDirection: number;
  trafficPath: number;
  rejectReason: number;
  ecsClusterArn: number;
  ecsClusterName: number;
  ecsContainerInstanceArn: number;
  ecsContainerInstanceId: number;
  ecsServiceName: number;
  tgwId: number;
}

const POSITION_FIELDS: Record<keyof Positions, string> = {
  srcaddr: 'srcaddr', dstaddr: 'dstaddr', srcport: 'srcport', dstport: 'dstport', protocol: 'protocol', packets: 'packets',
  bytes: 'bytes', start: 'start', end: 'end', action: 'action', logStatus: 'log-status', accountId: 'account-id',
  interfaceId: 'interface-id', instanceId: 'instance-id', region: 'region', azId: 'az-id', tcpFlags: 'tcp-flags', type: 'type',
  pktSrcaddr: 'pkt-srcaddr', pktDstaddr: 'pkt-dstaddr', flowDirection: 'flow-direction', trafficPath: 'traffic-path',
  rejectReason: 'reject-reason', ecsClusterArn: 'ecs-cluster-arn', ecsClusterName: 'ecs-cluster-name',
  ecsContainerInstanceArn: 'ecs-container-instance-arn', ecsContainerInstanceId: 'ecs-container-instance-id',
  ecsServiceName: 'ecs-service-name', tgwId: 'tgw-id',
};

/** A field order compiled once per header / option / JSON key set, so each line is read by index. */
export interface Layout {
  names: readonly string[];
  /** Where the order came from, for rejection reasons: `header "version account-id …"`. */
  origin: string;
  pos: Positions;
  /** Vendor strings present: [column, key path under aws.vpcflow]. */
  vendor: readonly (readonly [number, readonly string[]])[];
  /** Transit Gateway packet-loss counters present: [column, key, words]. */
  lost: readonly (readonly [number, string, string])[];
  /** Field names packettrail does not know, kept as `aws.vpcflow.<name>` strings. */
  unknown: readonly (readonly [number, string])[];
}

const SAFE_KEY = /^[a-z][a-z0-9_]{0,63}$/;


export function compileLayout(rawNames: readonly string[], origin: string): Layout {
  const names = rawNames.map(canonicalField);
  const index = new Map<string, number>();
  // The first occurrence wins when a header repeats a name.
  names.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });
  const at = (n: string) => index.get(n) ?? -1;
  const pos = {} as Positions;
  for (const [key, field] of Object.entries(POSITION_FIELDS) as [keyof Positions, string][]) pos[key] = at(field);
  const vendor: [number, string[]][] = [];
  for (const [field, key] of STRING_VENDOR_FIELDS) if (index.has(field)) vendor.push([at(field), key.split('.')]);
  const lost: [number, string, string][] = [];
  for (const [field, key, words] of PACKETS_LOST_FIELDS) if (index.has(field)) lost.push([at(field), key, words]);
  const unknown: [number, string][] = [];
  names.forEach((n, i) => {
    const key = n.replace(/-/g, '_');
    if (!KNOWN_FIELDS.has(n) && index.get(n) === i && SAFE_KEY.test(key)) unknown.push([i, key]);
  });
  return { names, origin, pos, vendor, lost, unknown };
}

/** Splits a `--fields` value or a header line into names (spaces, tabs or commas). */
export function splitNames(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}
