import type { Format, FieldSpec } from '../format.js';
import { CloudFrontParser } from './parser.js';
import { detectCloudFront } from './detect.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['aws.cloudfront.distribution_id', 'keyword', 'From the object name or primary-distribution-id.'],
    ['aws.cloudfront.domain', 'keyword', 'cs(Host): the distribution domain (dXXXX.cloudfront.net).'],
    ['aws.cloudfront.edge_location', 'keyword'],
    ['aws.cloudfront.edge_result_type', 'keyword'],
    ['aws.cloudfront.edge_response_result_type', 'keyword'],
    ['aws.cloudfront.edge_detailed_result_type', 'keyword'],
    ['aws.cloudfront.time_taken', 'double', 'Seconds.'],
    ['aws.cloudfront.time_to_first_byte', 'double', 'Seconds.'],
    ['aws.cloudfront.x_forwarded_for', 'keyword[]'],
    ['aws.cloudfront.fle_status', 'keyword'],
    ['aws.cloudfront.fle_encrypted_fields', 'keyword'],
    ['aws.cloudfront.cookie', 'keyword'],
    ['aws.cloudfront.range_start', 'long'],
    ['aws.cloudfront.range_end', 'long'],
    ['aws.cloudfront.repeat_count', 'long', 'Identical requests folded into one record.'],
    ['aws.cloudfront.ip_version', 'keyword'],
    ['aws.cloudfront.accept_encoding', 'keyword'],
    ['aws.cloudfront.accept', 'keyword'],
    ['aws.cloudfront.cache_behavior_path_pattern', 'keyword'],
    ['aws.cloudfront.headers', 'keyword'],
    ['aws.cloudfront.header_names', 'keyword'],
    ['aws.cloudfront.headers_count', 'long'],
    ['aws.cloudfront.primary_distribution_dns_name', 'keyword'],
    ['aws.cloudfront.origin_first_byte_latency', 'double'],
    ['aws.cloudfront.origin_last_byte_latency', 'double'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const cloudfront: Format = {
  id: DATASET,
  title: 'Amazon CloudFront access logs',
  description:
    'Standard (legacy) access logs with #Version/#Fields headers, v2 standard logging (JSON lines and W3C text), ' +
    'real-time logs (tab-separated; give the real-time config field list with --fields, default: AWS canonical order) ' +
    'and JSON records of repeated requests. Object names <DistributionId>.YYYY-MM-DD-HH.<id>.gz set the distribution id.',
  framing: 'lines',
  headerPattern: /^#.*$/gm,
  options: [{ name: 'fields', description: 'Real-time log field list in the order of the real-time config (space or comma separated).' }],
  detect: detectCloudFront,
  createParser: (ctx) => new CloudFrontParser(ctx),
  fields,
};
