import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { setPath } from '../../ecs/event.js';
import { canonicalIp } from '../../ecs/ip.js';
import { normalizeHost, splitDomain } from '../../ecs/domain.js';
import { parseUserAgent } from '../../ecs/user-agent.js';

/**
 * `AdditionalFields`: a JSON-encoded string or an embedded object (both occur). For inspected
 * traffic it holds Zeek-style string values; DNS responses carry the query and answers under names
 * that differ between sources, so every known spelling is tried.
 */
export function parseAdditional(value: unknown): EcsObject | EcsValue[] | string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'object') return value as EcsObject;
  if (typeof value !== 'string') return undefined;
  const c = value.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    try {
      return JSON.parse(value) as EcsObject | EcsValue[];
    } catch {
      return value;
    }
  }
  return value;
}

type ZeekKind = 's' | 'lower' | 'int' | 'bool' | 'tls' | 'ua' | 'url' | 'direction';

// Zeek-style keys of inspected connections → ECS.
const ZEEK: [key: string, path: string, kind: ZeekKind][] = [
  ['direction', 'network.direction', 'direction'],
  ['host', 'url.domain', 'lower'],
  ['method', 'http.request.method', 's'],
  ['uri', 'url.original', 'url'],
  ['user_agent', 'user_agent', 'ua'],
  ['status_code', 'http.response.status_code', 'int'],
  ['request_body_len', 'http.request.body.bytes', 'int'],
  ['response_body_len', 'http.response.body.bytes', 'int'],
  ['server_name', 'tls.client.server_name', 'lower'],
  ['version', 'tls.version', 'tls'],
  ['cipher', 'tls.cipher', 's'],
  ['curve', 'tls.curve', 's'],
  ['subject', 'tls.server.subject', 's'],
  ['issuer', 'tls.server.issuer', 's'],
  ['next_protocol', 'tls.next_protocol', 's'],
  ['established', 'tls.established', 'bool'],
  ['resumed', 'tls.resumed', 'bool'],
  ['orig_bytes', 'source.bytes', 'int'],
  ['resp_bytes', 'destination.bytes', 'int'],
  ['orig_pkts', 'source.packets', 'int'],
  ['resp_pkts', 'destination.packets', 'int'],
  ['SignatureName', 'rule.name', 's'],
];
const ZEEK_PATHS = ZEEK.map(([key, path, kind]) => [key, path.split('.'), kind] as const);

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Maps the Zeek-style keys of an inspected connection. */
export function mapInspection(af: EcsObject, out: EcsEvent): void {
  for (const [key, path, kind] of ZEEK_PATHS) {
    const s = str(af[key]);
    if (s === undefined) continue;
    switch (kind) {
      case 's':
        setPath(out, path, s);
        break;
      case 'lower':
        setPath(out, path, s.toLowerCase());
        break;
      case 'int':
        if (/^\d+$/.test(s)) setPath(out, path, Number(s));
        break;
      case 'bool':
        if (s === 'true' || s === 'false') setPath(out, path, s === 'true');
        break;
      case 'direction': {
        const d = s.toLowerCase();
        if (d === 'in' || d === 'inbound') setPath(out, path, 'inbound');
        else if (d === 'out' || d === 'outbound') setPath(out, path, 'outbound');
        break;
      }
      case 'tls': {
        // Zeek writes TLSv12 / TLSv13 / TLSv10 / SSLv3
        const m = /^(TLS|SSL)v?(\d)\.?(\d)?$/i.exec(s);
        if (m) {
          setPath(out, ['tls', 'version_protocol'], m[1]!.toLowerCase());
          setPath(out, path, m[3] !== undefined ? `${m[2]}.${m[3]}` : m[2]!);
        } else setPath(out, path, s);
        break;
      }
      case 'ua':
        out.user_agent = parseUserAgent(s);
        break;
      case 'url': {
        setPath(out, path, s);
        if (s.startsWith('/')) {
          const q = s.indexOf('?');
          setPath(out, ['url', 'path'], q >= 0 ? s.slice(0, q) : s);
          if (q >= 0 && q < s.length - 1) setPath(out, ['url', 'query'], s.slice(q + 1));
        }
        break;
      }
    }
  }
}

