import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { canonicalIp, ipVersion } from '../../ecs/ip.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { buildUrl } from '../../ecs/url.js';
import { normalizeIdentity, identityToEcs } from '../../ecs/identity.js';
import { fillRelated } from '../../ecs/related.js';
import { nanosFrom } from '../../ecs/time.js';
import { RecordError, type ParserContext } from '../format.js';
import {
  awsEvent, clip, intField, parseArn, present, setCloudOrigin, splitRequestLine, splitTarget,
  statusField, tlsFields,
} from '../shared/aws-text.js';
import { INDEX, S3_FIELDS, type S3Field } from './fields.js';

export const DATASET = 'aws.s3access';

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `01/Aug/2019:00:24:41 +0000` (the brackets already removed) → epoch ms. */
export function millisFromAccessLogTime(v: string): number | undefined {
  const m = TIME.exec(v);
  if (!m) return undefined;
  const month = MONTHS[m[2]!];
  const day = Number(m[1]);
  if (month === undefined || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return undefined;
  const local = Date.UTC(Number(m[3]), month, day, Number(m[4]), Number(m[5]), Number(m[6]));
  if (new Date(local).getUTCDate() !== day) return undefined;
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return m[7] === '-' ? local + offset : local - offset;
}

// s3.<region>.amazonaws.com, <bucket>.s3.dualstack.<region>.amazonaws.com, s3-<region>.amazonaws.com …
const HOST_REGION = /(?:^|\.)s3(?:-accesspoint|-fips)?[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;
// Partitioned delivery: <prefix><SourceAccountId>/<SourceRegion>/<SourceBucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<id>
const PARTITIONED_KEY = /(?:^|\/)(\d{12})\/([a-z]{2}(?:-[a-z]+)+-\d)\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z]+$/;

export interface ObjectOrigin {
  account?: string;
  region?: string;
}

export function originFromObjectName(name: string): ObjectOrigin {
  const m = PARTITIONED_KEY.exec(name);
  return m ? { account: m[1]!, region: m[2]! } : {};
}

// Vendor fields copied as logged: S3 field → aws.s3access.* key (the same name).
const STRING_FIELDS: S3Field[] = [
  'bucket_owner', 'bucket', 'requester', 'request_id', 'operation', 'key', 'request_uri', 'error_code', 'version_id',
  'host_id', 'signature_version', 'cipher_suite', 'authentication_type', 'host_header', 'tls_version',
  'access_point_arn', 'acl_required', 'source_region',
];

/** One S3 server access log row (already split) to ECS. */
export function s3accessToEcs(values: readonly string[], raw: string, origin: ObjectOrigin, ctx: ParserContext): EcsEvent {
  const f = new FieldReader(values);
  const timeText = f.get('time');
  const ms = timeText === undefined ? undefined : millisFromAccessLogTime(timeText);
  if (ms === undefined) throw new RecordError(`time '${clip(timeText ?? '-')}' is not [DD/Mon/YYYY:HH:MM:SS +hhmm]`);
  const remote = f.get('remote_ip');
  const ip = canonicalIp(remote);
  if (remote !== undefined && ip === undefined) throw new RecordError(`remote_ip '${clip(remote)}' is not an IP address`);
  const status = statusField('http_status', f.get('http_status'));
  const bytesSent = intField('bytes_sent', f.get('bytes_sent'));
  const objectSize = intField('object_size', f.get('object_size'));
  const totalTime = intField('total_time', f.get('total_time'));
  const turnAround = intField('turn_around_time', f.get('turn_around_time'));
  const errorCode = f.get('error_code');

  const out = awsEvent(
    { dataset: DATASET, raw, ms, category: ['web'], type: ['access'], service: 's3', observer: { vendor: 'AWS', product: 'S3', type: 'storage' } },
    ctx,
  );
  const event = out.event!;
  const operation = f.get('operation');
  if (operation) event.action = operation;
  event.outcome = status !== undefined ? (status >= 400 ? 'failure' : 'success') : errorCode ? 'failure' : 'unknown';
  const duration = totalTime === undefined ? undefined : nanosFrom(totalTime, 1e6);
  if (duration !== undefined) event.duration = duration;

  const cloud = out.cloud as EcsObject;
  const host = f.get('host_header');
  setCloudOrigin(cloud, origin.region ?? (host ? HOST_REGION.exec(host)?.[1] : undefined), origin.account);
  const accessPoint = parseArn(f.get('access_point_arn'));
  if (accessPoint) setCloudOrigin(cloud, accessPoint.region || undefined, undefined);

  if (ip) {
    out.client = { address: ip, ip };
    out.source = { address: ip, ip };
    out.network = { type: ipVersion(ip) };
  }
  const requester = f.get('requester');
  if (requester && requester.startsWith('arn:')) {
    const user: EcsObject = { id: requester };
    const id = normalizeIdentity(requester);
    if (id) identityToEcs(id, user);
    out.user = user;
  } else if (requester && CANONICAL_ID.test(requester)) out.user = { id: requester };

  const request = splitRequestLine(f.get('request_uri'));
  const http: EcsObject = {};
  const req: EcsObject = {};
  if (request.method) req.method = request.method;
  const requestId = f.get('request_id');
  if (requestId) req.id = requestId;
  const referer = f.get('referer');
  if (referer) req.referrer = referer;
  if (Object.keys(req).length) http.request = req;
  const res: EcsObject = {};
  if (status !== undefined) res.status_code = status;
  if (bytesSent !== undefined) res.body = { bytes: bytesSent };
  if (Object.keys(res).length) http.response = res;
  if (request.version) http.version = request.version;
  if (Object.keys(http).length) out.http = http;
  if (request.target) {
    const target = splitTarget(request.target);
    const tlsVersion = f.get('tls_version');
    const url = buildUrl({ scheme: host ? (tlsVersion ? 'https' : 'http') : undefined, domain: host, path: target.path, query: target.query });
    url.original = request.target;
    out.url = url;
  }
  if (errorCode) out.error = { code: errorCode };

  const ua = f.get('user_agent');
  if (ua) out.user_agent = parseUserAgent(ua);
  const tls = tlsFields(f.get('tls_version'), f.get('cipher_suite'));
  if (tls) out.tls = tls;

  const s3: EcsObject = {};
  for (const name of STRING_FIELDS) {
    const v = f.get(name);
    if (v) s3[name] = v;
  }
  if (bytesSent !== undefined) s3.bytes_sent = bytesSent;
  if (objectSize !== undefined) s3.object_size = objectSize;
  if (totalTime !== undefined) s3.total_time = totalTime;
  if (turnAround !== undefined) s3.turn_around_time = turnAround;
  if (values.length > S3_FIELDS.length) s3.extra_fields = values.slice(S3_FIELDS.length);
  out.aws = { s3access: s3 };
  fillRelated(out);
  return out;
}

/** Reads a row by field name; null markers read as undefined. */
class FieldReader {
  constructor(private readonly values: readonly string[]) {}

  get(name: S3Field): string | undefined {
    return present(this.values[INDEX.get(name)!]);
  }
}

/** A canonical user id: 64 hex characters. */
const CANONICAL_ID = /^[0-9a-f]{64}$/;
