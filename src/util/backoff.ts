/** Exponential backoff with jitter, so many collectors failing together do not retry in lockstep. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, after one more failure. */
  next(): number {
    this.failures++;
    return delayFor(this.failures, this.baseMs, this.maxMs, this.random);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/** base·2^(n-1), capped, with ±25% jitter. */
export function delayFor(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(exp * (0.75 + random() * 0.5));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
