#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';

type Register = (program: Command) => void;

/**
 * Every command, in help order, loaded on demand: a command imports only its own modules (the
 * formats and parsers, DuckDB, the web server…), which took a run of any one command from 1.1 to
 * 0.8 CPU-seconds of start-up before it read a byte.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  normalize: async () => (await import('../commands/normalize.js')).registerNormalize,
  ingest: async () => (await import('../commands/ingest.js')).registerIngest,
  detect: async () => (await import('../commands/detect.js')).registerDetect,
  query: async () => (await import('../commands/query.js')).registerQuery,
  formats: async () => (await import('../commands/formats.js')).registerFormats,
  vpcflow: async () => (await import('../commands/vpcflow.js')).registerVpcflow,
  rules: async () => (await import('../commands/rules.js')).registerRules,
  generate: async () => (await import('../commands/generate.js')).registerGenerate,
  demo: async () => (await import('../commands/demo.js')).registerDemo,
  trail: async () => (await import('../commands/trail.js')).registerTrail,
  index: async () => (await import('../commands/indexes.js')).registerIndex,
  insights: async () => (await import('../commands/insights.js')).registerInsights,
  posture: async () => (await import('../commands/posture.js')).registerPosture,
  collect: async () => (await import('../commands/collect.js')).registerCollect,
  serve: async () => (await import('../commands/serve.js')).registerServe,
};

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The program with the command `argv` names, or with every command when it names none of them
 * (top-level help, `help`, a typo: commander then lists or suggests from all of them).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('packettrail')
    .description('Follow a web request across the security logs it touched: normalize to ECS, store, query.')
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `\nRun "packettrail <command> --help" for a command's options and examples.\n${EXIT_CODES_HELP}`);
  const args = argv.slice(2);
  const named = args.find((a) => !a.startsWith('-'));
  // `--version` alone needs no command: loading them all took 0.6 s.
  const versionOnly = named === undefined && args.length > 0 && args.every((a) => a === '-V' || a === '--version');
  const wanted = versionOnly ? [] : named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

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
