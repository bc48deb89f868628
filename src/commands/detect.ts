import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalProgress } from '../cli/progress.js';
import { renderDetectionSummary, renderSummary } from '../cli/summary.js';
import { terminalSafe } from '../cli/text.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import { hadFailures } from '../pipeline/stats.js';
import { engineFor, makeSpec, type DetectionEngine, type DetectionSpec } from '../detect/spec.js';
import { DetectionStage } from '../detect/stage.js';
import { IntelLoadError } from '../detect/intel/load.js';
import type { AlertSink } from '../detect/alerts/sink.js';
import { NdjsonAlertSink } from '../detect/alerts/ndjson-sink.js';
import { WebhookAlertSink } from '../detect/alerts/webhook-sink.js';
import { addFormatOptions, addStoreOption, checkFormat, checkOutput, formatOptionsOf, reportStopped, threadsOf, type FormatOptions } from './common.js';
import { StoreAlertSink } from '../detect/alerts/store-sink.js';
import { isClickHouseUrl, openStore, shownLocation, type IndexableStore } from '../store/open.js';
import { parseStoreUrl } from '../store/clickhouse/url.js';
import { checkDatabaseFile } from './database.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { checkedInputs } from './inputs.js';
import { CorrelationPass, DEFAULT_CORRELATION_SETTLE_MS, type PassOutcome } from '../detect/shared/pass.js';
import { durationSeconds } from '../searches/types.js';
import { runAnalyses } from '../pipeline/ingest.js';
import { renderAnalyses } from './ingest.js';

export interface DetectionOptions {
  rules?: string[];
  intel?: string[];
  builtinRules?: boolean;
  alertWebhook?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The detection options shared by `ingest` and `detect`. */
export function addDetectionOptions(cmd: Command): Command {
  return cmd
    .option('--rules <dir>', 'Sigma rule directory or file, added to the built-in rules (repeatable)', collect)
    .option('--intel <file>', 'threat-intel feed: STIX 2.1 bundle, MISP JSON export, or CSV/plain list (repeatable)', collect)
    .option('--no-builtin-rules', 'do not load the built-in rules')
    .option('--alert-webhook <url>', 'POST each alert as JSON to this URL (retried with backoff; failures are counted, never fatal)');
}

export interface PreparedDetection {
  spec: DetectionSpec;
  engine: DetectionEngine;
  /** False when there is nothing to detect with: the pipeline then runs without matching. */
  active: boolean;
}

/**
 * Loads rules and feeds on the main thread before the run: bad files fail here with a clear
 * message (exit 2) instead of inside a worker, and inline parsing reuses this very engine.
 */
export function prepareDetection(o: DetectionOptions, quiet: boolean): PreparedDetection {
  if (o.alertWebhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.alertWebhook);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new CliError(`--alert-webhook must be an http or https URL, got '${o.alertWebhook}'`);
  }
  const spec = makeSpec({ rules: o.rules ?? [], intel: o.intel ?? [], builtin: o.builtinRules !== false });
  let engine: DetectionEngine;
  try {
    engine = engineFor(spec);
  } catch (e) {
    throw new CliError(e instanceof IntelLoadError ? e.message : `cannot load detection rules: ${(e as Error).message}`);
  }
  if (!quiet) for (const w of [...engine.errors, ...engine.warnings]) process.stderr.write(`packettrail: ${terminalSafe(w)}\n`);
  return { spec, engine, active: engine.rules.size > 0 };
}

export function alertSinks(o: DetectionOptions, first: AlertSink[]): AlertSink[] {
  return o.alertWebhook ? [...first, new WebhookAlertSink(o.alertWebhook)] : first;
}

export function newStage(d: PreparedDetection, sinks: AlertSink[]): DetectionStage {
  return new DetectionStage(d.engine.rules, sinks, { createCorrelator: d.engine.createCorrelator });
}

/** Parses without keeping events: only the matches come back from the workers. */
const discard: EventSink = { output: 'none', async write() {}, async endSource() {} };

/**
 * `detect --store`: the store whose alerts table receives the alerts too (a ClickHouse URL, or a
 * DuckDB file, created when missing). Opened for writing; only the alerts table is touched.
 */
async function openAlertStore(location: string): Promise<IndexableStore> {
  try {
    if (isClickHouseUrl(location)) parseStoreUrl(location);
    else checkDatabaseFile(location);
  } catch (e) {
    throw e instanceof CliError ? e : new CliError((e as Error).message);
  }
  try {
    return await openStore(location);
  } catch (e) {
    throw new CliError(`cannot open the store ${shownLocation(location)}: ${(e as Error).message}`, EXIT.FATAL);
  }
}

interface CorrelateOptions {
  correlate?: boolean;
  final?: boolean;
  settle: string;
  skipAnalyses?: boolean;
  quiet?: boolean;
}

