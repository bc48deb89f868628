import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from '../cli/exit-codes.js';
import { stopSignal } from '../cli/interrupt.js';
import { renderDetectionSummary } from '../cli/summary.js';
import { terminalSafe } from '../cli/text.js';
import type { CollectConfig } from '../collect/config.js';
import type { CollectInput, StreamIntake } from '../collect/intake.js';
import type { JetStreamIntake } from '../collect/nats/intake.js';
import { collectLog } from '../collect/log.js';
import type { CollectCounts, CollectPipeline } from '../collect/pipeline.js';
import type { CorrelationSchedule } from '../detect/shared/schedule.js';
import type { AlertSink } from '../detect/alerts/sink.js';
import type { DetectionEngine, DetectionSpec } from '../detect/spec.js';
import { listFormats } from '../formats/registry.js';
import { INGEST_MEMORY_LIMIT, runAnalyses } from '../pipeline/ingest.js';
import { QueryGate, RESERVED_FOR_ROUTES, type QueryLimits } from '../server/query-gate.js';
import { DuckDbStore, megabytes } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import { findOwner, type ServiceClient } from './client.js';
export { findOwner } from './client.js';
import { MAX_QUEUED_COMMAND_QUERIES, ServiceHost } from './host.js';
import { SearchBook } from '../searches/scheduler.js';
import { RemoteSearches, type SearchService } from '../searches/service.js';
import { legacyBackupFor, legacySearchFileFor, migrateSearchFile, SearchTable } from '../searches/table.js';
import { queryCatalog } from '../server/context.js';
import { OwnerStore } from './owner-store.js';
import type { OwnerRole } from './protocol.js';
import type { InputMetrics } from '../observe/inputs.js';
import { watchInput } from '../observe/observability.js';
import { RemoteStore } from './remote-store.js';
import { SerialStore } from '../collect/serial-store.js';
import { isClickHouseUrl, openStore, shownLocation } from '../store/open.js';
import { newServiceFile, removeServiceFile, serviceFileFor, socketPlaceFor, writeServiceFile } from './service-file.js';

/** From SIGINT/SIGTERM to exit: inputs stop, jobs end, queries are interrupted, the database closes; past it, the process exits anyway. */
export const DAEMON_SHUTDOWN_MS = 10_000;
/** How often a collecting owner runs the post-ingest analyses (coverage, anomalies) over what arrived since. */
export const DEFAULT_ANALYSES_EVERY_S = 300;

/** `--analyses-every`: seconds, 0 for never. */
export function analysesEveryOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ANALYSES_EVERY_S;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 86_400 * 7) throw new CliError(`--analyses-every must be a whole number of seconds (0: never), got '${text}'`);
  return n;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** A running console: started by `serve` on the store it is given. */
export interface RunningConsole {
  close(): Promise<void>;
}

export interface CollectPart {
  config: CollectConfig;
  deadLetterPath: string;
  detection: { spec: DetectionSpec; engine: DetectionEngine; active: boolean };
  sinks: AlertSink[];
  /** Seconds between status lines (0: none). */
  statusEvery: number;
  /** Store matches for the correlation pass instead of raising alerts (collect --shared-detection). */
  sharedDetection?: boolean;
  /** Run the correlation pass this often (collect --correlate-every); absent: never. */
  correlateEveryMs?: number;
}

export interface OwnerOptions {
  db: string;
  role: OwnerRole;
  queryLimits: QueryLimits;
  /** The console and API on the store (serve); `through` names who holds it when it is read through another process. */
  console?: (store: EventStore, queries: QueryGate | undefined, through?: string, searches?: SearchService) => Promise<RunningConsole>;
  collect?: CollectPart;
  analysesEverySeconds?: number;
  /**
   * DuckDB's memory limit for the one instance that loads and answers (serve --query-memory-limit);
   * default: the larger of the query limit and ingest's.
   */
  memoryLimit?: string | undefined;
  /** Per-input metrics (`/metrics`, the process registry): each input is given its counted view of the pipeline. */
  inputMetrics?: InputMetrics | undefined;
  /** A line for the operator (stderr). */
  say(line: string): void;
}

