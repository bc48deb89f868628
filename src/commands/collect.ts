import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderDetectionSummary } from '../cli/summary.js';
import { terminalSafe } from '../cli/text.js';
import type { CollectConfig } from '../collect/config.js';
import { collectLog } from '../collect/log.js';
import type { CollectCounts, CollectPipeline as Pipeline } from '../collect/pipeline.js';
import type { CollectInput } from '../collect/intake.js';
import { StoreOpenError } from '../pipeline/ingest.js';
import { defaultThreads } from '../pipeline/pool.js';
import { DEFAULT_DB, defaultDeadLetterPath } from './common.js';
import { alertSinks, prepareDetection } from './detect.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface CollectOptions {
  config: string;
  check?: boolean;
  quiet?: boolean;
  statusEvery: string;
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description(COMMAND_INDEX.collect.description)
    .requiredOption('-c, --config <file>', 'collect config (YAML); see docs/collect.md')
    .option('--check', 'validate the config (and the rules it names) and exit')
    .option('--status-every <seconds>', 'print running counts this often (0 = never)', '60')
    .option('-q, --quiet', 'print only errors')
    .addHelpText(
      'after',
      `
Input types: s3-sqs, syslog, http, firehose, tail; every option of each is described in docs/collect.md.

Examples:
  packettrail collect --check --config collect.yml
  packettrail collect --config collect.yml

Every input feeds the pipeline of "ingest" (normalize, detect, store in the DuckDB database of the config).
SIGINT/SIGTERM stop gracefully: inputs stop taking work, objects being read are finished, queue messages not
started are handed back; a second signal exits at once (nothing is lost: unacknowledged work is delivered again).
${EXIT_CODES_HELP}`,
    )
    .action(async (o: CollectOptions) => {
      const statusEvery = Number(o.statusEvery);
      if (!Number.isInteger(statusEvery) || statusEvery < 0) throw new CliError(`--status-every must be a whole number of seconds, got '${o.statusEvery}'`);
      // The inputs (AWS SDK, HTTP server) load only when collect runs, not with every command.
      const { ConfigError, loadCollectConfig } = await import('../collect/config.js');
      let config: CollectConfig;
      try {
        config = await loadCollectConfig(o.config, { db: DEFAULT_DB, threads: Math.min(4, defaultThreads()), deadLetterFor: defaultDeadLetterPath });
      } catch (e) {
        // One problem a line, each line made safe (the message quotes config values).
        if (e instanceof ConfigError) throw new CliError(e.message.split('\n').map(terminalSafe).join('\n'));
        throw e;
      }
      const d = config.detection;
      const detectionOptions = { rules: d.rules, intel: d.intel, builtinRules: d.builtinRules, alertWebhook: d.alertWebhook };
      const detection = prepareDetection(detectionOptions, o.quiet ?? false);
      if (o.check) {
        process.stdout.write(`${terminalSafe(o.config)}: valid; ${config.inputs.length} input(s): ${config.inputs.map((i) => terminalSafe(i.name)).join(', ')}; database ${terminalSafe(config.db)}\n`);
        return;
      }
      collectLog.quiet = o.quiet ?? false;
      await run(config, detection, alertSinks(detectionOptions, []), statusEvery);
    });
}

async function run(config: CollectConfig, detection: ReturnType<typeof prepareDetection>, sinks: ReturnType<typeof alertSinks>, statusEvery: number): Promise<void> {
  const { CollectPipeline } = await import('../collect/pipeline.js');
  let pipeline: Pipeline;
  try {
    pipeline = await CollectPipeline.open({
      db: config.db, deadLetterPath: config.deadLetter ?? defaultDeadLetterPath(config.db), threads: config.threads,
      maxConcurrent: config.maxConcurrent, original: config.original, maxLineChars: config.maxLineChars, storeBatchRows: config.storeBatchRows, detection, alertSinks: sinks,
    });
  } catch (e) {
    throw e instanceof StoreOpenError ? new CliError(e.message, EXIT.FATAL) : e;
  }
  const stopSignal = new Promise<string>((resolve) => {
    const onSignal = (sig: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second signal means "now": unacknowledged work is delivered again after a restart.
      const force = () => process.exit(EXIT.FATAL);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const started: CollectInput[] = [];
  let failure: Error | undefined;
  for (const input of config.inputs) {
    try {
      await input.start(pipeline);
      started.push(input);
    } catch (e) {
      failure = new CliError(`input ${input.name} cannot start: ${(e as Error).message}`, EXIT.FATAL);
      break;
    }
  }
  const status = statusEvery > 0 ? setInterval(() => report(pipeline, started, ''), statusEvery * 1000) : undefined;
  if (!failure) {
    collectLog.info('collect', `running ${started.length} input(s) into ${config.db}; stop with Ctrl-C or SIGTERM`);
    const sig = await stopSignal;
    collectLog.info('collect', `${sig}: stopping inputs, finishing in-flight work`);
  }
  clearInterval(status);
  await Promise.allSettled(started.map((i) => i.stop()));
  const alerts = await pipeline.close();
  report(pipeline, started, 'stopped; ');
  if (alerts && !collectLog.quiet) process.stderr.write(renderDetectionSummary(alerts, detection.engine.intel?.feeds) + '\n');
  if (failure) throw failure;
  process.exitCode = pipeline.counts.rejected > 0 || pipeline.counts.failedSources > 0 ? EXIT.REJECTED : EXIT.OK;
}

/** The pipeline's counts, then each input's own (what it refused or lost before the pipeline). */
function report(pipeline: Pipeline, inputs: CollectInput[], prefix: string): void {
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
