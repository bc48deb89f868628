import { Readable } from 'node:stream';
import { listFormats } from '../formats/registry.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import { StoreAlertSink } from '../detect/alerts/store-sink.js';
import type { AlertSink } from '../detect/alerts/sink.js';
import { DetectionStage, type DetectionStats } from '../detect/stage.js';
import { SharedDetectionTables } from '../detect/shared/tables.js';
import type { DetectionEngine, DetectionSpec } from '../detect/spec.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { ChunkPool } from '../pipeline/pool.js';
import { runSource, type ByteSource, type EventSink } from '../pipeline/run.js';
import { StoreSink } from '../pipeline/sinks/store.js';
import { INGEST_MEMORY_LIMIT } from '../pipeline/ingest.js';
import type { SourceStats } from '../pipeline/stats.js';
import { StoreOpenError } from '../pipeline/ingest.js';
import { SerialStore } from './serial-store.js';
import type { Delivery, DeliveryResult, StreamDelivery, StreamIntake } from './intake.js';
import type { EventStore } from '../store/store.js';
import { addDeliveryResult } from './intake.js';

export interface CollectPipelineOptions {
  db: string;
  deadLetterPath: string | undefined;
  threads: number;
  /** Deliveries processed at the same time; the rest wait their turn. */
  maxConcurrent: number;
  original?: boolean;
  /** A line longer than this is dead-lettered (default 64 Mi characters). */
  maxLineChars?: number;
  /** Rows staged before each load into the store (default: the store sink's). */
  storeBatchRows?: number;
  detection?: { spec: DetectionSpec; engine: DetectionEngine; active: boolean } | undefined;
  alertSinks?: AlertSink[];
  /**
   * Detection shared with other processes feeding the same store (workers): matches are stored for
   * the correlation pass (src/detect/shared/pass.ts), which raises the alerts; none are raised here.
   */
  sharedDetection?: boolean;
  /**
   * The store, already open and serializing its writes (the process that holds the database for
   * other commands too): used instead of opening `db`, and left open by `close`.
   */
  store?: EventStore;
}

/** Running totals of a collect process, for its log lines and final summary. */
export interface CollectCounts {
  deliveries: number;
  records: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Sources with a problem as a whole (unreadable, truncated, unrecognized). */
  failedSources: number;
}

/**
 * The long-running side of `packettrail collect`: one store, one parser pool, one detection stage
 * and one dead-letter file shared by every input. Each delivery is read like a file by `ingest`
 * (format detection, header replay, chunks parsed on the pool, detection, dead letters) and
 * resolves once its events are stored. At most `maxConcurrent` deliveries run at once; store
 * writes are serialized (one DuckDB connection), which also keeps the duplicate check exact when
 * the same object is delivered twice at the same time.
 */
