import type { Command } from 'commander';
import type { ServiceClient } from '../service/client.js';
import type { DetectionSpec } from '../detect/spec.js';
import { CliError, EXIT, EXIT_CODES_HELP, exitCodeForSignal } from '../cli/exit-codes.js';
import { stopOnSignals } from '../cli/interrupt.js';
import { terminalProgress } from '../cli/progress.js';
import { terminalSafe } from '../cli/text.js';
import { renderDetectionSummary, renderSummary } from '../cli/summary.js';
import { ingest, INGEST_MEMORY_LIMIT, StoreOpenError, type AnalysesOutcome, type IngestResult } from '../pipeline/ingest.js';
import { hadFailures } from '../pipeline/stats.js';
import type { ProgressReporter } from '../pipeline/run.js';
import { OutputError } from '../pipeline/output.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { renderIndexes } from './indexes.js';
import { megabytes } from '../store/duckdb/duckdb-store.js';
import { addFormatOptions, checkOutput, checkFormat, commandStoreLocation, DEFAULT_DB, defaultDeadLetterPath, formatOptionsOf, reportStopped, threadsOf, type FormatOptions } from './common.js';
import { checkedInputs } from './inputs.js';
import { checkDatabaseFile } from './database.js';
import { addDetectionOptions, alertSinks, prepareDetection, type DetectionOptions } from './detect.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { isClickHouseUrl, shownLocation, STORE_ENV } from '../store/open.js';
import { PASSWORD_ENV } from '../store/clickhouse/url.js';

interface IngestOptions extends FormatOptions, DetectionOptions {
  db: string;
  store?: string;
  s3Endpoint?: string;
  memoryLimit?: string;
  index?: boolean;
  sharedDetection?: boolean;
}

export function registerIngest(program: Command): void {
  addDetectionOptions(addFormatOptions(
    program
      .command('ingest')
      .description(COMMAND_INDEX.ingest.description)
      .argument('<inputs...>', 'files, directories (recursive), glob patterns, s3://bucket/prefix, or - for stdin')
      .option('--db <path>', 'database file', DEFAULT_DB)
      .option('--store <url>', `the store: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] or a DuckDB file (default: $${STORE_ENV}, else --db); the password may come from $${PASSWORD_ENV}`)
      .option('--s3-endpoint <url>', 'S3-compatible service for s3:// inputs (credentials and region from the AWS default chain)')
      .option('--memory-limit <size>', `DuckDB's memory while loading (e.g. 512MB, 2GB); it spills to disk beyond`, INGEST_MEMORY_LIMIT)
      .option('--index', 'afterwards, create the indexes that make trail lookups by request id, trace id and session id fast (as packettrail index)')
      .option('--shared-detection', 'several processes feed this store: store rule matches instead of raising alerts (and skip the analyses); packettrail detect --correlate raises the alerts of every process, each once'),
  ))
    .addHelpText(
      'after',
      `
Examples:
  packettrail ingest logs/cloudfront/
  packettrail ingest --db case-42.duckdb 'AWSLogs/**/*.gz'
  packettrail ingest --format aws.cloudfront --original E2EXAMPLE.2026-11-20-10.abcd1234.gz
  packettrail ingest s3://my-log-bucket/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/
  packettrail ingest --store 'clickhouse://ingest@ch1:8123/logs?cluster=logs' logs/

Rejected records go to the dead-letter file (default: beside the database, <db>.dead-letter.ndjson) and to the
database's dead_letters table; a summary per source is printed at the end. Built-in rules, --rules and --intel
feeds run on every event; alerts go to the database's alerts table (once per alert id) and the summary counts them.
An input that matches no file stops the command before anything is created (exit 2).
A ClickHouse store with a retention (packettrail store init --retention 90d) drops the days past it at the end.

Ctrl-C (or SIGTERM) stops cleanly: the rows being loaded are stored, the database is closed (no .wal or
.tmp left), the summary says what was stored, and the exit code is 130 (143). Run the same ingest again to
resume: events already stored are skipped. A second Ctrl-C quits at once.
${EXIT_CODES_HELP}`,
    )
    .action(async (inputs: string[], o: IngestOptions, cmd: Command) => {
      const memoryLimitGiven = cmd.getOptionValueSource('memoryLimit') === 'cli';
      checkFormat(o.format);
      const threads = threadsOf(o);
      if (o.memoryLimit !== undefined && !(megabytes(o.memoryLimit) > 0)) throw new CliError(`--memory-limit must be a size like 512MB or 2GB, got '${o.memoryLimit}'`);
      const location = commandStoreLocation(o, cmd);
      const clickhouse = isClickHouseUrl(location);
      if (clickhouse && o.index) throw new CliError('--index builds DuckDB indexes: a ClickHouse store has none to build (its tables are sorted by time, and ClickHouse 18.16 has no secondary indexes)');
      if (clickhouse && memoryLimitGiven && !o.quiet) process.stderr.write(`packettrail: note: --memory-limit is DuckDB's and does not apply to a ClickHouse store\n`);
      const expanded = await checkedInputs(inputs);
      if (!clickhouse) checkDatabaseFile(location);
      const deadLetterPath = o.deadLetter ?? defaultDeadLetterPath(location);
      await checkOutput(() => new DeadLetterWriter(deadLetterPath).check());
      const detection = prepareDetection(o, o.quiet ?? false);
      if (o.sharedDetection && !detection.active && !o.quiet) process.stderr.write('packettrail: note: --shared-detection without rules stores no matches\n');
      // While another packettrail (serve, collect) holds the database, that process reads the files.
      const owner = clickhouse ? undefined : await (await import('../service/client.js')).findOwner(location, (line) => process.stderr.write(`${line}\n`));
      const progress = terminalProgress(!o.quiet);
      const stop = stopOnSignals(owner ? `asking ${owner.owner} to store the rows being loaded` : 'storing the rows being loaded and closing the database', () => progress?.stop());
      let result: IngestResult;
      if (owner && o.sharedDetection) {
        owner.close();
        stop.dispose();
        throw new CliError(`--shared-detection: ${owner.owner} holds the database and raises the alerts of what it ingests; ingest without --shared-detection, or into a ClickHouse store`);
      }
      try {
        result = owner
          ? await ingestThroughOwner(owner, inputs, o, threads, deadLetterPath, detection.spec, memoryLimitGiven, progress, stop.signal)
          : await ingest({
              inputs, db: location, format: o.format, formatOptions: formatOptionsOf(o), original: o.original ?? false, threads,
              deadLetterPath, progress, detection, alertSinks: alertSinks(o, []),
              s3: { endpoint: o.s3Endpoint }, memoryLimit: o.memoryLimit, index: o.index ?? false, signal: stop.signal, expanded,
              sharedDetection: o.sharedDetection ?? false,
            });
      } catch (e) {
        throw e instanceof StoreOpenError || e instanceof OutputError || (owner && e instanceof Error && !(e instanceof CliError)) ? new CliError(e.message, EXIT.FATAL) : e;
      } finally {
        stop.dispose();
        owner?.close();
      }
      const { summary, alerts } = result;
      if (!o.quiet) process.stderr.write(renderSummary(summary, true) + '\n');
      if (!o.quiet && alerts) process.stderr.write(renderDetectionSummary(alerts, detection.engine.intel?.feeds) + '\n');
      if (!o.quiet && result.analyses) process.stderr.write(renderAnalyses(result.analyses));
      if (!o.quiet && result.indexes) process.stderr.write(renderIndexes(result.indexes) + '\n');
      process.exitCode = hadFailures(summary) ? EXIT.REJECTED : EXIT.OK;
      if (summary.stopped) {
        reportStopped(summary.stopped, `run the same ingest again to resume: events already stored are skipped`);
        process.exitCode = summary.stopped.interrupted ? exitCodeForSignal(summary.stopped.interrupted as NodeJS.Signals) : EXIT.FATAL;
      }
      if (result.indexError) {
        process.stderr.write(terminalSafe(`packettrail: --index failed, the events are stored: ${result.indexError.split('\n')[0]} (retry with packettrail index --db ${location})`) + '\n');
        process.exitCode = EXIT.FATAL;
      }
      if (clickhouse && !summary.stopped) await retentionAfterIngest(location, o.quiet ?? false);
    });
}

