import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Which record keys feed which ECS field, as data: a default table of candidate keys per logical field,
 * overridable per field by a JSON or YAML mapping file (format option `mapping`):
 *
 *   fields:                      # logical field → candidate keys (dotted paths, case-insensitive)
 *     timestamp: [when, meta.ts]
 *     duration: ["took:ms"]      # duration candidates may name their unit (ns, us, ms, s)
 *     cf_id: ["header:X-Amz-Cf-Id", edge_id]   # header:NAME looks in every header container
 *   headers: [hdrs, request.headers]   # header containers (replace the default list)
 *   duration_unit: ms            # unit of unsuffixed duration candidates (default ms)
 *
 * A candidate `header:NAME` matches NAME in every header container and as a top-level key written
 * with dashes or underscores, in any case.
 */
export const LOGICAL_FIELDS = [
  'timestamp', 'level', 'message', 'method', 'url', 'path', 'query', 'host', 'scheme', 'status', 'duration',
  'bytes_in', 'bytes_out', 'client_ip', 'peer_ip', 'peer_port', 'forwarded_for', 'cf_id', 'amzn_trace_id',
  'traceparent', 'request_id', 'user_agent', 'referrer', 'user', 'user_id', 'service', 'server_host', 'authorization',
] as const;
export type LogicalField = (typeof LOGICAL_FIELDS)[number];

export type DurationUnit = 'ns' | 'us' | 'ms' | 's';
const UNITS: readonly DurationUnit[] = ['ns', 'us', 'ms', 's'];

const DEFAULT_FIELDS: Record<LogicalField, string[]> = {
  timestamp: ['timestamp', 'time', '@timestamp', 'ts', '@t', 'datetime', 'date', 'logged_at'],
  level: ['level', 'severity', 'log.level', 'loglevel', '@l', 'lvl'],
  message: ['message', 'msg', '@m', '@mt', 'event'],
  method: ['method', 'http.method', 'http.request.method', 'request.method', 'req.method', 'httpmethod', 'verb'],
  url: ['url', 'uri', 'http.url', 'request.url', 'req.url', 'request_uri', 'requesturi', 'originalurl', 'req.originalurl'],
  path: ['path', 'http.path', 'request.path', 'req.path', 'url.path', 'route'],
  query: ['query', 'querystring', 'query_string', 'request.query', 'req.query'],
  host: ['header:Host', 'http.host', 'request.host', 'req.host', 'host'],
  scheme: ['header:X-Forwarded-Proto', 'scheme', 'protocol', 'request.scheme'],
  status: ['status', 'status_code', 'statuscode', 'http.status', 'http.status_code', 'http.response.status_code', 'response.status', 'res.statuscode', 'res.status', 'response.status_code'],
  duration: [
    'latency_ms:ms', 'duration_ms:ms', 'elapsed_ms:ms', 'response_time_ms:ms', 'responsetime:ms', 'request_time_ms:ms', 'took_ms:ms',
    'latency_us:us', 'duration_us:us', 'duration_ns:ns', 'latency_ns:ns', 'latency_s:s', 'duration_s:s', 'request_time:s',
    'latency', 'duration', 'elapsed', 'response_time', 'took', 'http.duration',
  ],
  bytes_in: ['bytes_in', 'request_bytes', 'request.bytes', 'req.bytes', 'content_length_in', 'header:Content-Length'],
  bytes_out: ['bytes_out', 'bytes', 'bytes_sent', 'response_bytes', 'response.bytes', 'res.bytes', 'size', 'content_length'],
  client_ip: ['client_ip', 'clientip', 'remote_ip', 'remoteip', 'ip', 'client.ip', 'req.ip', 'request.ip', 'real_ip', 'header:X-Real-IP', 'header:CF-Connecting-IP'],
  peer_ip: ['peer_ip', 'peer.ip', 'remote_addr', 'remoteaddr', 'remoteaddress', 'req.remoteaddress', 'request.remote_addr', 'socket_ip', 'peer'],
  peer_port: ['peer_port', 'remote_port', 'remoteport', 'req.remoteport', 'client_port'],
  forwarded_for: ['header:X-Forwarded-For', 'forwarded_for', 'xff'],
  cf_id: ['header:X-Amz-Cf-Id', 'cf_id', 'cloudfront_id', 'amz_cf_id', 'edge_request_id'],
  amzn_trace_id: ['header:X-Amzn-Trace-Id', 'amzn_trace_id', 'aws_trace_id'],
  traceparent: ['header:traceparent', 'trace_parent'],
  request_id: ['header:X-Request-Id', 'request_id', 'requestid', 'req_id', 'reqid', 'req.id', 'header:X-Correlation-Id', 'correlation_id'],
  user_agent: ['header:User-Agent', 'user_agent', 'useragent', 'ua', 'http.user_agent', 'request.user_agent'],
  referrer: ['header:Referer', 'referrer', 'referer', 'http.referrer'],
  user: ['user', 'username', 'user_name', 'user.name', 'user.email', 'user.username', 'email', 'principal', 'login', 'actor', 'userprincipalname', 'upn'],
  user_id: ['user_id', 'userid', 'user.id', 'uid'],
  service: ['service', 'service.name', 'app', 'application', 'logger', 'name'],
  server_host: ['hostname', 'server', 'server_name', 'pod', 'instance'],
  authorization: ['header:Authorization'],
};

