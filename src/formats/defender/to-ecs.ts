import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { ECS_VERSION, setPath } from '../../ecs/event.js';
import { canonicalIp, ipVersion } from '../../ecs/ip.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { buildUrl, parseUrl } from '../../ecs/url.js';
import { isoFromMillis, millisFromIso } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { RecordError, type ParserContext } from '../format.js';
import { compiledTable, OBSERVER_PRODUCT, type Kind } from './tables.js';
import { actionRule } from './actions.js';
import { mapDns, mapInspection, parseAdditional } from './additional.js';
import { identities } from './accounts.js';
import { additionalDirection, alertEvidence, inboundSides } from './sides.js';
import { noteDropped, type FieldErrors } from '../shared/field-errors.js';
import { TYPED_PATHS } from './fields.js';

export const DATASET = 'microsoft.defender';

export interface DefenderRecord {
  /** The advanced-hunting row (`properties` of a streaming record, or the row itself). */
  row: Record<string, unknown>;
  /** Table name (from the envelope category, a hint, the file name or the columns). */
  table: string | undefined;
  /** Streaming-envelope fields, when the row came wrapped. */
  envelope?: { time?: unknown; tenantId?: unknown; tenant?: unknown } | undefined;
  /** The raw record for `event.id` and `event.original`. */
  raw: string;
}

const TRANSPORT: Record<string, string> = { tcp: 'tcp', tcpv4: 'tcp', tcpv6: 'tcp', udp: 'udp', udpv4: 'udp', udpv6: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp' };
const KEEP_UNCONVERTED = new Set<Kind>(['transport', 'ip', 'date']);
const INTEGER = /^-?\d+$/;
const HEX = /^[0-9a-fA-F]+$/;
// Alert severities on ECS's 0–100 scale, as Elastic's Defender integration writes them.
const SEVERITY: Record<string, number> = { informational: 1, low: 21, medium: 47, high: 73, critical: 99 };

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A whole number within 2^53 (beyond, a double is not exact, and past 2^63 no long column holds it). */
function integer(v: unknown): number | undefined {
  const n = typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && INTEGER.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** What a column value of a kind should have been, for the note on a value left out. */
const EXPECTED: Partial<Record<Kind, string>> = {
  int: 'a whole number', pid: 'a process id', port: 'a port number (0–65535)', bool: 'true or false', hash: 'a hexadecimal hash',
};
/** A value of the wrong kind (`RemotePort: "http"`): left out of the event and noted. */
const MALFORMED = Symbol('malformed');

/**
 * Converts a column value; `undefined` means absent (null, `-`, empty; pid and port 0),
 * MALFORMED a value that is not of the expected kind.
 */
function convert(v: unknown, kind: Kind): EcsValue | undefined | typeof MALFORMED {
  switch (kind) {
    case 's':
      return text(v);
    case 'list': {
      const t = text(v);
      return t === undefined ? undefined : [t];
    }
    case 'lower':
      return text(v)?.toLowerCase();
    case 'int':
      return integer(v) ?? malformed(v);
    case 'pid': {
      const n = integer(v);
      return n === undefined || n < 0 ? malformed(v) : n > 0 ? n : undefined;
    }
    case 'port': {
      const n = integer(v);
      return n === undefined || n < 0 || n > 65535 ? malformed(v) : n > 0 ? n : undefined;
    }
    case 'ip':
      return typeof v === 'string' ? canonicalIp(v) : undefined;
    case 'date':
      return typeof v === 'string' ? isoTime(v) : undefined;
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'True' || v === 1) return true;
      if (v === 'false' || v === 'False' || v === 0) return false;
      return malformed(v);
    case 'hash':
      return typeof v === 'string' && HEX.test(v) ? v.toLowerCase() : malformed(v);
    case 'json': {
      const parsed = parseAdditional(v);
      return parsed === undefined ? undefined : (parsed as EcsValue);
    }
    case 'transport': {
      const t = text(v)?.toLowerCase();
      return t !== undefined && Object.hasOwn(TRANSPORT, t) ? TRANSPORT[t] : undefined;
    }
    case 'image':
      return text(v);
    case 'special':
      return undefined;
  }
}

/** Absent (empty, `-`) or, for anything else, MALFORMED. */
function malformed(v: unknown): undefined | typeof MALFORMED {
  return v === '' || v === '-' ? undefined : MALFORMED;
}

/** `C:\\Windows\\System32\\smss.exe`, `\\Device\\HarddiskVolume3\\…\\smss.exe`, `/usr/bin/bash` → the file name; undefined when no path. */
function baseName(v: string): string | undefined {
  const cut = Math.max(v.lastIndexOf('\\'), v.lastIndexOf('/'));
  return cut >= 0 && cut < v.length - 1 ? v.slice(cut + 1) : undefined;
}

const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/** Two ASCII digits at `i` as a number (the caller has checked they are digits). */
function two(v: string, i: number): number {
  return (v.charCodeAt(i) - 48) * 10 + v.charCodeAt(i + 1) - 48;
}

/**
 * Defender writes UTC with up to 7 fractional digits (`2022-11-07T17:07:41.698868Z`): those are cut to
 * milliseconds as text, which is much cheaper than a Date round trip; other forms go through Date.
 */
export function isoTime(v: string): string | undefined {
  if (CANONICAL_ISO.test(v)) {
    const month = two(v, 5);
    const day = two(v, 8);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && two(v, 11) <= 23 && two(v, 14) <= 59 && two(v, 17) <= 59) {
      if (v.length <= 21) return `${v.slice(0, 19)}Z`;
      const frac = (v.slice(20, -1) + '00').slice(0, 3);
      return frac === '000' ? `${v.slice(0, 19)}Z` : `${v.slice(0, 19)}.${frac}Z`;
    }
  }
  const ms = millisFromIso(v);
  return ms === undefined ? undefined : isoFromMillis(ms);
}

