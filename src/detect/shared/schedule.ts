import type { CorrelationPass, PassOutcome } from './pass.js';

/** Bounds of `--correlate-every` (seconds). */
export const MIN_CORRELATE_EVERY_S = 1;
export const MAX_CORRELATE_EVERY_S = 86_400;

/**
 * Runs a correlation pass every `everyMs` in a long-running process (collect, worker): one pass at
 * a time (a slow pass delays the next rather than overlapping it); a failed pass is reported and the
 * next one reads the same matches again. `stop()` waits for the pass running.
 */
export class CorrelationSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  /** Passes run, failed, and the last outcome (for status lines and /metrics). */
  passes = 0;
  failures = 0;
  last: PassOutcome | undefined;

  constructor(
    private readonly pass: CorrelationPass,
    private readonly everyMs: number,
    private readonly report: { done?: (o: PassOutcome) => void; failed: (e: Error) => void },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref?.();
  }

  /** One pass now unless one is running (then that one's end). */
  runOnce(): Promise<void> {
    if (this.busy) return this.running;
    this.busy = true;
    this.running = this.pass
      .run()
      .then((o) => {
        this.passes++;
        this.last = o;
        this.report.done?.(o);
      })
      .catch((e: unknown) => {
        this.failures++;
        this.report.failed(e as Error);
      })
      .finally(() => {
        this.busy = false;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** `--correlate-every <seconds>` as milliseconds; throws a message naming the option on bad input. */
export function correlateEveryOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < MIN_CORRELATE_EVERY_S || n > MAX_CORRELATE_EVERY_S) {
    throw new Error(`--correlate-every must be a whole number of seconds from ${MIN_CORRELATE_EVERY_S} to ${MAX_CORRELATE_EVERY_S}, got '${text}'`);
  }
  return n * 1000;
}
