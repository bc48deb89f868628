import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are hashed with scrypt (memory-hard: each guess costs 128·N·r bytes, 32 MiB here), with a
 * per-user random salt; the parameters are stored with each hash, so raising them later keeps old
 * hashes verifiable. Node's built-in implementation: no native dependency to maintain.
 */
export const SCRYPT_N = 2 ** 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
export const SCRYPT_KEY_BYTES = 32;
export const SALT_BYTES = 16;
/** A stored hash asking for more than this (a hand-edited users file) is refused, not computed. */
const MAX_SCRYPT_N = 2 ** 20;
const maxmem = (n: number, r: number) => 256 * n * r;

export const MIN_PASSWORD_LENGTH = 12;
/** Longer passwords only cost hashing time. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Why `password` cannot be used, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password must be at least ${MIN_PASSWORD_LENGTH} characters long (it has ${password.length})`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  return undefined;
}

function scrypt(password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, o, (e, key) => (e ? reject(e) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, SCRYPT_KEY_BYTES, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, maxmem: maxmem(SCRYPT_N, SCRYPT_R) });
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored` (constant-time compare); a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > MAX_SCRYPT_N || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16 || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: checked against when the account does not exist, so the answer takes as long. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(24).toString('base64url')));

/**
 * Password checks running at once, and waiting: each holds one of libuv's threads and 32 MiB for
 * about 100 ms, and the threads are shared with the console's queries. Beyond the queue, 503.
 */
export const MAX_RUNNING_PASSWORD_CHECKS = 1;
export const MAX_QUEUED_PASSWORD_CHECKS = 16;

export class PasswordGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxRunning = MAX_RUNNING_PASSWORD_CHECKS,
    private readonly maxQueued = MAX_QUEUED_PASSWORD_CHECKS,
  ) {}

  /** Runs `fn` when a slot is free; undefined (not run) when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= this.maxQueued) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return { value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
