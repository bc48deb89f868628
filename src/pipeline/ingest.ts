import { availableParallelism } from 'node:os';
import { listFormats } from '../formats/registry.js';
import { openStore, shownLocation, type IndexableStore } from '../store/open.js';
import type { IndexOutcome } from '../store/duckdb/indexes.js';
import { allColumns } from '../store/schema.js';
import { StoreAlertSink } from '../detect/alerts/store-sink.js';
import type { AlertSink } from '../detect/alerts/sink.js';
import { DetectionStage, type DetectionStats } from '../detect/stage.js';
import { SharedDetectionTables } from '../detect/shared/tables.js';
import type { DetectionEngine, DetectionSpec } from '../detect/spec.js';
import { DeadLetterWriter } from './dead-letter.js';
import { runPipeline, type ProgressReporter, type RunOptions } from './run.js';
import { StoreSink } from './sinks/store.js';
import type { RunSummary } from './stats.js';
import { asOutputError, interruption, stopRun } from './output.js';
import type { EventStore } from '../store/store.js';
import { INGEST_ANALYSES, type IngestAnalysis } from '../insights/views.js';
import type { S3Options } from '../sources/s3.js';
import type { ExpandedInputs } from '../sources/inputs.js';

/** The database could not be opened or its schema created. */
export class StoreOpenError extends Error {}

export interface IngestOptions {
  inputs: string[];
  /** The store: a DuckDB database file or a clickhouse:// URL (see store/open.ts). */
  db: string;
  format: string;
  formatOptions?: Record<string, string>;
  original?: boolean;
  threads: number;
  deadLetterPath: string;
  progress?: ProgressReporter | undefined;
  /** Loaded rules and feeds; absent or inactive: no detection. */
  detection?: { spec: DetectionSpec; engine: DetectionEngine; active: boolean } | undefined;
  /** Alert destinations besides the database's alerts table. */
  alertSinks?: AlertSink[];
  /** Run the post-ingest analyses (anomalies, coverage) over the store afterwards (default true). */
  analyses?: boolean;
  /**
   * Detection shared with other processes feeding the same store: matches are stored for the
   * correlation pass (src/detect/shared/pass.ts), which raises the alerts and runs the analyses;
   * this run raises none and skips the analyses (they would see other processes' data half stored).
   */
  sharedDetection?: boolean;
  /** How to reach S3 for `s3://bucket/prefix` inputs. */
  s3?: S3Options | undefined;
  /** DuckDB's memory limit while loading (default INGEST_MEMORY_LIMIT). */
  memoryLimit?: string | undefined;
  /** Create the trail's exact-id indexes that are missing afterwards (`ingest --index`; see store/duckdb/indexes.ts). */
  index?: boolean;
  /** Rows staged before each load into the store (default: the store sink's). */
  storeBatchRows?: number;
  /** Where relative inputs are, and what `-` reads (ingest run by another process for a command). */
  cwd?: string | undefined;
  stdin?: RunOptions['stdin'];
  /** Aborting it (Ctrl-C) stops the run: see RunOptions.signal; analyses and indexes are then skipped. */
  signal?: AbortSignal | undefined;
  /** The local inputs, already expanded by the caller (see RunOptions.expanded). */
  expanded?: ExpandedInputs | undefined;
}

/**
 * A store ingest can write to: the database itself, or the process holding it. Only DuckDB stores
 * have the trail's indexes (createIndexes); `--index` on another store says so.
 */
export type IngestStore = EventStore & { createIndexes?(): Promise<IndexOutcome[]> };

/**
 * DuckDB's memory limit for ingest. Loading needs little of it, but DuckDB fills what it is given
 * with cached table data as the store grows: at 1 GB, ingesting 4M CloudFront lines peaked at 2.0 GB
 * RSS against 1.5 GB for 1M; at 512 MB, 1.14 GB against 1.01 GB (bench/run.js), for the same speed.
 * Its parallel CSV load needs buffers per thread (a 5-line CloudFront load failed at 256 MB on two
 * threads), hence 128 MB per core, at least 512 MB.
 */
export const INGEST_MEMORY_LIMIT = `${Math.max(512, 128 * availableParallelism())}MB`;

export interface IngestResult {
  summary: RunSummary;
  alerts?: DetectionStats | undefined;
  /** Alerts raised by the post-ingest analyses, per analysis id; failures by analysis id with why. */
  analyses?: AnalysesOutcome;
  /** With `index`: what each trail index came to. */
  indexes?: IndexOutcome[];
  /** With `index`: why the indexes could not be built (the events are stored all the same). */
  indexError?: string;
}

/**
 * Normalizes inputs into the DuckDB store, runs detection on the way and records files, dead letters
 * and alerts in the database: what `packettrail ingest` and `packettrail demo` both do.
 *
 * The dead-letter file is checked before anything is read (an OutputError). Anything that cannot
 * be written during the run stops it: the result's `summary.stopped` says why, and its counts are
 * what the store holds (see ingestInto).
 */
