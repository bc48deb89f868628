import type { ServerOptions } from 'node:http';

/**
 * How long a console client may take and how many connections it may hold. The console serves a
 * few analysts' browsers (six connections each at most over HTTP/1.1) and small JSON requests, so
 * anything slower or wider than this is a client holding descriptors, not a person reading logs.
 */
export interface ConnectionLimits {
  /** To send the request line and headers (node's default is 60 s). */
  headersTimeoutMs: number;
  /** To send the whole request, body included (bodies are at most BODY_LIMIT, 64 KiB). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection between two requests (fastify's default is 72 s). */
  keepAliveTimeoutMs: number;
  /** No traffic either way (a client that stops reading its answer); longer than a query may run. */
  idleTimeoutMs: number;
  /** How often the header and request timeouts are checked (node's default, 30 s, adds that much). */
  timeoutCheckIntervalMs: number;
  /** Open connections per client address (IPv6: per /64). */
  maxConnectionsPerAddress: number;
  /** Open connections in all: stays well below the usual 1024 descriptors a process may open. */
  maxConnections: number;
}

export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
export const IDLE_TIMEOUT_MS = 120_000;
/** How much longer than the query time limit a connection may stay silent (the answer is being built). */
export const IDLE_AFTER_QUERY_MS = 10_000;
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
export const MAX_CONNECTIONS_PER_ADDRESS = 64;
export const MAX_CONNECTIONS = 512;

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  timeoutCheckIntervalMs: TIMEOUT_CHECK_INTERVAL_MS,
  maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
  maxConnections: MAX_CONNECTIONS,
};

/** Refuses limits that are not positive whole numbers, or a header time longer than the request time. */
export function checkLimits(l: ConnectionLimits): void {
  for (const [name, value] of Object.entries(l)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`connection limit ${name} must be a positive whole number, got ${value}`);
  }
  if (l.headersTimeoutMs > l.requestTimeoutMs) throw new Error(`headersTimeoutMs (${l.headersTimeoutMs}) must not exceed requestTimeoutMs (${l.requestTimeoutMs}): the headers are part of the request`);
}

/** The fastify (and node http) options that enforce the timeouts; the caps are applied to the server. */
export function timeoutOptions(l: ConnectionLimits): { connectionTimeout: number; keepAliveTimeout: number; requestTimeout: number; http: ServerOptions } {
  return {
    connectionTimeout: l.idleTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    http: { headersTimeout: l.headersTimeoutMs, connectionsCheckingInterval: l.timeoutCheckIntervalMs },
  };
}
