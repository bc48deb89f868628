import type { ConfigReader } from '../config-reader.js';

/** The whole header block of a request must arrive within this (slow-loris headers). */
export const HTTP_HEADERS_TIMEOUT_SECONDS = 10;
/** The whole request, headers and body, must arrive within this (a body dripped in byte by byte). */
export const HTTP_REQUEST_TIMEOUT_SECONDS = 120;
/** No byte for this long while a request is being received, or between requests on a kept-alive connection: closed. */
export const HTTP_IDLE_TIMEOUT_SECONDS = 30;
/** Connections open at once, all clients together (each holds a file descriptor). */
export const HTTP_MAX_CONNECTIONS = 1024;
/**
 * Connections open at once from one address. Behind a TLS-terminating proxy (Firehose needs one)
 * every connection comes from the proxy's address: raise this to `max_connections` there.
 */
export const HTTP_MAX_CONNECTIONS_PER_ADDRESS = 256;
/** How often Node checks the header and request deadlines (its default, 30 s, would add up to 30 s to each). */
export const HTTP_DEADLINE_CHECK_MS = 1000;

/** Connection limits of an HTTP push input (intake, Firehose), in milliseconds. */
export interface HttpConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

/** `headers_timeout_seconds`, `request_timeout_seconds`, `idle_timeout_seconds`, `max_connections`, `max_connections_per_address`. */
export function readHttpConnectionLimits(r: ConfigReader): HttpConnectionLimits {
  const headers = r.integer('headers_timeout_seconds', { min: 1, max: 600, default: HTTP_HEADERS_TIMEOUT_SECONDS, unit: 'seconds' });
  const request = r.integer('request_timeout_seconds', { min: 1, max: 3600, default: HTTP_REQUEST_TIMEOUT_SECONDS, unit: 'seconds' });
  const idle = r.integer('idle_timeout_seconds', { min: 1, max: 3600, default: HTTP_IDLE_TIMEOUT_SECONDS, unit: 'seconds' });
  const maxConnections = r.integer('max_connections', { min: 1, max: 100_000, default: HTTP_MAX_CONNECTIONS, unit: 'connections' });
  const perAddress = r.integer('max_connections_per_address', { min: 1, max: 100_000, default: Math.min(HTTP_MAX_CONNECTIONS_PER_ADDRESS, maxConnections), unit: 'connections' });
  if (headers > request) r.issue('headers_timeout_seconds', `must not exceed request_timeout_seconds (${request}): the headers are part of the request`);
  if (perAddress > maxConnections) r.issue('max_connections_per_address', `must not exceed max_connections (${maxConnections})`);
  return { headersTimeoutMs: headers * 1000, requestTimeoutMs: request * 1000, idleTimeoutMs: idle * 1000, maxConnections, maxConnectionsPerAddress: perAddress };
}
