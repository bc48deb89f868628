import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import type { IndexOutcome } from '../store/duckdb/indexes.js';
import { addStoreOption, commandStoreLocation, DEFAULT_DB, openExistingStore, type CommandStore } from './common.js';
import { isClickHouseUrl, shownLocation } from '../store/open.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface IndexCliOptions {
  db: string;
  store?: string;
  drop?: boolean;
  quiet?: boolean;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export function renderIndexes(outcomes: readonly IndexOutcome[]): string {
  const lines = outcomes
    .filter((o) => o.status !== 'skipped')
    .map((o) => `  ${o.table}(${o.column}): ${o.status === 'created' ? `created in ${(o.ms / 1000).toFixed(1)} s` : 'already there'}`);
  return lines.length ? `trail indexes:\n${lines.join('\n')}` : 'trail indexes: none apply (no CloudFront, WAF, app, ALB or PAN-OS events stored yet)';
}

/** Why `index` is refused on a ClickHouse store, and what does the indexes' work there. */
export const CLICKHOUSE_HAS_NO_INDEXES = (store: string) =>
  `the store ${store} is ClickHouse: the trail's exact-id indexes are DuckDB's and it has none to build (ClickHouse 18.16 has no secondary indexes); ` +
  'its tables are sorted by time and partitioned by day, and the trail reads only the time range around the request it follows';

export function registerIndex(program: Command): void {
  addStoreOption(program
    .command('index')
    .description(COMMAND_INDEX.index.description)
    .option('--db <path>', 'database file', DEFAULT_DB), ' (a ClickHouse store has no such indexes: refused)')
    .option('--drop', 'remove them instead')
    .option('-q, --quiet', 'print nothing')
    .addHelpText(
      'after',
      `
Examples:
  packettrail index --db case-42.duckdb
  packettrail ingest --index --db case-42.duckdb logs/     (the same, right after loading)

Without these indexes "trail --request-id" scans the request-id column within minutes of the request
(the whole CloudFront table to find an id only CloudFront logged). With them every exact-id lookup
fetches its rows directly. They cost disk and build time in proportion to the CloudFront table: on
10M CloudFront lines, ≈ 6 s to build and ≈ 400 MB (the database grew from 859 to 1,265 MB).
DuckDB only: a ClickHouse store (--store clickhouse://…) has none to build. Its tables are sorted by time,
and the trail's exact-id lookups read only the day partitions and time range around the request.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: IndexCliOptions, cmd: Command) => {
      const location = commandStoreLocation(o, cmd);
      // Refused before connecting: there is nothing to build whatever the server holds.
      if (isClickHouseUrl(location)) throw new CliError(CLICKHOUSE_HAS_NO_INDEXES(shownLocation(location)), EXIT.USAGE);
      let store: CommandStore | undefined = await openExistingStore(location, false);
      if (!store.createIndexes || !store.dropIndexes) {
        await store.close();
        throw new CliError(CLICKHOUSE_HAS_NO_INDEXES(store.path), EXIT.USAGE);
      }
      const before = statSync(location).size;
      try {
        if (o.drop) {
          const names = await store.dropIndexes();
          if (!o.quiet) process.stdout.write(names.length ? `dropped ${names.join(', ')}\n` : 'no trail indexes to drop\n');
          return;
        }
        const outcomes = await store.createIndexes();
        await store.close();
        store = undefined;
        if (!o.quiet) process.stdout.write(`${renderIndexes(outcomes)}\n${location}: ${mb(before)} → ${mb(statSync(location).size)}\n`);
      } finally {
        await store?.close();
      }
    });
}
