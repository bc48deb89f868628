import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { canonicalIp, ipList, ipVersion } from '../../ecs/ip.js';
import { splitDomain } from '../../ecs/domain.js';
import { parseEncodedUserAgent } from '../../ecs/user-agent.js';
import { buildUrl, percentDecode } from '../../ecs/url.js';
import { isoFromMillis, millisFromDateTime, millisFromEpochSeconds, nanosFrom } from '../../ecs/time.js';
import { awsEvent } from '../shared/aws-text.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import { clip } from '../shared/reason.js';

export const DATASET = 'aws.cloudfront';

/** Reads a canonical field (see fields.ts); `-` and empty values read as absent. */
export type FieldReader = (name: string) => string | undefined;

export interface RecordMeta {
  /** The raw record, for `event.id` and `event.original`. */
  raw: string;
  /** From the S3 object name `<DistributionId>.YYYY-MM-DD-HH.<id>.gz`, when known. */
  distributionId?: string | undefined;
}

const STATUS = /^\d{3}$/;
const INTEGER = /^\d+$/;

function int(f: FieldReader, name: string): number | undefined {
  const v = f(name);
  if (v === undefined) return undefined;
  // Beyond 2^53 a double is no longer exact, and beyond 2^63 the store cannot hold it at all.
  if (!INTEGER.test(v) || !Number.isSafeInteger(Number(v))) throw new RecordError(`${name} '${clip(v)}' is not a whole number (0 to ${Number.MAX_SAFE_INTEGER})`);
  return Number(v);
}

