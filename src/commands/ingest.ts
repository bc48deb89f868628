import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalProgress } from '../cli/progress.js';
import { renderDetectionSummary, renderSummary } from '../cli/summary.js';
import { listFormats } from '../formats/registry.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { runPipeline } from '../pipeline/run.js';
import { StoreSink } from '../pipeline/sinks/store.js';
import { hadFailures } from '../pipeline/stats.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import { addFormatOptions, checkFormat, DEFAULT_DB, defaultDeadLetterPath, formatOptionsOf, threadsOf, type FormatOptions } from './common.js';
import { addDetectionOptions, alertSinks, newStage, prepareDetection, type DetectionOptions } from './detect.js';
import { StoreAlertSink } from '../detect/alerts/store-sink.js';

interface IngestOptions extends FormatOptions, DetectionOptions {
  db: string;
}

export function registerIngest(program: Command): void {
  addDetectionOptions(addFormatOptions(
    program
      .command('ingest')
      .description('Normalize logs and store them in the embedded DuckDB database. Re-ingesting the same records stores them once.')
      .argument('<inputs...>', 'files, directories (recursive), glob patterns, or - for stdin')
      .option('--db <path>', 'database file', DEFAULT_DB),
  ))
    .addHelpText(
      'after',
      `
Examples:
  packettrail ingest logs/cloudfront/
  packettrail ingest --db case-42.duckdb 'AWSLogs/**/*.gz'
  packettrail ingest --format aws.cloudfront --original E2EXAMPLE.2026-11-20-10.abcd1234.gz

Rejected records go to the dead-letter file (default: beside the database, <db>.dead-letter.ndjson) and to the
database's dead_letters table; a summary per source is printed at the end. Built-in rules, --rules and --intel
feeds run on every event; alerts go to the database's alerts table (once per alert id) and the summary counts them.
${EXIT_CODES_HELP}`,
    )
    .action(async (inputs: string[], o: IngestOptions) => {
      checkFormat(o.format);
      const threads = threadsOf(o);
      const detection = prepareDetection(o, o.quiet ?? false);
      let store: DuckDbStore;
      try {
        store = await DuckDbStore.open(o.db);
        await store.ensureSchema(allColumns(listFormats()));
      } catch (e) {
        throw new CliError(`cannot open database ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
      }
      const deadLetters = new DeadLetterWriter(o.deadLetter ?? defaultDeadLetterPath(o.db));
      deadLetters.onWrite((entries) => store.recordDeadLetters(entries.map((e) => ({ source: e.source, line: e.line, dataset: e.format, reason: e.reason, record: e.record }))));
      const sink = new StoreSink(store);
      const stage = detection.active ? newStage(detection, alertSinks(o, [new StoreAlertSink(store)])) : undefined;
      try {
        const summary = await runPipeline({
          inputs,
          format: o.format,
          formatOptions: formatOptionsOf(o),
          original: o.original ?? false,
          threads,
          sink: stage ? stage.wrap(sink) : sink,
          deadLetters,
          progress: terminalProgress(!o.quiet),
          detection: stage ? detection.spec : undefined,
        });
        await sink.close();
        const alerts = await stage?.finish();
        for (const s of summary.sources) {
          await store.recordFile({
            path: s.source, dataset: s.format, records: s.records, events: s.events, stored: s.stored ?? 0,
            duplicates: s.duplicates ?? 0, rejected: s.rejected, skipped: Object.values(s.skipped).reduce((a, b) => a + b, 0), bytes: s.bytes,
          });
        }
        if (!o.quiet) process.stderr.write(renderSummary(summary, true) + '\n');
        if (!o.quiet && alerts) process.stderr.write(renderDetectionSummary(alerts, detection.engine.intel?.feeds) + '\n');
        process.exitCode = hadFailures(summary) ? EXIT.REJECTED : EXIT.OK;
      } finally {
        await deadLetters.close();
        await store.close();
      }
    });
}