/** The post-ingest analyses that failed, one line each (nothing when all ran). */
export function renderAnalyses(a: AnalysesOutcome): string {
  const lines = Object.entries(a.failed).map(([id, why]) => `packettrail: warning: analysis ${id} failed: ${why.split('\n')[0]}`);
  return lines.map((l) => terminalSafe(l) + '\n').join('');
}

/**
 * A ClickHouse store with a retention set drops the days past it after every ingest (a DuckDB store
 * only on packettrail store retention: its DELETE rewrites row groups, not a free partition drop).
 */
async function retentionAfterIngest(location: string, quiet: boolean): Promise<void> {
  const { applyRetention, renderRetention } = await import('./store.js');
  try {
    const outcome = await applyRetention(location);
    if (!quiet && outcome?.drops.length) process.stderr.write(renderRetention(location, outcome) + '\n');
  } catch (e) {
    process.stderr.write(terminalSafe(`packettrail: the events are stored, but applying the retention failed: ${shownLocation((e as Error).message)} (retry with packettrail store retention)`) + '\n');
    process.exitCode = EXIT.FATAL;
  }
}

/** The ingest run by the process that holds the database (src/service/ingest-client.ts): same options, same result. */
async function ingestThroughOwner(
  owner: ServiceClient, inputs: string[], o: IngestOptions, threads: number, deadLetterPath: string, spec: DetectionSpec, memoryLimitGiven: boolean,
  progress: ProgressReporter | undefined, signal: AbortSignal,
): Promise<IngestResult> {
  if (memoryLimitGiven && !o.quiet) process.stderr.write(`packettrail: note: --memory-limit does not apply: ${o.db} is held by ${owner.owner}, which loads with its own memory limit\n`);
  const { ingestThrough } = await import('../service/ingest-client.js');
  return ingestThrough(owner, {
    db: o.db, inputs, format: o.format, formatOptions: formatOptionsOf(o), original: o.original ?? false, threads, deadLetterPath,
    detection: { rules: spec.rules, intel: spec.intel, builtin: spec.builtin, alertWebhook: o.alertWebhook }, s3Endpoint: o.s3Endpoint, index: o.index ?? false,
  }, progress, signal);
}
