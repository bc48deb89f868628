import * as crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';

// Protocols whose 5-tuple carries ports. ICMP would need the type and code, which flow logs do not
// record (srcport/dstport are 0), so no id is computed for ICMP.
const PORTED = new Set([6, 17, 132]);
const ICMP = new Set([1, 58]);

// One-shot hashing (Node ≥ 20.12) is several times cheaper than a Hash object per flow.
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'base64') => string }).hash;
const sha1Base64 = oneShot
  ? (data: Buffer) => oneShot('sha1', data, 'base64')
  : (data: Buffer) => crypto.createHash('sha1').update(data).digest('base64');

/** Writes a canonical address's bytes into `out` at `at`; returns the byte count, 0 when not an IP. */
function writeIp(ip: string, out: Buffer, at: number): number {
  if (ip.indexOf(':') < 0) {
    let octet = 0;
    let n = 0;
    for (let i = 0; i < ip.length; i++) {
      const c = ip.charCodeAt(i);
      if (c === 46) {
        out[at + n++] = octet;
        octet = 0;
      } else octet = octet * 10 + (c - 48);
    }
    out[at + n++] = octet;
    return n === 4 ? 4 : 0;
  }
  try {
    const bytes = ipaddr.IPv6.parse(ip).toByteArray();
    for (let i = 0; i < 16; i++) out[at + i] = bytes[i]!;
    return 16;
  } catch {
    return 0;
  }
}

/** Compares the `n`-byte and `m`-byte addresses at offsets `a` and `b`; shorter sorts first on a tie. */
function compare(buf: Buffer, a: number, n: number, b: number, m: number): number {
  const len = Math.min(n, m);
  for (let i = 0; i < len; i++) if (buf[a + i] !== buf[b + i]) return buf[a + i]! - buf[b + i]!;
  return n - m;
}

// Scratch space: two addresses as read, then the hashed tuple (largest: 2 + 16 + 16 + 2 + 4 bytes).
const scratch = Buffer.alloc(32);
const tuple = Buffer.alloc(40);

/**
 * Community ID v1 (seed 0) of a flow: `1:` + base64(SHA-1(seed, addresses, protocol, pad, ports)),
 * endpoints ordered so both directions of a flow get the same id. `undefined` for ICMP and when an
 * address is missing.
 */
export function communityId(srcIp: string, dstIp: string, proto: number, srcPort: number | undefined, dstPort: number | undefined): string | undefined {
  if (ICMP.has(proto)) return undefined;
  const ported = PORTED.has(proto);
  if (ported && (srcPort === undefined || dstPort === undefined)) return undefined;
  const n = writeIp(srcIp, scratch, 0);
  const m = writeIp(dstIp, scratch, 16);
  if (!n || !m) return undefined;
  let pa = srcPort ?? 0;
  let pb = dstPort ?? 0;
  let a = 0;
  let b = 16;
  let na = n;
  let nb = m;
  const c = compare(scratch, 0, n, 16, m);
  if (c > 0 || (c === 0 && ported && pa > pb)) {
    [a, b, na, nb, pa, pb] = [16, 0, m, n, pb, pa];
  }
  tuple.writeUInt16BE(0, 0);
  scratch.copy(tuple, 2, a, a + na);
  scratch.copy(tuple, 2 + na, b, b + nb);
  let o = 2 + na + nb;
  tuple[o++] = proto;
  tuple[o++] = 0;
  if (ported) {
    o = tuple.writeUInt16BE(pa, o);
    o = tuple.writeUInt16BE(pb, o);
  }
  return '1:' + sha1Base64(tuple.subarray(0, o));
}
