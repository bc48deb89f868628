import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { nanosFrom } from '../../ecs/time.js';
import { canonicalIp } from '../../ecs/ip.js';
import { normalizeHost, splitDomain } from '../../ecs/domain.js';
import { Rec, applyAction, applyCopies, applyUser, endpoint, networkType, setNat, type Copy, put } from './rec.js';

/** Durations: `durationms` wins over whole-second `duration`; ECS wants nanoseconds. */
function duration(event: EcsEvent, rec: Rec): void {
  const ms = rec.number('durationms');
  const s = ms === undefined ? rec.number('duration') : undefined;
  // Beyond a long of nanoseconds (8.64e21 from a hostile durationms) the duration is left unset.
  if (ms !== undefined) put(event, 'event.duration', nanosFrom(ms, 1e6));
  else if (s !== undefined) put(event, 'event.duration', nanosFrom(s, 1e9));
}

export function mapFirewall(event: EcsEvent, rec: Rec): void {
  applyAction(event, rec.get('action'));
  applyUser(event, rec, 'login', 'user');
  endpoint(event, 'source', rec.ip('csip'), rec.port('csport'));
  endpoint(event, 'destination', rec.ip('cdip'), rec.port('cdport'));
  // The tunnel source IP is the customer egress Zscaler saw for GRE/IPsec (or the Client Connector's public IP).
  setNat(event, rec.ip('tsip'));
  const outbytes = rec.long('outbytes');
  const inbytes = rec.long('inbytes');
  if (outbytes !== undefined) put(event, 'source.bytes', outbytes);
  if (inbytes !== undefined) put(event, 'destination.bytes', inbytes);
  if (outbytes !== undefined || inbytes !== undefined) put(event, 'network.bytes', (outbytes ?? 0) + (inbytes ?? 0));
  duration(event, rec);
  applyCopies(event, rec, FIREWALL_COPIES);
  networkType(event);
}

const FIREWALL_COPIES: readonly Copy[] = [
  [['ssip'], 'zscaler.firewall.server_source_ip', 'ip'],
  [['ssport'], 'zscaler.firewall.server_source_port', 'port'],
  [['sdip'], 'zscaler.firewall.server_destination_ip', 'ip'],
  [['sdport'], 'zscaler.firewall.server_destination_port', 'port'],
  [['tunsport'], 'zscaler.firewall.tunnel_source_port', 'port'],
  [['proto'], 'network.transport', 'lower'],
  [['nwapp'], 'network.application', 'lower'],
  [['nwsvc'], 'zscaler.firewall.network_service'],
  [['ipcat'], 'zscaler.firewall.ip_category'],
  [['tuntype'], 'zscaler.firewall.tunnel_type'],
  [['dnat'], 'zscaler.firewall.dnat', 'bool'],
  [['dnatrulelabel'], 'zscaler.firewall.dnat_rule'],
  [['stateful'], 'zscaler.firewall.stateful', 'bool'],
  [['aggregate'], 'zscaler.firewall.aggregate', 'bool'],
  [['numsessions'], 'zscaler.firewall.sessions', 'long'],
  [['avgduration'], 'zscaler.firewall.avg_duration_ms', 'number'],
  [['ipsrulelabel'], 'zscaler.firewall.ips_rule'],
  [['rulelabel', 'rule'], 'rule.name'],
  [['threatname', 'threat_name'], 'zscaler.threat_name'],
  [['threatcat'], 'zscaler.threat_category'],
  [['destcountry'], 'destination.geo.country_name'],
  [['srcipcountry'], 'source.geo.country_name'],
  [['dept'], 'zscaler.department'],
  [['location'], 'zscaler.location'],
  [['cltdomain'], 'zscaler.firewall.client_domain'],
  [['devicehostname'], 'host.name'],
  [['deviceowner'], 'source.user.name'],
  [['recordid'], 'zscaler.record_id'],
];

/** `A record`, `AAAA`, `28` … → the query type mnemonic ECS expects; anything else stays vendor-only. */
const DNS_TYPES = new Set([
  'A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'ANY', 'HTTPS', 'SVCB', 'CAA', 'DS', 'DNSKEY', 'NAPTR',
  'SPF', 'TLSA', 'AXFR', 'IXFR',
]);
const DNS_TYPE_NUMBERS: Record<string, string> = { '1': 'A', '2': 'NS', '5': 'CNAME', '6': 'SOA', '12': 'PTR', '15': 'MX', '16': 'TXT', '28': 'AAAA', '33': 'SRV', '64': 'SVCB', '65': 'HTTPS', '255': 'ANY' };

