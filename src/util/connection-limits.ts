import type { Server, Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/** How many connections a listener holds at once: in all, and from one remote address. */
export interface ConnectionCaps {
  /** Connections open at the same time, every address together. */
  maxConnections: number;
  /** Connections open at the same time from one address (IPv6: one /64), so one peer cannot take every slot. */
  maxPerAddress: number;
}

export type RefusalReason = 'total' | 'per-address';

/**
 * Per-address connection caps of a TCP listener (the console, and the collect inputs: syslog TCP/TLS,
 * HTTP intake, Firehose), so that idle or slow clients cannot use up the process's file descriptors.
 * Every accepted connection is counted under its client (addressGroup) until it closes; one over
 * either cap is destroyed as soon as it is accepted, before any protocol (HTTP parser, TLS handshake)
 * spends anything on it. With a per-address cap below the total, idle connections from one address
 * cannot starve a client from another.
 */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();
  private total = 0;
  readonly refused: Record<RefusalReason, number> = { total: 0, 'per-address': 0 };

  constructor(
    readonly caps: ConnectionCaps,
    /** Told about every refusal (rate-limit what you log: refusals come as fast as an attacker connects). */
    private readonly onRefused?: (address: string, reason: RefusalReason) => void,
  ) {}

  /** Connections open now (all addresses). */
  get openConnections(): number {
    return this.total;
  }

  /** Connections open now from `address`'s group. */
  openFrom(address: string | undefined): number {
    return this.open.get(addressGroup(address)) ?? 0;
  }

  /** The collect setting whose cap a refusal hit, with its value: `max_connections_per_address (100)`. */
  capSetting(reason: RefusalReason): string {
    return reason === 'total' ? `max_connections (${this.caps.maxConnections})` : `max_connections_per_address (${this.caps.maxPerAddress})`;
  }

  /** Counts a new connection, or destroys it and returns false when a cap is reached. */
  admit(socket: Socket): boolean {
    const group = addressGroup(socket.remoteAddress);
    const fromGroup = this.open.get(group) ?? 0;
    const reason: RefusalReason | undefined = this.total >= this.caps.maxConnections ? 'total' : fromGroup >= this.caps.maxPerAddress ? 'per-address' : undefined;
    if (reason) {
      this.refused[reason]++;
      socket.destroy();
      this.onRefused?.(group, reason);
      return false;
    }
    this.total++;
    this.open.set(group, fromGroup + 1);
    socket.once('close', () => {
      this.total--;
      const left = (this.open.get(group) ?? 1) - 1;
      if (left > 0) this.open.set(group, left);
      else this.open.delete(group);
    });
    return true;
  }

  /**
   * Puts the caps in front of a server: the 'connection' listeners it has now (the HTTP parser, the
   * TLS wrapper, yours: add them first) run only for admitted sockets. Call before it listens.
   */
  guard(server: Server): void {
    const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return;
      for (const listener of listeners) listener.call(server, socket);
    });
  }
}

/**
 * The key connections are counted under: the IPv4 address (IPv4-mapped IPv6 included), or the first
 * 64 bits of an IPv6 address, since one host usually holds a whole /64 and could otherwise spread its
 * connections over as many addresses as it likes.
 */
export function addressGroup(address: string | undefined): string {
  if (!address) return 'unknown';
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

/** The console's view of its caps: open connections and refusals by cap. */
export interface ConnectionCounts {
  open: number;
  refusedPerAddress: number;
  refusedTotal: number;
}

/** Puts caps in front of an HTTP server whose request listener is already attached (fastify's). */
export function capConnections(server: Server, caps: ConnectionCaps): { counts(): ConnectionCounts } {
  const limiter = new ConnectionLimiter(caps);
  limiter.guard(server);
  return { counts: () => ({ open: limiter.openConnections, refusedPerAddress: limiter.refused['per-address'], refusedTotal: limiter.refused.total }) };
}
