import type { Delivery, DeliveryResult, StreamDelivery, StreamIntake } from '../collect/intake.js';

/**
 * A test double of the collect pipeline's contract: records what inputs deliver and dead-letter, and
 * can be made saturated or failing. Unit tests of inputs use it; end-to-end tests use the real pipeline.
 */
export class RecordingIntake implements StreamIntake {
  readonly deliveries: Delivery[] = [];
  readonly streams: StreamDelivery[] = [];
  readonly deadLetters: { source: string; format: string; line: number; reason: string; record: string }[] = [];
  saturated = false;
  /** Deliveries to fail before succeeding (to exercise retries). */
  failNext = 0;
  /** Delay before a delivery resolves, in milliseconds. */
  delayMs = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  get lines(): string[] {
    return this.deliveries.flatMap((d) => d.lines);
  }

  async deliver(d: Delivery): Promise<DeliveryResult> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('store unavailable (test)');
    }
    this.deliveries.push({ ...d, lines: [...d.lines] });
    this.wake();
    return { records: d.lines.length, events: d.lines.length, stored: d.lines.length, duplicates: 0, rejected: 0 };
  }

  async deliverStream(d: StreamDelivery): Promise<DeliveryResult> {
    this.streams.push(d);
    return { records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0 };
  }

  async deadLetter(source: string, format: string, records: { line: number; reason: string; record: string }[]): Promise<void> {
    for (const r of records) this.deadLetters.push({ source, format, ...r });
    this.wake();
  }

  /** Resolves once `count` lines (plus dead letters) have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} records, have ${this.total}`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      this.wake();
    });
  }

  private get total(): number {
    return this.lines.length + this.deadLetters.length;
  }

  private wake(): void {
    const total = this.total;
    this.waiters = this.waiters.filter((w) => (total >= w.count ? (w.resolve(), false) : true));
  }
}
