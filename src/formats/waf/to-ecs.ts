import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { pruneEmpty } from '../../ecs/event.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { canonicalIp, ipList, ipVersion } from '../../ecs/ip.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { buildUrl } from '../../ecs/url.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import { awsEvent, clip, parseArn, setCloudOrigin } from '../shared/aws-text.js';
import { flattenTraceId } from '../alb/to-ecs.js';
import { arr, describe, obj, requireStr, str, type Json } from '../shared/json-record.js';
import { summarizeRules, tokenResponse } from './rules.js';

export const DATASET = 'aws.waf';

/** action → [event.type second entry, event.outcome]: whether the request was let through to the origin. */
const ACTIONS: Record<string, ['allowed' | 'denied', 'success' | 'failure']> = {
  ALLOW: ['allowed', 'success'],
  COUNT: ['allowed', 'success'],
  BLOCK: ['denied', 'failure'],
  // CAPTCHA/CHALLENGE as the logged action means the client got the puzzle or challenge page instead.
  CAPTCHA: ['denied', 'failure'],
  CHALLENGE: ['denied', 'failure'],
};

// Epoch milliseconds between 1973 and 5138: catches epoch seconds and other units.
const MIN_MS = 1e11;
const MAX_MS = 1e14;
const HTTP_VERSION = /^HTTP\/(\d+(?:\.\d+)?)$/i;
// `regional/webacl/<name>/<id>` or `global/webacl/<name>/<id>`
const WEBACL_RESOURCE = /^(?:regional|global)\/webacl\/([^/]+)\//;
const HOST_PORT = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/;
const BRACKETS = /^\[|\]$/g;
const DIGITS = /^\d+$/;

function timestamp(record: Json): number {
  const v = record.timestamp;
  const ms = typeof v === 'number' ? v : typeof v === 'string' && DIGITS.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(ms) || ms < MIN_MS || ms >= MAX_MS) throw new RecordError(`timestamp is ${describe(v)}, expected Unix epoch milliseconds`);
  return ms;
}

interface Headers {
  /** Header name as logged → value; repeated headers joined with `, ` as HTTP does. */
  all: EcsObject;
  host?: string;
  userAgent?: string;
  referer?: string;
  forwardedFor?: string;
}

function readHeaders(list: unknown): Headers {
  const h: Headers = { all: {} };
  for (const item of arr(list)) {
    const header = obj(item);
    const name = typeof header?.name === 'string' ? header.name : undefined;
    const value = typeof header?.value === 'string' ? header.value : undefined;
    if (!name || value === undefined) continue;
    const prev = h.all[name];
    h.all[name] = typeof prev === 'string' ? `${prev}, ${value}` : value;
    // Header names are case-insensitive; the first occurrence wins for the ECS fields.
    switch (name.toLowerCase()) {
      case 'host':
        h.host ??= value;
        break;
      case 'user-agent':
        h.userAgent ??= value;
        break;
      case 'referer':
        h.referer ??= value;
        break;
      case 'x-forwarded-for':
        h.forwardedFor = h.forwardedFor === undefined ? value : `${h.forwardedFor}, ${value}`;
        break;
    }
  }
  return h;
}

