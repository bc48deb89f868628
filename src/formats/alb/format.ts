import type { Format, FieldSpec } from '../format.js';
import { AlbParser } from './parser.js';
import { detectAlb } from './detect.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['aws.alb.log_type', 'keyword', 'alb_access, alb_connection, nlb_tls or elb_classic.'],
    ['aws.alb.name', 'keyword', 'The elb field: app/<name>/<id> or net/<name>/<id>.'],
    ['aws.alb.request_type', 'keyword', 'http, https, h2, grpcs, ws or wss.'],
    ['aws.alb.request', 'keyword', 'The request line as logged.'],
    ['aws.alb.request_processing_time', 'double', 'Seconds.'],
    ['aws.alb.target_processing_time', 'double', 'Seconds.'],
    ['aws.alb.response_processing_time', 'double', 'Seconds.'],
    ['aws.alb.target_status_code', 'long'],
    ['aws.alb.target_group_arn', 'keyword'],
    ['aws.alb.trace_id', 'keyword', 'X-Amzn-Trace-Id as logged; trace.id holds the flattened Root id.'],
    ['aws.alb.chosen_cert_arn', 'keyword'],
    ['aws.alb.matched_rule_priority', 'long', '0 is the default rule.'],
    ['aws.alb.actions_executed', 'keyword[]'],
    ['aws.alb.redirect_url', 'keyword'],
    ['aws.alb.error_reason', 'keyword'],
    ['aws.alb.target_port_list', 'keyword[]'],
    ['aws.alb.target_status_code_list', 'keyword[]'],
    ['aws.alb.classification', 'keyword', 'Desync mitigation: Acceptable, Ambiguous or Severe.'],
    ['aws.alb.classification_reason', 'keyword'],
    ['aws.alb.conn_trace_id', 'keyword', 'Joins access log lines to the connection log line of their connection.'],
    ['aws.alb.transformed_host', 'keyword'],
    ['aws.alb.transformed_uri', 'keyword'],
    ['aws.alb.request_transform_status', 'keyword'],
    ['aws.alb.listener_id', 'keyword', 'NLB.'],
    ['aws.alb.log_version', 'keyword', 'NLB log format version (2.0).'],
    ['aws.alb.connection_time', 'long', 'NLB: milliseconds.'],
    ['aws.alb.tls_handshake_time', 'long', 'NLB: milliseconds.'],
    ['aws.alb.incoming_tls_alert', 'keyword'],
    ['aws.alb.chosen_cert_serial', 'keyword'],
    ['aws.alb.tls_named_group', 'keyword'],
    ['aws.alb.alpn_fe_protocol', 'keyword'],
    ['aws.alb.alpn_be_protocol', 'keyword'],
    ['aws.alb.alpn_client_preference_list', 'keyword[]'],
    ['aws.alb.tls_handshake_latency', 'double', 'Connection logs: seconds.'],
    ['aws.alb.tls_verify_status', 'keyword', 'Connection logs: Success or Failed:<reason>.'],
    ['aws.alb.leaf_client_cert_validity', 'keyword', 'Connection logs, when not NotBefore=…;NotAfter=….'],
    ['aws.alb.extra_fields', 'keyword[]', 'Fields after the last known one (AWS appends new fields).'],
    ['tls.client.server_name', 'keyword'],
    ['tls.client.subject', 'keyword'],
    ['tls.client.not_before', 'date'],
    ['tls.client.not_after', 'date'],
    ['tls.client.x509.serial_number', 'keyword'],
    ['tls.next_protocol', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const alb: Format = {
  id: DATASET,
  title: 'Elastic Load Balancing logs (ALB, NLB, Classic)',
  description:
    'ALB access logs (every known field up to conn_trace_id and transformed_host/uri; older shorter layouts and extra ' +
    'trailing fields accepted), ALB connection logs, NLB TLS access logs and Classic ELB access logs, mixed freely. ' +
    'Object names <account>_elasticloadbalancing_<region>_app.<name>.<id>_… set cloud.account.id and cloud.region.',
  framing: 'lines',
  detect: detectAlb,
  createParser: (ctx) => new AlbParser(ctx),
  fields,
};
