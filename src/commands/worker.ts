import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { stopSignal } from '../cli/interrupt.js';
import { renderDetectionSummary } from '../cli/summary.js';
import { terminalSafe } from '../cli/text.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { defaultThreads } from '../pipeline/pool.js';
import { isClickHouseUrl, shownLocation, storeLocation } from '../store/open.js';
import { parseStoreUrl } from '../store/clickhouse/url.js';
import { addDetectionOptions, alertSinks, prepareDetection, type DetectionOptions } from './detect.js';
import { DEFAULT_DB, defaultDeadLetterPath } from './common.js';
import { DEFAULT_INTAKE_STREAM } from '../collect/nats/names.js';
import { DEFAULT_ACK_WAIT_S, DEFAULT_WORKER_BATCH, CONSUMER_MAX_ACK_PENDING } from '../collect/nats/worker.js';
import { parseNatsUrl } from '../collect/nats/connection.js';
import { DEFAULT_CORRELATION_SETTLE_MS } from '../detect/shared/pass.js';
import { correlateEveryOf } from '../detect/shared/schedule.js';
import { durationSeconds } from '../searches/types.js';
import { METRICS_TOKEN_ENV } from '../observe/server.js';
import { observe } from './collect.js';

interface WorkerOptions extends DetectionOptions {
  from: string;
  store?: string;
  stream: string;
  batch: string;
  ackWait: string;
  threads?: string;
  deadLetter?: string;
  statusEvery: string;
  sharedDetection: boolean;
  correlateEvery?: string;
  settle: string;
  metricsListen?: string;
  register?: string;
  quiet?: boolean;
}

