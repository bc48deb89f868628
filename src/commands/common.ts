import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { CliError, EXIT } from '../cli/exit-codes.js';
import type { DuckDbOptions } from '../store/duckdb/duckdb-store.js';
import { isClickHouseUrl, openStore, shownLocation, storeLocation, type IndexableStore } from '../store/open.js';
import { parseStoreUrl, PASSWORD_ENV, StoreUrlError } from '../store/clickhouse/url.js';
import { STORE_ENV } from '../store/open.js';
import { getFormat, listFormats } from '../formats/registry.js';
import { defaultThreads } from '../pipeline/pool.js';
import { OutputError } from '../pipeline/output.js';
import type { RunSummary } from '../pipeline/stats.js';
import { terminalSafe } from '../cli/text.js';
import { checkExistingDatabase } from './database.js';

export const DEFAULT_DB = 'packettrail.duckdb';

/**
 * `packettrail.duckdb` → `packettrail.dead-letter.ndjson`, beside the database; for a ClickHouse
 * store, `<database>.dead-letter.ndjson` in the working directory.
 */
export function defaultDeadLetterPath(db: string): string {
  if (isClickHouseUrl(db)) {
    try {
      return `${parseStoreUrl(db).database}.dead-letter.ndjson`;
    } catch {
      return 'packettrail.dead-letter.ndjson';
    }
  }
  return db.replace(/\.duckdb$/i, '') + '.dead-letter.ndjson';
}

/** What --store says in every command that opens a store. */
export const STORE_OPTION_HELP = `the store: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] or a DuckDB file (default: $${STORE_ENV}, else --db); the password may come from $${PASSWORD_ENV}`;

/** Adds --store (STORE_OPTION_HELP, and `more` after it) to a command that opens a store. */
export function addStoreOption(cmd: Command, more = ''): Command {
  return cmd.option('--store <url>', STORE_OPTION_HELP + more);
}

/**
 * Where the console's own files of a store live (accounts, audit log, saved searches, access token),
 * as the path they are named from (`<base>.users.json` …): beside a DuckDB database, the database
 * path itself; for a ClickHouse store, which has no file on this machine, `<state-dir>/<database>`
 * (--state-dir is required: the accounts must not land wherever the command happens to run).
 */
