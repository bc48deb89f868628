import type { Format, FieldSpec } from '../format.js';
import { VpcFlowParser } from './parser.js';
import { detectVpcFlow } from './detect.js';
import { HEADER_SOURCE } from './fields.js';
import { DATASET } from './to-ecs.js';

const KEYWORDS = [
  'version', 'account_id', 'interface_id', 'action', 'log_status', 'vpc_id', 'subnet_id', 'instance_id', 'type', 'region',
  'az_id', 'sublocation.type', 'sublocation.id', 'pkt_srcaddr', 'pkt_dstaddr', 'pkt_src_aws_service', 'pkt_dst_aws_service',
  'flow_direction', 'traffic_path', 'reject_reason', 'ecs_cluster_arn', 'ecs_cluster_name', 'ecs_container_instance_arn',
  'ecs_container_instance_id', 'ecs_container_id', 'ecs_second_container_id', 'ecs_service_name', 'ecs_task_definition_arn',
  'ecs_task_arn', 'ecs_task_id', 'resource_type', 'tgw_id', 'tgw_attachment_id', 'tgw_src_vpc_account_id',
  'tgw_dst_vpc_account_id', 'tgw_src_vpc_id', 'tgw_dst_vpc_id', 'tgw_src_subnet_id', 'tgw_dst_subnet_id', 'tgw_src_eni',
  'tgw_dst_eni', 'tgw_src_az_id', 'tgw_dst_az_id', 'tgw_pair_attachment_id',
];

const fields: FieldSpec[] = [
  ...KEYWORDS.map((k): FieldSpec => ({ path: `aws.vpcflow.${k}`, type: 'keyword' })),
  { path: 'aws.vpcflow.tcp_flags', type: 'long', description: 'OR of the TCP flags seen in the aggregation window (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32).' },
  { path: 'aws.vpcflow.tcp_flags_array', type: 'keyword[]', description: 'tcp_flags as names; SYN-ACK when both are set.' },
  { path: 'aws.vpcflow.packets_lost_no_route', type: 'long' },
  { path: 'aws.vpcflow.packets_lost_blackhole', type: 'long' },
  { path: 'aws.vpcflow.packets_lost_mtu_exceeded', type: 'long' },
  { path: 'aws.vpcflow.packets_lost_ttl_expired', type: 'long' },
  { path: 'cloud.availability_zone', type: 'keyword', description: 'VPC flow logs: the az-id (use1-az5).' },
  { path: 'orchestrator.type', type: 'keyword' },
  { path: 'orchestrator.cluster.id', type: 'keyword' },
  { path: 'orchestrator.cluster.name', type: 'keyword' },
  { path: 'orchestrator.resource.id', type: 'keyword' },
  { path: 'orchestrator.resource.name', type: 'keyword' },
  { path: 'service.name', type: 'keyword' },
];

export const vpcflow: Format = {
  id: DATASET,
  title: 'Amazon VPC and Transit Gateway flow logs',
  description:
    'Space-separated flow records: the default version-2 format, custom formats (any fields of versions 2 to 8, ' +
    'laid out by the S3 file header line, which may repeat, or by --fields), AWS "all fields" layouts and the Transit ' +
    'Gateway default format recognized by field count, NODATA/SKIPDATA records, JSON records keyed by field name ' +
    '(Parquet exports) and {"message":"<record>"} wrappers from CloudWatch Logs.',
  framing: 'lines',
  headerPattern: new RegExp(HEADER_SOURCE, 'gm'),
  options: [{ name: 'fields', description: 'The flow log format (field names in order, space or comma separated) for files without a header line.' }],
  detect: detectVpcFlow,
  createParser: (ctx) => new VpcFlowParser(ctx),
  fields,
};
