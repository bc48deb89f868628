#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';
import { OutputError } from '../pipeline/output.js';
import { terminalSafe } from './text.js';

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`packettrail: ${e.message}\n`);
      return e.exitCode;
    }
    // A write that failed where no command caught it: say what could not be written, not a stack trace.
    if (e instanceof OutputError) {
      process.stderr.write(`packettrail: ${terminalSafe(e.message)}\n`);
      return EXIT.FATAL;
    }
    process.stderr.write(`packettrail: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.FATAL;
  }
}

// `packettrail --help | head`: a reader that stops early is not an error. Commands that write to
// stdout add their own handler (normalize keeps counting and reports); other errors still surface.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && process.stdout.listenerCount('error') === 1) throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
