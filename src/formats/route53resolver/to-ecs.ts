import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { canonicalIp, ipVersion } from '../../ecs/ip.js';
import { normalizeHost, splitDomain } from '../../ecs/domain.js';
import { millisFromIso } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import { awsEvent, clip, setCloudOrigin } from '../shared/aws-text.js';
import { arr, describe, obj, requireStr, str, type Json } from '../shared/json-record.js';

export const DATASET = 'aws.route53resolver';

const TRANSPORT: Record<string, { transport: string; iana: string }> = {
  udp: { transport: 'udp', iana: '17' },
  tcp: { transport: 'tcp', iana: '6' },
  // DNS over HTTPS to inbound endpoints: TCP underneath.
  doh: { transport: 'tcp', iana: '6' },
};

/** DNS Firewall rule action → [event.type entry, event.outcome]: whether the query was answered as asked. */
const FIREWALL: Record<string, ['allowed' | 'denied', 'success' | 'failure']> = {
  ALLOW: ['allowed', 'success'],
  ALERT: ['allowed', 'success'],
  BLOCK: ['denied', 'failure'],
};

// Answer types whose data is a host name, normalized like the question (lower case, no trailing dot).
const NAME_TYPES = new Set(['CNAME', 'PTR', 'NS', 'DNAME', 'MX', 'SRV', 'SOA']);
const PORT = /^\d{1,5}$/;

const IN_ADDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/;
const IP6_ARPA = /^((?:[0-9a-f]\.){32})ip6\.arpa$/;
const DOTS = /\./g;
const GROUPS = /.{4}/g;

/** The address a reverse lookup (`4.3.2.1.in-addr.arpa`, `….ip6.arpa`) asks about, for `related.ip`. */
export function reverseLookupIp(name: string): string | undefined {
  const v4 = IN_ADDR.exec(name);
  if (v4) return canonicalIp(`${v4[4]}.${v4[3]}.${v4[2]}.${v4[1]}`);
  const v6 = IP6_ARPA.exec(name);
  if (!v6) return undefined;
  const nibbles = v6[1]!.replace(DOTS, '').split('').reverse().join('');
  return canonicalIp(nibbles.match(GROUPS)!.join(':'));
}

/** One Route 53 (VPC) Resolver query log record to ECS. */
export function route53ResolverToEcs(record: Json, raw: string, ctx: ParserContext): EcsEvent {
  const timeText = requireStr(record, 'query_timestamp', 'an ISO 8601 time');
  const ms = millisFromIso(timeText);
  if (ms === undefined) throw new RecordError(`query_timestamp '${clip(timeText)}' is not an ISO 8601 time`);
  const queryName = requireStr(record, 'query_name', 'the queried DNS name');
  const srcText = str(record.srcaddr);
  const srcIp = canonicalIp(srcText);
  if (srcText !== undefined && srcIp === undefined) throw new RecordError(`srcaddr '${clip(srcText)}' is not an IP address`);
  const portText = str(record.srcport);
  if (portText !== undefined && (!PORT.test(portText) || Number(portText) > 65535)) throw new RecordError(`srcport is ${describe(record.srcport)}, expected a port number`);
  const answersRaw = record.answers;
  if (answersRaw !== undefined && answersRaw !== null && !Array.isArray(answersRaw)) throw new RecordError(`answers is ${describe(answersRaw)}, expected an array`);

  const firewallAction = str(record.firewall_rule_action);
  const firewall = firewallAction ? FIREWALL[firewallAction.toUpperCase()] : undefined;
  const rcode = str(record.rcode);
  const out = awsEvent(
    {
      dataset: DATASET, raw, ms, category: ['network'], type: firewall ? ['protocol', firewall[0]] : ['protocol'], service: 'route53',
      observer: { vendor: 'AWS', product: 'Route 53 Resolver', type: 'dns' },
    },
    ctx,
  );
  const event = out.event!;
  if (firewallAction) event.action = firewallAction.toLowerCase();
  event.outcome = firewall ? firewall[1] : rcode === undefined ? 'unknown' : rcode === 'NOERROR' ? 'success' : 'failure';

  const cloud = out.cloud as EcsObject;
  setCloudOrigin(cloud, str(record.region), str(record.account_id));
  const srcids = obj(record.srcids);
  const instance = str(srcids?.instance);
  if (instance) cloud.instance = { id: instance };

  if (srcIp) {
    out.source = { address: srcIp, ip: srcIp };
    if (portText !== undefined) out.source.port = Number(portText);
  }
  const network: EcsObject = { protocol: 'dns' };
  const transport = TRANSPORT[(str(record.transport) ?? '').toLowerCase()];
  if (transport) {
    network.transport = transport.transport;
    network.iana_number = transport.iana;
  }
  if (srcIp) network.type = ipVersion(srcIp);
  out.network = network;

  const name = normalizeHost(queryName)!;
  const question: EcsObject = { name };
  const parts = splitDomain(name);
  if (parts?.registered_domain) question.registered_domain = parts.registered_domain;
  if (parts?.subdomain) question.subdomain = parts.subdomain;
  if (parts?.top_level_domain) question.top_level_domain = parts.top_level_domain;
  const qtype = str(record.query_type);
  if (qtype) question.type = qtype;
  const qclass = str(record.query_class);
  if (qclass) question.class = qclass;
  const dns: EcsObject = { question };
  if (rcode) dns.response_code = rcode;

  const answers: EcsObject[] = [];
  const resolved: string[] = [];
  const hosts: string[] = [];
  for (const a of arr(answersRaw)) {
    const answer = obj(a);
    const data = str(answer?.Rdata);
    if (!answer || data === undefined) continue;
    const type = str(answer.Type);
    const entry: EcsObject = {};
    if (type === 'A' || type === 'AAAA') {
      const ip = canonicalIp(data);
      entry.data = ip ?? data;
      if (ip && !resolved.includes(ip)) resolved.push(ip);
    } else if (type && NAME_TYPES.has(type)) {
      // MX/SRV/SOA data hold a name among other words: only bare names are normalized.
      const host = data.indexOf(' ') < 0 ? normalizeHost(data) : undefined;
      entry.data = host ?? data;
      if (host && !hosts.includes(host)) hosts.push(host);
    } else entry.data = data;
    if (type) entry.type = type;
    const cls = str(answer.Class);
    if (cls) entry.class = cls;
    answers.push(entry);
  }
  if (answers.length) dns.answers = answers;
  if (resolved.length) dns.resolved_ip = resolved;
  out.dns = dns;

  const route53: EcsObject = {};
  const vpc = str(record.vpc_id);
  if (vpc) route53.vpc_id = vpc;
  const version = str(record.version);
  if (version) route53.version = version;
  const endpoint = str(srcids?.resolver_endpoint);
  const eni = str(srcids?.resolver_network_interface);
  if (endpoint || eni) route53.srcids = { resolver_endpoint: endpoint, resolver_network_interface: eni };
  if (firewallAction) {
    const fw: EcsObject = { action: firewallAction };
    const group = str(record.firewall_rule_group_id);
    if (group) {
      fw.rule_group = { id: group };
      out.rule = { ruleset: group };
    }
    const list = str(record.firewall_domain_list_id);
    if (list) fw.domain_list = { id: list };
    route53.firewall = fw;
  }
  out.aws = { route53 };
  const related: EcsObject = {};
  if (hosts.length) related.hosts = hosts;
  const looked = reverseLookupIp(name);
  if (looked) related.ip = [looked];
  if (hosts.length || looked) out.related = related;
  fillRelated(out);
  return out;
}
