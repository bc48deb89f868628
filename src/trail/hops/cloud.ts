import { list, num, str } from '../rows.js';
import type { TrailState } from '../state.js';
import { factsOf, joined, socket, type HopDescription } from './facts.js';

/** CloudFront result types that mean the edge itself refused the viewer. */
const EDGE_REFUSALS = new Set(['ClientGeoBlocked', 'LimitExceeded', 'CapacityExceeded', 'InvalidRequest', 'ClientHungUpRequest']);

/** CloudFront: edge location, cache result, status, TLS. */
export function describeEdge(s: TrailState): HopDescription {
  const row = s.found.get('edge')!.primary;
  const detailed = str(row, 'aws_cloudfront_edge_detailed_result_type');
  const result = str(row, 'aws_cloudfront_edge_result_type');
  const taken = num(row, 'aws_cloudfront_time_taken');
  return {
    verdict: detailed && EDGE_REFUSALS.has(detailed) ? 'blocked' : 'allowed',
    summary: joined([
      'CloudFront', str(row, 'aws_cloudfront_edge_location') ?? '', String(num(row, 'http_response_status_code') ?? '?'), result ?? '',
      detailed && detailed !== result ? `(${detailed})` : undefined, str(row, 'http_request_method'), str(row, 'url_original'),
      'for', socket(row, 'source_ip', 'source_port'),
    ]),
    facts: factsOf([
      ['edge location', str(row, 'aws_cloudfront_edge_location')], ['cache result', joined([result, detailed && detailed !== result ? `(${detailed})` : undefined])],
      ['status', num(row, 'http_response_status_code')], ['request id', str(row, 'http_request_id')],
      ['viewer', socket(row, 'source_ip', 'source_port')], ['X-Forwarded-For', list(row, 'aws_cloudfront_x_forwarded_for').join(', ')],
      ['TLS', joined([str(row, 'tls_version_protocol')?.toUpperCase(), str(row, 'tls_version'), str(row, 'tls_cipher')])],
      ['distribution', str(row, 'aws_cloudfront_distribution_id')], ['time taken', taken !== undefined ? `${taken} s` : undefined],
      ['url', str(row, 'url_full')], ['user agent', str(row, 'user_agent_original')],
    ]),
  };
}

/** WAF: action, terminating rule, labels. */
export function describeWaf(s: TrailState): HopDescription {
  const row = s.found.get('waf')!.primary;
  const action = str(row, 'aws_waf_action') ?? str(row, 'event_action')?.toUpperCase();
  const rule = str(row, 'rule_id') ?? str(row, 'rule_name');
  const labels = list(row, 'aws_waf_labels');
  const blocked = action === 'BLOCK' || action === 'CAPTCHA' || action === 'CHALLENGE';
  return {
    verdict: blocked ? 'blocked' : 'allowed',
    summary: joined([`WAF ${action ?? '?'}`, rule ? `by ${rule}` : undefined, labels.length ? `(${labels.join(', ')})` : undefined]),
    facts: factsOf([
      ['action', action], ['terminating rule', rule], ['rule type', str(row, 'aws_waf_terminating_rule_type')], ['labels', labels.join(', ')],
      ['web ACL', str(row, 'aws_waf_web_acl_name')], ['client', str(row, 'source_ip')], ['country', str(row, 'source_geo_country_iso_code')],
      ['non-terminating matches', list(row, 'aws_waf_non_terminating_rule_ids').join(', ')], ['JA3', str(row, 'tls_client_ja3')],
    ]),
  };
}

/** The origin: the ALB and its target, the VPC flow to the target, and the app's log with the authenticated user and latency. */
export function describeOrigin(s: TrailState): HopDescription {
  const app = s.found.get('origin-app')?.primary;
  const alb = s.found.get('origin-alb')?.primary;
  const flow = s.found.get('origin-flow')?.primary;
  const status = num(app, 'http_response_status_code') ?? num(alb, 'aws_alb_target_status_code') ?? num(alb, 'http_response_status_code');
  const latencyNs = num(app, 'event_duration');
  const target = socket(alb, 'destination_ip', 'destination_port') ?? str(app, 'host_name');
  return {
    verdict: 'allowed',
    summary: joined([
      alb ? `ALB ${str(alb, 'observer_name') ?? ''} → target ${target}` : `app ${str(app, 'service_name') ?? str(app, 'host_name') ?? ''}`,
      status !== undefined ? `answered ${status}` : undefined, latencyNs !== undefined ? `in ${latencyNs / 1e6} ms` : undefined,
      str(app, 'user_name') ? `for ${str(app, 'user_name')}` : app ? '(no authenticated user)' : undefined,
      flow ? `; VPC flow ${str(flow, 'event_action') ?? ''} on ${str(flow, 'observer_ingress_interface_name') ?? '?'}` : undefined,
    ]),
    facts: factsOf([
      ['load balancer', str(alb, 'observer_name')], ['target', target], ['target status', num(alb, 'aws_alb_target_status_code')],
      ['ALB status', num(alb, 'http_response_status_code')], ['trace id', str(app, 'trace_id') ?? str(alb, 'trace_id')],
      ['app', str(app, 'service_name')], ['app host', str(app, 'host_name')], ['status', status],
      ['authenticated user', str(app, 'user_name')], ['latency', latencyNs !== undefined ? `${latencyNs / 1e6} ms` : undefined],
      ['ALB node', str(app, 'app_peer_ip') ?? str(flow, 'source_ip')],
      ['VPC flow', flow ? joined([socket(flow, 'source_ip', 'source_port'), '→', socket(flow, 'destination_ip', 'destination_port'), str(flow, 'event_action'), str(flow, 'observer_ingress_interface_name')]) : undefined],
      ['message', str(app, 'message')],
    ]),
  };
}
