import ipaddr from 'ipaddr.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Canonical text form of an IP address, or `undefined` when the value is not an IP.
 * IPv4 stays dotted-quad; IPv6 becomes RFC 5952 (lower case, zero runs compressed only when longer
 * than one group: `0000:111:…` → `0:111:…`); IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4;
 * zone ids (`%eth0`) and surrounding brackets are dropped.
 */
export function canonicalIp(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  let v = value.trim();
  if (IPV4.test(v)) return v;
  if (v.charCodeAt(0) === 91 /* [ */ && v.endsWith(']')) v = v.slice(1, -1);
  const zone = v.indexOf('%');
  if (zone >= 0) v = v.slice(0, zone);
  if (v.indexOf(':') < 0) return undefined;
  try {
    const addr = ipaddr.IPv6.parse(v);
    if (addr.isIPv4MappedAddress()) return addr.toIPv4Address().toString();
    return addr.toRFC5952String();
  } catch {
    return undefined;
  }
}

export function ipVersion(ip: string): 'ipv4' | 'ipv6' {
  return ip.indexOf(':') >= 0 ? 'ipv6' : 'ipv4';
}

/** Splits an `X-Forwarded-For`-style list (`a,b` or `a, b`) into canonical IPs, skipping junk. */
export function ipList(value: string | undefined | null): string[] {
  if (!value || value === '-') return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const ip = canonicalIp(part);
    if (ip) out.push(ip);
  }
  return out;
}

/** True when the address is in a private, loopback, link-local or otherwise non-routable range. */
export function isPrivateIp(ip: string): boolean {
  try {
    const range = ipaddr.parse(ip).range();
    return range !== 'unicast';
  } catch {
    return false;
  }
}

/** CIDR membership for IPv4 and IPv6 (`10.0.0.0/8`, `2001:db8::/32`). */
export function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return ipaddr.parseCIDR(cidr.trim());
}

export function ipInCidr(ip: string, range: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  try {
    let addr = ipaddr.parse(ip);
    if (addr.kind() !== range[0].kind()) {
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
      else return false;
    }
    return addr.match(range);
  } catch {
    return false;
  }
}
