/**
 * Limits on one user query (console and CLI): a signal that interrupts the statement (time limit,
 * client gone, shutdown, Ctrl-C) and the size of the result the caller is willing to hold.
 */
export interface QueryBounds {
  /** Aborting interrupts the running statement (DuckDB's connection interrupt); the query rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The most result the caller holds, in characters of JSON: rows are converted one at a time and the
   * query is refused (ResultTooLargeError) as soon as they add up to more, before an array of them
   * exhausts the heap.
   */
  maxResultBytes?: number;
  /**
   * Only statements that read may run (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN), on a read
   * connection: a query sent to the process that holds the database read-write must not change it,
   * as a read-only open would refuse (NotAReadError).
   */
  readsOnly?: boolean;
  /**
   * Rows converted and returned: the stream stops one row past them (QueryResult.more), so showing
   * the first rows of a huge result never computes the rest. Absent: every row.
   */
  maxRows?: number;
  /** Timestamps as RFC 3339 UTC (`2026-11-20T08:00:16.363Z`), not DuckDB's text (`2026-11-20 08:00:16.363`). */
  rfc3339Timestamps?: boolean;
}

/** `67108864` → `64 MiB`. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/** `30000` → `30 s`, `300` → `0.3 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** The result grew past `maxResultBytes`: the query is refused rather than held. */
export class ResultTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the result is larger than the ${formatBytes(limitBytes)} limit: add a LIMIT (| head), select fewer columns or aggregate`);
    this.name = 'ResultTooLargeError';
  }
}

/** A statement that would change the database, sent where only reads may run. */
export class NotAReadError extends Error {
  constructor(readonly statementType: string) {
    super(`only statements that read run through the packettrail process that holds the database, not ${statementType} (stop that process to change the database directly)`);
    this.name = 'NotAReadError';
  }
}

/** The query ran past its time limit and was interrupted. */
export class QueryTimeoutError extends Error {
  constructor(
    readonly limitMs: number,
    readonly setting: string,
  ) {
    super(`the query ran longer than the ${formatSeconds(limitMs)} time limit (${setting}) and was interrupted`);
    this.name = 'QueryTimeoutError';
  }
}

/** The query was stopped from outside: the client left, the server is shutting down, Ctrl-C. */
export class QueryCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryCancelledError';
  }
}

/** DuckDB refused for want of memory: its text starts so (`Out of Memory Error: failed to allocate …`). */
export function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && /Out of Memory Error/i.test(e.message);
}

/**
 * A signal that aborts with QueryTimeoutError after `ms` (no timer for Infinity or 0) and with the
 * reason of the first `parents` to abort; `done()` clears the timer and the listeners once the query
 * is over (parents such as the server's shutdown signal live long: nothing may stay attached to them).
 */
export function deadline(ms: number, setting: string, ...parents: (AbortSignal | undefined)[]): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const attached: [AbortSignal, () => void][] = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const follow = () => controller.abort(parent.reason);
    parent.addEventListener('abort', follow, { once: true });
    attached.push([parent, follow]);
  }
  const timer = !controller.signal.aborted && Number.isFinite(ms) && ms > 0 ? setTimeout(() => controller.abort(new QueryTimeoutError(ms, setting)), ms) : undefined;
  timer?.unref();
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      for (const [parent, follow] of attached) parent.removeEventListener('abort', follow);
    },
  };
}
