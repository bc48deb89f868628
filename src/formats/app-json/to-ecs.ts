import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { ECS_VERSION, setOwn } from '../../ecs/event.js';
import { canonicalIp, ipList, ipVersion } from '../../ecs/ip.js';
import { identityToEcs, normalizeIdentity } from '../../ecs/identity.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { buildUrl, parseUrl } from '../../ecs/url.js';
import { isoFromMillis, millisFromIso, nanosFrom } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { RecordError, type ParserContext } from '../format.js';
import type { CompiledMapping, DurationUnit, LogicalField } from './mapping.js';
import { decodeJwt, redactText, scrubTokens } from './jwt.js';
import { clip } from '../shared/reason.js';

export const DATASET = 'app.json';

const MAX_DEPTH = 6;
const MAX_LEAVES = 500;
const MAX_EXTRA = 64;
// pino / bunyan numeric levels
const LEVELS: Record<string, string> = { '10': 'trace', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal' };
const NANOS: Record<DurationUnit, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?$/;

type Flat = Map<string, unknown>;

/** Leaves of the record by lower-cased dotted path (`req.headers.x-amz-cf-id`); arrays are leaves. */
function flatten(obj: Record<string, unknown>): Flat {
  const flat: Flat = new Map();
  const walk = (node: Record<string, unknown>, prefix: string, depth: number) => {
    for (const key of Object.keys(node)) {
      if (flat.size >= MAX_LEAVES) return;
      const v = node[key];
      const path = prefix + key.toLowerCase();
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) walk(v as Record<string, unknown>, path + '.', depth + 1);
      else if (v !== null && v !== undefined && v !== '' && v !== '-') flat.set(path, v);
    }
  };
  walk(obj, '', 0);
  return flat;
}

class Reader {
  readonly used = new Set<string>();
  constructor(
    readonly flat: Flat,
    readonly mapping: CompiledMapping,
  ) {}

  /** The first candidate present for a logical field, with its unit (duration). */
  pick(field: LogicalField): { value: unknown; unit?: DurationUnit | undefined; path: string } | undefined {
    for (const c of this.mapping.fields[field]) {
      const v = this.flat.get(c.path);
      if (v !== undefined) {
        this.used.add(c.path);
        return { value: v, unit: c.unit, path: c.path };
      }
    }
    return undefined;
  }

  text(field: LogicalField): string | undefined {
    const p = this.pick(field);
    if (!p) return undefined;
    const v = p.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    // Multi-valued headers (`x-forwarded-for: [a, b]`) read as one comma-separated value.
    if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number').join(', ') || undefined;
    return undefined;
  }
}


function timestamp(r: Reader): number {
  const p = r.pick('timestamp');
  if (!p) throw new RecordError(`no timestamp (looked for ${r.mapping.fields.timestamp.map((c) => c.path).join(', ')})`);
  const v = p.value;
  let n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  if (n !== undefined) {
    // Epoch by magnitude: seconds (1.7e9), milliseconds (1.7e12), microseconds (1.7e15), nanoseconds (1.7e18).
    if (n >= 1e17) n /= 1e6;
    else if (n >= 1e14) n /= 1e3;
    else if (n < 1e11) n *= 1000;
    if (n >= 0 && n < 8.64e15) return Math.round(n);
  } else if (typeof v === 'string') {
    const ms = millisFromIso(v);
    if (ms !== undefined) return ms;
  }
  throw new RecordError(`${p.path} ${JSON.stringify(clip(String(v)))} is not an ISO 8601 time or Unix epoch (s, ms, µs or ns)`);
}

function durationNanos(p: { value: unknown; unit?: DurationUnit | undefined } | undefined, fallback: DurationUnit): number | undefined {
  if (!p) return undefined;
  let n: number;
  let unit = p.unit ?? fallback;
  if (typeof p.value === 'number') n = p.value;
  else if (typeof p.value === 'string') {
    const m = DURATION_TEXT.exec(p.value.trim());
    if (!m) return undefined;
    n = Number(m[1]);
    if (m[2]) unit = m[2] === 'µs' ? 'us' : (m[2] as DurationUnit);
  } else return undefined;
  return nanosFrom(n, NANOS[unit]);
}

