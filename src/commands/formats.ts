import type { Command } from 'commander';
import { listFormats } from '../formats/registry.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { EXIT_CODES_HELP } from '../cli/exit-codes.js';

export function registerFormats(program: Command): void {
  program
    .command('formats')
    .description(COMMAND_INDEX.formats.description)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(() => {
      for (const f of listFormats()) {
        process.stdout.write(`${f.id}\n  ${f.title}\n  ${f.description}\n`);
        for (const o of f.options ?? []) process.stdout.write(`  --${o.name}: ${o.description}\n`);
        process.stdout.write('\n');
      }
    });
}
