import type { DetectionStats } from '../../detect/stage.js';
import type { AlertSink } from '../../detect/alerts/sink.js';
import type { PreparedDetection } from '../../commands/detect.js';
import { listFormats } from '../../formats/registry.js';
import { INGEST_MEMORY_LIMIT } from '../../pipeline/ingest.js';
import { openStore, shownLocation } from '../../store/open.js';
import { allColumns } from '../../store/schema.js';
import { CollectPipeline } from '../pipeline.js';
import { SerialStore } from '../serial-store.js';
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
  try {
    await store.ensureSchema(allColumns(listFormats()));
    // One queue for the writes: the same batch delivered twice at once is still stored once.
    pipeline = await CollectPipeline.open({
      db: o.store, deadLetterPath: o.deadLetterPath, threads: o.threads, maxConcurrent: 4, detection: o.detection, alertSinks: o.sinks, store: new SerialStore(store),
    });
    worker = await NatsWorker.open(pipeline, { url: o.from, stream: o.stream, batch: o.batch, ackWaitSeconds: o.ackWaitSeconds, correlationPass: o.correlationPass, say: o.error });
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
    await pipeline?.close().catch(() => undefined);
    await store.close();
    throw e;
  }
  clearInterval(status);
  await worker.stop();
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
