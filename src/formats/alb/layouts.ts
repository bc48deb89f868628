import { canonicalIp } from '../../ecs/ip.js';
import { MAX_DURATION_NANOS, millisFromDateTime } from '../../ecs/time.js';
import { RecordError } from '../format.js';
import { clip, present } from '../shared/aws-text.js';

/**
 * The four line layouts this format reads, as data: field names in file order (AWS ELB user guide,
 * formats.md §5) and how many leading fields a line needs before it is worth mapping. Lines may end
 * early (older layouts) or carry fields AWS added later (kept in `aws.alb.extra_fields`).
 */
export type LogType = 'alb_access' | 'alb_connection' | 'nlb_tls' | 'elb_classic';

export interface Layout {
  type: LogType;
  title: string;
  names: readonly string[];
  index: ReadonlyMap<string, number>;
  min: number;
}

const ALB_ACCESS = [
  'type', 'time', 'elb', 'client:port', 'target:port', 'request_processing_time', 'target_processing_time',
  'response_processing_time', 'elb_status_code', 'target_status_code', 'received_bytes', 'sent_bytes', 'request',
  'user_agent', 'ssl_cipher', 'ssl_protocol', 'target_group_arn', 'trace_id', 'domain_name', 'chosen_cert_arn',
  'matched_rule_priority', 'request_creation_time', 'actions_executed', 'redirect_url', 'error_reason',
  'target:port_list', 'target_status_code_list', 'classification', 'classification_reason', 'conn_trace_id',
  'transformed_host', 'transformed_uri', 'request_transform_status',
] as const;

// Classic Load Balancer: the ALB layout's first 16 fields without `type`, backends called targets.
const ELB_CLASSIC = ALB_ACCESS.slice(1, 16);

const NLB_TLS = [
  'type', 'version', 'time', 'elb', 'listener', 'client:port', 'destination:port', 'connection_time',
  'tls_handshake_time', 'received_bytes', 'sent_bytes', 'incoming_tls_alert', 'chosen_cert_arn', 'chosen_cert_serial',
  'tls_cipher', 'tls_protocol_version', 'tls_named_group', 'domain_name', 'alpn_fe_protocol', 'alpn_be_protocol',
  'alpn_client_preference_list', 'tls_connection_creation_time',
] as const;

const ALB_CONNECTION = [
  'time', 'client_ip', 'client_port', 'listener_port', 'tls_protocol', 'tls_cipher', 'tls_handshake_latency',
  'leaf_client_cert_subject', 'leaf_client_cert_validity', 'leaf_client_cert_serial_number', 'tls_verify_status',
  'conn_trace_id',
] as const;

function layout(type: LogType, title: string, names: readonly string[], min: number): Layout {
  return { type, title, names, index: new Map(names.map((n, i) => [n, i])), min };
}

// Minimums: ALB up to the request line, Classic the same, NLB up to the byte counts, connection logs
// up to the handshake latency (the shortest lines seen in AWS's and Elastic's samples have more).
export const LAYOUTS: Record<LogType, Layout> = {
  alb_access: layout('alb_access', 'an ALB access log line', ALB_ACCESS, 13),
  elb_classic: layout('elb_classic', 'a Classic ELB access log line', ELB_CLASSIC, 12),
  nlb_tls: layout('nlb_tls', 'an NLB TLS access log line', NLB_TLS, 11),
  alb_connection: layout('alb_connection', 'an ALB connection log line', ALB_CONNECTION, 7),
};

const ALB_TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);
const ISO_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;
const VERSION = /^\d+\.\d+$/;
const PORT = /^\d{1,5}$/;

/** Which layout a split line has, from its first fields; undefined when none fits. */
export function classify(fields: readonly string[]): Layout | undefined {
  const first = fields[0]!;
  if (ALB_TYPES.has(first)) return LAYOUTS.alb_access;
  if (first === 'tls' && VERSION.test(fields[1] ?? '')) return LAYOUTS.nlb_tls;
  if (ISO_START.test(first)) {
    // Connection logs write the client IP and port as two fields; Classic ELB writes a name, then ip:port.
    if (canonicalIp(fields[1]) !== undefined && PORT.test(fields[2] ?? '')) return LAYOUTS.alb_connection;
    return LAYOUTS.elb_classic;
  }
  return undefined;
}

/** One split line read by field name; null markers read as undefined. */
export class Row {
  constructor(
    readonly values: readonly string[],
    readonly layout: Layout,
  ) {}

  get(name: string): string | undefined {
    const i = this.layout.index.get(name);
    return i === undefined ? undefined : present(this.values[i]);
  }

  /** Fields past the known layout: AWS appends new ones over time. */
  extra(): string[] | undefined {
    const n = this.layout.names.length;
    return this.values.length > n ? this.values.slice(n) : undefined;
  }
}

/** A point in time with the sub-millisecond part kept, for durations from microsecond timestamps. */
export interface Instant {
  ms: number;
  /** Nanoseconds past `ms`. */
  ns: number;
}

// ALB writes microseconds and `Z`; NLB and connection logs may omit the fraction or the `Z` (UTC anyway).
const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z?$/;

export function instantField(name: string, v: string | undefined): Instant | undefined {
  if (v === undefined) return undefined;
  const m = ISO_UTC.exec(v);
  const ms = m ? millisFromDateTime(m[1]!, m[2]!) : undefined;
  if (ms === undefined) throw new RecordError(`${name} '${clip(v)}' is not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff][Z])`);
  const frac = (m![3] ?? '').padEnd(9, '0');
  return { ms: ms + Number(frac.slice(0, 3)), ns: Number(frac.slice(3)) };
}

/** Nanoseconds from `start` to `end`, or undefined when the clock went backwards. */
export function nanosBetween(start: Instant, end: Instant): number | undefined {
  const ns = (end.ms - start.ms) * 1e6 + (end.ns - start.ns);
  return ns >= 0 && ns <= MAX_DURATION_NANOS ? ns : undefined;
}

export interface Endpoint {
  ip: string;
  port?: number;
}

/**
 * `ip:port`, `[v6]:port` or an IPv6 address with the port after its last colon. A value that is
 * not an address is a rejection: source and destination are what these logs are for.
 */
export function endpointField(name: string, v: string | undefined): Endpoint | undefined {
  if (v === undefined) return undefined;
  let host = v;
  let port: string | undefined;
  if (v.charCodeAt(0) === 91 /* [ */) {
    const close = v.indexOf(']');
    host = close > 0 ? v.slice(1, close) : v;
    if (close > 0 && v.charCodeAt(close + 1) === 58 /* : */) port = v.slice(close + 2);
  } else {
    const colon = v.lastIndexOf(':');
    if (colon > 0) {
      const candidate = v.slice(0, colon);
      // Unbracketed IPv6 (`2001:db8::5:443`): the last group is the port only if the rest is an address.
      if (v.indexOf(':') === colon || canonicalIp(candidate) !== undefined) {
        host = candidate;
        port = v.slice(colon + 1);
      }
    }
  }
  const ip = canonicalIp(host);
  if (ip === undefined) throw new RecordError(`${name} '${clip(v)}' is not an IP address with a port`);
  if (port === undefined) return { ip };
  if (!PORT.test(port) || Number(port) > 65535) throw new RecordError(`${name} '${clip(v)}' has no valid port (expected ip:port)`);
  return { ip, port: Number(port) };
}

/** A TCP/UDP port number. */
export function portField(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!PORT.test(v) || Number(v) > 65535) throw new RecordError(`${name} '${clip(v)}' is not a port number (0-65535)`);
  return Number(v);
}
