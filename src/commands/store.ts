import type { Command } from 'commander';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { listFormats } from '../formats/registry.js';
import type { InitReport } from '../store/clickhouse/admin.js';
import { PASSWORD_ENV } from '../store/clickhouse/url.js';
import { isClickHouseUrl, shownLocation, STORE_ENV } from '../store/open.js';
import { parseRetention, type RetentionOutcome } from '../store/retention.js';
import { commandStoreLocation, DEFAULT_DB } from './common.js';

interface StoreOptions {
  db: string;
  store?: string;
}

const STORE_OPTION_HELP = `the store: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] or a DuckDB file (default: $${STORE_ENV}, else --db); the password may come from $${PASSWORD_ENV}`;

/** Any failure of the store (a node down, a refused statement) ends the command with the fatal code and its message, which names the node. */
async function fatal<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(redacted(e), EXIT.FATAL);
  }
}

function redacted(e: unknown): string {
  return shownLocation(e instanceof Error ? e.message : String(e));
}

export function renderInit(location: string, reports: readonly InitReport[]): string {
  const lines = [`schema of ${shownLocation(location)}:`];
  for (const r of reports) {
    lines.push(`  ${r.node}:`);
    for (const c of r.changes) lines.push(`    ${c}`);
    lines.push(`    ${r.unchanged} table${r.unchanged === 1 ? '' : 's'} already complete`);
  }
  return lines.map(terminalSafe).join('\n');
}

export function renderRetention(location: string, outcome: RetentionOutcome | undefined): string {
  if (!outcome) return terminalSafe(`${shownLocation(location)} has no retention set (packettrail store init --retention 90d sets one): nothing dropped`);
  const verb = outcome.dryRun ? 'would drop' : 'dropped';
  const lines = [`retention ${outcome.days} days: keeping events from ${new Date(outcome.cutoff).toISOString()} on`];
  for (const d of outcome.drops) lines.push(`  ${d.node}: ${verb} ${d.day !== undefined ? `partition ${d.day} of ` : ''}${d.table} (${d.rows} rows)`);
  const rows = outcome.drops.reduce((n, d) => n + d.rows, 0);
  lines.push(outcome.drops.length ? `${verb} ${rows} rows in ${outcome.drops.length} ${outcome.drops[0]!.day !== undefined ? 'partitions' : 'tables'}` : 'nothing older to drop');
  return lines.map(terminalSafe).join('\n');
}

/** Applies the store's retention (ClickHouse or DuckDB); undefined when none is set and none given. */
export async function applyRetention(location: string, options: { days?: number | undefined; dryRun?: boolean; now?: number } = {}): Promise<RetentionOutcome | undefined> {
  if (isClickHouseUrl(location)) return (await import('../store/clickhouse/admin.js')).applyClickHouseRetention(location, options);
  return (await import('../store/duckdb/admin.js')).applyDuckDbRetention(location, options);
}

/** Creates the schema of every format of the registry (ClickHouse: on every node; DuckDB: in the file). */
export async function initStore(location: string, retentionDays?: number): Promise<InitReport[]> {
  if (isClickHouseUrl(location)) return (await import('../store/clickhouse/admin.js')).initClickHouse(location, listFormats(), retentionDays);
  return [await (await import('../store/duckdb/admin.js')).initDuckDb(location, listFormats(), retentionDays)];
}

function retentionOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseRetention(text);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function registerStore(program: Command): void {
  const store = program
    .command('store')
    .description(COMMAND_INDEX.store.description)
    .addHelpText(
      'after',
      `
A ClickHouse store's tables are created on every node of its cluster (no ON CLUSTER: ZooKeeper is
not needed); ingest also creates what it needs, so store init is for setting up ahead of time and
for the retention setting. See docs/scale-out.md.

Examples:
  packettrail store init --store 'clickhouse://admin@ch1:8123/logs?cluster=logs' --retention 90d
  packettrail store retention --store 'clickhouse://admin@ch1:8123/logs?cluster=logs' --dry-run
  packettrail store init --db packettrail.duckdb
${EXIT_CODES_HELP}`,
    );
  const storeOptions = (c: Command) => c.option('--db <path>', 'DuckDB database file', DEFAULT_DB).option('--store <url>', STORE_OPTION_HELP);
  storeOptions(store.command('init').description('create the whole schema (every format\'s table, bookkeeping, the events view) on every node; running it again adds only what is missing'))
    .option('--retention <days>', 'keep this many days of events (e.g. 90d): stored as the store\'s setting, applied by store retention and after every ingest into ClickHouse')
    .action(async (o: StoreOptions & { retention?: string }, cmd: Command) => {
      const days = retentionOption(o.retention);
      const location = commandStoreLocation(o, cmd);
      const reports = await fatal(() => initStore(location, days));
      process.stdout.write(renderInit(location, reports) + '\n');
    });
  storeOptions(store.command('retention').description('drop the days of events older than the retention (whole day partitions on ClickHouse, the same rows on DuckDB)'))
    .option('--retention <days>', 'this retention instead of the stored one (e.g. 30d)')
    .option('--dry-run', 'list what would be dropped, drop nothing')
    .action(async (o: StoreOptions & { retention?: string; dryRun?: boolean }, cmd: Command) => {
      const days = retentionOption(o.retention);
      const location = commandStoreLocation(o, cmd);
      const outcome = await fatal(() => applyRetention(location, { days, dryRun: o.dryRun ?? false }));
      process.stdout.write(renderRetention(location, outcome) + '\n');
    });
}