const DEFAULT_HEADERS = ['headers', 'request.headers', 'req.headers', 'http.request.headers', 'http.headers', 'requestheaders', 'request_headers'];

export interface Candidate {
  /** Lower-cased dotted path into the flattened record. */
  path: string;
  unit?: DurationUnit;
}

export interface CompiledMapping {
  fields: Record<LogicalField, Candidate[]>;
  headerContainers: string[];
  durationUnit: DurationUnit;
  /** Where the mapping came from, for messages. */
  origin: string;
}

function expand(entry: string, containers: string[], defaultUnit: DurationUnit | undefined): Candidate[] {
  let key = entry.trim();
  let unit: DurationUnit | undefined;
  const colon = key.lastIndexOf(':');
  if (colon > 0 && UNITS.includes(key.slice(colon + 1) as DurationUnit)) {
    unit = key.slice(colon + 1) as DurationUnit;
    key = key.slice(0, colon);
  }
  unit ??= defaultUnit;
  const withUnit = (path: string): Candidate => (unit ? { path, unit } : { path });
  if (!key.toLowerCase().startsWith('header:')) return [withUnit(key.toLowerCase())];
  const name = key.slice(7).trim().toLowerCase();
  const under = name.replace(/-/g, '_');
  const paths = [...containers.map((c) => `${c}.${name}`), name, under];
  return [...new Set(paths)].map(withUnit);
}

export function compileMapping(spec: MappingSpec, origin: string): CompiledMapping {
  const containers = (spec.headers ?? DEFAULT_HEADERS).map((c) => c.toLowerCase());
  const durationUnit = spec.duration_unit ?? 'ms';
  const fields = {} as Record<LogicalField, Candidate[]>;
  for (const f of LOGICAL_FIELDS) {
    const entries = spec.fields?.[f] ?? DEFAULT_FIELDS[f];
    fields[f] = entries.flatMap((e) => expand(e, containers, f === 'duration' ? durationUnit : undefined));
  }
  return { fields, headerContainers: containers, durationUnit, origin };
}

export interface MappingSpec {
  fields?: Partial<Record<LogicalField, string[]>>;
  headers?: string[];
  duration_unit?: DurationUnit;
}

/** Checks a parsed mapping document; throws an Error that says what is wrong and what is expected. */
export function validateMapping(doc: unknown): MappingSpec {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('expected an object with "fields", "headers" and/or "duration_unit"');
  const spec: MappingSpec = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (key === 'fields') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('"fields" must map logical field names to a key or a list of keys');
      const fields: Partial<Record<LogicalField, string[]>> = {};
      for (const [name, keys] of Object.entries(value as Record<string, unknown>)) {
        if (!(LOGICAL_FIELDS as readonly string[]).includes(name)) throw new Error(`unknown field "${name}" (known: ${LOGICAL_FIELDS.join(', ')})`);
        fields[name as LogicalField] = stringList(keys, `fields.${name}`);
      }
      spec.fields = fields;
    } else if (key === 'headers') spec.headers = stringList(value, 'headers');
    else if (key === 'duration_unit') {
      if (!UNITS.includes(value as DurationUnit)) throw new Error(`"duration_unit" must be one of ${UNITS.join(', ')}, got ${JSON.stringify(value)}`);
      spec.duration_unit = value as DurationUnit;
    } else throw new Error(`unknown key "${key}" (expected fields, headers, duration_unit)`);
  }
  return spec;
}

function stringList(v: unknown, where: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.trim() !== '')) {
    throw new Error(`"${where}" must be a non-empty key or list of non-empty keys`);
  }
  return list as string[];
}

export const DEFAULT_MAPPING: CompiledMapping = compileMapping({}, 'the default mapping');

/** Reads and validates a mapping file (JSON, or YAML for any other content). Throws with the reason. */
export function loadMapping(path: string): CompiledMapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read mapping file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`mapping file ${path} is not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return compileMapping(validateMapping(doc), `mapping file ${path}`);
  } catch (e) {
    throw new Error(`mapping file ${path}: ${(e as Error).message}`);
  }
}
