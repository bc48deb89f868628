import type { Format, FieldSpec } from '../format.js';
import { JsonRecordParser } from '../shared/json-record.js';
import { detectWaf } from './detect.js';
import { DATASET, wafToEcs } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['aws.waf.arn', 'keyword', 'The web ACL ARN (webaclId).'],
    ['aws.waf.id', 'keyword', 'The ARN resource: regional|global/webacl/<name>/<id>.'],
    ['aws.waf.web_acl_name', 'keyword'],
    ['aws.waf.format_version', 'keyword'],
    ['aws.waf.action', 'keyword', 'As logged (upper case); event.action is lower case.'],
    ['aws.waf.terminating_rule_type', 'keyword', 'REGULAR, GROUP, RATE_BASED, MANAGED_RULE_GROUP.'],
    ['aws.waf.terminating_rule_group_id', 'keyword', 'The rule group whose rule terminated the request.'],
    ['aws.waf.terminating_rule_match_details', 'json'],
    ['aws.waf.rule_group_list', 'json'],
    ['aws.waf.rule_group_ids', 'keyword[]', 'Rule groups with a terminating, non-terminating or excluded rule match.'],
    ['aws.waf.non_terminating_matching_rules', 'json'],
    ['aws.waf.non_terminating_rule_ids', 'keyword[]', 'Top-level and rule-group rules that matched without terminating (COUNT).'],
    ['aws.waf.excluded_rule_ids', 'keyword[]'],
    ['aws.waf.rate_based_rule_list', 'json'],
    ['aws.waf.rate_based_rule_names', 'keyword[]'],
    ['aws.waf.labels', 'keyword[]'],
    ['aws.waf.source.name', 'keyword', 'httpSourceName: CF, ALB, APIGW, APPSYNC, COGNITOIDP, APPRUNNER, VERIFIED_ACCESS …'],
    ['aws.waf.source.id', 'keyword', 'httpSourceId: CloudFront distribution id, load balancer ARN, API stage …'],
    ['aws.waf.request.headers', 'json', 'Header name as logged → value.'],
    ['aws.waf.request_headers_inserted', 'json'],
    ['aws.waf.response_code_sent', 'long'],
    ['aws.waf.captcha_response.response_code', 'long'],
    ['aws.waf.captcha_response.solve_timestamp', 'date'],
    ['aws.waf.captcha_response.failure_reason', 'keyword'],
    ['aws.waf.challenge_response.response_code', 'long'],
    ['aws.waf.challenge_response.solve_timestamp', 'date'],
    ['aws.waf.challenge_response.failure_reason', 'keyword'],
    ['aws.waf.oversize_fields', 'keyword[]'],
    ['aws.waf.request_body_size', 'long'],
    ['aws.waf.request_body_size_inspected', 'long'],
    ['tls.client.ja3', 'keyword'],
    ['tls.client.ja4', 'keyword'],
    ['url.fragment', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const waf: Format = {
  id: DATASET,
  title: 'AWS WAF (WAFv2) logs',
  description:
    'WAFv2 JSON records for CloudFront and regional web ACLs (ALB, API Gateway, AppSync …), one per line or one ' +
    'pretty-printed document: action, terminating rule, rule groups, non-terminating/excluded and rate-based rules, ' +
    'labels, CAPTCHA/challenge responses, headers, JA3/JA4. httpRequest.requestId becomes http.request.id ' +
    "(CloudFront's x-edge-request-id, an ALB's trace id).",
  framing: 'json-or-lines',
  detect: detectWaf,
  createParser: (ctx) => new JsonRecordParser(ctx, wafToEcs, 'a WAF log record'),
  fields,
};