/** One WAF log record (WAFv2, any protected resource) to ECS. */
export function wafToEcs(record: Json, raw: string, ctx: ParserContext): EcsEvent {
  // Rule match details are kept as they are: a value nested 10^5 deep overflowed the stack writing the event.
  if (nestedDeeperThan(record)) throw new RecordError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels; a WAF log record is a few levels deep`);
  const ms = timestamp(record);
  const webAclId = requireStr(record, 'webaclId', 'the web ACL ARN');
  const action = requireStr(record, 'action', 'ALLOW, BLOCK, COUNT, CAPTCHA or CHALLENGE');
  const request = obj(record.httpRequest);
  if (!request) throw new RecordError(`httpRequest is ${describe(record.httpRequest)}, expected an object`);
  const clientText = str(request.clientIp);
  const clientIp = canonicalIp(clientText);
  if (clientText !== undefined && clientIp === undefined) throw new RecordError(`httpRequest.clientIp '${clip(clientText)}' is not an IP address`);

  const known = ACTIONS[action.toUpperCase()];
  const arn = parseArn(webAclId);
  const aclName = arn ? WEBACL_RESOURCE.exec(arn.resource)?.[1] : undefined;
  const out = awsEvent(
    {
      dataset: DATASET, raw, ms, category: ['web', 'network'], type: known ? ['access', known[0]] : ['access'], service: 'wafv2',
      observer: { vendor: 'AWS', product: 'WAF', type: 'waf', name: aclName },
    },
    ctx,
  );
  const event = out.event!;
  event.action = action.toLowerCase();
  event.outcome = known ? known[1] : 'unknown';
  if (arn) setCloudOrigin(out.cloud as EcsObject, arn.region || undefined, arn.account || undefined);

  const rules = summarizeRules(record);
  const ruleId = str(record.terminatingRuleId);
  const ruleType = str(record.terminatingRuleType);
  const rule: EcsObject = {};
  if (ruleId) rule.id = ruleId;
  const ruleName = rules.groupTerminating?.ruleId ?? ruleId;
  if (ruleName) rule.name = ruleName;
  // Elastic's choice: the terminating rule type (REGULAR, GROUP, RATE_BASED, MANAGED_RULE_GROUP).
  if (ruleType) rule.ruleset = ruleType;
  out.rule = rule;

  const headers = readHeaders(request.headers);
  if (clientIp) {
    const source: EcsObject = { address: clientIp, ip: clientIp };
    const country = str(request.country);
    if (country) source.geo = { country_iso_code: country };
    const asn = typeof record.clientAsn === 'number' || (typeof record.clientAsn === 'string' && DIGITS.test(record.clientAsn)) ? Number(record.clientAsn) : NaN;
    // An AS number is a 32-bit count: 1e32 (or 1.5) is no AS, and no long the store can hold.
    if (Number.isSafeInteger(asn) && asn >= 0) source.as = { number: asn };
    out.source = source;
  }

  const httpVersion = HTTP_VERSION.exec(str(request.httpVersion) ?? '')?.[1];
  const http: EcsObject = { request: {} };
  const req = http.request as EcsObject;
  const method = str(request.httpMethod);
  if (method) req.method = method;
  const requestId = str(request.requestId);
  if (requestId) req.id = requestId;
  // For ALB-scoped ACLs the request id is the ALB trace id: the same trace.id as the ALB access log.
  const traceId = requestId ? flattenTraceId(requestId) : undefined;
  if (traceId) out.trace = { id: traceId };
  if (headers.referer) req.referrer = headers.referer;
  if (httpVersion) http.version = httpVersion;
  // A custom response code is an HTTP status: anything else (1e308) is not stored as one.
  const responseCode = typeof record.responseCodeSent === 'number' && Number.isInteger(record.responseCodeSent) && record.responseCodeSent >= 100 && record.responseCodeSent <= 999 ? record.responseCodeSent : undefined;
  if (responseCode !== undefined) http.response = { status_code: responseCode };
  out.http = http;

  const forwarded = ipList(headers.forwardedFor);
  out.network = { protocol: 'http', transport: httpVersion?.startsWith('3') ? 'udp' : 'tcp' };
  if (clientIp) out.network.type = ipVersion(clientIp);
  if (forwarded.length) out.network.forwarded_ip = forwarded[0]!;

  out.url = requestUrl(request, headers.host);
  if (headers.userAgent) out.user_agent = parseUserAgent(headers.userAgent);
  const ja3 = str(record.ja3Fingerprint);
  const ja4 = str(record.ja4Fingerprint);
  if (ja3 || ja4) {
    const client: EcsObject = {};
    if (ja3) client.ja3 = ja3;
    if (ja4) client.ja4 = ja4;
    out.tls = { client };
  }

  const waf = rules.waf;
  waf.arn = webAclId;
  if (arn) waf.id = arn.resource;
  if (aclName) waf.web_acl_name = aclName;
  const formatVersion = str(record.formatVersion);
  if (formatVersion) waf.format_version = formatVersion;
  waf.action = action;
  if (ruleType) waf.terminating_rule_type = ruleType;
  if (rules.groupTerminating?.groupId) waf.terminating_rule_group_id = rules.groupTerminating.groupId;
  const sourceName = str(record.httpSourceName);
  const sourceId = str(record.httpSourceId);
  if (sourceName || sourceId) waf.source = { name: sourceName, id: sourceId };
  waf.request = { headers: headers.all };
  const inserted = arr(record.requestHeadersInserted);
  if (inserted.length) waf.request_headers_inserted = inserted as EcsObject[];
  if (responseCode !== undefined) waf.response_code_sent = responseCode;
  const captcha = tokenResponse(record.captchaResponse);
  if (captcha) waf.captcha_response = captcha;
  const challenge = tokenResponse(record.challengeResponse);
  if (challenge) waf.challenge_response = challenge;
  const oversize = arr(record.oversizeFields).filter((x): x is string => typeof x === 'string');
  if (oversize.length) waf.oversize_fields = oversize;
  if (typeof record.requestBodySize === 'number') waf.request_body_size = record.requestBodySize;
  if (typeof record.requestBodySizeInspectedByWAF === 'number') waf.request_body_size_inspected = record.requestBodySizeInspectedByWAF;
  out.aws = { waf };

  if (forwarded.length) out.related = { ip: clientIp ? [clientIp, ...forwarded.filter((ip) => ip !== clientIp)] : forwarded };
  pruneEmpty(out);
  fillRelated(out);
  return out;
}

/** `url.*` from the request: newer records carry scheme/host/fragment, older ones only the Host header. */
function requestUrl(request: Json, hostHeader: string | undefined): EcsObject {
  const path = str(request.uri);
  const query = str(request.args);
  const hostPort = HOST_PORT.exec(str(request.host) ?? hostHeader ?? '');
  const port = hostPort?.[2] !== undefined ? Number(hostPort[2]) : undefined;
  const scheme = str(request.scheme)?.toLowerCase();
  const url = buildUrl({ scheme, domain: hostPort?.[1]?.replace(BRACKETS, ''), port: port !== undefined && port <= 65535 ? port : undefined, path, query });
  if (url.original === undefined && path) url.original = query ? `${path}?${query}` : path;
  const fragment = str(request.fragment);
  if (fragment) url.fragment = fragment;
  return url;
}
