import type { Format, FieldSpec } from '../format.js';
import { ZscalerParser } from './parser.js';
import { detectZscaler } from './detect.js';
import { DATASET } from './rec.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';

const fields: FieldSpec[] = (
  [
    ['zscaler.feed', 'keyword', 'NSS feed: web, firewall, dns, tunnel, audit, casb … (from sourcetype or the fields present).'],
    ['zscaler.department', 'keyword'],
    ['zscaler.location', 'keyword'],
    ['zscaler.record_id', 'keyword'],
    ['zscaler.ssl_decrypted', 'boolean', 'Web: the transaction was SSL-inspected.'],
    ['zscaler.url_category', 'keyword'],
    ['zscaler.url_super_category', 'keyword'],
    ['zscaler.url_sub_category', 'keyword'],
    ['zscaler.url_class', 'keyword'],
    ['zscaler.url_filter_rule', 'keyword'],
    ['zscaler.app_name', 'keyword'],
    ['zscaler.app_class', 'keyword'],
    ['zscaler.app_rule', 'keyword'],
    ['zscaler.dlp.engine', 'keyword'],
    ['zscaler.dlp.dictionaries', 'keyword'],
    ['zscaler.dlp.rule_name', 'keyword'],
    ['zscaler.dlp.md5', 'keyword'],
    ['zscaler.dlp.identifier', 'keyword'],
    ['zscaler.dlp.dictionary_hit_count', 'long'],
    ['zscaler.sandbox.verdict', 'keyword'],
    ['zscaler.malware_category', 'keyword'],
    ['zscaler.malware_class', 'keyword'],
    ['zscaler.threat_name', 'keyword'],
    ['zscaler.threat_category', 'keyword'],
    ['zscaler.threat_severity', 'keyword'],
    ['zscaler.file_type', 'keyword'],
    ['zscaler.unscannable_type', 'keyword'],
    ['zscaler.firewall.server_source_ip', 'ip', 'Zscaler-side source of the server connection (ssip).'],
    ['zscaler.firewall.server_source_port', 'long'],
    ['zscaler.firewall.server_destination_ip', 'ip', 'Server-side destination (sdip).'],
    ['zscaler.firewall.server_destination_port', 'long'],
    ['zscaler.firewall.tunnel_source_port', 'long'],
    ['zscaler.firewall.network_service', 'keyword'],
    ['zscaler.firewall.ip_category', 'keyword'],
    ['zscaler.firewall.tunnel_type', 'keyword'],
    ['zscaler.firewall.dnat', 'boolean'],
    ['zscaler.firewall.dnat_rule', 'keyword'],
    ['zscaler.firewall.stateful', 'boolean'],
    ['zscaler.firewall.aggregate', 'boolean'],
    ['zscaler.firewall.sessions', 'long'],
    ['zscaler.firewall.avg_duration_ms', 'double'],
    ['zscaler.firewall.ips_rule', 'keyword'],
    ['zscaler.firewall.client_domain', 'keyword'],
    ['zscaler.dns.request_action', 'keyword'],
    ['zscaler.dns.response_action', 'keyword'],
    ['zscaler.dns.request_rule', 'keyword'],
    ['zscaler.dns.response_rule', 'keyword'],
    ['zscaler.dns.request', 'keyword', 'dns_req when it is a placeholder (Unknown, NotFound) rather than a name.'],
    ['zscaler.dns.request_type', 'keyword', 'The query type as written, when it is not a standard mnemonic.'],
    ['zscaler.dns.response', 'keyword', 'dns_resp when it is neither an address nor a host name (NotFound …).'],
    ['zscaler.dns.category', 'keyword'],
    ['zscaler.dns.error', 'keyword'],
    ['zscaler.dns.response_type', 'keyword'],
    ['zscaler.dns.application', 'keyword'],
    ['zscaler.dns.application_category', 'keyword'],
    ['zscaler.dns.response_ip_category', 'keyword'],
    ['dns.type', 'keyword'],
    ['dns.question.registered_domain', 'keyword'],
    ['dns.question.subdomain', 'keyword'],
    ['dns.question.top_level_domain', 'keyword'],
    ['dns.answers', 'json'],
    ['dns.resolved_ip', 'keyword[]'],
    ['file.name', 'keyword'],
    ['file.hash.md5', 'keyword'],
    ['file.hash.sha256', 'keyword'],
    ['http.request.body.bytes', 'long'],
    ['event.risk_score', 'double'],
    ['organization.name', 'keyword'],
    ['source.geo.country_name', 'keyword'],
    ['destination.geo.country_name', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec).concat(FIELD_ERROR_FIELDS);

export const zscaler: Format = {
  id: DATASET,
  title: 'Zscaler Internet Access NSS feeds',
  description:
    'NSS / Cloud NSS web, firewall, DNS, tunnel, admin audit and CASB feeds as JSON (flat or in the ' +
    '{"sourcetype":"zscalernss-web","event":{…}} envelope), name-value pairs, or tab-separated values named by ' +
    '--fields (the feed output template or the field names in order). Times without a zone are read in the ' +
    'record\'s tz, else --timezone, else UTC; epochtime is used when there is no text time. Field names may be the NSS ' +
    'tokens, the SIEM presets\' keys (ClientIP, requestmethod, protocol …) or the Cloud NSS spellings. url.original is the ' +
    'URL as logged; url.scheme and url.full come from the protocol. A malformed optional field is left out and noted ' +
    '(tags: _field_dropped).',
  framing: 'lines',
  options: [
    { name: 'fields', description: 'Tab-separated feeds: the NSS feed output format (%s{time}\\t%s{login}…) or its field names in order.' },
    { name: 'timezone', description: 'Zone of time/datetime values when records carry no tz field (offset or IANA name).' },
  ],
  detect: detectZscaler,
  createParser: (ctx) => new ZscalerParser(ctx),
  fields,
};
