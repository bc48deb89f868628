import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { ipVersion } from '../../ecs/ip.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { buildUrl } from '../../ecs/url.js';
import { isoFromMillis } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import {
  awsEvent, decimalField, intField, parseArn, setCloudOrigin, splitAbsoluteUrl, splitRequestLine, splitTarget,
  statusField, tlsFields,
} from '../shared/aws-text.js';
import { endpointField, instantField, nanosBetween, type Row } from './layouts.js';

export const DATASET = 'aws.alb';

/** What the S3 object name tells about the load balancer (`<account>_elasticloadbalancing_<region>_app.<name>.<id>_…`). */
export interface ObjectOrigin {
  account?: string;
  region?: string;
}

const OBJECT_NAME = /(?:^|[\\/])(\d{12})_elasticloadbalancing_([a-z0-9-]+)_(?:app|net)\.[A-Za-z0-9-]+\.[0-9a-f]+_/;

export function originFromObjectName(name: string): ObjectOrigin {
  const m = OBJECT_NAME.exec(name);
  return m ? { account: m[1]!, region: m[2]! } : {};
}

// X-Amzn-Trace-Id: `Root=1-<8 hex epoch>-<24 hex>` among `Self=`/`Parent=`/custom parts, or the bare
// root id as WAF logs it for ALB-scoped web ACLs (httpRequest.requestId).
const TRACE_ROOT = /(?:^|;)\s*(?:Root=)?1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})(?:;|$)/;
const ACCOUNT = /^\d{12}$/;

/** Elastic's `trace.id`: the Root id's two hex parts joined, 32 hex characters (joins ALB and WAF). */
export function flattenTraceId(traceId: string): string | undefined {
  const m = TRACE_ROOT.exec(traceId);
  return m ? (m[1]! + m[2]!).toLowerCase() : undefined;
}

/** Region and account from an ARN the line carries, when the object name did not give them. */
export function cloudFromArns(cloud: EcsObject, origin: ObjectOrigin, ...arns: (string | undefined)[]): void {
  setCloudOrigin(cloud, origin.region, origin.account);
  for (const value of arns) {
    const arn = parseArn(value);
    if (arn) setCloudOrigin(cloud, arn.region || undefined, ACCOUNT.test(arn.account) ? arn.account : undefined);
  }
}

function list(v: string | undefined, separator: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(separator).filter((x) => x !== '' && x !== '-');
  return items.length ? items : undefined;
}

// Vendor fields copied as logged: [layout field, aws.alb.* key].
const STRING_FIELDS: [string, string][] = [
  ['elb', 'name'],
  ['type', 'request_type'],
  ['target_group_arn', 'target_group_arn'],
  ['trace_id', 'trace_id'],
  ['chosen_cert_arn', 'chosen_cert_arn'],
  ['redirect_url', 'redirect_url'],
  ['error_reason', 'error_reason'],
  ['classification', 'classification'],
  ['classification_reason', 'classification_reason'],
  ['conn_trace_id', 'conn_trace_id'],
  ['transformed_host', 'transformed_host'],
  ['transformed_uri', 'transformed_uri'],
  ['request_transform_status', 'request_transform_status'],
  ['request', 'request'],
];
const SECONDS_FIELDS: [string, string][] = [
  ['request_processing_time', 'request_processing_time'],
  ['target_processing_time', 'target_processing_time'],
  ['response_processing_time', 'response_processing_time'],
];

