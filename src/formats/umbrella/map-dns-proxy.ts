import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { splitDomain, normalizeHost } from '../../ecs/domain.js';
import { parseUrl } from '../../ecs/url.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { ipVersion } from '../../ecs/ip.js';
import { RecordError, type ParserContext } from '../format.js';
import { resolveIdentities } from './identities.js';
import { Row, applyAction, applyIdentities, baseEvent, copyColumns, endpoint, vendor, type CopySpec, put } from './row.js';

// DNS types are 16-bit: five digits at most, so a 30-digit "type" never becomes a number no long holds.
const QUERY_TYPE = /^(\d{1,5})\s*\(([^)]+)\)$/;
const STATUS = /^\d{3}$/;

/**
 * `1 (A)` → `A`; a bare mnemonic stays as written, a bare number is kept as the numeric type.
 * `Other` (a type Umbrella does not name) is no record type: kept only as written.
 */
function queryType(value: string): { name?: string; number?: number; other?: string } {
  const m = QUERY_TYPE.exec(value);
  if (m) return { name: m[2]!.trim().toUpperCase(), number: Number(m[1]) };
  if (/^\d{1,5}$/.test(value)) return { number: Number(value) };
  if (/^other$/i.test(value)) return { other: value };
  return { name: value.toUpperCase() };
}

function identities(event: EcsEvent, row: Row): void {
  const policy = row.get('policy_identity');
  const policyType = row.get('policy_identity_type');
  if (policy) vendor(event, 'policy_identity', policy);
  if (policyType) vendor(event, 'policy_identity_type', policyType);
  applyIdentities(event, resolveIdentities(policy, policyType, row.get('identities'), row.get('identity_types')));
}

function clientSide(event: EcsEvent, row: Row): void {
  const internal = row.ip('internal_ip');
  const external = row.ip('external_ip');
  endpoint(event, 'source', internal);
  if (external) {
    const source = (event.source as EcsObject | undefined) ?? {};
    source.nat = { ip: external };
    event.source = source;
  }
  const first = internal ?? external;
  if (first) put(event, 'network.type', ipVersion(first));
}

export function dnsToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'event', category: ['network'], type: ['protocol'], observerType: 'dns' }, ctx);
  applyAction(event, row.get('action'));
  identities(event, row);
  clientSide(event, row);
  const domain = row.get('domain');
  if (!domain) throw new RecordError(`column 9 (domain) is empty (expected the queried name)`);
  const question: EcsObject = { name: normalizeHost(domain) ?? domain };
  const parts = splitDomain(domain);
  if (parts?.registered_domain) question.registered_domain = parts.registered_domain;
  if (parts?.subdomain) question.subdomain = parts.subdomain;
  if (parts?.top_level_domain) question.top_level_domain = parts.top_level_domain;
  const qt = row.get('query_type');
  if (qt) {
    const t = queryType(qt);
    if (t.name) question.type = t.name;
    if (t.number !== undefined) vendor(event, 'query_type_id', t.number);
    if (t.other !== undefined) vendor(event, 'query_type', t.other);
  }
  const dns: EcsObject = { type: 'query', question };
  const rcode = row.get('response_code');
  if (rcode) dns.response_code = rcode.toUpperCase();
  event.dns = dns;
  put(event, 'network.protocol', 'dns');
  copyColumns(event, row, DNS_COPY);
  return event;
}

const DNS_COPY: readonly CopySpec[] = [
  ['categories', 'categories', 'list'],
  ['blocked_categories', 'blocked_categories', 'list'],
];

export function proxyToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'event', category: ['network', 'web'], type: ['access'], observerType: 'proxy' }, ctx);
  applyAction(event, row.get('action'));
  identities(event, row);
  clientSide(event, row);
  endpoint(event, 'destination', row.ip('destination_ip'));

  const url = row.get('url');
  if (url) {
    const u = parseUrl(url);
    event.url = u;
    if (typeof u.domain === 'string') {
      const d = (event.destination as EcsObject | undefined) ?? {};
      d.domain = u.domain;
      event.destination = d;
    }
    if (typeof u.scheme === 'string') put(event, 'network.protocol', u.scheme === 'https' ? 'http' : u.scheme);
  }
  const http: EcsObject = {};
  const request: EcsObject = {};
  const response: EcsObject = {};
  const method = row.get('request_method');
  if (method) request.method = method.toUpperCase();
  const referrer = row.get('referer');
  if (referrer) request.referrer = referrer;
  const reqBytes = row.long('request_size');
  if (reqBytes !== undefined) request.bytes = reqBytes;
  const status = row.get('status_code');
  if (status !== undefined && !STATUS.test(status)) row.drop('status_code', status, 'is not a 3-digit HTTP status');
  else if (status !== undefined && status !== '000') response.status_code = Number(status);
  const respBytes = row.long('response_size');
  if (respBytes !== undefined) response.bytes = respBytes;
  const bodyBytes = row.long('response_body_size');
  if (bodyBytes !== undefined) response.body = { bytes: bodyBytes };
  const mime = row.get('content_type');
  if (mime) response.mime_type = mime;
  if (Object.keys(request).length) http.request = request;
  if (Object.keys(response).length) http.response = response;
  if (Object.keys(http).length) event.http = http;

  const ua = row.get('user_agent');
  if (ua) event.user_agent = parseUserAgent(ua);

  const sha = row.get('sha256');
  if (sha) put(event, 'file.hash.sha256', sha.toLowerCase());
  const fileName = row.get('file_name');
  if (fileName) put(event, 'file.name', fileName);
  const ruleId = row.get('rule_id');
  if (ruleId) put(event, 'rule.id', ruleId);
  const ruleset = row.get('ruleset_id');
  if (ruleset) put(event, 'rule.ruleset', ruleset);
  copyColumns(event, row, PROXY_COPY);
  return event;
}

const PROXY_COPY: readonly CopySpec[] = [
  ['categories', 'categories', 'list'],
  ['blocked_categories', 'blocked_categories', 'list'],
  ['av_detections', 'av_detections', 'list'],
  ['puas', 'puas', 'list'],
  ['amp_disposition', 'amp.disposition', 'keyword'],
  ['amp_malware_name', 'amp.malware_name', 'keyword'],
  ['amp_score', 'amp.score', 'keyword'],
  ['dlp_status', 'dlp_status', 'keyword'],
  ['certificate_errors', 'certificate_errors', 'keyword'],
  ['destination_list_ids', 'destination_list_ids', 'list'],
  ['isolate_action', 'isolate_action', 'keyword'],
  ['file_action', 'file_action', 'keyword'],
  ['warn_status', 'warn_status', 'keyword'],
  ['forwarding_method', 'forwarding_method', 'keyword'],
  ['producer', 'producer', 'keyword'],
  ['msp_organization_id', 'msp_organization_id', 'keyword'],
  ['blocked_destination_countries', 'blocked_destination_countries', 'list'],
  ['application_ids', 'application_ids', 'list'],
  ['hostname', 'hostname', 'keyword'],
  ['data_center', 'data_center', 'keyword'],
  ['egress', 'egress', 'keyword'],
  ['server_name', 'server_name', 'keyword'],
  ['time_based_rule', 'time_based_rule', 'keyword'],
  ['security_overridden', 'security_overridden', 'keyword'],
  ['detected_response_file_type', 'detected_response_file_type', 'keyword'],
  ['warn_categories', 'warn_categories', 'list'],
  ['organization_id', 'organization_id', 'keyword'],
];
