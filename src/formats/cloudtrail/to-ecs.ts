import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { ECS_VERSION } from '../../ecs/event.js';
import { canonicalIp, ipList } from '../../ecs/ip.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { isoFromMillis, millisFromIso } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { RecordError, type ParserContext } from '../format.js';
import { classify } from './classify.js';
import { mapUserIdentity, obj, str, type Json } from './user-identity.js';
import { clip } from '../shared/reason.js';
import { FieldErrors, noteDropped } from '../shared/field-errors.js';
import { describe } from '../shared/json-record.js';

export const DATASET = 'aws.cloudtrail';

export interface RecordMeta {
  /** The text the record arrived as, for `event.original`; records of a Records array are re-serialized. */
  original?: string | undefined;
  /** Fallbacks from an EventBridge envelope (`account`, `region`). */
  account?: string | undefined;
  region?: string | undefined;
}

const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
// Service principals and hosts in sourceIPAddress (`s3.amazonaws.com`, `AWS Internal`).
const HOST_NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const HTTP_OK = /^[23]\d\d$/;
const TLS_VERSION = /^(TLS|SSL)v?([\d.]+)$/i;


/**
 * The record's time: eventTime, or the `@timestamp` Logstash and Beats put in its place when they
 * re-ship records. An eventTime that cannot be read beside a readable `@timestamp` is noted.
 */
function timestamp(r: Json, errors: FieldErrors): string {
  const t = str(r.eventTime);
  const at = str(r['@timestamp']);
  if (t !== undefined) {
    const read = readTime(t);
    if (read !== undefined) return read;
    const fallback = at === undefined ? undefined : readTime(at);
    if (fallback === undefined) throw new RecordError(`eventTime '${clip(t)}' is not an ISO 8601 UTC time`);
    errors.drop('eventTime', `eventTime '${clip(t)}' is not an ISO 8601 UTC time`);
    return fallback;
  }
  if (at === undefined) throw new RecordError('no eventTime (nor the @timestamp a Logstash or Beats re-shipment puts in its place)');
  const read = readTime(at);
  if (read === undefined) throw new RecordError(`@timestamp '${clip(at)}' (in place of eventTime) is not an ISO 8601 UTC time`);
  return read;
}