function integer(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,15}$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** `Root=1-67891233-abcdef012345678912345678;Parent=…` → the 32 hex characters ALB logs as trace id. */
function amznTraceId(header: string): string | undefined {
  const m = /(?:^|;)\s*(?:Root=)?1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})(?:;|$)/.exec(header);
  return m ? (m[1]! + m[2]!).toLowerCase() : undefined;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;

/** One application log record (already parsed) to ECS. Throws RecordError for records without a usable time. */
export function appJsonToEcs(obj: Record<string, unknown>, raw: string, mapping: CompiledMapping, ctx: ParserContext): EcsEvent {
  // Tokens leave the record before anything is read from it, so no field can carry one.
  const tokens = scrubTokens(obj);
  const r = new Reader(flatten(obj), mapping);
  const ms = timestamp(r);
  const event: NonNullable<EcsEvent['event']> = {
    kind: 'event',
    category: ['web'],
    type: ['access'],
    dataset: DATASET,
    module: 'app',
    id: eventIdFor(DATASET, raw),
    ingested: ctx.ingested,
  };
  const out: EcsEvent = { '@timestamp': isoFromMillis(ms), ecs: { version: ECS_VERSION }, event };
  const app: EcsObject = {};

  const level = r.text('level');
  if (level) out.log = { level: Object.hasOwn(LEVELS, level) ? LEVELS[level]! : level.toLowerCase() };
  const message = r.text('message');
  if (message) out.message = message;

  const http: EcsObject = {};
  const request: EcsObject = {};
  const response: EcsObject = {};
  const method = r.text('method');
  if (method) request.method = method.toUpperCase();
  const status = integer(r.text('status'));
  if (status !== undefined && status >= 100 && status <= 999) {
    response.status_code = status;
    event.outcome = status >= 400 ? 'failure' : 'success';
  }
  const bytesIn = integer(r.text('bytes_in'));
  if (bytesIn !== undefined) request.bytes = bytesIn;
  const bytesOut = integer(r.text('bytes_out'));
  if (bytesOut !== undefined) response.bytes = bytesOut;
  const referrer = r.text('referrer');
  if (referrer) request.referrer = referrer;
  const duration = durationNanos(r.pick('duration'), mapping.durationUnit);
  if (duration !== undefined) event.duration = duration;

  // The join keys: X-Amz-Cf-Id = CloudFront x-edge-request-id = WAF requestId.
  const cfId = r.text('cf_id')?.trim();
  const requestId = r.text('request_id')?.trim();
  if (cfId) request.id = cfId;
  else if (requestId) request.id = requestId;
  if (requestId) app.request_id = requestId;
  const amzn = r.text('amzn_trace_id')?.trim();
  const traceparent = r.text('traceparent')?.trim().toLowerCase();
  const traceId = (amzn && amznTraceId(amzn)) || (traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined);
  if (traceId) out.trace = { id: traceId };
  if (amzn) app.trace_header = amzn;
  if (traceparent) {
    app.traceparent = traceparent;
    const span = TRACEPARENT.exec(traceparent)?.[2];
    if (span) out.span = { id: span };
  }

  // URL: a full URL, or a path (+ query) with the Host header and forwarded scheme.
  const rawUrl = r.text('url');
  const host = r.text('host')?.toLowerCase();
  const scheme = r.text('scheme')?.toLowerCase().split(',')[0]?.trim();
  let url: EcsObject | undefined;
  if (rawUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl)) url = parseUrl(rawUrl);
  else {
    const target = rawUrl ?? r.text('path');
    if (target || host) {
      const q = target ? target.indexOf('?') : -1;
      const query = q >= 0 ? target!.slice(q + 1) : r.text('query');
      url = buildUrl({ scheme: scheme && host ? scheme : undefined, domain: host?.replace(/:\d+$/, ''), path: q >= 0 ? target!.slice(0, q) : target, query });
      if (target && !url.original) url.original = target;
    }
  }
  if (url && Object.keys(url).length) out.url = url;

  if (Object.keys(request).length) http.request = request;
  if (Object.keys(response).length) http.response = response;
  if (Object.keys(http).length) out.http = http;

  // Addresses: the first X-Forwarded-For hop is the client; the peer is whoever connected to the app.
  const forwarded = ipList(r.text('forwarded_for'));
  const clientIp = forwarded[0] ?? canonicalIp(r.text('client_ip'));
  const peerIp = canonicalIp(r.text('peer_ip'));
  const client = clientIp ?? peerIp;
  if (client) {
    out.client = { ip: client };
    const source: EcsObject = { ip: client, address: client };
    const port = integer(r.text('peer_port'));
    if (port !== undefined && port > 0 && port < 65536 && client === peerIp) source.port = port;
    out.source = source;
  }
  const network: EcsObject = {};
  if (forwarded.length) {
    network.forwarded_ip = forwarded[0]!;
    app.forwarded_for = forwarded;
  }
  if (client) network.type = ipVersion(client);
  if (Object.keys(network).length) out.network = network;
  if (peerIp) app.peer_ip = peerIp;
  const related = [...forwarded];
  for (const ip of [clientIp, peerIp]) if (ip && !related.includes(ip)) related.push(ip);
  if (related.length) out.related = { ip: related };

  const ua = r.text('user_agent');
  if (ua) out.user_agent = parseUserAgent(ua);
  const service = r.text('service');
  if (service) out.service = { name: service };
  const serverHost = r.text('server_host');
  if (serverHost) out.host = { name: serverHost.toLowerCase() };

  // Identity: the app's own user field, else the token's claims (decoded, not verified).
  r.text('authorization');
  const user: EcsObject = {};
  const id = normalizeIdentity(r.text('user'));
  if (id) identityToEcs(id, user);
  const userId = r.text('user_id');
  if (userId) user.id = userId;
  if (tokens.length) {
    const primary = decodeJwt(tokens[0]!, ms);
    app.jwt = primary.fields;
    if (tokens.length > 1) app.jwt_count = tokens.length;
    const c = primary.claims;
    if (c) {
      const claimed = normalizeIdentity(firstString(c, ['upn', 'preferred_username', 'email', 'unique_name']));
      if (claimed && !user.name) identityToEcs(claimed, user);
      if (!user.id) {
        const sub = firstString(c, ['oid', 'sub']);
        if (sub) user.id = sub;
      }
      if (typeof c.email === 'string' && !user.email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.email)) user.email = c.email.toLowerCase();
      if (typeof c.name === 'string' && !user.full_name) user.full_name = c.name;
    }
    const flags = (primary.fields.flags as string[]).slice();
    for (const t of tokens.slice(1, 4)) for (const f of decodeJwt(t, ms).fields.flags as string[]) if (!flags.includes(f)) flags.push(f);
    if (flags.length) out.tags = flags.map((f) => `jwt_${f}`);
  }
  if (Object.keys(user).length) out.user = user;

  const extra = leftovers(r);
  if (extra) app.extra = extra;
  if (Object.keys(app).length) out.app = app;
  if (ctx.original) event.original = tokens.length ? originalWithoutTokens(raw, tokens, obj) : raw;
  out.observer = { type: 'application' };
  if (ctx.source) out.log = { ...((out.log as EcsObject | undefined) ?? {}), file: { path: ctx.source } };
  fillRelated(out);
  return out;
}

function firstString(c: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof c[k] === 'string' && c[k] !== '') return c[k] as string;
  return undefined;
}

/** Fields no mapping read, kept by dotted path (bounded) so nothing the app logged is lost. */
function leftovers(r: Reader): EcsObject | undefined {
  let extra: EcsObject | undefined;
  let n = 0;
  for (const [path, v] of r.flat) {
    if (r.used.has(path)) continue;
    if (n++ >= MAX_EXTRA) break;
    // Paths are the record's keys: `__proto__` is set as a field, not as extra's prototype.
    setOwn((extra ??= {}), path, v as EcsValue);
  }
  return extra;
}

/**
 * The raw text with every token replaced. Short opaque values could also occur as ordinary text, and
 * an escaped form might survive: both cases store the scrubbed record re-serialized instead.
 */
function originalWithoutTokens(raw: string, tokens: ReturnType<typeof scrubTokens>, scrubbed: Record<string, unknown>): string {
  if (tokens.some((t) => t.token.length < 16)) return JSON.stringify(scrubbed);
  const text = redactText(raw, tokens);
  return tokens.some((t) => text.includes(t.token)) ? JSON.stringify(scrubbed) : text;
}
