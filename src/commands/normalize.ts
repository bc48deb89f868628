import type { Command } from 'commander';
import { EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalProgress } from '../cli/progress.js';
import { renderSummary } from '../cli/summary.js';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import { runPipeline } from '../pipeline/run.js';
import { NdjsonSink } from '../pipeline/sinks/ndjson.js';
import { hadFailures } from '../pipeline/stats.js';
import { stopRun } from '../pipeline/output.js';
import { addFormatOptions, checkFormat, checkOutput, formatOptionsOf, reportStopped, threadsOf, type FormatOptions } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { checkedInputs } from './inputs.js';

export function registerNormalize(program: Command): void {
  addFormatOptions(
    program
      .command('normalize')
      .description(COMMAND_INDEX.normalize.description)
      .argument('[inputs...]', 'files, directories, glob patterns, or - for stdin'),
  )
    .addHelpText(
      'after',
      `
Examples:
  packettrail normalize --format aws.cloudfront E2EXAMPLE.2026-11-20-10.abcd1234.gz
  zcat cloudfront/*.gz | packettrail normalize -f aws.cloudfront > events.ndjson
  packettrail normalize --format aws.cloudfront --fields "timestamp c-ip sc-status cs-method x-edge-request-id" realtime.log

Rejected records go to the dead-letter file (default ./packettrail.dead-letter.ndjson); the summary goes to stderr.
${EXIT_CODES_HELP}`,
    )
    .action(async (inputs: string[], o: FormatOptions) => {
      checkFormat(o.format);
      const expanded = await checkedInputs(inputs.length ? inputs : ['-']);
      const deadLetters = new DeadLetterWriter(o.deadLetter ?? 'packettrail.dead-letter.ndjson');
      await checkOutput(() => deadLetters.check());
      const sink = new NdjsonSink(process.stdout, 'the NDJSON output (stdout)');
      const summary = await runPipeline({
        inputs: inputs.length ? inputs : ['-'],
        format: o.format,
        formatOptions: formatOptionsOf(o),
        original: o.original ?? false,
        threads: threadsOf(o),
        sink,
        deadLetters,
        progress: terminalProgress(!o.quiet && !process.stdout.isTTY),
        expanded,
      });
      // Failures found only when the last writes land are failures of the run all the same.
      await sink.close().catch((e) => stopRun(summary, e));
      await deadLetters.close().catch((e) => stopRun(summary, e));
      if (!o.quiet) process.stderr.write(renderSummary(summary, false) + '\n');
      process.exitCode = hadFailures(summary) ? EXIT.REJECTED : EXIT.OK;
      if (summary.stopped) {
        reportStopped(summary.stopped, 'events after the last one written were not output');
        process.exitCode = EXIT.FATAL;
      }
    });
}