export function stateBaseOf(location: string, stateDir: string | undefined): string {
  if (!isClickHouseUrl(location)) {
    if (stateDir !== undefined) throw new CliError('--state-dir is for a ClickHouse store: a DuckDB database keeps these files beside it (<db>.users.json …)');
    return location;
  }
  if (stateDir === undefined) {
    throw new CliError(`a ClickHouse store keeps the console's accounts, audit log, saved searches and access token in a directory of this machine: give --state-dir <dir> (the same for serve, users and audit)`);
  }
  let isDir = false;
  try {
    isDir = statSync(stateDir).isDirectory();
  } catch {
    /* said below */
  }
  if (!isDir) throw new CliError(terminalSafe(`--state-dir ${stateDir} is not a directory (create it, mode 0700)`));
  let database: string;
  try {
    database = parseStoreUrl(location).database;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return join(stateDir, database);
}

/**
 * The store a command works on (--store, --db, PACKETTRAIL_STORE, the default file), its URL
 * checked up front: a malformed one is a usage error naming what is wrong.
 */
export function commandStoreLocation(o: { db?: string; store?: string }, cmd: Command): string {
  let location: string;
  try {
    location = storeLocation(o, cmd.getOptionValueSource('db') === 'cli', DEFAULT_DB);
    if (isClickHouseUrl(location)) parseStoreUrl(location);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return location;
}

export function addFormatOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <id>', `log format, or auto to recognize each file (${listFormats().map((f) => f.id).join(', ')})`).default('auto'))
    .option('--fields <list>', 'field list for formats whose records do not describe themselves (CloudFront real-time logs, VPC flow logs without a header)')
    .option('--timezone <zone>', 'time zone of sources that log local time without a zone (PAN-OS, Zscaler, NXLog\'s EventTime): an offset like +02:00 or an IANA name', 'UTC')
    .option('--mapping <file>', 'field mapping (JSON or YAML) for app.json logs whose keys differ from the defaults')
    .option('--original', 'keep each raw record in event.original')
    .option('--threads <n>', 'parser threads (0 = parse on the main thread)', String(defaultThreads()))
    .option('--dead-letter <path>', 'where rejected records are written (NDJSON)')
    .option('-q, --quiet', 'no progress bar and no summary');
}

export interface FormatOptions {
  format: string;
  fields?: string;
  timezone?: string;
  mapping?: string;
  original?: boolean;
  threads: string;
  deadLetter?: string;
  quiet?: boolean;
}

export function checkFormat(id: string): void {
  if (id === 'auto') return;
  try {
    getFormat(id);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function formatOptionsOf(o: FormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.fields) out.fields = o.fields;
  if (o.timezone && o.timezone !== 'UTC') out.timezone = o.timezone;
  if (o.mapping) out.mapping = o.mapping;
  return out;
}

export function threadsOf(o: FormatOptions): number {
  const n = Number(o.threads);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new CliError(`--threads must be a whole number from 0 to 64, got '${o.threads}'`);
  return n;
}

/** Runs an up-front output check (a dead-letter file that cannot be created): its failure is fatal. */
export async function checkOutput(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (e) {
    throw e instanceof OutputError ? new CliError(e.message, EXIT.FATAL) : e;
  }
}

/** Tells why a run stopped early (something could not be written) and what to do about it. */
export function reportStopped(stopped: NonNullable<RunSummary['stopped']>, retry: string): void {
  const unread = stopped.unread ? `; ${stopped.unread} source${stopped.unread === 1 ? '' : 's'} not read` : '';
  if (stopped.interrupted) process.stderr.write(terminalSafe(`packettrail: ${stopped.reason}${unread}. The counts above are what was stored; ${retry}.`) + '\n');
  else process.stderr.write(terminalSafe(`packettrail: stopped: ${stopped.reason}${unread}. The counts above are what was read and written until then; ${retry}.`) + '\n');
  for (const also of stopped.later ?? []) process.stderr.write(terminalSafe(`packettrail: also: ${also}`) + '\n');
}

/**
 * The store a command works on: the file itself, the packettrail process that holds it
 * (src/service/), or a ClickHouse store, which has no indexes to create (see IndexableStore).
 */
export type CommandStore = IndexableStore;

/** Opens an existing database read-only for a reading command; a missing or unopenable file is a fatal CLI error. */
export function openStoreForReading(db: string): Promise<CommandStore> {
  return openExistingStore(db, true);
}

/**
 * Opens an existing database (never creates one); a missing or unopenable file is a fatal CLI error.
 * While another packettrail (serve, collect) holds it, the store reads through that process: the
 * command runs as it would on the file, its statements run there as reads under its query limits,
 * and `options` (DuckDB's memory for this process) do not apply.
 */
export async function openExistingStore(db: string, readOnly: boolean, options: Omit<DuckDbOptions, 'readOnly'> = {}): Promise<CommandStore> {
  if (isClickHouseUrl(db)) {
    try {
      return await openStore(db, { readOnly });
    } catch (e) {
      throw new CliError(`cannot open the store ${shownLocation(db)}: ${(e as Error).message}`, e instanceof StoreUrlError ? EXIT.USAGE : EXIT.FATAL);
    }
  }
  // A held database is a DuckDB file too: its header is read without taking DuckDB's lock.
  checkExistingDatabase(db);
  const remote = await throughOwner(db);
  if (remote) return remote;
  try {
    // Loaded here, not at the top: `normalize` and `detect` share this module and never open a store.
    const { DuckDbStore } = await import('../store/duckdb/duckdb-store.js');
    return await DuckDbStore.open(db, { ...options, readOnly });
  } catch (e) {
    throw new CliError(`cannot open database ${db}: ${(e as Error).message}`, EXIT.FATAL);
  }
}

/** The store read through the live owner of `db`, or undefined when none holds it. */
async function throughOwner(db: string): Promise<CommandStore | undefined> {
  const { findOwner } = await import('../service/client.js');
  const client = await findOwner(db, (line) => process.stderr.write(`${line}\n`));
  if (!client) return undefined;
  const { RemoteStore } = await import('../service/remote-store.js');
  try {
    return await RemoteStore.open(client, db);
  } catch (e) {
    client.close();
    throw new CliError(`cannot read ${db} through ${client.owner}: ${(e as Error).message}`, EXIT.FATAL);
  }
}