const snakeCache = new Map<string, string[]>();

/**
 * `microsoft.defender.<snake_case>` path of a column no table maps (or whose value did not convert);
 * `…_raw` when that name is a typed field, which must not hold it as written.
 */
function vendorPath(column: string): string[] {
  let p = snakeCache.get(column);
  if (!p) {
    const snake = column
      .replace(/IPv(\d)/g, 'Ipv$1')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .replace(/^_+|_+$/g, '')
      .toLowerCase();
    const name = snake || 'column';
    p = ['microsoft', 'defender', TYPED_PATHS.has(`microsoft.defender.${name}`) ? `${name}_raw` : name];
    // Column names are a small vocabulary; the bound only guards against hostile input.
    if (snakeCache.size < 10_000) snakeCache.set(column, p);
  }
  return p;
}

function timestamp(rec: DefenderRecord): string {
  const row = rec.row;
  const value = row.Timestamp ?? row.TimeGenerated ?? row.timestamp ?? rec.envelope?.time;
  if (value === undefined || value === null) throw new RecordError('no Timestamp column (expected the advanced-hunting event time, ISO 8601 UTC)');
  const iso = typeof value === 'string' ? isoTime(value) : undefined;
  if (iso === undefined) throw new RecordError(`Timestamp ${JSON.stringify(String(value).slice(0, 60))} is not an ISO 8601 time`);
  return iso;
}

/**
 * RemoteUrl is a full URL or a bare host (`subdomain.domain.tld`, `host:8443/path`); AlertEvidence Url
 * entities may prefix it with `uri=`.
 */
