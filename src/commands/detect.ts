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
import { addFormatOptions, checkFormat, checkOutput, formatOptionsOf, reportStopped, threadsOf, type FormatOptions } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { checkedInputs } from './inputs.js';

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

export function registerDetect(program: Command): void {
  addDetectionOptions(
    addFormatOptions(
      program
        .command('detect')
        .description(COMMAND_INDEX.detect.description)
        .argument('[inputs...]', 'files, directories, glob patterns, or - for stdin (default)'),
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  packettrail detect --intel feeds/abuse.csv logs/cloudfront/
  packettrail detect --rules my-rules/ --intel bundle.stix.json --alert-webhook https://hooks.example/alerts 'AWSLogs/**/*.gz'
  zcat access.log.gz | packettrail detect -f aws.cloudfront --no-builtin-rules --intel misp-event.json

Duplicate alerts (same rule and key within 10 minutes of event time) are suppressed and counted; the kept
alert carries the count in details.suppressed. The summary (events, matches, alerts, per rule) goes to stderr.
${EXIT_CODES_HELP}`,
    )
    .action(async (inputs: string[], o: FormatOptions & DetectionOptions) => {
      checkFormat(o.format);
      const threads = threadsOf(o);
      const expanded = await checkedInputs(inputs.length ? inputs : ['-']);
      const detection = prepareDetection(o, o.quiet ?? false);
      const stage = newStage(detection, alertSinks(o, [new NdjsonAlertSink(process.stdout)]));
      const deadLetters = new DeadLetterWriter(o.deadLetter ?? 'packettrail.dead-letter.ndjson');
      await checkOutput(() => deadLetters.check());
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
        if (summary.stopped) {
          reportStopped(summary.stopped, 'run the same detect again');
          process.exitCode = EXIT.FATAL;
        }
      } finally {
        await deadLetters.close();
      }
    });
}