function dnsType(value: string): string | undefined {
  const t = value.replace(/\s*record$/i, '').trim().toUpperCase();
  return DNS_TYPES.has(t) ? t : DNS_TYPE_NUMBERS[t];
}

const NO_NAME = new Set(['unknown', 'notfound', 'not found']);

/** Verdict of a DNS transaction from its request and response actions (`REQ_ALLOW`, `RES_BLOCK` …). */
function dnsVerdict(req: string | undefined, res: string | undefined): string | undefined {
  const both = `${req ?? ''} ${res ?? ''}`.toUpperCase();
  if (/BLOCK|DENY|DROP|REDIRECT/.test(both)) return 'blocked';
  if (/ALLOW|PASS/.test(both)) return 'allowed';
  return req?.toLowerCase() ?? res?.toLowerCase();
}

export function mapDns(event: EcsEvent, rec: Rec): void {
  const req = rec.get('reqaction');
  const res = rec.get('resaction');
  applyAction(event, dnsVerdict(req, res));
  applyUser(event, rec, 'login', 'user');
  endpoint(event, 'source', rec.ip('clt_sip'));
  endpoint(event, 'destination', rec.ip('srv_dip'), rec.port('srv_dport'));

  const name = rec.get('dns_req');
  const dns: EcsObject = { type: 'query' };
  // NSS writes placeholders (Unknown, NotFound) when the query was not seen: keep them vendor-only.
  if (name !== undefined && !NO_NAME.has(name.toLowerCase())) {
    const question: EcsObject = { name: normalizeHost(name) ?? name };
    const parts = splitDomain(name);
    if (parts?.registered_domain) question.registered_domain = parts.registered_domain;
    if (parts?.subdomain) question.subdomain = parts.subdomain;
    if (parts?.top_level_domain) question.top_level_domain = parts.top_level_domain;
    dns.question = question;
  } else if (name !== undefined) put(event, 'zscaler.dns.request', name);
  const qtype = rec.get('dns_reqtype');
  const t = qtype === undefined ? undefined : dnsType(qtype);
  if (t) put(dns, 'question.type', t);
  else if (qtype !== undefined) put(event, 'zscaler.dns.request_type', qtype);

  const resp = rec.get('dns_resp');
  if (resp !== undefined) {
    const answers: EcsObject[] = [];
    const resolved: string[] = [];
    for (const part of resp.split(/[,;\s]+/)) {
      if (!part) continue;
      const ip = canonicalIp(part);
      if (ip) {
        resolved.push(ip);
        answers.push({ data: ip, type: ip.indexOf(':') >= 0 ? 'AAAA' : 'A' });
      } else if (/^[\w.-]+\.[a-z]{2,}\.?$/i.test(part)) answers.push({ data: normalizeHost(part) ?? part });
    }
    if (answers.length) dns.answers = answers;
    if (resolved.length) dns.resolved_ip = resolved;
    if (!answers.length) put(event, 'zscaler.dns.response', resp);
  }
  event.dns = dns;
  put(event, 'network.protocol', 'dns');
  duration(event, rec);
  applyCopies(event, rec, DNS_COPIES);
  networkType(event);
}

const DNS_COPIES: readonly Copy[] = [
  [['reqaction'], 'zscaler.dns.request_action'],
  [['resaction'], 'zscaler.dns.response_action'],
  [['reqrulelabel'], 'zscaler.dns.request_rule'],
  [['resrulelabel'], 'zscaler.dns.response_rule'],
  [['reqrulelabel', 'resrulelabel'], 'rule.name'],
  [['protocol'], 'network.transport', 'lower'],
  [['category'], 'zscaler.dns.category'],
  [['error'], 'zscaler.dns.error'],
  [['restype'], 'zscaler.dns.response_type'],
  [['dnsapp'], 'zscaler.dns.application'],
  [['dnsappcat'], 'zscaler.dns.application_category'],
  [['respipcat'], 'zscaler.dns.response_ip_category'],
  [['dept'], 'zscaler.department'],
  [['location'], 'zscaler.location'],
  [['devicehostname'], 'host.name'],
  [['deviceowner'], 'source.user.name'],
  [['recordid'], 'zscaler.record_id'],
];