function url(written: string, out: EcsEvent): void {
  const value = written.startsWith('uri=') ? written.slice(4) : written;
  if (value === '') return;
  let u: EcsObject;
  if (value.indexOf('://') > 0) u = parseUrl(value);
  else {
    const m = /^([^/:?#\s]+)(?::(\d{1,5}))?([/?#].*)?$/.exec(value);
    if (!m) return;
    const rest = m[3] ?? '';
    const q = rest.indexOf('?');
    u = buildUrl({
      domain: m[1],
      port: m[2] ? Number(m[2]) : undefined,
      path: rest ? (q >= 0 ? rest.slice(0, q) : rest) : undefined,
      query: q >= 0 ? rest.slice(q + 1) : undefined,
    });
    u.original = value;
  }
  out.url = u;
  // buildUrl already split the host with the public suffix list; IP hosts have no registered domain.
  const domain = u.domain;
  if (typeof domain === 'string' && (u.top_level_domain !== undefined || !canonicalIp(domain))) {
    const dest = (out.destination ??= {}) as EcsObject;
    dest.domain = domain;
    if (u.registered_domain) dest.registered_domain = u.registered_domain;
    if (u.subdomain) dest.subdomain = u.subdomain;
    if (u.top_level_domain) dest.top_level_domain = u.top_level_domain;
  }
}

/** DeviceInfo / DeviceNetworkInfo: adapter addresses and MAC. */
function deviceAddresses(row: Record<string, unknown>, host: EcsObject): void {
  const ips: string[] = [];
  const parsed = parseAdditional(row.IPAddresses);
  if (Array.isArray(parsed)) {
    for (const a of parsed) {
      const ip = canonicalIp(text(a !== null && typeof a === 'object' && !Array.isArray(a) ? (a as EcsObject).IPAddress : a));
      if (ip && !ips.includes(ip)) ips.push(ip);
    }
  }
  if (ips.length) host.ip = ips;
  const mac = text(row.MacAddress);
  if (mac && /^[0-9A-Fa-f]{12}$/.test(mac)) host.mac = [mac.toUpperCase().match(/../g)!.join('-')];
}

/**
 * One advanced-hunting row to ECS. Throws RecordError when the row has no usable Timestamp; a column
 * value of the wrong kind is left out and noted in `errors` (shared/field-errors.ts).
 */
export function defenderToEcs(rec: DefenderRecord, ctx: ParserContext, errors: FieldErrors): EcsEvent {
  const ts = timestamp(rec);
  const row = rec.row;
  const compiled = compiledTable(rec.table);
  const spec = compiled.spec;
  const columns = compiled.columns;
  const out: EcsEvent = { '@timestamp': ts, ecs: { version: ECS_VERSION } };

  for (const column in row) {
    const v = row[column];
    if (v === null || v === undefined) continue;
    const setter = columns.get(column);
    if (setter) {
      if (setter.kind === 'special') continue;
      const value = convert(v, setter.kind);
      if (value === MALFORMED) errors.drop(column, `${column} ${JSON.stringify(v).slice(0, 60)} is not ${EXPECTED[setter.kind]}`);
      else if (setter.executable !== undefined && typeof value === 'string' && baseName(value) !== undefined) {
        setPath(out, setter.path, baseName(value)!);
        setPath(out, setter.executable, value);
      } else if (value !== undefined) setPath(out, setter.path, value);
      // An unexpected protocol name, address or time is kept as written rather than dropped.
      else if (KEEP_UNCONVERTED.has(setter.kind) && v !== '' && v !== '-') setPath(out, vendorPath(column), v as EcsValue);
    } else if (v !== '' && v !== '-') setPath(out, vendorPath(column), v as EcsValue);
  }

  const event: NonNullable<EcsEvent['event']> = {
    kind: spec.kind ?? 'event',
    category: spec.category.slice(),
    type: spec.type.slice(),
    dataset: DATASET,
    module: 'microsoft',
    provider: rec.table ?? 'unknown',
    id: eventIdFor(DATASET, rec.raw),
    ingested: ctx.ingested,
    ...(out.event as EcsObject | undefined),
  };
  out.event = event;
  const created = rec.envelope?.time;
  if (typeof created === 'string') {
    const c = isoTime(created);
    if (c !== undefined) event.created = c;
  }
  if (ctx.original) event.original = rec.raw;

  // Host: DeviceName is usually the FQDN.
  const deviceName = text(row.DeviceName)?.toLowerCase();
  const host = (out.host ??= {}) as EcsObject;
  if (deviceName) {
    host.name = deviceName;
    const dot = deviceName.indexOf('.');
    host.hostname = dot > 0 ? deviceName.slice(0, dot) : deviceName;
    if (dot > 0) host.domain = deviceName.slice(dot + 1);
  }
  if (spec.name === 'DeviceInfo' || spec.name === 'DeviceNetworkInfo') deviceAddresses(row, host);
  else if (spec.group === 'device') {
    const local = typeof row.LocalIP === 'string' ? canonicalIp(row.LocalIP) : undefined;
    if (local) host.ip = [local];
  }
  if (!Object.keys(host).length) delete out.host;

  identities(row, spec.name, out);

  const rawUrl = text(row.RemoteUrl) ?? text(row.Url);
  if (rawUrl) url(rawUrl, out);
  const ua = text(row.UserAgent);
  if (ua) out.user_agent = parseUserAgent(ua);
  const severity = text(row.Severity);
  if (severity) {
    const key = severity.toLowerCase();
    if (Object.hasOwn(SEVERITY, key)) event.severity = SEVERITY[key]!;
    setPath(out, ['microsoft', 'defender', 'severity'], severity);
  }

  const action = typeof event.action === 'string' ? event.action : undefined;
  const rule = action ? actionRule(action) : undefined;
  if (rule?.category) event.category = rule.category.slice();
  if (rule?.type) event.type = rule.type.slice();
  if (rule?.outcome) event.outcome = rule.outcome;

  const additional = parseAdditional(row.AdditionalFields);
  const af = additional !== undefined && typeof additional === 'object' && !Array.isArray(additional) ? additional : undefined;
  if (additional !== undefined && !(Array.isArray(additional) && additional.length === 0)) {
    setPath(out, ['microsoft', 'defender', 'additional_fields'], additional as EcsValue);
  }
  const network = (out.network ??= {}) as EcsObject;
  if (rule?.direction) network.direction = rule.direction;
  if (af) {
    // Zeek-style keys (`version`, `host` …) only mean TLS/HTTP details on inspected connections.
    if (action?.endsWith('Inspected')) mapInspection(af, out);
    const reason = text(af.Experience) ?? text(af.ResponseCategory);
    if (reason && !event.reason) event.reason = reason;
    const direction = additionalDirection(af);
    if (direction && spec.name === 'DeviceNetworkEvents') network.direction = direction;
  }
  if (network.direction === 'inbound') inboundSides(compiled, out);
  if (spec.name === 'AlertEvidence') alertEvidence(row, af, out, errors);
  if (rule?.dns || spec.name === 'DeviceDnsEvents') {
    mapDns(af, row as EcsObject, out);
    event.category = ['network'];
    if (!rule?.type || !rule.dns) event.type = ['protocol'];
    network.protocol = 'dns';
  } else if (rule?.protocol) network.protocol = rule.protocol;
  const ip = ((out.source as EcsObject | undefined)?.ip ?? (out.destination as EcsObject | undefined)?.ip) as string | undefined;
  if (ip) network.type = ipVersion(ip);
  if (!Object.keys(network).length) delete out.network;

  const vendor = ((out.microsoft as EcsObject | undefined)?.defender ?? {}) as EcsObject;
  if (rec.table) vendor.table = rec.table;
  const tenant = text(rec.envelope?.tenantId);
  if (tenant) vendor.tenant_id = tenant;
  const tenantName = text(rec.envelope?.tenant);
  if (tenantName) vendor.tenant_name = tenantName;
  out.microsoft = { defender: vendor };
  out.observer = { vendor: 'Microsoft', product: OBSERVER_PRODUCT[spec.group], type: spec.group === 'device' ? 'edr' : 'xdr' };
  if (ctx.source) out.log = { file: { path: ctx.source } };
  const publicIp = vendor.public_ip;
  if (typeof publicIp === 'string') out.related = { ...(out.related ?? {}), ip: [publicIp] };
  fillRelated(out);
  if (errors.count) noteDropped(out, errors, rec.raw);
  return out;
}
