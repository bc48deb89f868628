import { ipInCidr, parseCidr } from '../../ecs/ip.js';

/**
 * Traffic VPC Flow Logs never record (AWS VPC user guide, "Flow log limitations"), as data. A missing
 * record for these is expected, not a sign that something blocked the traffic.
 */
export const NEVER_LOGGED: readonly string[] = [
  'traffic to and from 169.254.169.254 (instance metadata service; fd00:ec2::254 over IPv6)',
  'traffic to the Amazon DNS server (the VPC resolver at the VPC base address + 2, and 169.254.169.253 / fd00:ec2::253); traffic to your own DNS servers is logged',
  'traffic to and from 169.254.169.123 (Amazon Time Sync Service; fd00:ec2::123 over IPv6)',
  'DHCP traffic (UDP 67/68)',
  'Windows license activation traffic to Amazon (169.254.169.250 and 169.254.169.251)',
  'mirrored traffic (Traffic Mirroring copies)',
  'traffic to the reserved VPC router address (the subnet base address + 1, e.g. 10.0.0.1)',
  'traffic between a VPC endpoint network interface and a Network Load Balancer network interface',
];

/** Fixed addresses of never-logged services: [address, what it is]. */
const SPECIAL_ADDRESSES: readonly (readonly [string, string])[] = [
  ['169.254.169.254', 'the instance metadata service'],
  ['fd00:ec2::254', 'the instance metadata service (IPv6)'],
  ['169.254.169.253', 'the Amazon DNS server'],
  ['fd00:ec2::253', 'the Amazon DNS server (IPv6)'],
  ['169.254.169.123', 'the Amazon Time Sync Service'],
  ['fd00:ec2::123', 'the Amazon Time Sync Service (IPv6)'],
  ['169.254.169.250', 'Amazon Windows license activation (KMS)'],
  ['169.254.169.251', 'Amazon Windows license activation (KMS)'],
];

const DHCP_PORTS = new Set([67, 68]);

export interface AddressFilter {
  /** As given on the command line (an address or a CIDR). */
  text: string;
  range: ReturnType<typeof parseCidr>;
}

/** Parses `--src`/`--dst`: a CIDR or a single address (as /32 or /128). Throws on anything else. */
export function parseAddressFilter(text: string): AddressFilter {
  const t = text.trim();
  if (t.includes('/')) return { text: t, range: parseCidr(t) };
  return { text: t, range: parseCidr(`${t}/${t.includes(':') ? 128 : 32}`) };
}

function isSingleHost(f: AddressFilter): boolean {
  return f.range[1] === (f.range[0].kind() === 'ipv6' ? 128 : 32);
}

/**
 * Why records may be missing for what the user filtered on: one sentence per never-logged service the
 * `--src`/`--dst` filter covers or the port names. A single private IPv4 host ending in .1 or .2 may be
 * the VPC router or the Amazon DNS resolver; that is said as a possibility (the VPC's CIDR is not known).
 */
export function expectedAbsences(filters: { src?: AddressFilter | undefined; dst?: AddressFilter | undefined; port?: number | undefined }): string[] {
  const out: string[] = [];
  for (const [side, f] of [['--src', filters.src], ['--dst', filters.dst]] as const) {
    if (!f) continue;
    for (const [address, what] of SPECIAL_ADDRESSES) {
      if (ipInCidr(address, f.range)) {
        out.push(`${side} ${f.text} ${isSingleHost(f) ? 'is' : 'covers'} ${address}, ${what}: flow logs never record this traffic, so the absence of records for it is expected.`);
      }
    }
    if (isSingleHost(f) && f.range[0].kind() === 'ipv4') {
      const last = f.range[0].toByteArray()[3];
      const privateRange = f.range[0].range() === 'private';
      if (privateRange && last === 2) {
        out.push(`${side} ${f.text} ends in .2: if it is your VPC's base address + 2 (the Amazon DNS resolver), flow logs never record traffic to it, so the absence of records is expected.`);
      } else if (privateRange && last === 1) {
        out.push(`${side} ${f.text} ends in .1: if it is a subnet's base address + 1 (the reserved VPC router address), flow logs never record traffic to it, so the absence of records is expected.`);
      }
    }
  }
  if (filters.port !== undefined && DHCP_PORTS.has(filters.port)) {
    out.push(`--port ${filters.port} is DHCP: flow logs never record DHCP traffic, so the absence of records for it is expected.`);
  }
  return out;
}
