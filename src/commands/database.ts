import { existsSync } from 'node:fs';
import { CliError, EXIT } from '../cli/exit-codes.js';
import { DB_ENV, describeOrigin, originOf } from '../cli/settings.js';
import { terminalSafe } from '../cli/text.js';
import { whyNotDuckDb } from '../store/duckdb/file-check.js';

/** Where `demo` puts its database by default: named when the default database is missing. */
export const DEMO_DB = 'packettrail-demo/packettrail.duckdb';

/**
 * Before a reading command opens the database: it exists and is a DuckDB database, else a fatal
 * error (exit 3) that says where the path came from (--db, PACKETTRAIL_DB, a config file, the default)
 * and what to do.
 */
export function checkExistingDatabase(db: string): void {
  if (!existsSync(db)) throw new CliError(missingDatabase(db), EXIT.FATAL);
  checkDatabaseFile(db);
}

/** A path that exists but is no DuckDB database (a directory, an empty file, a log file) is refused before DuckDB sees it. */
export function checkDatabaseFile(db: string): void {
  const why = whyNotDuckDb(db);
  if (why) throw new CliError(terminalSafe(`${db} ${why}; the database was named by ${describeOrigin(originOf('db'))}`), EXIT.FATAL);
}

function missingDatabase(db: string): string {
  const origin = originOf('db');
  const create = `create it with packettrail ingest --db ${db} <logs>`;
  switch (origin.kind) {
    case 'env':
      return terminalSafe(`database ${db} does not exist (named by ${DB_ENV}); ${create}, or set ${DB_ENV} to an existing database`);
    case 'config':
      return terminalSafe(`database ${db} does not exist (named by ${describeOrigin(origin)}); ${create}, or change that line`);
    case 'default': {
      const demo = existsSync(DEMO_DB) ? `; the demo's database is here: export ${DB_ENV}=${DEMO_DB}` : '';
      return terminalSafe(
        `database ${db} does not exist (the default: no --db, no ${DB_ENV}, no db: in a config file); give --db PATH or set ${DB_ENV}, or create it with packettrail ingest <logs>${demo}`,
      );
    }
    default:
      return terminalSafe(`database ${db} does not exist (--db); give the path of an existing database, or ${create}`);
  }
}