export async function ingest(o: IngestOptions): Promise<IngestResult> {
  await new DeadLetterWriter(o.deadLetterPath).check();
  let store: IndexableStore;
  try {
    store = await openStore(o.db, { duckdb: { memoryLimit: o.memoryLimit ?? INGEST_MEMORY_LIMIT } });
  } catch (e) {
    throw new StoreOpenError(`cannot open database ${shownLocation(o.db)}: ${(e as Error).message}`);
  }
  try {
    await store.ensureSchema(allColumns(listFormats()));
  } catch (e) {
    await store.close().catch(() => {});
    throw new StoreOpenError(`cannot create the schema of ${shownLocation(o.db)}: ${(e as Error).message}`);
  }
  let result: IngestResult | undefined;
  try {
    result = await ingestInto(store, o);
    return result;
  } finally {
    try {
      await store.close();
    } catch (e) {
      // Closing checkpoints the write-ahead log: what it holds is committed and replayed on the next open.
      if (result) stopRun(result.summary, asOutputError(`the database ${shownLocation(o.db)}`, e));
    }
  }
}

/**
 * ingest's work on an open store. A source the run stopped in is recorded in ingested_files as not
 * complete, with what was stored of it: a re-run stores the rest (loads skip the events already
 * stored), and the table's `stored` still adds up to the events in the store.
 */
export async function ingestInto(store: IngestStore, o: IngestOptions): Promise<IngestResult> {
  const deadLetters = new DeadLetterWriter(o.deadLetterPath);
  deadLetters.onWrite(async (entries) => {
    try {
      await store.recordDeadLetters(entries.map((e) => ({ source: e.source, line: e.line, dataset: e.format, reason: e.reason, record: e.record })));
    } catch (e) {
      throw asOutputError(`dead letters to the dead_letters table of ${store.path}`, e);
    }
  });
  const sink = new StoreSink(store, ...(o.storeBatchRows ? [o.storeBatchRows] : []));
  const d = o.detection;
  const stage = !d?.active
    ? undefined
    : o.sharedDetection
      ? new DetectionStage(d.engine.rules, [], { matchStore: new SharedDetectionTables(store) })
      : new DetectionStage(d.engine.rules, [new StoreAlertSink(store), ...(o.alertSinks ?? [])], { createCorrelator: d.engine.createCorrelator });
  try {
    const summary = await runPipeline({
      inputs: o.inputs,
      format: o.format,
      formatOptions: o.formatOptions ?? {},
      original: o.original ?? false,
      threads: o.threads,
      sink: stage ? stage.wrap(sink) : sink,
      deadLetters,
      progress: o.progress,
      detection: stage ? d!.spec : undefined,
      s3: o.s3,
      cwd: o.cwd,
      stdin: o.stdin,
      signal: o.signal,
      expanded: o.expanded,
    });
    const stop = (e: unknown) => stopRun(summary, e);
    await sink.close().catch(stop);
    // Interrupted once every source was read: what was read is stored, the analyses are skipped.
    if (o.signal?.aborted) stop(interruption(o.signal));
    // Analyses read what was just stored, and their alerts go out before the stage closes the sinks.
    // Over a run that stopped, they would report on part of the data: they wait for a complete run.
    const analyses = o.analyses === false || o.sharedDetection || summary.stopped ? undefined : await runAnalyses(store, o.alertSinks ?? [], o.signal);
    if (o.signal?.aborted) stop(interruption(o.signal));
    const alerts = await stage?.finish();
    if (!stage || o.sharedDetection) for (const s of o.alertSinks ?? []) await s.close();
    try {
      for (const s of summary.sources) {
        await store.recordFile({
          path: s.source, dataset: s.format, records: s.records, events: s.events, stored: s.stored ?? 0,
          duplicates: s.duplicates ?? 0, rejected: s.rejected, skipped: Object.values(s.skipped).reduce((a, b) => a + b, 0), bytes: s.bytes,
          complete: !s.incomplete,
        });
      }
    } catch (e) {
      stop(asOutputError(`the ingested_files table of ${store.path}`, e));
    }
    await deadLetters.close().catch(stop);
    // Only the missing ones: once they exist, DuckDB keeps the indexes up to date on every load.
    let indexes: IndexOutcome[] | undefined;
    let indexError: string | undefined;
    if (o.index && !summary.stopped) {
      try {
        if (!store.createIndexes) throw new Error(`the store ${store.path} has no indexes to create: a ClickHouse store is sorted by time, and ClickHouse 18.16 has no secondary indexes`);
        indexes = await store.createIndexes();
      } catch (e) {
        indexError = (e as Error).message;
      }
    }
    return { summary, alerts, analyses, ...(indexes ? { indexes } : {}), ...(indexError ? { indexError } : {}) };
  } finally {
    // Already closed on the way, unless the run failed otherwise: no file handles or staged rows left behind.
    await deadLetters.close().catch(() => {});
    await sink.close().catch(() => {});
  }
}

export interface AnalysesOutcome {
  alerts: Record<string, number>;
  failed: Record<string, string>;
}

/** Runs every post-ingest analysis over the store; one failing analysis never fails the ingest. */
export async function runAnalyses(store: EventStore, extraSinks: AlertSink[], signal?: AbortSignal, analyses: readonly IngestAnalysis[] = INGEST_ANALYSES): Promise<AnalysesOutcome> {
  const result: AnalysesOutcome = { alerts: {}, failed: {} };
  if (!analyses.length) return result;
  const storeSink = new StoreAlertSink(store);
  const sinks = [storeSink, ...extraSinks];
  for (const analysis of analyses) {
    if (signal?.aborted) break;
    try {
      const alerts = await analysis.run(store, {});
      for (const alert of alerts) for (const sink of sinks) await sink.write(alert);
      result.alerts[analysis.id] = alerts.length;
    } catch (e) {
      result.failed[analysis.id] = (e as Error).message;
    }
  }
  await storeSink.close();
  return result;
}
