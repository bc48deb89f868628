import type { Delivery, DeliveryResult, Intake } from '../intake.js';
import { addDeliveryResult } from '../intake.js';
import type { RouteTarget } from './routes.js';

/**
 * Groups syslog messages into Deliveries: per origin (a TCP connection, a UDP peer) and route, up to
 * `maxLines` messages or `maxDelayMs` after the first one, whichever comes first (while the pipeline
 * is busy, up to GROWTH times larger). A delivery the
 * pipeline fails is retried with backoff until the input stops (events ids are deterministic, so a
 * retry stores nothing twice). `full` tells the listeners to stop reading (TCP backpressure).
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
  /** Its time is up but the pipeline was busy: handed over as soon as it is not. */
  due: boolean;
}

/**
 * While the pipeline is busy, a full batch keeps growing up to this many times `maxLines` instead of
 * queueing one more small delivery: each delivery has a fixed cost (a store insert), so under load
 * fewer, larger deliveries get more messages through. Idle, batches stay small and quick.
 */
const GROWTH = 10;
const RECHECK_MS = 25;

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

export class Batcher {
  private readonly open = new Map<string, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  private queued = 0;
  /** Messages in open batches (not yet handed over). */
  private held = 0;
  private recheck: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Called when a delivery resolved (capacity may be back). */
  onSettled: () => void = () => {};
  readonly counts: BatcherCounts = { deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, retries: 0, lost: 0 };

  constructor(
    private readonly intake: Intake,
    private readonly opts: BatcherOptions,
  ) {}

  /** The pipeline has enough work: batches wait and grow instead of being handed over. */
  get busy(): boolean {
    return this.inFlight.size >= this.opts.maxInFlight || this.intake.saturated;
  }

  /** Busy, and the open batches have grown as large as they may: stop reading (TCP backpressure). */
  get full(): boolean {
    return this.busy && this.held >= this.opts.maxLines * GROWTH;
  }

  /** Messages held here (open batches and deliveries not yet resolved). */
  get queuedLines(): number {
    return this.queued;
  }

  add(source: string, target: RouteTarget, line: string, lineNo: number): void {
    const key = `${source}\u0000${target.label}`;
    let b = this.open.get(key);
    if (!b) {
      b = { source, target, lines: [], firstLine: lineNo, timer: setTimeout(() => this.timeUp(key), this.opts.maxDelayMs), due: false };
      this.open.set(key, b);
    }
    b.lines.push(line);
    this.queued++;
    this.held++;
    if (b.lines.length >= this.opts.maxLines && this.mayDispatch()) this.dispatch(key);
  }

  /** Hands every open batch over and waits until every delivery resolved (or was given up). */
  async flush(stopping = false): Promise<void> {
    this.stopping ||= stopping;
    clearTimeout(this.recheck);
    this.recheck = undefined;
    for (const key of [...this.open.keys()]) this.dispatch(key);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** A ready batch waits while the pipeline is busy (and grows meanwhile, until the input stops reading). */
  private mayDispatch(): boolean {
    return !this.busy || this.stopping;
  }

  private timeUp(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    if (this.mayDispatch()) this.dispatch(key);
    else {
      b.due = true;
      this.scheduleRecheck();
    }
  }

  /** Hands over ready batches (full or due) while the pipeline takes them; polls while some wait. */
  private dispatchReady(): void {
    let waiting = false;
    for (const [key, b] of this.open) {
      if (!b.due && b.lines.length < this.opts.maxLines) continue;
      if (this.mayDispatch()) this.dispatch(key);
      else waiting = true;
    }
    if (waiting) this.scheduleRecheck();
  }

  private scheduleRecheck(): void {
    this.recheck ??= setTimeout(() => {
      this.recheck = undefined;
      this.dispatchReady();
    }, RECHECK_MS);
  }

  private dispatch(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    this.open.delete(key);
    clearTimeout(b.timer);
    this.held -= b.lines.length;
    const delivery: Delivery = { source: b.source, format: b.target.format, lines: b.lines, firstLine: b.firstLine };
    if (Object.keys(b.target.options).length) delivery.formatOptions = b.target.options;
    const p = this.deliver(delivery).finally(() => {
      this.inFlight.delete(p);
      this.queued -= b.lines.length;
      this.dispatchReady();
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
      addDeliveryResult(c, result);
      return;
    }
  }
}
