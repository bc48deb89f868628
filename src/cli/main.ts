#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { registerNormalize } from '../commands/normalize.js';
import { registerIngest } from '../commands/ingest.js';
import { registerDetect } from '../commands/detect.js';
import { registerQuery } from '../commands/query.js';
import { registerFormats } from '../commands/formats.js';
import { registerVpcflow } from '../commands/vpcflow.js';
import { registerRules } from '../commands/rules.js';
import { registerGenerate } from '../commands/generate.js';
import { registerDemo } from '../commands/demo.js';
import { registerTrail } from '../commands/trail.js';
import { registerInsights } from '../commands/insights.js';
import { registerPosture } from '../commands/posture.js';
import { registerCollect } from '../commands/collect.js';
import { registerServe } from '../commands/serve.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('packettrail')
    .description('Follow a web request across the security logs it touched: normalize to ECS, store, query.')
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `\nRun "packettrail <command> --help" for a command's options and examples.\n${EXIT_CODES_HELP}`);
  registerNormalize(program);
  registerIngest(program);
  registerDetect(program);
  registerQuery(program);
  registerFormats(program);
  registerVpcflow(program);
  registerRules(program);
  registerGenerate(program);
  registerDemo(program);
  registerTrail(program);
  registerInsights(program);
  registerPosture(program);
  registerCollect(program);
  registerServe(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
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

main(process.argv).then((code) => {
  process.exitCode = code;
});