function seconds(f: FieldReader, name: string): number | undefined {
  const v = f(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new RecordError(`${name} '${clip(v)}' is not a number of seconds`);
  return n;
}


function timestamp(f: FieldReader): number {
  const epoch = f('timestamp');
  if (epoch !== undefined) {
    const ms = millisFromEpochSeconds(epoch);
    if (ms === undefined) throw new RecordError(`timestamp '${clip(epoch)}' is not Unix epoch seconds (e.g. 1607497744.123)`);
    return ms;
  }
  const date = f('date');
  const time = f('time') ?? f('end_time') ?? f('start_time');
  if (date === undefined || time === undefined) throw new RecordError('no date and time fields');
  const ms = millisFromDateTime(date, time);
  if (ms === undefined) throw new RecordError(`bad date/time '${clip(date)} ${clip(time)}' (expected YYYY-MM-DD and HH:MM:SS, UTC)`);
  return ms;
}

/**
 * One CloudFront request, from any delivery form, to ECS. Throws RecordError when the record cannot
 * be trusted (bad time, non-IP client, non-numeric counters).
 */
export function cloudfrontToEcs(f: FieldReader, meta: RecordMeta, ctx: ParserContext): EcsEvent {
  const ms = timestamp(f);
  const statusText = f('sc-status');
  if (statusText !== undefined && !STATUS.test(statusText)) throw new RecordError(`sc-status '${clip(statusText)}' is not a 3-digit HTTP status`);
  const status = statusText === undefined ? undefined : Number(statusText);

  const clientText = f('c-ip');
  const clientIp = canonicalIp(clientText);
  if (clientText !== undefined && clientIp === undefined) throw new RecordError(`c-ip '${clip(clientText)}' is not an IP address`);

  const responseResult = f('x-edge-response-result-type');
  const edgeResult = f('x-edge-result-type');
  const timeTaken = seconds(f, 'time-taken');
  const out = awsEvent(
    { dataset: DATASET, raw: meta.raw, ms, category: ['web'], type: ['access'], service: 'cloudfront', observer: { vendor: 'AWS', product: 'CloudFront', type: 'cdn' } },
    ctx,
  );
  const event = out.event!;
  const action = responseResult ?? edgeResult;
  if (action) event.action = action;
  event.outcome = status === undefined ? 'unknown' : status === 0 || status >= 400 ? 'failure' : 'success';
  if (status === 0) event.reason = 'viewer closed the connection before CloudFront responded (sc-status 000)';
  const duration = timeTaken === undefined ? undefined : nanosFrom(timeTaken, 1e9);
  if (duration !== undefined) event.duration = duration;
  const start = f('start_time');
  const end = f('end_time');
  const date = f('date');
  if (date && start) {
    const s = millisFromDateTime(date, start);
    if (s !== undefined) event.start = isoFromMillis(s);
  }
  if (date && end) {
    const e = millisFromDateTime(date, end);
    if (e !== undefined) event.end = isoFromMillis(e);
  }

  if (clientIp) {
    const source: EcsObject = { address: clientIp, ip: clientIp };
    const port = int(f, 'c-port');
    if (port !== undefined) source.port = port;
    const country = f('c-country');
    if (country) source.geo = { country_iso_code: country };
    const asn = f('asn');
    if (asn && INTEGER.test(asn)) source.as = { number: Number(asn) };
    out.source = source;
  }

  const host = f('cs(Host)');
  if (host) {
    const d = splitDomain(host);
    const destination: EcsObject = { address: host, domain: d?.domain ?? host };
    if (d?.registered_domain) destination.registered_domain = d.registered_domain;
    if (d?.subdomain) destination.subdomain = d.subdomain;
    if (d?.top_level_domain) destination.top_level_domain = d.top_level_domain;
    out.destination = destination;
  }

  const http: EcsObject = {};
  const request: EcsObject = {};
  const method = f('cs-method');
  if (method) request.method = method;
  const requestId = f('x-edge-request-id');
  if (requestId) request.id = requestId;
  const requestBytes = int(f, 'cs-bytes');
  if (requestBytes !== undefined) request.bytes = requestBytes;
  const referer = f('cs(Referer)');
  if (referer) request.referrer = percentDecode(referer);
  http.request = request;
  const response: EcsObject = {};
  if (status !== undefined && status !== 0) response.status_code = status;
  const responseBytes = int(f, 'sc-bytes');
  if (responseBytes !== undefined) response.bytes = responseBytes;
  const bodyBytes = int(f, 'sc-content-len');
  if (bodyBytes !== undefined) response.body = { bytes: bodyBytes };
  const mime = f('sc-content-type');
  if (mime) response.mime_type = percentDecode(mime);
  http.response = response;
  const protocolVersion = f('cs-protocol-version');
  if (protocolVersion) http.version = protocolVersion.replace(/^HTTP\//i, '');
  out.http = http;

  const scheme = f('cs-protocol');
  const network: EcsObject = {};
  if (scheme) network.protocol = scheme;
  if (clientIp) network.type = ipVersion(clientIp);
  network.transport = protocolVersion === 'HTTP/3.0' ? 'udp' : 'tcp';
  const forwarded = ipList(percentDecode(f('x-forwarded-for') ?? ''));
  if (forwarded.length) network.forwarded_ip = forwarded[0]!;
  out.network = network;

  const path = f('cs-uri-stem');
  const query = f('cs-uri-query');
  const viewerHost = f('x-host-header');
  const url = buildUrl({ scheme: scheme === 'wss' || scheme === 'ws' || scheme === 'grpcs' ? scheme : scheme, domain: viewerHost, path, query });
  if (path) url.original = query ? `${path}?${query}` : path;
  if (Object.keys(url).length) out.url = url;

  const ua = f('cs(User-Agent)');
  if (ua) out.user_agent = parseEncodedUserAgent(ua);

  const tlsProtocol = f('ssl-protocol');
  if (tlsProtocol) {
    const m = /^(TLS|SSL)v?([\d.]+)$/i.exec(tlsProtocol);
    const tls: EcsObject = m ? { version_protocol: m[1]!.toLowerCase(), version: m[2]! } : { version: tlsProtocol };
    const cipher = f('ssl-cipher');
    if (cipher) tls.cipher = cipher;
    out.tls = tls;
  }

  const edgeLocation = f('x-edge-location');
  if (edgeLocation) out.server = { geo: { name: edgeLocation } };

  out.aws = { cloudfront: vendorFields(f, meta, { edgeLocation, edgeResult, responseResult, timeTaken, host, forwarded }) };
  if (forwarded.length) out.related = { ip: clientIp ? [clientIp, ...forwarded.filter((ip) => ip !== clientIp)] : forwarded };
  fillRelated(out);
  return out;
}

function vendorFields(
  f: FieldReader,
  meta: RecordMeta,
  known: { edgeLocation?: string | undefined; edgeResult?: string | undefined; responseResult?: string | undefined; timeTaken?: number | undefined; host?: string | undefined; forwarded: string[] },
): EcsObject {
  const cf: EcsObject = {};
  const distributionId = f('primary-distribution-id') ?? f('distribution-id') ?? f('distributionid') ?? meta.distributionId;
  if (distributionId) cf.distribution_id = distributionId;
  if (known.host) cf.domain = known.host;
  if (known.edgeLocation) cf.edge_location = known.edgeLocation;
  if (known.edgeResult) cf.edge_result_type = known.edgeResult;
  if (known.responseResult) cf.edge_response_result_type = known.responseResult;
  const detailed = f('x-edge-detailed-result-type');
  if (detailed) cf.edge_detailed_result_type = detailed;
  if (known.timeTaken !== undefined) cf.time_taken = known.timeTaken;
  const ttfb = seconds(f, 'time-to-first-byte');
  if (ttfb !== undefined) cf.time_to_first_byte = ttfb;
  const xff = f('x-forwarded-for');
  if (xff) cf.x_forwarded_for = known.forwarded.length ? known.forwarded : [xff];
  for (const [field, key] of STRING_VENDOR_FIELDS) {
    const v = f(field);
    if (v) cf[key] = v;
  }
  for (const [field, key] of INTEGER_VENDOR_FIELDS) {
    const v = int(f, field);
    if (v !== undefined) cf[key] = v;
  }
  for (const [field, key] of SECONDS_VENDOR_FIELDS) {
    const v = seconds(f, field);
    if (v !== undefined) cf[key] = v;
  }
  const count = f('count');
  if (count !== undefined && INTEGER.test(count)) cf.repeat_count = Number(count);
  return cf;
}

// Vendor fields copied as they are: [canonical field, aws.cloudfront.* key].
const STRING_VENDOR_FIELDS: [string, string][] = [
  ['fle-status', 'fle_status'],
  ['fle-encrypted-fields', 'fle_encrypted_fields'],
  ['cs(Cookie)', 'cookie'],
  ['c-ip-version', 'ip_version'],
  ['cs-accept-encoding', 'accept_encoding'],
  ['cs-accept', 'accept'],
  ['cache-behavior-path-pattern', 'cache_behavior_path_pattern'],
  ['cs-headers', 'headers'],
  ['cs-header-names', 'header_names'],
  ['primary-distribution-dns-name', 'primary_distribution_dns_name'],
];
const INTEGER_VENDOR_FIELDS: [string, string][] = [
  ['sc-range-start', 'range_start'],
  ['sc-range-end', 'range_end'],
  ['cs-headers-count', 'headers_count'],
];
const SECONDS_VENDOR_FIELDS: [string, string][] = [
  ['origin-fbl', 'origin_first_byte_latency'],
  ['origin-lbl', 'origin_last_byte_latency'],
];
