import ipaddr from 'ipaddr.js';
import type { Ctx } from './context.js';
import { ipv6Hex } from '../../store/duckdb/spl-functions.js';

/**
 * CIDR values in a search (`src_ip=10.0.0.0/8`, `clientip=2001:db8::/32`) are subnet tests in
 * Splunk, not text. DuckDB here has no inet extension, so membership is computed from the text of
 * the address: IPv4 as a 32-bit number between the network's first and last address, IPv6 as its
 * 32 hex digits compared on the prefix. A value that is not an address is not in the subnet.
 */
export interface Cidr {
  version: 'ipv4' | 'ipv6';
  /** IPv4: first and last address as numbers. */
  lo: number;
  hi: number;
  /** IPv6: the network's 32 hex digits and the prefix length. */
  hex: string;
  bits: number;
}

const CIDR_SHAPE = /^[0-9A-Fa-f.:]+\/\d{1,3}$/;

/** The subnet a search value names, or undefined when it is not CIDR notation. */
export function parseSearchCidr(value: string): Cidr | undefined {
  if (!CIDR_SHAPE.test(value)) return undefined;
  let net: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    net = ipaddr.parseCIDR(value);
  } catch {
    return undefined;
  }
  const [addr, bits] = net;
  if (addr.kind() === 'ipv4') {
    const n = (addr as ipaddr.IPv4).octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - bits);
    const lo = Math.floor(n / size) * size;
    return { version: 'ipv4', lo, hi: lo + size - 1, hex: '', bits };
  }
  const hex = (addr as ipaddr.IPv6).toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  return { version: 'ipv6', lo: 0, hi: 0, hex, bits };
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_RE = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`;

/** SQL: is the text `v` (an expression; null stays null) an address in the subnet. */
export function cidrSql(ctx: Ctx, v: string, cidr: Cidr): string {
  if (cidr.version === 'ipv4') {
    // Only text of the address's shape is read as one (the pattern is anchored: a full match).
    return `(CASE WHEN ${v} IS NULL THEN NULL WHEN ${ctx.fn.regexMatches(v, IPV4_RE)} THEN ${ctx.fn.ipv4Number(v)} BETWEEN ${ctx.param(cidr.lo)} AND ${ctx.param(cidr.hi)} ELSE ${ctx.fn.falseValue} END)`;
  }
  const whole = Math.floor(cidr.bits / 4);
  const rest = cidr.bits % 4;
  const hexParam = whole ? ctx.param(cidr.hex.slice(0, whole)) : undefined;
  return ctx.fn.ipv6InSubnet(v, { ...(hexParam ? { hexParam } : {}), whole, rest, nibble: rest ? parseInt(cidr.hex[whole]!, 16) >> (4 - rest) : 0 });
}

const IPV4_CIDR_RE = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/([0-9]|[12][0-9]|3[0-2])$`;
const IPV6_CIDR_RE = '^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$';

/**
 * SQL for a value known only when the query runs (a subsearch's result, substituted as search text
 * in Splunk): when the text `net` is CIDR notation, whether the address text `addr` is in that
 * subnet; otherwise `otherwise` (the plain value match). Same rules as cidrSql.
 */
export function cidrValueSql(addr: string, net: string, otherwise: string): string {
  const ip = `split_part(${net}, '/', 1)`;
  const bits = `TRY_CAST(split_part(${net}, '/', 2) AS INTEGER)`;
  const number = (a: string) => `(${[1, 2, 3, 4].map((i) => `TRY_CAST(split_part(${a}, '.', ${i}) AS BIGINT) * ${256 ** (4 - i)}`).join(' + ')})`;
  const v4 = `(CASE WHEN regexp_full_match(${addr}, '${IPV4_RE}') THEN (${number(addr)} >> (32 - ${bits})) = (${number(ip)} >> (32 - ${bits})) ELSE FALSE END)`;
  const ha = ipv6Hex(addr);
  const hn = ipv6Hex(ip);
  const nibble = (h: string) => `(TRY_CAST(('0x' || substr(${h}, ${bits} // 4 + 1, 1)) AS INTEGER) >> (4 - ${bits} % 4))`;
  const v6 =
    `(CASE WHEN NOT contains(${addr}, ':') OR len(string_split(${addr}, '::')) > 2 OR len(string_split(${ip}, '::')) > 2 THEN FALSE ` +
    `ELSE regexp_full_match(${ha}, '[0-9a-f]{32}') AND regexp_full_match(${hn}, '[0-9a-f]{32}') AND left(${ha}, ${bits} // 4) = left(${hn}, ${bits} // 4) AND (${bits} % 4 = 0 OR ${nibble(ha)} = ${nibble(hn)}) END)`;
  return `(CASE WHEN ${addr} IS NULL OR ${net} IS NULL THEN NULL WHEN regexp_full_match(${net}, '${IPV4_CIDR_RE}') THEN ${v4} WHEN regexp_full_match(${net}, '${IPV6_CIDR_RE}') THEN ${v6} ELSE ${otherwise} END)`;
}

/** The subnet a subsearch's value names, by the rules of cidrValueSql (which it decides in SQL), or undefined. */
export function subsearchCidr(value: string): Cidr | undefined {
  if (!new RegExp(IPV4_CIDR_RE).test(value) && !new RegExp(IPV6_CIDR_RE).test(value)) return undefined;
  return parseSearchCidr(value);
}
