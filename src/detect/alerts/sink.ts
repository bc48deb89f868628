import type { Alert } from '../types.js';

export interface AlertSinkStats {
  name: string;
  /** Alerts the destination accepted (stored: new rows only; webhook: 2xx responses). */
  delivered: number;
  /** Alerts already there (store) — not a failure. */
  duplicates: number;
  failed: number;
  /** First few failure reasons, for the summary. */
  errors: string[];
}

/**
 * Where alerts go. One class per file; a sink never throws out of `write` or `close` for a problem
 * with its destination: it counts the failure and the run goes on.
 */
export abstract class AlertSink {
  abstract readonly name: string;
  protected delivered = 0;
  protected duplicates = 0;
  protected failed = 0;
  protected readonly errors: string[] = [];

  abstract write(alert: Alert): Promise<void>;

  /** Flushes what is buffered and waits for deliveries in flight. */
  async close(): Promise<void> {}

  stats(): AlertSinkStats {
    return { name: this.name, delivered: this.delivered, duplicates: this.duplicates, failed: this.failed, errors: [...this.errors] };
  }

  protected fail(reason: string, count = 1): void {
    this.failed += count;
    if (this.errors.length < 5 && !this.errors.includes(reason)) this.errors.push(reason);
  }
}
