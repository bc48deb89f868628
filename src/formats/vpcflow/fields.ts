/**
 * VPC and Transit Gateway flow log field names, layouts and value tables, as data (formats.md §6).
 */

/** Fields by the flow-log version that introduced them, in AWS's "all fields" order. */
export const FIELDS_BY_VERSION: readonly (readonly [number, readonly string[]])[] = [
  [2, ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status']],
  [3, ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr']],
  [4, ['region', 'az-id', 'sublocation-type', 'sublocation-id']],
  [5, ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path']],
  [7, [
    'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id',
    'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id',
  ]],
  [8, ['reject-reason']],
];

/** The Transit Gateway flow log default layout (36 fields). */
export const TGW_FIELDS: readonly string[] = [
  'version', 'resource-type', 'account-id', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id', 'tgw-dst-vpc-account-id',
  'tgw-src-vpc-id', 'tgw-dst-vpc-id', 'tgw-src-subnet-id', 'tgw-dst-subnet-id', 'tgw-src-eni', 'tgw-dst-eni', 'tgw-src-az-id',
  'tgw-dst-az-id', 'tgw-pair-attachment-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start',
  'end', 'log-status', 'type', 'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired', 'tcp-flags', 'region', 'flow-direction', 'pkt-src-aws-service', 'pkt-dst-aws-service',
];

/** "All fields" of every version up to `version`, in order. */
export function fieldsUpTo(version: number): string[] {
  return FIELDS_BY_VERSION.filter(([v]) => v <= version).flatMap(([, names]) => names);
}

export const DEFAULT_FIELDS = fieldsUpTo(2);

/**
 * Layouts assumed for a headerless line by its field count: the default format and AWS's
 * "all fields" selection of each version (Elastic's samples use 29, 39 and 40), and Transit Gateway.
 */
export const LAYOUTS_BY_COUNT: readonly (readonly [string, readonly string[]])[] = [
  ['the default version-2 format', DEFAULT_FIELDS],
  ['all version-3 fields', fieldsUpTo(3)],
  ['all version-4 fields', fieldsUpTo(4)],
  ['all version-5 fields', fieldsUpTo(5)],
  ['all version-7 fields', fieldsUpTo(7)],
  ['all version-8 fields', fieldsUpTo(8)],
  ['the Transit Gateway default format', TGW_FIELDS],
];

/** Every field name packettrail maps; others are kept as `aws.vpcflow.<name>` strings. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set([...fieldsUpTo(99), ...TGW_FIELDS]);

/**
 * Canonical (hyphenated, lower-case) name of a field as written in a header, a `--fields` list or a
 * Parquet/JSON key (`account_id`, `${account-id}` from a LogFormat string).
 */
export function canonicalField(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('${') && n.endsWith('}')) n = n.slice(2, -1);
  return n.replace(/_/g, '-');
}

const NAME_ALTERNATION = [...KNOWN_FIELDS]
  .sort((a, b) => b.length - a.length)
  .map((n) => n.replace(/-/g, '[-_]'))
  .join('|');

/**
 * A header line: field names only, the first one known (a data value is never a field name: ids carry
 * prefixes like `eni-`, actions and statuses are upper case, numbers are digits).
 */
export const HEADER_SOURCE = `^(?:${NAME_ALTERNATION})(?:[ \\t]+[a-z][a-z0-9_-]*)*[ \\t]*\\r?$`;

/** IANA protocol numbers → ECS `network.transport` names (lower case, as Elastic writes them). */
export const IANA_PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 3: 'ggp', 4: 'ipv4', 6: 'tcp', 8: 'egp', 9: 'igp', 17: 'udp', 27: 'rdp', 33: 'dccp',
  41: 'ipv6', 43: 'ipv6-route', 44: 'ipv6-frag', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp',
  59: 'ipv6-nonxt', 60: 'ipv6-opts', 88: 'eigrp', 89: 'ospf', 94: 'ipip', 97: 'etherip', 98: 'encap', 103: 'pim',
  108: 'ipcomp', 112: 'vrrp', 115: 'l2tp', 124: 'isis', 132: 'sctp', 136: 'udplite', 137: 'mpls-in-ip',
};

/** TCP flag bits in the order they are listed; SYN-ACK (18) is named as one flag, as AWS documents it. */
export const TCP_FLAGS: readonly (readonly [number, string])[] = [
  [1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG'],
];

/** `log-status` values other than OK: what the record means. */
export const LOG_STATUS: ReadonlyMap<string, { action: string; reason: string }> = new Map([
  ['NODATA', { action: 'no-data', reason: 'no network traffic to or from the network interface during the aggregation interval' }],
  ['SKIPDATA', { action: 'skip-data', reason: 'flow log records were skipped during the aggregation interval (internal capacity constraint or error)' }],
]);

/**
 * Vendor fields copied as strings: [field, key under aws.vpcflow]. The network fields mapped to ECS are
 * handled in to-ecs.ts.
 */
export const STRING_VENDOR_FIELDS: readonly (readonly [string, string])[] = [
  ['version', 'version'], ['account-id', 'account_id'], ['interface-id', 'interface_id'], ['action', 'action'],
  ['log-status', 'log_status'], ['vpc-id', 'vpc_id'], ['subnet-id', 'subnet_id'], ['instance-id', 'instance_id'],
  ['type', 'type'], ['region', 'region'], ['az-id', 'az_id'], ['sublocation-type', 'sublocation.type'],
  ['sublocation-id', 'sublocation.id'], ['pkt-src-aws-service', 'pkt_src_aws_service'], ['pkt-dst-aws-service', 'pkt_dst_aws_service'],
  ['flow-direction', 'flow_direction'], ['traffic-path', 'traffic_path'], ['reject-reason', 'reject_reason'],
  ['ecs-cluster-arn', 'ecs_cluster_arn'], ['ecs-cluster-name', 'ecs_cluster_name'], ['ecs-container-instance-arn', 'ecs_container_instance_arn'],
  ['ecs-container-instance-id', 'ecs_container_instance_id'], ['ecs-container-id', 'ecs_container_id'],
  ['ecs-second-container-id', 'ecs_second_container_id'], ['ecs-service-name', 'ecs_service_name'],
  ['ecs-task-definition-arn', 'ecs_task_definition_arn'], ['ecs-task-arn', 'ecs_task_arn'], ['ecs-task-id', 'ecs_task_id'],
  ['resource-type', 'resource_type'], ['tgw-id', 'tgw_id'], ['tgw-attachment-id', 'tgw_attachment_id'],
  ['tgw-src-vpc-account-id', 'tgw_src_vpc_account_id'], ['tgw-dst-vpc-account-id', 'tgw_dst_vpc_account_id'],
  ['tgw-src-vpc-id', 'tgw_src_vpc_id'], ['tgw-dst-vpc-id', 'tgw_dst_vpc_id'], ['tgw-src-subnet-id', 'tgw_src_subnet_id'],
  ['tgw-dst-subnet-id', 'tgw_dst_subnet_id'], ['tgw-src-eni', 'tgw_src_eni'], ['tgw-dst-eni', 'tgw_dst_eni'],
  ['tgw-src-az-id', 'tgw_src_az_id'], ['tgw-dst-az-id', 'tgw_dst_az_id'], ['tgw-pair-attachment-id', 'tgw_pair_attachment_id'],
];

/** Transit Gateway packet-loss counters: [field, aws.vpcflow key, words for event.reason]. */
export const PACKETS_LOST_FIELDS: readonly (readonly [string, string, string])[] = [
  ['packets-lost-no-route', 'packets_lost_no_route', 'no route'],
  ['packets-lost-blackhole', 'packets_lost_blackhole', 'blackhole route'],
  ['packets-lost-mtu-exceeded', 'packets_lost_mtu_exceeded', 'MTU exceeded'],
  ['packets-lost-ttl-expired', 'packets_lost_ttl_expired', 'TTL expired'],
];