/** `detect --correlate`: one correlation pass over the store, then the analyses. */
async function correlate(inputs: string[], o: DetectionOptions & CorrelateOptions & { store?: string }): Promise<void> {
  if (inputs.length) throw new CliError('--correlate reads the matches stored in --store: give no inputs');
  if (o.store === undefined) throw new CliError('--correlate needs --store (the store the processes share)');
  let settleMs: number;
  try {
    settleMs = durationSeconds(o.settle, '--settle') * 1000;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const detection = prepareDetection(o, o.quiet ?? false);
  const store = await openAlertStore(o.store);
  try {
    const pass = new CorrelationPass(store, detection.engine, { settleMs, sinks: () => alertSinks(o, []) });
    let outcome;
    try {
      outcome = await pass.run(o.final ?? false);
    } catch (e) {
      throw new CliError(`the correlation pass over ${shownLocation(o.store)} failed: ${(e as Error).message}`, EXIT.FATAL);
    }
    if (!o.quiet) process.stderr.write(terminalSafe(renderPass(outcome)) + '\n');
    if (!o.skipAnalyses) {
      const analyses = await runAnalyses(store, alertSinks(o, []));
      if (!o.quiet) process.stderr.write(renderAnalyses(analyses));
      if (Object.keys(analyses.failed).length) process.exitCode = EXIT.FATAL;
    }
  } finally {
    await store.close();
  }
}

function renderPass(o: PassOutcome): string {
  const at = (t: number | undefined) => (t === undefined || Number.isNaN(new Date(t).getTime()) ? 'the start' : new Date(t).toISOString());
  if (!o.stats) return `correlation pass: nothing new to read after ${at(o.from)}${o.until === undefined ? ' (no matches stored)' : ` (matches settle up to ${at(o.until)})`}`;
  return `correlation pass${o.final ? ' (final)' : ''}: ${o.matches} match(es) after ${at(o.from)} up to ${at(o.until)}; ${o.alerts} alert(s) stored, ${o.duplicates} already stored, ${o.suppressed} suppressed`;
}

export function registerDetect(program: Command): void {
  addDetectionOptions(
    addFormatOptions(
      addStoreOption(
        program
          .command('detect')
          .description(COMMAND_INDEX.detect.description)
          .argument('[inputs...]', 'files, directories, glob patterns, or - for stdin (default)')
          .option('--correlate', 'instead of reading logs: the correlation pass of shared detection over --store (matches stored by ingest --shared-detection, collect and workers), then the post-ingest analyses')
          .option('--final', 'with --correlate: close every open correlation window and release every held alert, as the end of an ingest does')
          .option('--settle <duration>', `with --correlate: read matches up to this far behind the newest stored one (later ones wait for the next pass), e.g. 5m`, `${DEFAULT_CORRELATION_SETTLE_MS / 60_000}m`)
          .option('--skip-analyses', 'with --correlate: do not run the post-ingest analyses (coverage, anomalies) afterwards'),
        '. With it, alerts also go to its alerts table (once per alert id); without it, to standard output only',
      ),
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  packettrail detect --intel feeds/abuse.csv logs/cloudfront/
  packettrail detect --rules my-rules/ --intel bundle.stix.json --alert-webhook https://hooks.example/alerts 'AWSLogs/**/*.gz'
  zcat access.log.gz | packettrail detect -f aws.cloudfront --no-builtin-rules --intel misp-event.json
  packettrail detect --correlate --store 'clickhouse://detect@ch1:8123/logs' --final

  packettrail detect --store 'clickhouse://detect@ch1:8123/logs?cluster=logs' logs/waf/

Duplicate alerts (same rule and key within 10 minutes of event time) are suppressed and counted; the kept
alert carries the count in details.suppressed. With --store the alerts are also stored in the store's
alerts table (an alert already there is counted, not stored twice), where trail --alert and the console
find them; the events themselves are not stored (packettrail ingest does that). An alert the store
refuses makes the exit code 3. The summary (events, matches, alerts, per rule) goes to stderr.

--correlate raises the alerts of processes that share a store (ingest --shared-detection, collect and
workers with shared detection): it reads their stored rule matches in event-time order from where the last
pass stopped, runs the correlations and duplicate suppression, stores the alerts (each once) and then its
position; see docs/scale-out.md, "Detection across workers". Use the same rules as the processes that
stored the matches.
${EXIT_CODES_HELP}`,
    )
    .action(async (inputs: string[], o: FormatOptions & DetectionOptions & CorrelateOptions & { store?: string }) => {
      if (o.correlate) return correlate(inputs, o);
      if (o.final || o.skipAnalyses) throw new CliError('--final and --skip-analyses go with --correlate');
      checkFormat(o.format);
      const threads = threadsOf(o);
      const expanded = await checkedInputs(inputs.length ? inputs : ['-']);
      const detection = prepareDetection(o, o.quiet ?? false);
      const deadLetters = new DeadLetterWriter(o.deadLetter ?? 'packettrail.dead-letter.ndjson');
      await checkOutput(() => deadLetters.check());
      const store = o.store === undefined ? undefined : await openAlertStore(o.store);
      const storeSink = store ? new StoreAlertSink(store) : undefined;
      const stage = newStage(detection, alertSinks(o, [new NdjsonAlertSink(process.stdout), ...(storeSink ? [storeSink] : [])]));
      try {
        const summary = await runPipeline({
          inputs: inputs.length ? inputs : ['-'],
          format: o.format,
          formatOptions: formatOptionsOf(o),
          original: o.original ?? false,
          threads,
          sink: stage.wrap(discard),
          deadLetters,
          progress: terminalProgress(!o.quiet && !process.stdout.isTTY),
          detection: detection.active ? detection.spec : undefined,
          expanded,
        });
        const stats = await stage.finish();
        if (!o.quiet) {
          process.stderr.write(renderSummary(summary, false) + '\n');
          process.stderr.write(renderDetectionSummary(stats, detection.engine.intel?.feeds) + '\n');
        }
        process.exitCode = hadFailures(summary) ? EXIT.REJECTED : EXIT.OK;
        if (storeSink?.stats().failed) {
          process.stderr.write(terminalSafe(`packettrail: ${storeSink.stats().failed} alert(s) could not be stored in ${store!.path}: ${storeSink.stats().errors[0] ?? ''}`) + '\n');
          process.exitCode = EXIT.FATAL;
        }
        if (summary.stopped) {
          reportStopped(summary.stopped, 'run the same detect again');
          process.exitCode = EXIT.FATAL;
        }
      } finally {
        await deadLetters.close();
        await store?.close();
      }
    });
}