/** Longest --ack-wait: beyond it a dead worker's batches wait too long before another worker gets them. */
export const MAX_ACK_WAIT_S = 3_600;
/** Deliveries a worker's pipeline processes at once (the rest of a pulled batch waits, kept alive by in-progress signals). */
export const WORKER_MAX_CONCURRENT = 4;

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new CliError(`${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

export function registerWorker(program: Command): void {
  addDetectionOptions(program
    .command('worker')
    .description(COMMAND_INDEX.worker.description)
    .requiredOption('--from <url>', 'the NATS servers: nats://host:port, several comma-separated for a cluster')
    .option('--store <url>', `where events are stored: a clickhouse:// URL, or a DuckDB file (one worker only: DuckDB has one writer); default $PACKETTRAIL_STORE, else ${DEFAULT_DB}`)
    .option('--stream <name>', 'the intake stream (the same as collect --stream)', DEFAULT_INTAKE_STREAM)
    .option('--batch <n>', `stream messages pulled and held at once (the consumer allows ${CONSUMER_MAX_ACK_PENDING} unacknowledged across all workers)`, String(DEFAULT_WORKER_BATCH))
    .option('--ack-wait <seconds>', 'a batch not acknowledged within this goes to another worker (in-progress signals extend it while storing)', String(DEFAULT_ACK_WAIT_S))
    .option('--threads <n>', 'parser threads (0: the main thread)')
    .option('--dead-letter <file>', 'where rejected records go (default: beside the store)')
    .option('--status-every <seconds>', 'print running counts this often (0 = never)', '60')
    .option('--no-shared-detection', 'raise alerts in this worker (a lone worker only): by default workers store rule matches and a correlation pass raises every alert once, whichever worker stored its events')
    .option('--correlate-every <seconds>', 'run the correlation pass in this worker this often (one worker of the stream, or packettrail detect --correlate on a timer); see docs/scale-out.md')
    .option('--metrics-listen <host:port>', `serve Prometheus metrics on GET /metrics there (batches, events, errors; loopback, or anywhere with ${METRICS_TOKEN_ENV} set)`)
    .option('--register <nats-url>', 'register this worker (with its counts, every few seconds) for packettrail cluster status; default: the --from servers')
    .option('--settle <duration>', 'with --correlate-every: read matches up to this far behind the newest stored one, e.g. 5m', `${DEFAULT_CORRELATION_SETTLE_MS / 60_000}m`))
    .option('-q, --quiet', 'print only errors')
    .addHelpText('after', `
Examples:
  packettrail worker --from nats://10.0.0.1:4222,10.0.0.2:4222,10.0.0.3:4222 --store clickhouse://ch1:8123/packettrail
  packettrail worker --from nats://127.0.0.1:4222 --store events.duckdb

Pulls the batches that "packettrail collect --to nats://…" appended to the stream, normalizes, detects and
stores them, and acknowledges each batch only once it is stored; a batch that fails is handed back with a
growing delay. Any number of workers share a stream (each batch goes to one). Event ids make storage
idempotent: a batch delivered again (a worker killed mid-batch, a lost acknowledgement) is stored once.
SIGINT/SIGTERM: stop pulling, finish or hand back what is in flight, print a summary; a second signal exits
at once (unacknowledged batches are delivered again).
${EXIT_CODES_HELP}`)
    .action(async (o: WorkerOptions) => {
      try {
        parseNatsUrl(o.from);
      } catch (e) {
        throw new CliError(`--from: ${terminalSafe((e as Error).message)}`);
      }
      if (!/^[\w-]{1,64}$/.test(o.stream)) throw new CliError(`--stream must be a name of letters, digits, _ and - (at most 64), got '${terminalSafe(o.stream)}'`);
      const batch = wholeNumber('--batch', o.batch, 1, CONSUMER_MAX_ACK_PENDING);
      const ackWait = wholeNumber('--ack-wait', o.ackWait, 5, MAX_ACK_WAIT_S);
      const statusEvery = wholeNumber('--status-every', o.statusEvery, 0, 86_400);
      const threads = o.threads === undefined ? Math.min(4, defaultThreads()) : wholeNumber('--threads', o.threads, 0, 64);
      const location = storeLocation({ store: o.store }, false, DEFAULT_DB);
      if (isClickHouseUrl(location)) {
        try {
          parseStoreUrl(location);
        } catch (e) {
          throw new CliError(terminalSafe((e as Error).message));
        }
      }
      const quiet = o.quiet ?? false;
      const say = (line: string) => { if (!quiet) process.stderr.write(`${terminalSafe(line)}\n`); };
      const detection = prepareDetection(o, quiet);
      let correlateEveryMs: number | undefined;
      let settleMs: number | undefined;
      try {
        if (o.correlateEvery !== undefined) correlateEveryMs = correlateEveryOf(o.correlateEvery);
        settleMs = durationSeconds(o.settle, '--settle') * 1000;
      } catch (e) {
        throw new CliError(terminalSafe((e as Error).message));
      }
      if (correlateEveryMs !== undefined && !o.sharedDetection) throw new CliError('--correlate-every reads the matches that shared detection stores: it cannot go with --no-shared-detection');
      const { runWorker } = await import('../collect/nats/run-worker.js');
      const observed = await observe({ kind: 'worker', listen: o.metricsListen, register: o.register ?? o.from, stream: o.stream, say });
      const outcome = await runWorker({
        observed,
        from: o.from, stream: o.stream, batch, ackWaitSeconds: ackWait, threads, store: location,
        deadLetterPath: o.deadLetter ?? defaultDeadLetterPath(location), detection, sinks: alertSinks(o, []), statusEvery, stopped: stopSignal(),
        sharedDetection: o.sharedDetection, correlateEveryMs, settleMs,
        say, error: (line) => process.stderr.write(`${terminalSafe(line)}\n`),
      }).finally(() => observed.stop());
      if (outcome.alerts && !quiet) process.stderr.write(renderDetectionSummary(outcome.alerts, detection.engine.intel?.feeds) + '\n');
      process.exitCode = outcome.stats.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
      say(`packettrail worker: stopped; into ${shownLocation(location)}`);
    });
}

