import type { Command } from 'commander';
import { listFormats } from '../formats/registry.js';

export function registerFormats(program: Command): void {
  program
    .command('formats')
    .description('List the log formats packettrail reads, with their --format ids and options.')
    .action(() => {
      for (const f of listFormats()) {
        process.stdout.write(`${f.id}\n  ${f.title}\n  ${f.description}\n`);
        for (const o of f.options ?? []) process.stdout.write(`  --${o.name}: ${o.description}\n`);
        process.stdout.write('\n');
      }
    });
}
