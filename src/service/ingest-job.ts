import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { engineFor, makeSpec } from '../detect/spec.js';
import { WebhookAlertSink } from '../detect/alerts/webhook-sink.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { ingestInto, type IngestResult } from '../pipeline/ingest.js';
import { interruption, RunInterrupted } from '../pipeline/output.js';
import type { ProgressReporter } from '../pipeline/run.js';
import type { OwnerStore } from './owner-store.js';
import { toWireError, ServiceUsageError } from './protocol.js';
import { toWire } from './wire.js';

/**
 * `packettrail ingest` sent to the process that holds the database: the command's options, its
 * inputs as it named them and its working directory (the owner reads the files, relative ones from
 * there, and the summary names them as the command did), and absolute paths for the rest.
 */
export interface IngestJob {
  /** The database as the command named it (messages only). */
  db: string;
  inputs: string[];
  cwd: string;
  format: string;
  formatOptions: Record<string, string>;
  original: boolean;
  threads: number;
  /** Absolute. */
  deadLetterPath: string;
  /** Absolute rule and feed paths (makeSpec), built-in rules on or off, the webhook. */
  detection: { rules: string[]; intel: string[]; builtin: boolean; alertWebhook?: string | undefined };
  s3Endpoint?: string | undefined;
  index: boolean;
  /** The request body is the command's standard input (an input is `-`). */
  stdin: boolean;
}

/** One message of an ingest job's answer (NDJSON, wire-encoded). */
export type JobMessage =
  | { job: string }
  | { progress: 'start'; total: number; files: number }
  | { progress: 'update'; done: number; events: number; source: string }
  | { progress: 'stop' }
  | { result: IngestResult }
  | { error: ReturnType<typeof toWireError> };

/** Progress lines sent at most this often (the bar redraws no faster). */
const PROGRESS_EVERY_MS = 100;

function checkJob(j: IngestJob): void {
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  if (
    !j || typeof j.db !== 'string' || !strings(j.inputs) || !j.inputs.length || typeof j.cwd !== 'string' || typeof j.format !== 'string' || typeof j.deadLetterPath !== 'string' ||
    !Number.isInteger(j.threads) || j.threads < 0 || j.threads > 64 || !j.detection || !strings(j.detection.rules) || !strings(j.detection.intel)
  ) {
    throw new ServiceUsageError('malformed ingest job');
  }
}

/** What a command's stop request may name: the signal it received. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The ingest jobs an owner runs: one at a time (their loads share one write queue anyway), the others wait in order. */
export class IngestJobs {
  private readonly running = new Map<string, AbortController>();
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** Jobs run, for the owner's summary. */
  done = 0;

  constructor(
    private readonly store: OwnerStore,
    private readonly maxWaiting: number,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /**
   * Asks one job to stop reading (its command's Ctrl-C or SIGTERM): it ends as a direct ingest
   * interrupted by that signal does, with what it stored, and the command exits as that one would.
   */
  stop(id: string, signal: StopSignal): boolean {
    const job = this.running.get(id);
    job?.abort(new RunInterrupted(signal));
    return job !== undefined;
  }

  /** Asks every job to stop (shutdown): each ends with what it stored, as if its command got SIGTERM, and says why. */
  stopAll(reason: string): void {
    for (const job of this.running.values()) job.abort(new RunInterrupted('SIGTERM', reason));
  }

  /** Runs the job, answering with its messages; resolves once the answer has ended. */
  async run(job: IngestJob, req: IncomingMessage, res: ServerResponse, closing: AbortSignal): Promise<void> {
    checkJob(job);
    if (this.waiting >= this.maxWaiting) throw new ServiceUsageError(`${this.waiting} ingest jobs are already waiting, the most the process takes: try again later`);
    const id = randomBytes(12).toString('base64url');
    const control = new AbortController();
    this.running.set(id, control);
    const send = (m: JobMessage) => {
      if (!res.destroyed) res.write(`${toWire(m)}\n`);
    };
    // The command went away (killed, second Ctrl-C): nobody reads the answer, stop reading its files.
    res.once('close', () => {
      if (!res.writableFinished) control.abort(new RunInterrupted('SIGTERM', 'interrupted: the ingest command went away'));
    });
    const onClosing = () => control.abort(new RunInterrupted('SIGTERM', closing.reason instanceof Error ? closing.reason.message : String(closing.reason)));
    closing.addEventListener('abort', onClosing, { once: true });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    send({ job: id });
    this.waiting++;
    const turn = this.tail.then(() => {
      this.waiting--;
      return this.execute(job, req, send, control.signal);
    });
    this.tail = turn.catch(() => {});
    try {
      send({ result: await turn });
    } catch (e) {
      send({ error: toWireError(e) });
    } finally {
      this.done++;
      this.running.delete(id);
      closing.removeEventListener('abort', onClosing);
      res.end();
    }
  }

  private async execute(job: IngestJob, req: IncomingMessage, send: (m: JobMessage) => void, signal: AbortSignal): Promise<IngestResult> {
    if (signal.aborted) throw interruption(signal);
    await new DeadLetterWriter(job.deadLetterPath).check();
    const spec = makeSpec({ rules: job.detection.rules, intel: job.detection.intel, builtin: job.detection.builtin });
    // The command loaded the same files a moment ago and reported their problems: here they are read again, as they are now.
    const engine = engineFor(spec, { reload: true });
    const webhook = job.detection.alertWebhook ? [new WebhookAlertSink(job.detection.alertWebhook)] : [];
    return ingestInto(this.store.named(job.db), {
      inputs: job.inputs, db: job.db, format: job.format, formatOptions: job.formatOptions, original: job.original, threads: job.threads,
      deadLetterPath: job.deadLetterPath, progress: progressTo(send), detection: { spec, engine, active: engine.rules.size > 0 }, alertSinks: webhook,
      s3: { endpoint: job.s3Endpoint }, index: job.index, cwd: job.cwd, signal,
      ...(job.stdin ? { stdin: () => req } : {}),
    });
  }
}

function progressTo(send: (m: JobMessage) => void): ProgressReporter {
  let last = 0;
  return {
    start: (total, files) => send({ progress: 'start', total, files }),
    update: (done, events, source) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      send({ progress: 'update', done, events, source });
    },
    stop: () => send({ progress: 'stop' }),
  };
}
