import type { DetectionStats } from '../../detect/stage.js';
import type { AlertSink } from '../../detect/alerts/sink.js';
import type { PreparedDetection } from '../../commands/detect.js';
import { listFormats } from '../../formats/registry.js';
import { INGEST_MEMORY_LIMIT } from '../../pipeline/ingest.js';
import { openStore, shownLocation } from '../../store/open.js';
import { allColumns } from '../../store/schema.js';
import { CollectPipeline } from '../pipeline.js';
import { SerialStore } from '../serial-store.js';
import { CorrelationPass } from '../../detect/shared/pass.js';
import { CorrelationSchedule } from '../../detect/shared/schedule.js';
import type { EventStore } from '../../store/store.js';
import type { Observability } from '../../observe/observability.js';
import type { MetricsRegistry } from '../../observe/metrics.js';
import { NatsWorker, workerCountsLine, type NatsWorkerOptions, type WorkerStats } from './worker.js';

export interface RunWorkerOptions {
  from: string;
  stream: string;
  batch: number;
  ackWaitSeconds: number;
  threads: number;
  /** A clickhouse:// URL or a DuckDB file. */
  store: string;
  deadLetterPath: string;
  detection: PreparedDetection;
  sinks: AlertSink[];
  /** Seconds between status lines (0: none). */
  statusEvery: number;
  /** Resolves when the worker should stop (the first SIGINT/SIGTERM). */
  stopped: Promise<string>;
  /** Called once the worker pulls: where `/metrics` and the process registry read `worker.stats()` and `worker.lag()`. */
  onStarted?: (worker: NatsWorker) => void;
  correlationPass?: NatsWorkerOptions['correlationPass'];
  /**
   * Workers share detection through the store (src/detect/shared/): they store rule matches, and a
   * correlation pass raises every alert once. False only for a lone worker that raises its own alerts.
   */
  sharedDetection: boolean;
  /** Run the correlation pass in this worker this often (ms); one or a few workers of a stream do it. */
  correlateEveryMs?: number | undefined;
  /** How far behind the newest stored match the pass reads (default: the pass's). */
  settleMs?: number | undefined;
  /** The process's metrics and registration (src/observe/): deliveries are counted as the input `nats:<stream>`, the worker's counts exported. */
  observed?: Observability | undefined;
  say(line: string): void;
  error(line: string): void;
}

/** Opens the store and the pipeline, runs one worker until `stopped`, then stops it and closes everything. */
export async function runWorker(o: RunWorkerOptions): Promise<{ stats: WorkerStats; alerts: DetectionStats | undefined }> {
  const store = await openStore(o.store, { duckdb: { memoryLimit: INGEST_MEMORY_LIMIT } }).catch((e: Error) => {
    throw new Error(`cannot open the store ${shownLocation(o.store)}: ${e.message}`);
  });
  let pipeline: CollectPipeline | undefined;
  let worker: NatsWorker | undefined;
  let status: NodeJS.Timeout | undefined;
  let correlation: CorrelationSchedule | undefined;
  try {
    await store.ensureSchema(allColumns(listFormats()));
    // One queue for the writes: the same batch delivered twice at once is still stored once.
    pipeline = await CollectPipeline.open({
      db: o.store, deadLetterPath: o.deadLetterPath, threads: o.threads, maxConcurrent: 4, detection: o.detection, alertSinks: o.sinks, store: new SerialStore(store),
      sharedDetection: o.sharedDetection,
    });
    if (o.correlateEveryMs !== undefined) correlation = startCorrelation(store, o);
    const intake = o.observed ? o.observed.inputs.observe(`nats:${o.stream}`, pipeline) : pipeline;
    worker = await NatsWorker.open(intake, { url: o.from, stream: o.stream, batch: o.batch, ackWaitSeconds: o.ackWaitSeconds, correlationPass: o.correlationPass, say: o.error });
    if (o.observed) exportWorkerStats(o.observed.metrics, worker);
    const running = worker.start();
    o.onStarted?.(worker);
    o.say(`packettrail worker: pulling from ${o.stream} on ${o.from} (batch ${o.batch}, ack wait ${o.ackWaitSeconds} s), storing into ${shownLocation(o.store)}; stop with Ctrl-C or SIGTERM`);
    const w = worker;
    if (o.statusEvery > 0) status = setInterval(() => o.say(`packettrail worker: ${workerCountsLine(w.stats())}`), o.statusEvery * 1000);
    const sig = await Promise.race([o.stopped, running.then(() => 'ended')]);
    o.say(`packettrail worker: ${sig}: stopping (batches in flight are stored or handed back; a second signal exits at once)`);
  } catch (e) {
    clearInterval(status);
    await worker?.stop();
    await correlation?.stop();
    await pipeline?.close().catch(() => undefined);
    await store.close();
    throw e;
  }
  clearInterval(status);
  await worker.stop();
  // The last pass after the last batch is stored: what this worker's batches completed is correlated now.
  if (correlation) {
    await correlation.stop();
    await correlation.runOnce();
  }
  let alerts: DetectionStats | undefined;
  try {
    alerts = await pipeline.close();
  } finally {
    await store.close();
  }
  const stats = worker.stats();
  o.say(`packettrail worker: ${workerCountsLine(stats)}${pipeline.deadLetterPath ? `; dead letters in ${pipeline.deadLetterPath}` : ''}`);
  return { stats, alerts };
}

function startCorrelation(store: EventStore, o: RunWorkerOptions): CorrelationSchedule {
  const pass = new CorrelationPass(store, o.detection.engine, { sinks: () => o.sinks, ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}) });
  const schedule = new CorrelationSchedule(pass, o.correlateEveryMs!, {
    done: (r) => {
      if (r.matches) o.say(`packettrail worker: correlation pass: ${r.matches} match(es) up to ${new Date(r.until!).toISOString()}: ${r.alerts} alert(s) stored, ${r.suppressed} suppressed`);
    },
    failed: (e) => o.error(`packettrail worker: correlation pass failed (the next one reads the same matches again): ${e.message}`),
  });
  schedule.start();
  return schedule;
}

/** The worker's own totals on /metrics and in its registration (lag is read from NATS by cluster status). */
function exportWorkerStats(metrics: MetricsRegistry, worker: NatsWorker): void {
  metrics.counterCallback('packettrail_worker_batches_total', 'Stream messages (batches) by what happened to them: received, acked, handed back (naked), delivered again (redelivered).', ['outcome'], () => {
    const s = worker.stats();
    return (['received', 'acked', 'naked', 'redelivered'] as const).map((outcome) => ({ labels: { outcome }, value: s[outcome] }));
  });
  metrics.counterCallback('packettrail_worker_events_total', 'Events of the batches: stored, already stored (duplicates), dead-lettered (rejected).', ['result'], () => {
    const s = worker.stats();
    return (['stored', 'duplicates', 'rejected'] as const).map((result) => ({ labels: { result }, value: s[result] }));
  });
  metrics.counterCallback('packettrail_worker_errors_total', 'Batches that failed (store errors, unreadable messages).', [], () => [{ labels: {}, value: worker.stats().errors }]);
}