function readTime(t: string): string | undefined {
  // CloudTrail writes whole seconds with Z: keep that text as it is once Date accepts it.
  if (PLAIN_UTC.test(t) && !Number.isNaN(Date.parse(t))) return t;
  const ms = millisFromIso(t);
  return ms === undefined ? undefined : isoFromMillis(ms);
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** A boolean field; a value of another kind is left out and noted. */
function boolField(r: Json, key: string, errors: FieldErrors): boolean | undefined {
  const v = r[key];
  if (v === undefined || v === null || v === '') return undefined;
  const b = bool(v);
  if (b === undefined) errors.drop(key, `${key} ${describe(v)} is not true or false`);
  return b;
}

/**
 * The dedup key: AWS's eventID, which is the same in a Records file, an NDJSON line, CloudWatch Logs
 * and EventBridge. Time, API and principal are added because sample and redacted data reuse ids.
 * Records without an eventID fall back to their compact JSON text, which is formatting-independent.
 */
function idKey(r: Json, ts: string): string {
  const eventId = str(r.eventID);
  if (eventId) {
    const ui = obj(r.userIdentity);
    // A re-shipped record (eventTime renamed @timestamp) keeps the id of the record it copies.
    return `${eventId}\n${str(r.eventTime) ?? ts}\n${str(r.eventSource) ?? ''}\n${str(r.eventName) ?? ''}\n${str(ui?.principalId) ?? str(ui?.arn) ?? ''}`;
  }
  return JSON.stringify(r);
}

/** One CloudTrail record (API call, service event, sign-in, Insight) to ECS. Throws RecordError. */
export function cloudtrailToEcs(r: Json, meta: RecordMeta, ctx: ParserContext, errors: FieldErrors = new FieldErrors()): EcsEvent {
  const insightDetails = obj(r.insightDetails);
  const insight = r.eventType === 'AwsCloudTrailInsight' || insightDetails !== undefined;
  const eventSource = str(r.eventSource) ?? str(insightDetails?.eventSource);
  const eventName = str(r.eventName) ?? str(insightDetails?.eventName);
  if (!eventName && !insight) throw new RecordError('no eventName');
  const ts = timestamp(r, errors);
  const readOnly = boolField(r, 'readOnly', errors);
  const cls = classify(eventSource ?? '', eventName ?? '', readOnly, r.eventCategory === 'Data', insight);

  const event: NonNullable<EcsEvent['event']> = { kind: cls.kind };
  if (cls.category.length) event.category = cls.category;
  event.type = cls.type;
  if (eventName) event.action = eventName;
  if (eventSource) event.provider = eventSource;
  event.dataset = DATASET;
  event.module = 'aws';
  event.id = eventIdFor(DATASET, idKey(r, ts));
  event.ingested = ctx.ingested;
  const errorCode = str(r.errorCode);
  const errorMessage = str(r.errorMessage);
  event.outcome = outcome(r, eventName, errorCode);
  if (event.outcome === 'failure' && (errorMessage || errorCode)) event.reason = errorMessage ?? errorCode!;
  if (ctx.original) event.original = meta.original ?? JSON.stringify(r);

  const out: EcsEvent = {
    '@timestamp': ts,
    ecs: { version: ECS_VERSION },
    event,
    cloud: cloud(r, meta),
    observer: { vendor: 'AWS', product: 'CloudTrail' },
    log: { file: { path: ctx.source } },
  };

  const additional = obj(r.additionalEventData);
  const user: EcsObject = {};
  const identity = mapUserIdentity(r.userIdentity, additional, user);
  if (Object.keys(user).length) out.user = user;

  const sourceText = str(r.sourceIPAddress);
  const extraIps = source(out, sourceText);
  const ua = str(r.userAgent);
  if (ua) out.user_agent = parseUserAgent(ua);
  const tls = tlsDetails(obj(r.tlsDetails));
  if (tls) out.tls = tls;

  const ct: EcsObject = {};
  if (identity) ct.user_identity = identity;
  for (const [from, to] of SCALARS) {
    const v = r[from];
    if (v !== undefined && v !== null && v !== '') ct[to] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
  for (const [from, to] of BOOLEANS) {
    const v = from === 'readOnly' ? readOnly : boolField(r, from, errors);
    if (v !== undefined) ct[to] = v;
  }
  // Nested payloads stay JSON (a `json` column each): their shape differs per API.
  for (const [from, to] of PAYLOADS) {
    const v = r[from];
    if (v !== undefined && v !== null) ct[to] = v as EcsObject;
  }
  // As written, when source.ip does not say it all (lists, service names, redactions).
  if (sourceText && sourceText !== out.source?.ip) ct.source_ip_address = sourceText;
  const flat = consoleLogin(r, additional);
  if (flat) ct.console_login = flat;
  out.aws = { cloudtrail: ct };

  if (extraIps.length) out.related = { ip: extraIps };
  fillRelated(out);
  if (errors.count) noteDropped(out, errors, meta.original ?? JSON.stringify(r));
  return out;
}

function outcome(r: Json, eventName: string | undefined, errorCode: string | undefined): 'success' | 'failure' | 'unknown' {
  // Sign-in results are in the response or the service-event details, not in errorCode.
  const verdict = str(obj(r.responseElements)?.[eventName ?? '']) ?? str(obj(r.serviceEventDetails)?.[eventName ?? '']);
  if (verdict === 'Success') return 'success';
  if (verdict === 'Failure') return 'failure';
  // Some services (Managed Grafana) write the HTTP status into errorCode, 200 included.
  if (errorCode !== undefined) return HTTP_OK.test(errorCode) ? 'success' : 'failure';
  return r.eventType === 'AwsCloudTrailInsight' ? 'unknown' : 'success';
}

function cloud(r: Json, meta: RecordMeta): EcsObject {
  const c: EcsObject = { provider: 'aws' };
  const region = str(r.awsRegion) ?? meta.region;
  if (region) c.region = region;
  const account = str(r.recipientAccountId) ?? str(obj(r.userIdentity)?.accountId) ?? meta.account;
  if (account) c.account = { id: account };
  const source = str(r.eventSource);
  if (source) c.service = { name: source.endsWith('.amazonaws.com') ? source.slice(0, -'.amazonaws.com'.length) : source };
  return c;
}

/** Fills `source.*`; returns the other addresses of a comma list for `related.ip`. */
function source(out: EcsEvent, value: string | undefined): string[] {
  if (!value) return [];
  const ip = canonicalIp(value);
  if (ip) {
    out.source = { address: ip, ip };
    return [];
  }
  if (value.indexOf(',') >= 0) {
    const ips = ipList(value);
    if (ips.length) {
      out.source = { address: ips[0]!, ip: ips[0]! };
      return ips;
    }
  }
  // Calls made by AWS services name the service (`s3.amazonaws.com`) or say `AWS Internal`.
  if (HOST_NAME.test(value)) out.source = { address: value, domain: value.toLowerCase() };
  else if (value === 'AWS Internal') out.source = { address: value, domain: value };
  else out.source = { address: value };
  return [];
}

function tlsDetails(t: Json | undefined): EcsObject | undefined {
  if (!t) return undefined;
  const tls: EcsObject = {};
  const version = str(t.tlsVersion);
  if (version) {
    const m = TLS_VERSION.exec(version);
    if (m) {
      tls.version_protocol = m[1]!.toLowerCase();
      tls.version = m[2]!;
    } else if (/^\d+(\.\d+)?$/.test(version)) {
      tls.version_protocol = 'tls';
      tls.version = version;
    } else tls.version = version;
  }
  const cipher = str(t.cipherSuite);
  if (cipher) tls.cipher = cipher;
  const host = str(t.clientProvidedHostHeader);
  if (host) tls.client = { server_name: host };
  return Object.keys(tls).length ? tls : undefined;
}

/** ConsoleLogin details worth a column of their own (MFA use is a detection staple). */
function consoleLogin(r: Json, additional: Json | undefined): EcsObject | undefined {
  if (r.eventName !== 'ConsoleLogin' || !additional) return undefined;
  const out: EcsObject = {};
  const mfa = str(additional.MFAUsed);
  if (mfa) out.mfa_used = mfa === 'Yes';
  const loginTo = str(additional.LoginTo);
  if (loginTo) out.login_to = loginTo;
  const mobile = str(additional.MobileVersion);
  if (mobile) out.mobile_version = mobile === 'Yes';
  return Object.keys(out).length ? out : undefined;
}

/** Scalar record fields → `aws.cloudtrail.*`. */
export const SCALARS: [string, string][] = [
  ['eventVersion', 'event_version'],
  ['eventType', 'event_type'],
  ['eventCategory', 'event_category'],
  ['errorCode', 'error_code'],
  ['errorMessage', 'error_message'],
  ['requestID', 'request_id'],
  ['eventID', 'event_id'],
  ['apiVersion', 'api_version'],
  ['recipientAccountId', 'recipient_account_id'],
  ['sharedEventID', 'shared_event_id'],
  ['vpcEndpointId', 'vpc_endpoint_id'],
  ['vpcEndpointAccountId', 'vpc_endpoint_account_id'],
];

/** Boolean record fields (`true`/`false`, sometimes written as strings). */
export const BOOLEANS: [string, string][] = [
  ['readOnly', 'read_only'],
  ['managementEvent', 'management_event'],
  ['sessionCredentialFromConsole', 'session_credential_from_console'],
];

/** Nested record fields kept as JSON. */
export const PAYLOADS: [string, string][] = [
  ['requestParameters', 'request_parameters'],
  ['responseElements', 'response_elements'],
  ['additionalEventData', 'additional_eventdata'],
  ['serviceEventDetails', 'service_event_details'],
  ['resources', 'resources'],
  ['insightDetails', 'insight_details'],
  ['edgeDeviceDetails', 'edge_device_details'],
  ['addendum', 'addendum'],
];
