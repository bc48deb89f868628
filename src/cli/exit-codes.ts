/** Exit codes of every command (also listed in the README and in `--help`). */
export const EXIT = {
  /** Everything was read and nothing was rejected. */
  OK: 0,
  /** The run finished, but records or whole sources were rejected (see the dead-letter file). */
  REJECTED: 1,
  /** Bad usage: unknown option, unknown format, invalid argument. */
  USAGE: 2,
  /**
   * Fatal: the database could not be opened, a query failed, something could not be written (dead
   * letters, the store, the NDJSON output: the run stops and reports what it wrote), an internal error.
   */
  FATAL: 3,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success, nothing rejected
  1  finished, but some records or sources were rejected (see the dead-letter file)
  2  usage error (unknown option or format, invalid argument)
  3  fatal error (database unavailable, query failed, output or dead letters could not be written,
     internal error)`;

/** An error that should end the command with a message and a given exit code, not a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}
