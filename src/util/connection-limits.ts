import { isIPv6 } from 'node:net';
import type { Server, Socket } from 'node:net';

/** How many connections a listener holds at once: in all, and from one remote address. */
export interface ConnectionCaps {
  /** Connections open at the same time, every address together. */
  maxConnections: number;
  /** Connections open at the same time from one address (IPv6: one /64), so one peer cannot take every slot. */
  maxPerAddress: number;
}

export type RefusalReason = 'total' | 'per-address';

/**
 * Per-address connection caps of a TCP listener (collect inputs: syslog TCP/TLS, HTTP intake,
 * Firehose). Every accepted connection is counted under its remote address until it closes; one
 * over either cap is destroyed as soon as it is accepted, before any protocol (HTTP parser, TLS
 * handshake) spends anything on it. With a per-address cap below the total, idle connections from
 * one address cannot starve a sender from another.
 *
 * Named for the collect inputs; the console's server may keep a similar counter (issue 20 item 5):
 * the two can be unified.
 */
export class CollectConnectionLimiter {
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
 * The key connections are counted under: the address itself for IPv4 (also when IPv4-mapped), the
 * /64 prefix for IPv6, since one host commonly holds a whole /64.
 */
export function addressGroup(address: string | undefined): string {
  if (!address) return 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}
