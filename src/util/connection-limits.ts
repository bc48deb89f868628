import type { Server } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Caps on a listening server's open connections, so that idle or slow clients cannot use up the
 * process's file descriptors: `perAddress` per client (an IPv4 address, or an IPv6 /64), `total`
 * overall. Connections over a cap are closed as soon as they are accepted, and counted.
 */
export interface ConnectionCaps {
  perAddress: number;
  total: number;
}

export interface ConnectionCounts {
  /** Open connections now. */
  open: number;
  /** Closed on accept: their client already had `perAddress` open. */
  refusedPerAddress: number;
  /** Closed on accept: the server already had `total` open. */
  refusedTotal: number;
}

/**
 * What a client's connections are counted under: the IPv4 address (IPv4-mapped IPv6 included), or
 * the first 64 bits of an IPv6 address, since one host usually holds a whole /64 and could otherwise
 * spread its connections over as many addresses as it likes.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return '';
  const bare = address.replace(/%.*$/, '');
  try {
    const parsed = ipaddr.parse(bare);
    if (parsed.kind() === 'ipv4') return parsed.toString();
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return `${v6.parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
  } catch {
    return bare;
  }
}

/** Applies the caps to `server` (before or after it listens); returns its live counts. */
export function capConnections(server: Server, caps: ConnectionCaps): { counts(): ConnectionCounts } {
  let open = 0;
  let refusedPerAddress = 0;
  let refusedTotal = 0;
  const perClient = new Map<string, number>();
  // Node closes connections over maxConnections before they become sockets, and reports each as 'drop'.
  server.maxConnections = caps.total;
  server.on('drop', () => refusedTotal++);
  server.on('connection', (socket) => {
    const key = clientKey(socket.remoteAddress);
    const held = perClient.get(key) ?? 0;
    if (held >= caps.perAddress) {
      refusedPerAddress++;
      socket.destroy();
      return;
    }
    perClient.set(key, held + 1);
    open++;
    socket.once('close', () => {
      open--;
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
  });
  return { counts: () => ({ open, refusedPerAddress, refusedTotal }) };
}