const QUERY_KEYS = ['DnsQueryString', 'QueryName', 'query', 'Query', 'DnsQuery', 'DnsQueryName', 'QueryString'];
const ANSWER_KEYS = ['answers', 'Answers', 'DnsQueryResult', 'DnsAnswers', 'QueryResult', 'IPAddresses', 'IpAddresses', 'ResolvedIPs'];
const TYPE_KEYS = ['qtype_name', 'QueryType', 'DnsQueryType', 'QType'];
const RCODE_KEYS = ['rcode_name', 'DnsResponseCode', 'ResponseCode', 'RCode'];
const TTL_KEYS = ['TTLs', 'ttls'];
const ANSWER_DATA_KEYS = ['IpAddress', 'IPAddress', 'Address', 'Data', 'data', 'Answer', 'Name', 'name'];
const ANSWER_TYPE_KEYS = ['DnsQueryType', 'Type', 'type', 'QueryType'];
const ANSWER_TTL_KEYS = ['Ttl', 'TTL', 'ttl'];
// Numeric DNS record types seen in Windows DNS client data.
const RR_TYPES: Record<string, string> = { '1': 'A', '2': 'NS', '5': 'CNAME', '6': 'SOA', '12': 'PTR', '15': 'MX', '16': 'TXT', '28': 'AAAA', '33': 'SRV', '65': 'HTTPS' };
const MAX_ANSWERS = 64;

function first(sources: (EcsObject | undefined)[], keys: string[]): unknown {
  for (const src of sources) {
    if (!src) continue;
    for (const k of keys) {
      const v = src[k];
      if (v !== undefined && v !== null && v !== '' && v !== '-') return v;
    }
  }
  return undefined;
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') return v === undefined || v === null ? [] : [v];
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* not JSON: fall through to separators */
    }
  }
  return t.split(/[;,\s]+/).filter(Boolean);
}

function rrType(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined ? undefined : Object.hasOwn(RR_TYPES, s) ? RR_TYPES[s] : s;
}

/**
 * Fills `dns.*` from the AdditionalFields of a DNS record (and from top-level columns of rows that
 * carry the query directly, like the story's `DeviceDnsEvents`).
 */
export function mapDns(af: EcsObject | undefined, row: EcsObject, out: EcsEvent): void {
  const sources = [af, row];
  const query = normalizeHost(str(first(sources, QUERY_KEYS)));
  const dns: EcsObject = {};
  if (query) {
    const question: EcsObject = { name: query };
    const parts = splitDomain(query);
    if (parts?.registered_domain) question.registered_domain = parts.registered_domain;
    if (parts?.subdomain) question.subdomain = parts.subdomain;
    if (parts?.top_level_domain) question.top_level_domain = parts.top_level_domain;
    const type = rrType(first(sources, TYPE_KEYS));
    if (type) question.type = type;
    dns.question = question;
  }
  const rcode = str(first(sources, RCODE_KEYS));
  if (rcode) dns.response_code = rcode;
  const ttls = list(first(sources, TTL_KEYS));
  const answers: EcsObject[] = [];
  const resolved: string[] = [];
  const raw = list(first(sources, ANSWER_KEYS)).slice(0, MAX_ANSWERS);
  raw.forEach((a, i) => {
    let data: string | undefined;
    const answer: EcsObject = {};
    if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
      const o = a as EcsObject;
      data = str(first([o], ANSWER_DATA_KEYS));
      const type = rrType(first([o], ANSWER_TYPE_KEYS));
      if (type) answer.type = type;
      const ttl = Number(first([o], ANSWER_TTL_KEYS));
      if (Number.isFinite(ttl)) answer.ttl = Math.round(ttl);
    } else data = str(a);
    if (!data) return;
    answer.data = data;
    const ttl = Number(ttls[i]);
    if (answer.ttl === undefined && ttls[i] !== undefined && Number.isFinite(ttl)) answer.ttl = Math.round(ttl);
    const ip = canonicalIp(data);
    if (ip) {
      resolved.push(ip);
      if (!answer.type) answer.type = ip.indexOf(':') >= 0 ? 'AAAA' : 'A';
    }
    answers.push(answer);
  });
  if (answers.length) {
    dns.answers = answers;
    dns.type = 'answer';
  } else if (query) dns.type = 'query';
  if (resolved.length) dns.resolved_ip = resolved;
  if (Object.keys(dns).length) out.dns = dns;
}
