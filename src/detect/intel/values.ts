import { canonicalIp } from '../../ecs/ip.js';
import { normalizeHost } from '../../ecs/domain.js';

/** Indicator kinds the index can hold. `ipv4`/`ipv6` carry a prefix length (32/128 for one address). */
export type IndicatorType = 'ipv4' | 'ipv6' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'sha512';

export const INDICATOR_TYPES: readonly IndicatorType[] = ['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'sha512'];

/** A value ready for the index: canonical text (IPv6 in RFC 5952 form) plus, for IPs, the prefix length. */
export interface Classified {
  type: IndicatorType;
  value: string;
  prefix?: number;
}

const HASH_BY_LENGTH: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
const HEX = /^[0-9a-f]+$/;
// Labels of letters, digits, hyphens and underscores (seen in real DNS), at least one dot, and a
// top-level label with a letter (so `1.2.3` is not a domain).
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9-]{1,63}$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ftp: '21', ws: '80', wss: '443' };

/** Dotted quad to an unsigned 32-bit integer, or -1. Hot path: no regex, no allocation. */
export function ipv4ToInt(s: string): number {
  let n = 0;
  let octet = -1;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || ++dots > 3) return -1;
      n = n * 256 + octet;
      octet = -1;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || octet < 0) return -1;
  return n * 256 + octet;
}

/** The 32 hex digits of an IPv6 address (any valid text form), or undefined. */
export function ipv6Hex(s: string): string | undefined {
  let v = s;
  if (v.indexOf('.') >= 0) {
    // Embedded IPv4 tail (`64:ff9b::1.2.3.4`): rewrite as two hex groups.
    const colon = v.lastIndexOf(':');
    const n = ipv4ToInt(v.slice(colon + 1));
    if (n < 0) return undefined;
    v = `${v.slice(0, colon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const dbl = v.indexOf('::');
  let groups: string[];
  if (dbl >= 0) {
    if (v.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = dbl === 0 ? [] : v.slice(0, dbl).split(':');
    const tail = dbl + 2 === v.length ? [] : v.slice(dbl + 2).split(':');
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<string>(fill).fill('0'), ...tail];
  } else groups = v.split(':');
  if (groups.length !== 8) return undefined;
  let out = '';
  for (const g of groups) {
    if (g.length < 1 || g.length > 4) return undefined;
    const lower = g.toLowerCase();
    if (!HEX.test(lower)) return undefined;
    out += '0000'.slice(lower.length) + lower;
  }
  return out;
}

/** Host of a URL-ish value as the index stores domains: lower case, no trailing dot. */
export function normalizeDomain(value: string): string | undefined {
  const h = normalizeHost(value);
  return h && DOMAIN.test(h) ? h : undefined;
}

/**
 * URL normal form for matching: scheme and host lower case, default port and fragment dropped,
 * empty path as `/`; path and query kept as written (they are case-sensitive). Hand-rolled rather
 * than `new URL` because it runs on every event and must not re-encode what the log wrote.
 * Relative URLs return undefined.
 */
export function normalizeUrl(value: string): string | undefined {
  const v = value.trim();
  const m = SCHEME.exec(v);
  if (!m) return undefined;
  const scheme = m[0].slice(0, -3).toLowerCase();
  let rest = v.slice(m[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 47 || c === 63) {
      end = i;
      break;
    }
  }
  let authority = rest.slice(0, end);
  let tail = rest.slice(end);
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  authority = authority.slice(at + 1).toLowerCase();
  const colon = authority.lastIndexOf(':');
  if (colon >= 0 && authority.indexOf(']', colon) < 0 && authority.slice(colon + 1) === DEFAULT_PORTS[scheme]) authority = authority.slice(0, colon);
  if (authority.endsWith('.')) authority = authority.slice(0, -1);
  if (!authority) return undefined;
  if (tail === '' || tail.charCodeAt(0) === 63) tail = '/' + tail;
  return `${scheme}://${userinfo}${authority}${tail}`;
}

/** Parses `1.2.3.0/24` or `2001:db8::/32`; the address is masked to the prefix. */
export function classifyCidr(value: string): Classified | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const addr = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const v4 = ipv4ToInt(addr);
  if (v4 >= 0) return bits <= 32 ? { type: 'ipv4', value: intToIpv4(maskIpv4(v4, bits)), prefix: bits } : undefined;
  const ip = canonicalIp(addr);
  if (!ip || bits > 128) return undefined;
  if (ip.indexOf(':') < 0) {
    // An IPv4-mapped range (`::ffff:10.0.0.0/104`) is an IPv4 range.
    return bits >= 96 ? { type: 'ipv4', value: intToIpv4(maskIpv4(ipv4ToInt(ip), bits - 96)), prefix: bits - 96 } : undefined;
  }
  return { type: 'ipv6', value: ip, prefix: bits };
}

