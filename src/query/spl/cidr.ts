import ipaddr from 'ipaddr.js';
import type { Ctx } from './context.js';

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
    const octet = (i: number) => `TRY_CAST(split_part(${v}, '.', ${i}) AS BIGINT)`;
    const number = `(${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)})`;
    return `(CASE WHEN ${v} IS NULL THEN NULL WHEN regexp_full_match(${v}, ${ctx.param(IPV4_RE)}) THEN ${number} BETWEEN ${ctx.param(cidr.lo)} AND ${ctx.param(cidr.hi)} ELSE FALSE END)`;
  }
  // The address's groups, '::' expanded to the missing zero groups, each padded to 4 hex digits.
  const halves = `string_split(lower(${v}), '::')`;
  const groups = (s: string) => `list_filter(string_split(${s}, ':'), lambda g: g <> '')`;
  const left = groups(`${halves}[1]`);
  const right = `(CASE WHEN len(${halves}) = 2 THEN ${groups(`${halves}[2]`)} ELSE [] END)`;
  const full = `(CASE WHEN len(${halves}) = 2 THEN list_concat(${left}, list_transform(range(greatest(0, 8 - len(${left}) - len(${right}))), lambda x: '0'), ${right}) ELSE ${left} END)`;
  const hex = `array_to_string(list_transform(${full}, lambda g: lpad(g, 4, '0')), '')`;
  const whole = Math.floor(cidr.bits / 4);
  const rest = cidr.bits % 4;
  const conds = [`regexp_full_match(${hex}, '[0-9a-f]{32}')`];
  if (whole) conds.push(`starts_with(${hex}, ${ctx.param(cidr.hex.slice(0, whole))})`);
  if (rest) {
    const nibble = parseInt(cidr.hex[whole]!, 16) >> (4 - rest);
    conds.push(`(TRY_CAST(('0x' || substr(${hex}, ${whole + 1}, 1)) AS INTEGER) >> ${4 - rest}) = ${nibble}`);
  }
  return `(CASE WHEN ${v} IS NULL THEN NULL WHEN NOT contains(${v}, ':') OR len(${halves}) > 2 THEN FALSE ELSE ${conds.join(' AND ')} END)`;
}
