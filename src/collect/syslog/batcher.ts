import type { Delivery, DeliveryResult, Intake } from '../intake.js';
import type { RouteTarget } from './routes.js';

/**
 * Groups syslog messages into Deliveries: per origin (a TCP connection, a UDP peer) and route, up to
 * `maxLines` messages or `maxDelayMs` after the first one, whichever comes first. A delivery the
 * pipeline fails is retried with backoff until the input stops (events ids are deterministic, so a
 * retry stores nothing twice). `busy` tells the listeners to stop reading (TCP backpressure).
 */
export interface BatcherOptions {
  maxLines: number;
  maxDelayMs: number;
  /** Deliveries handed to the pipeline and not yet resolved, at most. */
  maxInFlight: number;
  log: (message: string) => void;
}

export interface BatcherCounts {
  deliveries: number;
  records: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Deliveries the pipeline failed, retried. */
  retries: number;
  /** Messages given up on when the input stopped while their delivery still failed. */
  lost: number;
}

interface Batch {
  source: string;
  target: RouteTarget;
  lines: string[];
  firstLine: number;
  timer: NodeJS.Timeout;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

export class Batcher {
  private readonly open = new Map<string, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  private queued = 0;
  private stopping = false;
  /** Called when a delivery resolved (capacity may be back). */
  onSettled: () => void = () => {};
  readonly counts: BatcherCounts = { deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, retries: 0, lost: 0 };

  constructor(
    private readonly intake: Intake,
    private readonly opts: BatcherOptions,
  ) {}

  /** The pipeline has enough work: listeners that can wait (TCP) stop reading. */
  get busy(): boolean {
    return this.inFlight.size >= this.opts.maxInFlight || this.intake.saturated;
  }

  /** Messages held here (open batches and deliveries not yet resolved). */
  get queuedLines(): number {
    return this.queued;
  }

  add(source: string, target: RouteTarget, line: string, lineNo: number): void {
    const key = `${source}\u0000${target.label}`;
    let b = this.open.get(key);
    if (!b) {
      b = { source, target, lines: [], firstLine: lineNo, timer: setTimeout(() => this.dispatch(key), this.opts.maxDelayMs) };
      this.open.set(key, b);
    }
    b.lines.push(line);
    this.queued++;
    if (b.lines.length >= this.opts.maxLines) this.dispatch(key);
  }

  /** Hands every open batch over and waits until every delivery resolved (or was given up). */
  async flush(stopping = false): Promise<void> {
    this.stopping ||= stopping;
    for (const key of [...this.open.keys()]) this.dispatch(key);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private dispatch(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    this.open.delete(key);
    clearTimeout(b.timer);
    const delivery: Delivery = { source: b.source, format: b.target.format, lines: b.lines, firstLine: b.firstLine };
    if (Object.keys(b.target.options).length) delivery.formatOptions = b.target.options;
    const p = this.deliver(delivery).finally(() => {
      this.inFlight.delete(p);
      this.queued -= b.lines.length;
      this.onSettled();
    });
    this.inFlight.add(p);
  }

  private async deliver(d: Delivery): Promise<void> {
    let wait = RETRY_FIRST_MS;
    for (;;) {
      let result: DeliveryResult;
      try {
        result = await this.intake.deliver(d);
      } catch (e) {
        if (this.stopping) {
          this.counts.lost += d.lines.length;
          this.opts.log(`giving up on ${d.lines.length} messages from ${d.source} (${d.format}) at shutdown: ${(e as Error).message}`);
          return;
        }
        this.counts.retries++;
        this.opts.log(`delivery of ${d.lines.length} messages from ${d.source} failed, retrying in ${wait} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, RETRY_MAX_MS);
        continue;
      }
      const c = this.counts;
      c.deliveries++;
      c.records += result.records;
      c.events += result.events;
      c.stored += result.stored;
      c.duplicates += result.duplicates;
      c.rejected += result.rejected;
      return;
    }
  }
}
