import { delayFor, sleep } from '../../util/backoff.js';

/**
 * How long a write to the store (a load, a bookkeeping insert, alerts) keeps being retried after
 * transient failures — a node restarting, a shard unreachable, a connection reset — before it fails
 * (default; `retry_limit=` seconds in the store URL). Past it the delivery fails and its origin is
 * not acknowledged (an SQS message returns after its visibility timeout, a NATS message is
 * redelivered, an ingest exits 3): nothing is lost, it is stored later.
 */
export const STORE_RETRY_LIMIT_MS = 300_000;
/** The first wait after a transient failure; it doubles per failure (±25% jitter) up to STORE_RETRY_MAX_DELAY_MS. */
export const STORE_RETRY_FIRST_DELAY_MS = 500;
/** The longest wait between two attempts. */
export const STORE_RETRY_MAX_DELAY_MS = 15_000;
/** The largest `retry_limit=` a store URL may give (seconds): a day. */
export const MAX_STORE_RETRY_LIMIT_SECONDS = 86_400;

export interface RetryPolicy {
  /** Total time from the first failure after which the last error is thrown (0: no retry). */
  limitMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_STORE_RETRY: RetryPolicy = { limitMs: STORE_RETRY_LIMIT_MS, firstDelayMs: STORE_RETRY_FIRST_DELAY_MS, maxDelayMs: STORE_RETRY_MAX_DELAY_MS };

/**
 * ClickHouse error codes that say the cluster, not the statement, failed: the same statement may
 * succeed later. 32 ATTEMPT_TO_READ_AFTER_EOF (a node died mid-answer), 209 SOCKET_TIMEOUT,
 * 210 NETWORK_ERROR (18.16's distributed send to a shard that refuses the connection: "Connection
 * refused … Insertion status: Wrote 1 blocks … on shard 0"), 279 ALL_CONNECTION_TRIES_FAILED (a read
 * through a Distributed table with a shard down), 202 TOO_MANY_SIMULTANEOUS_QUERIES, 252 TOO_MANY_PARTS
 * (merges behind), 285 TOO_FEW_LIVE_REPLICAS, 319 UNKNOWN_STATUS_OF_INSERT, 425 SYSTEM_ERROR.
 */
export const TRANSIENT_CLICKHOUSE_CODES: ReadonlySet<number> = new Set([32, 202, 209, 210, 252, 279, 285, 319, 425]);

/** Node's socket errors when the server is down, restarting or unreachable. */
const TRANSIENT_SOCKET_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * The client's own messages for a request cut off: its request timeout ("Timeout error."), a
 * connection closed before the answer ("socket hang up"), a response ended mid-stream ("aborted").
 */
const TRANSIENT_MESSAGE = /^(Timeout error\.?|socket hang up|aborted)$/;

/** True when `e` (or its cause) is a failure of the connection or the cluster rather than of the statement. */
export function isTransientStoreError(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return true;
    const clickhouseCode = (err as { clickhouseCode?: unknown }).clickhouseCode ?? (typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined);
    if (typeof clickhouseCode === 'number' && TRANSIENT_CLICKHOUSE_CODES.has(clickhouseCode)) return true;
    const m = /^Code: (\d+)/.exec(err.message);
    if (m && TRANSIENT_CLICKHOUSE_CODES.has(Number(m[1]))) return true;
    if (TRANSIENT_MESSAGE.test(err.message.trim())) return true;
  }
  return false;
}

/** A write that kept failing transiently past the policy's limit. */
export class StoreRetriesExhaustedError extends Error {
  constructor(
    what: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly last: Error,
  ) {
    super(`${what} failed ${attempts} times over ${(elapsedMs / 1000).toFixed(0)} s (retry limit reached): ${last.message}`, { cause: last });
    this.name = 'StoreRetriesExhaustedError';
  }
}

export interface RetryHooks {
  /** Told of every transient failure before the wait (logs, metrics). */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /** Stops waiting: the last error is thrown at once. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, a non-transient error is thrown (rethrown as it is), or
 * transient failures have lasted `policy.limitMs` (then StoreRetriesExhaustedError). The waits grow
 * exponentially with jitter, so many workers failing together do not retry in lockstep. `attempt`
 * must be safe to repeat: the store's loads are (they store only ids not stored yet).
 */
export async function retryTransient<T>(what: string, attempt: () => Promise<T>, policy: RetryPolicy = DEFAULT_STORE_RETRY, hooks: RetryHooks = {}): Promise<T> {
  let failures = 0;
  let firstFailure = 0;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (!isTransientStoreError(e) || policy.limitMs <= 0) throw e;
      const error = e as Error;
      failures++;
      const now = Date.now();
      if (failures === 1) firstFailure = now;
      const elapsed = now - firstFailure;
      const wait = Math.min(delayFor(failures, policy.firstDelayMs, policy.maxDelayMs), policy.limitMs - elapsed);
      if (wait <= 0 || hooks.signal?.aborted) throw new StoreRetriesExhaustedError(what, failures, elapsed, error);
      hooks.onRetry?.(error, failures, wait);
      await sleep(wait, hooks.signal);
    }
  }
}
