import type { Format, FieldSpec } from '../format.js';
import { UmbrellaParser } from './parser.js';
import { detectUmbrella } from './detect.js';
import { DATASET } from './row.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';

const fields: FieldSpec[] = (
  [
    ['umbrella.log_type', 'keyword', 'dns, proxy, firewall, ip, intrusion, dlp or audit (from the S3 folder or the row shape).'],
    ['umbrella.policy_identity', 'keyword', 'The most granular identity the policy matched.'],
    ['umbrella.policy_identity_type', 'keyword'],
    ['umbrella.identities', 'keyword[]'],
    ['umbrella.identity_types', 'keyword[]'],
    ['umbrella.categories', 'keyword[]'],
    ['umbrella.blocked_categories', 'keyword[]'],
    ['umbrella.query_type_id', 'long', 'DNS query type number (1 for A).'],
    ['umbrella.av_detections', 'keyword[]'],
    ['umbrella.puas', 'keyword[]'],
    ['umbrella.amp.disposition', 'keyword'],
    ['umbrella.amp.malware_name', 'keyword'],
    ['umbrella.amp.score', 'keyword'],
    ['umbrella.dlp_status', 'keyword'],
    ['umbrella.certificate_errors', 'keyword'],
    ['umbrella.destination_list_ids', 'keyword[]'],
    ['umbrella.isolate_action', 'keyword'],
    ['umbrella.file_action', 'keyword'],
    ['umbrella.warn_status', 'keyword'],
    ['umbrella.forwarding_method', 'keyword'],
    ['umbrella.producer', 'keyword'],
    ['umbrella.msp_organization_id', 'keyword'],
    ['umbrella.blocked_destination_countries', 'keyword[]'],
    ['umbrella.application_ids', 'keyword[]'],
    ['umbrella.hostname', 'keyword'],
    ['umbrella.data_center', 'keyword'],
    ['umbrella.egress', 'keyword'],
    ['umbrella.server_name', 'keyword'],
    ['umbrella.time_based_rule', 'keyword'],
    ['umbrella.security_overridden', 'keyword'],
    ['umbrella.detected_response_file_type', 'keyword'],
    ['umbrella.warn_categories', 'keyword[]'],
    ['umbrella.organization_id', 'keyword'],
    ['umbrella.origin_ids', 'keyword[]'],
    ['umbrella.packet_size', 'long'],
    ['umbrella.generator_id', 'keyword'],
    ['umbrella.signature_list_id', 'keyword'],
    ['umbrella.severity', 'keyword'],
    ['umbrella.session_id', 'keyword'],
    ['umbrella.dlp.event_type', 'keyword'],
    ['umbrella.dlp.event_id', 'keyword'],
    ['umbrella.dlp.application', 'keyword'],
    ['umbrella.dlp.classification', 'keyword'],
    ['umbrella.dlp.classifiers', 'keyword[]'],
    ['umbrella.audit.id', 'keyword'],
    ['umbrella.audit.type', 'keyword'],
    ['umbrella.audit.before', 'text'],
    ['umbrella.audit.after', 'text'],
    ['umbrella.query_type', 'keyword', 'The DNS query type as written when it names no record type (Other).'],
    ['umbrella.unmapped_columns', 'json', 'Non-empty cells of appended or undocumented columns, by 1-based column number.'],
    ['dns.type', 'keyword'],
    ['dns.question.registered_domain', 'keyword'],
    ['dns.question.subdomain', 'keyword'],
    ['dns.question.top_level_domain', 'keyword'],
    ['network.name', 'keyword'],
    ['file.name', 'keyword'],
    ['file.mime_type', 'keyword'],
    ['file.size', 'long'],
    ['file.hash.sha256', 'keyword'],
    ['rule.category', 'keyword'],
    ['vulnerability.id', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec).concat(FIELD_ERROR_FIELDS);

export const umbrella: Format = {
  id: DATASET,
  title: 'Cisco Umbrella S3 log export',
  description:
    'CSV logs exported to S3: DNS (10-, 12-, 13-column and later versions), proxy/SWG (every schema version from 21 ' +
    'columns to the 49 documented; early 24-column rows too), cloud firewall, IP, IPS/intrusion, DLP and admin audit. ' +
    'The log type comes from the key or path (dnslogs/, proxylogs/, firewalllogs/ or cloudfirewalllogs/, iplogs/, ' +
    'intrusionlogs/, auditlogs/, dlplogs/) or, when the path names none, from each row\'s columns. Timestamps are UTC. ' +
    'A malformed optional cell is left out and noted (tags: _field_dropped).',
  framing: 'lines',
  detect: detectUmbrella,
  createParser: (ctx) => new UmbrellaParser(ctx),
  fields,
};