/** Runs `work` within the time left; past it, says so and exits (unacknowledged work is delivered again after a restart). */
async function within(deadlineAt: number, who: string, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, deadlineAt - Date.now()));
    timer.unref();
  });
  const outcome = await Promise.race([work().then(() => 'done' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    process.stderr.write(`${who}: not stopped after ${DAEMON_SHUTDOWN_MS / 1000} s: exiting (work not yet acknowledged is delivered again)\n`);
    process.exit(EXIT.FATAL);
  }
}

/**
 * `serve` (no --collect) while another packettrail holds the database: the console reads through
 * that process, which runs its queries under its own limits too.
 */
export async function consoleThrough(o: Pick<OwnerOptions, 'db' | 'console' | 'say'>, client: ServiceClient): Promise<void> {
  let store: RemoteStore;
  try {
    store = await RemoteStore.open(client, o.db);
  } catch (e) {
    client.close();
    throw new CliError(`cannot read ${o.db} through ${client.owner}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const running = await o.console!(store, undefined, store.owner, new RemoteSearches(client));
  const sig = await stopSignal();
  o.say(`packettrail serve: ${sig}: stopping (running queries are interrupted; a second signal exits at once)`);
  await within(Date.now() + DAEMON_SHUTDOWN_MS, 'packettrail serve', async () => {
    await running.close();
    await store.close();
  });
}

/**
 * The long-running packettrail that holds a database: it opens it read-write and answers the other
 * commands on its socket (the service file beside the database says where), runs the collect inputs
 * and the periodic analyses when given, and the console when given. On SIGINT/SIGTERM it stops within
 * DAEMON_SHUTDOWN_MS and prints what it did.
 */
/** What runOwner works on: the store, the query gate, and for a DuckDB database the service host of the other commands. */
interface Held {
  /** The store the console, the analyses and the loads use. */
  store: EventStore;
  /** What the collect pipeline loads into (the same store, or its writes put in one queue). */
  pipelineStore: EventStore;
  gate: QueryGate;
  host?: ServiceHost;
  /** The saved searches of the store, with their scheduler. */
  searches: SearchBook;
  who: string;
  /** Closes the store and removes what holding it left (service file, staging directory). */
  release(): Promise<void>;
}

/**
 * A DuckDB database held: opened read-write, answered on its socket for the other commands (the
 * service file beside it says where). Undefined when another packettrail holds it and this one only
 * served the console through it.
 */
async function holdDuckDb(o: OwnerOptions): Promise<Held | undefined> {
  const other = await findOwner(o.db, o.say);
  if (other) {
    if (o.collect || !o.console) {
      other.close();
      throw new CliError(
        `${o.db} is held by ${other.owner}: one process writes a database. Stop it, then run packettrail serve --collect <config> to have the inputs, the console and the other commands in one process`,
        EXIT.FATAL,
      );
    }
    await consoleThrough(o, other);
    return undefined;
  }
  const limits = o.queryLimits;
  const stagingDir = mkdtempSync(join(tmpdir(), 'packettrail-owner-'));
  let duck: DuckDbStore;
  try {
    duck = await DuckDbStore.open(o.db, {
      // One instance for loads and queries: the larger of what each needs.
      memoryLimit: o.memoryLimit ?? (megabytes(limits.memoryLimit) >= megabytes(INGEST_MEMORY_LIMIT) ? limits.memoryLimit : INGEST_MEMORY_LIMIT),
      maxTempDirectorySize: limits.maxTempDirectorySize,
      readConnections: Math.max(availableParallelism() + 1, limits.maxRunning + RESERVED_FOR_ROUTES),
      stagingDir,
    });
  } catch (e) {
    rmSync(stagingDir, { recursive: true, force: true });
    throw new CliError(`cannot open database ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const store = new OwnerStore(duck);
  try {
    await store.ensureSchema(allColumns(listFormats()));
  } catch (e) {
    await store.close();
    rmSync(stagingDir, { recursive: true, force: true });
    throw new CliError(`cannot use database ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  // We hold DuckDB's lock: a service file there now is a dead owner's.
  rmSync(serviceFileFor(o.db), { force: true });
  const place = socketPlaceFor(o.db);
  const file = newServiceFile(place.path, o.role, version);
  const gate = new QueryGate(limits);
  let searches: SearchBook;
  try {
    searches = await openSearchBook(store, gate, o.db, o.collect?.sinks ?? [], o.say);
  } catch (e) {
    await store.close();
    rmSync(stagingDir, { recursive: true, force: true });
    throw new CliError(`cannot use the saved searches of ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const host = new ServiceHost({ store, gate, file, role: o.role, searches });
  await host.listen(place);
  writeServiceFile(o.db, file);
  const forget = () => removeServiceFile(o.db, file.instance);
  process.on('exit', forget);
  const who = `packettrail ${o.role.split(' ')[0]}`;
  o.say(`${who}: holding ${terminalSafe(o.db)}; query, trail, insights, index and ingest on it run through this process (${terminalSafe(serviceFileFor(o.db))})`);
  return {
    store, gate, host, searches, who, pipelineStore: store,
    release: async () => {
      forget();
      process.off('exit', forget);
      await store.close();
      rmSync(stagingDir, { recursive: true, force: true });
    },
  };
}


/**
 * A ClickHouse store: nothing to hold. The server takes every client's loads and reads, so there is no
 * service file and no socket; the collect pipeline's writes go through one queue (as on DuckDB: the
 * same object delivered twice at once is stored once), the console reads beside them.
 */
async function openClickHouse(o: OwnerOptions): Promise<Held> {
  let store: EventStore;
  try {
    store = await openStore(o.db);
    await store.ensureSchema(allColumns(listFormats()));
  } catch (e) {
    throw new CliError(`cannot open the store ${shownLocation(o.db)}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const who = `packettrail ${o.role.split(' ')[0]}`;
  const gate = new QueryGate(o.queryLimits);
  // No file beside a ClickHouse store to move in: its saved searches have always been in the store.
  let searches: SearchBook;
  try {
    searches = await openSearchBook(store, gate, undefined, o.collect?.sinks ?? [], o.say);
  } catch (e) {
    await store.close();
    throw new CliError(`cannot use the saved searches of ${shownLocation(o.db)}: ${(e as Error).message}`, EXIT.FATAL);
  }
  o.say(`${who}: storing into ${terminalSafe(shownLocation(o.db))} (ClickHouse: the other commands reach it themselves with --store)`);
  return { store, pipelineStore: new SerialStore(store), gate, searches, who, release: () => store.close() };
}

export async function runOwner(o: OwnerOptions): Promise<void> {
  const held = isClickHouseUrl(o.db) ? await openClickHouse(o) : await holdDuckDb(o);
  if (!held) return;
  const { store, gate, host, searches, who } = held;

  let pipeline: CollectPipeline | undefined;
  let natsIntake: JetStreamIntake | undefined;
  const started: CollectInput[] = [];
  let failure: Error | undefined;
  let consoleRunning: RunningConsole | undefined;
  let status: NodeJS.Timeout | undefined;
  let analysesTimer: NodeJS.Timeout | undefined;
  let analysing: Promise<void> = Promise.resolve();
  let correlation: CorrelationSchedule | undefined;
  const stopping = stopSignal();
  try {
    if (o.collect) {
      const c = o.collect;
      const { CollectPipeline } = await import('../collect/pipeline.js');
      pipeline = await CollectPipeline.open({
        db: c.config.db, deadLetterPath: c.deadLetterPath, threads: c.config.threads, maxConcurrent: c.config.maxConcurrent, original: c.config.original,
        maxLineChars: c.config.maxLineChars, storeBatchRows: c.config.storeBatchRows, detection: c.detection, alertSinks: c.sinks, store: held.pipelineStore,
        sharedDetection: c.sharedDetection ?? false,
      });
      // collect --to nats://…: pushed records go to the stream for the workers (src/collect/nats/).
      let intake: StreamIntake = pipeline;
      if (c.config.to) {
        const { openRoutedIntake } = await import('../collect/nats/routed-intake.js');
        const routed = await openRoutedIntake(c.config.to, pipeline).catch((e: Error) => {
          throw new CliError(`the NATS stream of --to / to: cannot be used: ${terminalSafe(e.message)}`, EXIT.FATAL);
        });
        natsIntake = routed.stream;
        intake = routed.intake;
        collectLog.info('collect', `pushed records go to the NATS stream ${c.config.to.stream.name} (${c.config.to.url}) for packettrail worker; objects load into ${shownLocation(o.db)}`);
      }
      if (c.correlateEveryMs !== undefined) correlation = await startCorrelation(store, c);
      for (const input of c.config.inputs) {
        try {
          await input.start(o.inputMetrics ? o.inputMetrics.observe(input.name, intake) : intake);
          started.push(input);
          if (o.inputMetrics) await watchInput(o.inputMetrics, input);
        } catch (e) {
          failure = new CliError(`input ${input.name} cannot start: ${(e as Error).message}`, EXIT.FATAL);
          break;
        }
      }
      const p = pipeline;
      if (c.statusEvery > 0) status = setInterval(() => report(p, started, ''), c.statusEvery * 1000);
      const every = o.analysesEverySeconds ?? DEFAULT_ANALYSES_EVERY_S;
      let seen = 0;
      if (every > 0) {
        analysesTimer = setInterval(() => {
          if (p.counts.stored === seen) return;
          seen = p.counts.stored;
          analysing = analysing.then(() => analyse(store, c.sinks));
        }, every * 1000);
      }
    }
    if (!failure) searches.start();
    if (!failure && o.console) consoleRunning = await o.console(store, gate, undefined, searches);
    if (!failure) {
      if (o.collect) collectLog.info('collect', `running ${started.length} input(s) into ${shownLocation(o.db)}; stop with Ctrl-C or SIGTERM`);
      const sig = await stopping;
      o.say(`${who}: ${sig}: stopping within ${DAEMON_SHUTDOWN_MS / 1000} s: inputs stop taking work, in-flight work is stored or handed back, queries are interrupted (a second signal exits at once)`);
    }
  } catch (e) {
    failure = e as Error;
  }
  const stopAt = Date.now();
  await within(stopAt + DAEMON_SHUTDOWN_MS, who, async () => {
    clearInterval(status);
    clearInterval(analysesTimer);
    await correlation?.stop();
    gate.cancelAll();
    await searches.stop();
    const hostClosed = host?.close(`${who} is shutting down`);
    await Promise.allSettled(started.map((i) => i.stop()));
    await natsIntake?.close();
    if (natsIntake) collectLog.info('collect', `NATS stream ${natsIntake.stream}: ${natsIntakeLine(natsIntake)}`);
    const alerts = await pipeline?.close();
    await consoleRunning?.close();
    await hostClosed;
    await analysing;
    if (pipeline) report(pipeline, started, 'stopped; ');
    if (alerts && !collectLog.quiet) process.stderr.write(renderDetectionSummary(alerts, o.collect?.detection.engine.intel?.feeds) + '\n');
    const h = host?.counts;
    if (h) o.say(`${who}: for other commands: ${h.queries} queries (${h.failedQueries} failed), ${h.ingestJobs} ingest job(s), ${h.indexBuilds} index request(s); ${h.refused} refused (wrong token)`);
    await held.release();
    o.say(`${who}: stopped in ${((Date.now() - stopAt) / 1000).toFixed(1)} s; ${terminalSafe(shownLocation(o.db))} is closed`);
  });
  if (failure) throw failure;
  if (pipeline) process.exitCode = pipeline.counts.rejected > 0 || pipeline.counts.failedSources > 0 ? EXIT.REJECTED : EXIT.OK;
}

/**
 * The saved searches of the store, with their scheduler: the old JSON file beside the database moves
 * into the store first (once; it stays as <file>.migrated). Scheduled searches run under the query
 * gate's limits, as console queries.
 */
async function openSearchBook(store: EventStore, gate: QueryGate, db: string | undefined, sinks: readonly AlertSink[], say: (line: string) => void): Promise<SearchBook> {
  const table = new SearchTable(store);
  const moved = db === undefined ? undefined : await migrateSearchFile(table, legacySearchFileFor(db));
  if (moved !== undefined && db !== undefined) say(`saved searches: ${moved} moved from ${terminalSafe(legacySearchFileFor(db))} into the store (the file is kept as ${terminalSafe(legacyBackupFor(legacySearchFileFor(db)))})`);
  const { catalog, aliases } = queryCatalog();
  return new SearchBook({
    table, sinks, say: (line) => say(`packettrail searches: ${line}`),
    query: { store, catalog, aliases, queries: gate },
    gate: (work) => gate.run(new AbortController().signal, work, { maxQueued: MAX_QUEUED_COMMAND_QUERIES, timeoutSetting: '--query-timeout (scheduled searches run under the console\'s limits)' }),
  });
}

/** collect --correlate-every: the correlation pass of shared detection on a timer, reported in the collect log. */
async function startCorrelation(store: EventStore, c: CollectPart): Promise<CorrelationSchedule> {
  const { CorrelationPass } = await import('../detect/shared/pass.js');
  const { CorrelationSchedule } = await import('../detect/shared/schedule.js');
  const pass = new CorrelationPass(store, c.detection.engine, { sinks: () => c.sinks });
  const schedule = new CorrelationSchedule(pass, c.correlateEveryMs!, {
    done: (o) => {
      if (o.matches) collectLog.info('correlate', `${o.matches} match(es) up to ${new Date(o.until!).toISOString()}: ${o.alerts} alert(s) stored, ${o.suppressed} suppressed`);
    },
    failed: (e) => collectLog.error('correlate', `pass failed (the next one reads the same matches again): ${e.message}`),
  });
  schedule.start();
  return schedule;
}

/** The post-ingest analyses over what the inputs stored; a failure is reported, never fatal. */
async function analyse(store: EventStore, sinks: AlertSink[]): Promise<void> {
  try {
    const r = await runAnalyses(store, sinks);
    // Every run is reported, with no alerts too: the operator sees that they run (alert ids are stable, each is stored once).
    const ran = Object.entries(r.alerts).map(([id, n]) => `${id}: ${n} alert(s)`);
    if (ran.length) collectLog.info('analyses', `over everything stored: ${ran.join(', ')}`);
    for (const [id, why] of Object.entries(r.failed)) collectLog.error('analyses', `${id} failed: ${why}`);
  } catch (e) {
    collectLog.error('analyses', `failed: ${(e as Error).message}`);
  }
}

/** The pipeline's counts, then each input's own (what it refused or lost before the pipeline). */
function report(pipeline: CollectPipeline, inputs: CollectInput[], prefix: string): void {
  const deadLetters = prefix && pipeline.deadLetterPath ? `; dead letters in ${pipeline.deadLetterPath}` : '';
  collectLog.info('collect', `${prefix}${countsLine(pipeline.counts)}${deadLetters}`);
  for (const input of inputs) {
    const line = input.summary?.();
    if (line) collectLog.info(input.name, line);
  }
}

function countsLine(c: CollectCounts): string {
  return `${c.deliveries} deliveries, ${c.records} records, ${c.events} events, ${c.stored} stored, ${c.duplicates} duplicates, ${c.rejected} rejected, ${c.failedSources} failed sources`;
}

function natsIntakeLine(i: JetStreamIntake): string {
  const c = i.counts;
  return `${c.deliveries} deliveries, ${c.records} records appended in ${c.messages} messages, ${c.duplicates} duplicate messages, ${c.retries} retries, ${c.refusedFull} refused (stream full), ${c.failed} failed, ${c.rejected} rejected (too large)`;
}
