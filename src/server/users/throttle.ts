import { isIPv6 } from 'node:net';

/**
 * Failed sign-ins, counted per account and per client address (IPv6: per /64) over a window; past
 * the limit the account or the address is refused until the window has passed, without checking the
 * password (so a locked account tells nothing about guesses). Memory is bounded: at most
 * `maxTracked` addresses and accounts each; when full, the entry that will expire first goes.
 */
export interface ThrottleLimits {
  windowMs: number;
  /** Failures of one account within the window before it is locked for the rest of it. */
  maxPerAccount: number;
  /** Failures from one address within the window. */
  maxPerAddress: number;
  maxTracked: number;
}

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const MAX_TRACKED_LOGIN_KEYS = 10_000;
export const DEFAULT_THROTTLE_LIMITS: Readonly<ThrottleLimits> = {
  windowMs: LOGIN_WINDOW_MS, maxPerAccount: MAX_FAILURES_PER_ACCOUNT, maxPerAddress: MAX_FAILURES_PER_ADDRESS, maxTracked: MAX_TRACKED_LOGIN_KEYS,
};

interface Count {
  failures: number;
  /** When the window of the first counted failure ends. */
  until: number;
}

/** The address a limit is kept for: IPv4 as is, IPv6 by its /64 (one host usually holds a whole /64). */
export function addressKey(address: string): string {
  const a = address.replace(/^::ffff:(?=\d+\.)/, '');
  if (!isIPv6(a)) return a;
  const [head, tail = ''] = a.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':')}::/64`;
}

class Counter {
  private readonly counts = new Map<string, Count>();

  constructor(
    private readonly max: number,
    private readonly limits: ThrottleLimits,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may try again, or 0. */
  blockedFor(key: string): number {
    const c = this.counts.get(key);
    if (!c) return 0;
    const t = this.now();
    if (c.until <= t) {
      this.counts.delete(key);
      return 0;
    }
    return c.failures >= this.max ? c.until - t : 0;
  }

  fail(key: string): void {
    const t = this.now();
    const c = this.counts.get(key);
    if (c && c.until > t) {
      c.failures++;
      return;
    }
    if (this.counts.size >= this.limits.maxTracked) this.evict(t);
    this.counts.set(key, { failures: 1, until: t + this.limits.windowMs });
  }

  clear(key: string): void {
    this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }

  private evict(t: number): void {
    for (const [k, c] of this.counts) if (c.until <= t) this.counts.delete(k);
    if (this.counts.size < this.limits.maxTracked) return;
    let first: string | undefined;
    let until = Infinity;
    for (const [k, c] of this.counts) if (c.until < until) [first, until] = [k, c.until];
    if (first !== undefined) this.counts.delete(first);
  }
}

export class LoginThrottle {
  private readonly accounts: Counter;
  /** Names that are no account, counted apart: they lock the same way (a lock tells nothing about whether an account exists) but cannot push real accounts out. */
  private readonly unknown: Counter;
  private readonly addresses: Counter;

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
    now: () => number = Date.now,
  ) {
    this.accounts = new Counter(limits.maxPerAccount, limits, now);
    this.unknown = new Counter(limits.maxPerAccount, limits, now);
    this.addresses = new Counter(limits.maxPerAddress, limits, now);
  }

  /** Why this attempt is refused before its password is checked (and for how long), or undefined. */
  refused(account: string, address: string): { reason: 'account' | 'address'; retryAfterMs: number } | undefined {
    const byAddress = this.addresses.blockedFor(addressKey(address));
    if (byAddress) return { reason: 'address', retryAfterMs: byAddress };
    const byAccount = this.accounts.blockedFor(account) || this.unknown.blockedFor(account);
    if (byAccount) return { reason: 'account', retryAfterMs: byAccount };
    return undefined;
  }

  /**
   * A wrong password, or a name that is no account (`exists` false): such names are counted in a
   * table of their own, so a flood of made-up names cannot push real accounts' counts out.
   */
  failed(account: string, exists: boolean, address: string): void {
    this.addresses.fail(addressKey(address));
    (exists ? this.accounts : this.unknown).fail(account);
  }

  succeeded(account: string): void {
    this.accounts.clear(account);
  }

  tracked(): { accounts: number; unknown: number; addresses: number } {
    return { accounts: this.accounts.size, unknown: this.unknown.size, addresses: this.addresses.size };
  }
}
