import { deadline, QueryCancelledError } from '../store/bounds.js';
import { ApiError } from './errors.js';

/**
 * What one console query may use. Every user query (POST /api/query) goes through the gate: at most
 * `maxRunning` run at once — fewer than the store's read connections, so the status, alerts and
 * other routes always find one — and `maxQueued` more wait; past that the answer is 429.
 */
export interface QueryLimits {
  /** Time one query may run (queue time not included), ms; 0 = none. */
  timeoutMs: number;
  /** Result the server will hold and send, in characters of JSON (rows are counted as they are converted). */
  maxResultBytes: number;
  /** User queries running at once. */
  maxRunning: number;
  /** User queries waiting for a running slot. */
  maxQueued: number;
  /** DuckDB's memory_limit for the console's database (all queries together). */
  memoryLimit: string;
  /** DuckDB's max_temp_directory_size: what a query may spill to disk past the memory limit. */
  maxTempDirectorySize: string;
}

/**
 * Read connections and libuv threads kept for the status, alerts and other routes whatever user
 * queries run: a DuckDB statement holds one of Node's libuv threads while it works (4 unless
 * UV_THREADPOOL_SIZE says otherwise), and with four runaways /api/status waited for one to end.
 */
export const RESERVED_FOR_ROUTES = 2;

/** The most user queries that may run at once: the libuv threads less those reserved. */
export function maxRunningQueriesAllowed(env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(1, (Number(env.UV_THREADPOOL_SIZE) || 4) - RESERVED_FOR_ROUTES);
}

export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RESULT_BYTES = 64 * 2 ** 20;
export const DEFAULT_MAX_RUNNING_QUERIES = 2;
export const DEFAULT_MAX_QUEUED_QUERIES = 8;
export const DEFAULT_QUERY_MEMORY_LIMIT = '1GB';
export const DEFAULT_MAX_TEMP_DIRECTORY_SIZE = '4GB';

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  timeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
  maxResultBytes: DEFAULT_MAX_RESULT_BYTES,
  maxRunning: DEFAULT_MAX_RUNNING_QUERIES,
  maxQueued: DEFAULT_MAX_QUEUED_QUERIES,
  memoryLimit: DEFAULT_QUERY_MEMORY_LIMIT,
  maxTempDirectorySize: DEFAULT_MAX_TEMP_DIRECTORY_SIZE,
};

/** The `serve` options that set each limit, named in the errors a client sees. */
export const LIMIT_OPTIONS = {
  timeoutMs: '--query-timeout',
  maxResultBytes: '--max-result-size',
  maxRunning: '--max-queries',
  maxQueued: '--max-queued-queries',
  memoryLimit: '--query-memory-limit',
} as const;

export interface GateOptions {
  /** Waiting queries this caller may join (default: the limits' maxQueued). */
  maxQueued?: number;
  /** How the time limit is named in its error (default: the serve option). */
  timeoutSetting?: string;
}

/** A semaphore for user queries with a bounded queue, a time limit per query and a switch that cancels them all. */
export class QueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly shutdown = new AbortController();

  constructor(readonly limits: QueryLimits) {}

  /** True once cancelAll ran: the server is shutting down. */
  get closing(): boolean {
    return this.shutdown.signal.aborted;
  }

  /** Queries running and waiting now. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /**
   * Runs `work` once a slot is free, with a signal that aborts when `client` does (the client left),
   * when the time limit passes, or when the server shuts down.
   */
  async run<T>(client: AbortSignal, work: (signal: AbortSignal) => Promise<T>, o: GateOptions = {}): Promise<T> {
    this.shutdown.signal.throwIfAborted();
    if (this.running < this.limits.maxRunning) this.running++;
    else {
      if (this.waiting.length >= (o.maxQueued ?? this.limits.maxQueued)) {
        throw new ApiError(
          429,
          `too many queries: ${this.running} running and ${this.waiting.length} waiting, the most the server takes (${LIMIT_OPTIONS.maxRunning} ${this.limits.maxRunning}, ${LIMIT_OPTIONS.maxQueued} ${this.limits.maxQueued}); try again when one has finished`,
        );
      }
      // A finishing query hands its slot over: `running` stays counted.
      await this.wait(client);
    }
    const limit = deadline(this.limits.timeoutMs, o.timeoutSetting ?? LIMIT_OPTIONS.timeoutMs, client, this.shutdown.signal);
    try {
      return await work(limit.signal);
    } finally {
      limit.done();
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private wait(client: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      // Only the client and the shutdown end a wait: the time limit starts when the query runs.
      const given = deadline(0, LIMIT_OPTIONS.timeoutMs, client, this.shutdown.signal);
      const leave = () => {
        given.done();
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(given.signal.reason);
      };
      const go = () => {
        given.done();
        given.signal.removeEventListener('abort', leave);
        resolve();
      };
      if (given.signal.aborted) return leave();
      given.signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(go);
    });
  }

  /** Shutdown: refuses new queries and interrupts every running and waiting one. */
  cancelAll(): void {
    this.shutdown.abort(new QueryCancelledError('the server is shutting down'));
  }
}