export function maskIpv4(n: number, bits: number): number {
  return bits === 0 ? 0 : (n & (0xffffffff << (32 - bits))) >>> 0;
}

export function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Hex digits of an IPv6 address masked to `bits`: the key of its prefix-length bucket. */
export function ipv6PrefixKey(hex: string, bits: number): string {
  const full = bits >> 2;
  const rem = bits & 3;
  if (!rem) return hex.slice(0, full);
  const nibble = parseInt(hex[full]!, 16) & (0xf << (4 - rem)) & 0xf;
  return hex.slice(0, full) + nibble.toString(16);
}

/** Type names used by feeds (CSV type columns, MISP attribute types, STIX objects) → index types. */
const TYPE_NAMES: Record<string, IndicatorType | 'ip' | 'hash'> = {
  ip: 'ip', ipv4: 'ip', ipv6: 'ip', 'ip-src': 'ip', 'ip-dst': 'ip', 'ipv4-addr': 'ip', 'ipv6-addr': 'ip', cidr: 'ip', 'ip-address': 'ip', address: 'ip',
  domain: 'domain', hostname: 'domain', fqdn: 'domain', host: 'domain', 'domain-name': 'domain',
  url: 'url', uri: 'url', link: 'url',
  md5: 'md5', sha1: 'sha1', 'sha-1': 'sha1', sha256: 'sha256', 'sha-256': 'sha256', sha512: 'sha512', 'sha-512': 'sha512',
  hash: 'hash', filehash: 'hash', 'file-hash': 'hash', file: 'hash',
};

/** A declared type name when it is one the index knows (`ip-dst` → ip), else undefined. */
export function typeHint(name: string | undefined): IndicatorType | 'ip' | 'hash' | undefined {
  return name ? TYPE_NAMES[name.trim().toLowerCase()] : undefined;
}

/**
 * Classifies and normalizes one indicator value. A hint (from a type column, a MISP type or a STIX
 * object path) restricts the outcome; without one the type is inferred from the value's shape.
 */
export function classify(raw: string, hint?: IndicatorType | 'ip' | 'hash'): Classified | undefined {
  let v = raw.trim();
  if (!v) return undefined;
  // Defanged indicators (`evil[.]example`, `hxxp://`) are common in shared lists.
  if (v.indexOf('[') >= 0 || /^hxxp/i.test(v)) v = v.replace(/\[\.\]|\[dot\]/gi, '.').replace(/^hxxp/i, 'http').replace(/\[:\]/g, ':');
  const want = (t: IndicatorType) => !hint || hint === t || (hint === 'ip' && (t === 'ipv4' || t === 'ipv6')) || (hint === 'hash' && (t === 'md5' || t === 'sha1' || t === 'sha256' || t === 'sha512'));
  if (want('url') && (SCHEME.test(v) || hint === 'url')) {
    const url = normalizeUrl(SCHEME.test(v) ? v : `http://${v}`);
    return url ? { type: 'url', value: url } : undefined;
  }
  if (want('ipv4') || want('ipv6')) {
    if (v.indexOf('/') >= 0) {
      const c = classifyCidr(v);
      if (c && want(c.type)) return c;
    } else {
      const ip = canonicalIp(v);
      if (ip) {
        const t: IndicatorType = ip.indexOf(':') >= 0 ? 'ipv6' : 'ipv4';
        if (want(t)) return { type: t, value: ip, prefix: t === 'ipv4' ? 32 : 128 };
      }
    }
  }
  const lower = v.toLowerCase();
  const hashType = HASH_BY_LENGTH[lower.length];
  if (hashType && want(hashType) && HEX.test(lower)) return { type: hashType, value: lower };
  if (want('domain')) {
    const d = normalizeDomain(v.startsWith('*.') ? v.slice(2) : v);
    if (d) return { type: 'domain', value: d };
  }
  return undefined;
}
