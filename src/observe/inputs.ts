import type { DeliveryResult, StreamIntake } from '../collect/intake.js';
import type { Counter, Gauge, MetricsRegistry } from './metrics.js';

/**
 * Per-input metrics of a collecting process (collect, serve --collect, worker): every input is given
 * its own view of the pipeline, which counts what goes through it under the input's name. The
 * counts are those of the pipeline's DeliveryResult; an error is a delivery that failed (nothing
 * acknowledged: the input retries or hands it back).
 */

/** How often a queue's depth is asked for (SQS GetQueueAttributes): scrapes read the last answer, they never call SQS. */
export const QUEUE_DEPTH_EVERY_MS = 15_000;

const RESULT_FIELDS = ['records', 'events', 'stored', 'duplicates', 'rejected'] as const satisfies readonly (keyof DeliveryResult)[];

/** What the metric families say, one line each (the HELP text). */
const HELP = {
  deliveries: 'Deliveries (batches, objects, files) the input handed to the pipeline that were stored.',
  records: 'Records read from the input\'s deliveries.',
  events: 'Events normalized from the input\'s records.',
  stored: 'Events the store committed (new ones; duplicates not counted).',
  duplicates: 'Events already stored (a delivery repeated after a crash or by the sender).',
  rejected: 'Records rejected to the dead-letter output.',
  errors: 'Deliveries that failed (not stored, not acknowledged: retried or handed back), and errors of the input itself (queue receives).',
  lastError: 'When the input last failed, seconds since the Unix epoch (absent: never).',
  queueDepth: 'Messages waiting in the input\'s queue (SQS ApproximateNumberOfMessages).',
  queueInFlight: 'Messages received from the input\'s queue and not yet deleted (SQS ApproximateNumberOfMessagesNotVisible).',
  saturated: '1 while the pipeline has more work queued than it takes: inputs back off (HTTP 429, syslog stops reading).',
} as const;

export class InputMetrics {
  private readonly deliveries: Counter;
  private readonly results: Record<(typeof RESULT_FIELDS)[number], Counter>;
  private readonly errors: Counter;
  private readonly lastError: Gauge;
  private readonly queueDepth: Gauge;
  private readonly queueInFlight: Gauge;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly closers: (() => void)[] = [];
  private saturationWatched = false;

  constructor(private readonly registry: MetricsRegistry) {
    const c = (what: keyof typeof HELP) => registry.counter(`packettrail_input_${what}_total`, HELP[what], ['input']);
    this.deliveries = c('deliveries');
    this.results = { records: c('records'), events: c('events'), stored: c('stored'), duplicates: c('duplicates'), rejected: c('rejected') };
    this.errors = c('errors');
    this.lastError = registry.gauge('packettrail_input_last_error_timestamp_seconds', HELP.lastError, ['input']);
    this.queueDepth = registry.gauge('packettrail_input_queue_depth', HELP.queueDepth, ['input']);
    this.queueInFlight = registry.gauge('packettrail_input_queue_in_flight', HELP.queueInFlight, ['input']);
  }

  /** The pipeline as `input` sees it: the same work, counted under its name. */
  observe(input: string, intake: StreamIntake): StreamIntake {
    const labels = { input };
    // Every series shows from the start, at 0: a scraper (and rate()) sees the input before its first delivery.
    for (const counter of [this.deliveries, this.errors, ...Object.values(this.results)]) counter.touch(labels);
    if (!this.saturationWatched) {
      this.saturationWatched = true;
      this.registry.gaugeCallback('packettrail_pipeline_saturated', HELP.saturated, [], () => [{ labels: {}, value: intake.saturated ? 1 : 0 }]);
    }
    const count = async (work: Promise<DeliveryResult>): Promise<DeliveryResult> => {
      let result: DeliveryResult;
      try {
        result = await work;
      } catch (e) {
        this.failed(input);
        throw e;
      }
      this.deliveries.inc(labels);
      for (const f of RESULT_FIELDS) this.results[f].inc(labels, result[f]);
      return result;
    };
    const view: StreamIntake = {
      deliver: (d) => count(intake.deliver(d)),
      deliverStream: (d) => count(intake.deliverStream(d)),
      get saturated() {
        return intake.saturated;
      },
    };
    if (intake.deadLetter) view.deadLetter = (source, format, records) => intake.deadLetter!(source, format, records);
    return view;
  }

  /** Counts a failure of the input (a delivery, or its own: a queue receive that failed). */
  failed(input: string, count = 1): void {
    if (count <= 0) return;
    this.errors.inc({ input }, count);
    this.lastError.set({ input }, Math.floor(Date.now() / 1000));
  }

  /**
   * Polls a queue's depth every `everyMs` (first at once) into the input's queue gauges. A failed
   * poll counts as an error of the input and removes the gauges (an unknown depth is not shown as the last one).
   */
  watchQueue(input: string, depth: () => Promise<{ visible: number; inFlight: number }>, everyMs = QUEUE_DEPTH_EVERY_MS, close?: () => void): void {
    const labels = { input };
    let running = false;
    const poll = async () => {
      if (running) return;
      running = true;
      try {
        const d = await depth();
        this.queueDepth.set(labels, d.visible);
        this.queueInFlight.set(labels, d.inFlight);
      } catch {
        this.queueDepth.remove(labels);
        this.queueInFlight.remove(labels);
        this.failed(input);
      } finally {
        running = false;
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    timer.unref();
    this.timers.push(timer);
    if (close) this.closers.push(close);
  }

  /** Stops the queue polls. */
  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const c of this.closers.splice(0)) c();
  }
}