export class CollectPipeline implements StreamIntake {
  readonly counts: CollectCounts = { deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, failedSources: 0 };
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private matchesDone: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly opts: CollectPipelineOptions,
    private readonly store: EventStore,
    private readonly pool: ChunkPool,
    private readonly deadLetters: DeadLetterWriter,
    private readonly stage: DetectionStage | undefined,
  ) {}

  static async open(opts: CollectPipelineOptions): Promise<CollectPipeline> {
    let store = opts.store;
    if (!store) {
      let duck: DuckDbStore;
      try {
        // The same bound as ingest: a collector runs for weeks and DuckDB fills what it is given.
        duck = await DuckDbStore.open(opts.db, { memoryLimit: INGEST_MEMORY_LIMIT });
        await duck.ensureSchema(allColumns(listFormats()));
      } catch (e) {
        throw new StoreOpenError(`cannot open database ${opts.db}: ${(e as Error).message}`);
      }
      store = new SerialStore(duck);
    }
    const shared = store;
    const deadLetters = new DeadLetterWriter(opts.deadLetterPath);
    deadLetters.onWrite((entries) => shared.recordDeadLetters(entries.map((e) => ({ source: e.source, line: e.line, dataset: e.format, reason: e.reason, record: e.record }))));
    const d = opts.detection;
    // Alerts are stored one by one: a collector runs for days, alerts must not wait for a batch to fill.
    const stage = !d?.active
      ? undefined
      : opts.sharedDetection
        ? new DetectionStage(d.engine.rules, [], { matchStore: new SharedDetectionTables(store) })
        : new DetectionStage(d.engine.rules, [new StoreAlertSink(store, 1), ...(opts.alertSinks ?? [])], { createCorrelator: d.engine.createCorrelator });
    return new CollectPipeline(opts, store, new ChunkPool(opts.threads), deadLetters, stage);
  }

  get deadLetterPath(): string | undefined {
    return this.deadLetters.path;
  }

  /** More deliveries are running or waiting than the pipeline works on at once. */
  get saturated(): boolean {
    return this.active + this.waiting.length >= this.opts.maxConcurrent * 2;
  }

  /** Something an input could not turn into a delivery: dead-lettered with its reason and origin. */
  async deadLetter(source: string, format: string, records: { line: number; reason: string; record: string }[]): Promise<void> {
    await this.deadLetters.write(source, format, records);
  }

  /** Records pushed by an input (syslog, HTTP, Firehose): read as one small source. */
  deliver(delivery: Delivery): Promise<DeliveryResult> {
    const header = delivery.header ?? [];
    // One element is one record: line breaks inside it (a pretty-printed JSON document) become spaces.
    const records = delivery.lines.map((l) => (/[\r\n]/.test(l) ? l.replace(/\r?\n|\r/g, ' ') : l));
    const text = [...header, ...records].join('\n');
    const bytes = Buffer.from(text, 'utf8');
    return this.run(
      { name: delivery.source, size: bytes.length, open: () => Readable.from([bytes]), lineOffset: (delivery.firstLine ?? 1) - 1 - header.length },
      delivery.format,
      delivery.formatOptions,
      false,
    );
  }

  /** A whole object or file: streamed, gunzipped when it is gzip, read in line-aligned chunks. */
  deliverStream(delivery: StreamDelivery): Promise<DeliveryResult> {
    return this.run({ name: delivery.source, size: delivery.size ?? 0, open: () => delivery.open() }, delivery.format, delivery.formatOptions, true);
  }

  private run(src: ByteSource, format: string, formatOptions: Record<string, string> | undefined, record: boolean): Promise<DeliveryResult> {
    if (this.closed) return Promise.reject(new Error('the collect pipeline is closed'));
    const work = (async () => {
      await this.slot();
      try {
        return await this.process(src, format, formatOptions, record);
      } finally {
        this.release();
      }
    })();
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async process(src: ByteSource, format: string, formatOptions: Record<string, string> | undefined, record: boolean): Promise<DeliveryResult> {
    // One store sink per delivery: its end-of-source flush is this delivery's "stored" point.
    const storeSink = new StoreSink(this.store, ...(this.opts.storeBatchRows ? [this.opts.storeBatchRows] : []));
    const sink = this.stage ? this.withMatches(storeSink, this.stage) : storeSink;
    let stats: SourceStats;
    try {
      stats = await runSource(src, { format, formatOptions: formatOptions ?? {}, original: this.opts.original ?? false, maxLineChars: this.opts.maxLineChars, sink, deadLetters: this.deadLetters, detection: this.stage ? this.opts.detection!.spec : undefined }, this.pool, new Date().toISOString());
    } finally {
      await storeSink.close();
    }
    const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
    const result: DeliveryResult = { records: stats.records, events: stats.events, stored: stats.stored ?? 0, duplicates: stats.duplicates ?? 0, rejected: stats.rejected };
    const c = this.counts;
    c.deliveries++;
    addDeliveryResult(c, result);
    if (stats.errors.length) c.failedSources++;
    if (record) {
      await this.store.recordFile({
        path: stats.source, dataset: stats.format, records: stats.records, events: stats.events, stored: result.stored,
        duplicates: result.duplicates, rejected: stats.rejected, skipped, bytes: stats.bytes,
      });
    }
    // A store failure means the events are not stored: the input must not acknowledge.
    const storeError = stats.errors.find((e) => e.startsWith('store load failed'));
    if (storeError) throw new Error(`${src.name}: ${storeError}`);
    return result;
  }

  /** Passes chunks to the store sink and their matches to the stage, one delivery's matches at a time. */
  private withMatches(inner: EventSink, stage: DetectionStage): EventSink {
    return {
      output: inner.output,
      write: async (source, result) => {
        await inner.write(source, result);
        if (result.matches?.length) {
          const matches = result.matches;
          const done = this.matchesDone.then(() => stage.onMatches(matches));
          this.matchesDone = done.catch(() => {});
          await done;
        }
      },
      endSource: (source) => inner.endSource(source),
    };
  }

  private async slot(): Promise<void> {
    if (this.active < this.opts.maxConcurrent) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** Waits for running deliveries, then flushes detection, closes the pool, dead letters and store. */
  async close(): Promise<DetectionStats | undefined> {
    this.closed = true;
    while (this.running.size) await Promise.allSettled([...this.running]);
    try {
      await this.matchesDone;
      const alerts = await this.stage?.finish();
      if (!this.stage) for (const s of this.opts.alertSinks ?? []) await s.close();
      return alerts;
    } finally {
      await this.pool.close();
      await this.deadLetters.close();
      if (!this.opts.store) await this.store.close();
    }
  }
}