/** ALB and Classic ELB access log lines (one HTTP request each) to ECS. */
export function accessToEcs(row: Row, raw: string, origin: ObjectOrigin, ctx: ParserContext): EcsEvent {
  const end = instantField('time', row.get('time'));
  if (!end) throw new RecordError('time is missing (expected an ISO 8601 UTC time)');
  const client = endpointField('client:port', row.get('client:port'));
  if (!client) throw new RecordError("client:port is missing (expected the client's ip:port)");
  const target = endpointField('target:port', row.get('target:port'));
  const status = statusField('elb_status_code', row.get('elb_status_code'));
  const targetStatus = statusField('target_status_code', row.get('target_status_code'));
  const received = intField('received_bytes', row.get('received_bytes'));
  const sent = intField('sent_bytes', row.get('sent_bytes'));
  const start = instantField('request_creation_time', row.get('request_creation_time'));
  const priority = intField('matched_rule_priority', row.get('matched_rule_priority'));

  const out = awsEvent(
    {
      dataset: DATASET, raw, ms: end.ms, category: ['web'], type: ['access'], service: 'elasticloadbalancing',
      observer: { vendor: 'AWS', product: 'Elastic Load Balancing', type: 'load-balancer' },
    },
    ctx,
  );
  const event = out.event!;
  event.outcome = status === undefined ? 'unknown' : status >= 400 ? 'failure' : 'success';
  event.end = isoFromMillis(end.ms);
  if (start) {
    event.start = isoFromMillis(start.ms);
    const duration = nanosBetween(start, end);
    if (duration !== undefined) event.duration = duration;
  }
  const errorReason = row.get('error_reason');
  if (errorReason) event.reason = errorReason;
  const name = row.get('elb');
  if (name) (out.observer as EcsObject).name = name;
  cloudFromArns(out.cloud as EcsObject, origin, row.get('target_group_arn'), row.get('chosen_cert_arn'));

  out.source = { address: client.ip, ip: client.ip };
  if (client.port !== undefined) out.source.port = client.port;
  if (target) {
    out.destination = { address: target.ip, ip: target.ip };
    if (target.port !== undefined) out.destination.port = target.port;
  }

  const request = splitRequestLine(row.get('request'));
  const http: EcsObject = {};
  const req: EcsObject = {};
  if (request.method) req.method = request.method;
  if (received !== undefined) req.bytes = received;
  http.request = req;
  const res: EcsObject = {};
  if (status !== undefined) res.status_code = status;
  if (sent !== undefined) res.bytes = sent;
  http.response = res;
  if (request.version) http.version = request.version;
  out.http = http;
  if (request.target) out.url = requestUrl(request.target);

  const requestType = row.get('type');
  out.network = {
    type: ipVersion(client.ip),
    transport: 'tcp',
    protocol: requestType === 'ws' || requestType === 'wss' ? 'websocket' : requestType === 'grpcs' ? 'grpc' : 'http',
  };

  const ua = row.get('user_agent');
  if (ua) out.user_agent = parseUserAgent(ua);
  let tls = tlsFields(row.get('ssl_protocol'), row.get('ssl_cipher'));
  const sni = row.get('domain_name');
  if (sni) (tls ??= {}).client = { server_name: sni };
  if (tls) out.tls = tls;
  const traceId = row.get('trace_id');
  const flat = traceId ? flattenTraceId(traceId) : undefined;
  if (flat) out.trace = { id: flat };

  const alb: EcsObject = { log_type: row.layout.type };
  for (const [field, key] of STRING_FIELDS) {
    const v = row.get(field);
    if (v) alb[key] = v;
  }
  for (const [field, key] of SECONDS_FIELDS) {
    const v = decimalField(field, row.get(field));
    if (v !== undefined) alb[key] = v;
  }
  if (targetStatus !== undefined) alb.target_status_code = targetStatus;
  if (priority !== undefined) alb.matched_rule_priority = priority;
  const actions = list(row.get('actions_executed'), ',');
  if (actions) alb.actions_executed = actions;
  const targets = list(row.get('target:port_list'), ' ');
  if (targets) alb.target_port_list = targets;
  const targetStatuses = list(row.get('target_status_code_list'), ' ');
  if (targetStatuses) alb.target_status_code_list = targetStatuses;
  const extra = row.extra();
  if (extra) alb.extra_fields = extra;
  out.aws = { alb };
  fillRelated(out);
  return out;
}

/** `url.*` from the request target: ALB logs an absolute URL, anything else is kept as a path. */
function requestUrl(target: string): EcsObject {
  const abs = splitAbsoluteUrl(target);
  const url = abs
    ? buildUrl({ scheme: abs.scheme, domain: abs.host, port: abs.port, path: abs.path, query: abs.query })
    : buildUrl(splitTarget(target));
  url.original = target;
  return url;
}
