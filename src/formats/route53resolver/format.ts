import type { Format, FieldSpec } from '../format.js';
import { JsonRecordParser } from '../shared/json-record.js';
import { detectRoute53Resolver } from './detect.js';
import { DATASET, route53ResolverToEcs } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['aws.route53.vpc_id', 'keyword'],
    ['aws.route53.version', 'keyword', 'Log format version (1.100000).'],
    ['aws.route53.srcids.resolver_endpoint', 'keyword', 'Inbound endpoint queries.'],
    ['aws.route53.srcids.resolver_network_interface', 'keyword'],
    ['aws.route53.firewall.action', 'keyword', 'DNS Firewall rule action as logged: ALLOW, ALERT or BLOCK.'],
    ['aws.route53.firewall.rule_group.id', 'keyword'],
    ['aws.route53.firewall.domain_list.id', 'keyword'],
    ['dns.question.class', 'keyword'],
    ['dns.question.registered_domain', 'keyword'],
    ['dns.question.subdomain', 'keyword'],
    ['dns.question.top_level_domain', 'keyword'],
    ['dns.answers', 'json', 'List of {data, type, class}.'],
    ['dns.resolved_ip', 'keyword[]', 'Addresses among the A/AAAA answers.'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const route53resolver: Format = {
  id: DATASET,
  title: 'Amazon Route 53 (VPC) Resolver query logs',
  description:
    'One JSON object per query (or one pretty-printed document): question, response code, answers (CNAME chains ' +
    'included), source address and instance, VPC, and DNS Firewall action, rule group and domain list when a rule matched.',
  framing: 'json-or-lines',
  detect: detectRoute53Resolver,
  createParser: (ctx) => new JsonRecordParser(ctx, route53ResolverToEcs, 'a Route 53 Resolver query log record'),
  fields,
};
