/**
 * Exit codes of every command: the one table, printed by `--help` (EXIT_CODES_HELP) and copied in
 * the README's "Exit codes" section.
 */
export const EXIT = {
  /** Everything was read and nothing was rejected. */
  OK: 0,
  /** The run finished, but records or whole sources were rejected (see the dead-letter file). */
  REJECTED: 1,
  /**
   * The command as given cannot run, and nothing was done: unknown option or format, invalid argument,
   * an input that matches no file, a bad config file, a query that does not parse or names an unknown
   * table or column (SQL and SPL alike), an id that is not in the database.
   */
  USAGE: 2,
  /**
   * Fatal: the database is missing or is not a DuckDB database, a query failed while it ran (time,
   * memory or result limits), something could not be written (dead letters, the store, the NDJSON
   * output: the run stops and reports what it wrote), an internal error.
   */
  FATAL: 3,
  /** Stopped by Ctrl-C (SIGINT, 128 + 2): what was done is kept, and re-running resumes. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (128 + 15), as by Ctrl-C. */
  TERMINATED: 143,
} as const;

/** The exit code of a run stopped by `signal`, by the shell's convention (128 + the signal number). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
}

export const EXIT_CODES_HELP = `
Exit codes:
    0  success, nothing rejected
    1  finished, but some records or sources were rejected (see the dead-letter file)
    2  usage error, nothing done: unknown option or format, invalid argument, an input that matches
       no file, a bad config file, a query that does not parse (SQL or SPL) or names an unknown
       table or column, an id that is not in the database
    3  fatal error: database missing or not a DuckDB database, query failed while running (time,
       memory or result limit), output or dead letters could not be written, internal error
  130  interrupted by Ctrl-C (SIGINT): what was stored stays stored, re-running resumes
  143  stopped by SIGTERM, as by Ctrl-C`;

/** An error that should end the command with a message and a given exit code, not a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}
