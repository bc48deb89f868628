import { createHmac } from 'node:crypto';
import { ApiError } from '../server/errors.js';
import { NotAReadError, QueryCancelledError, QueryTimeoutError, ResultTooLargeError } from '../store/bounds.js';

/**
 * How commands talk to the packettrail process that holds their database (the owner: `serve`,
 * `collect`, `serve --collect`): HTTP/1.1 over a Unix domain socket, JSON bodies in the wire
 * encoding (wire.ts), every request but /v1/hello carrying the owner's token as a bearer token.
 * A change to any message bumps PROTOCOL_VERSION: a command and an owner of different versions
 * refuse each other by name instead of misreading each other.
 */
export const PROTOCOL_VERSION = 2;

export const ROUTES = {
  /** POST {nonce} → Hello: no token needed, the answer proves the owner knows it. */
  hello: '/v1/hello',
  /** POST {sql, params, maxResultBytes} → {columns, rows}. */
  query: '/v1/query',
  /** GET → [[table, [column…]]…]: each dataset table and its columns, as a fresh open would read them. */
  tables: '/v1/tables',
  /** POST {drop} → {outcomes} or {dropped}. */
  indexes: '/v1/indexes',
  /** POST, the job in the JOB_HEADER, standard input as the body → NDJSON: {job}, progress…, {result} or {error}. */
  ingest: '/v1/ingest',
  /** POST {job} → {stopping}: the job stops reading (Ctrl-C on the command's side). */
  stopJob: '/v1/ingest/stop',
  /**
   * POST {rows} → {appended}: alert triage changes (src/store/alert-changes.ts), checked again and appended by the owner.
   * A route added, no message changed: an owner without it answers "no route", which the command reports.
   */
  alertChanges: '/v1/alert-changes',
  /** GET → OwnerStatus: what the owner is doing for other commands now. */
  status: '/v1/status',
  /** POST SearchRequest (src/searches/service.ts) → {ok} or {refused}: saved searches are written by the owner. */
  searches: '/v1/searches',
} as const;

export const JOB_HEADER = 'x-packettrail-job';

/** Who holds the database: named in messages. */
export type OwnerRole = 'serve' | 'collect' | 'serve --collect';

export interface Hello {
  protocol: number;
  instance: string;
  pid: number;
  role: OwnerRole;
  version: string;
  /** HMAC-SHA256 of the client's nonce with the token: the owner knows the token without sending it. */
  proof: string;
}

/** What the owner is doing for other commands now, and what it did since it started. */
export interface OwnerStatus {
  /** Statements of commands and the console: running, and waiting for a running slot. */
  queries: { running: number; queued: number };
  /** Ingest jobs running or waiting. */
  ingestJobs: number;
  done: { queries: number; failedQueries: number; ingestJobs: number; indexBuilds: number; refused: number };
}

export function helloProof(token: string, nonce: string): string {
  return createHmac('sha256', token).update(nonce, 'utf8').digest('base64url');
}

/** Request bodies a command sends (SQL text, an ingest job's options); more is refused with 413. */
export const MAX_REQUEST_BYTES = 4 * 2 ** 20;
/** Connections the owner's socket takes at once (each command holds one or two). */
export const MAX_SERVICE_CONNECTIONS = 128;
/** To send a request's headers on the socket. */
export const SERVICE_HEADERS_TIMEOUT_MS = 10_000;
/** A command waits this long for the owner's hello before taking its service file for stale. */
export const HELLO_TIMEOUT_MS = 3_000;

/** A failure as it travels: enough to rebuild the error a direct run would have thrown. */
export interface WireError {
  kind: 'timeout' | 'too-large' | 'cancelled' | 'not-a-read' | 'busy' | 'usage' | 'failed';
  message: string;
  limitMs?: number;
  setting?: string;
  limitBytes?: number;
  statementType?: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof QueryTimeoutError) return { kind: 'timeout', message: e.message, limitMs: e.limitMs, setting: e.setting };
  if (e instanceof ResultTooLargeError) return { kind: 'too-large', message: e.message, limitBytes: e.limitBytes };
  if (e instanceof QueryCancelledError) return { kind: 'cancelled', message: e.message };
  if (e instanceof NotAReadError) return { kind: 'not-a-read', message: e.message, statementType: e.statementType };
  if (e instanceof ServiceBusyError || (e instanceof ApiError && e.statusCode === 429)) return { kind: 'busy', message: e.message };
  if (e instanceof ServiceUsageError) return { kind: 'usage', message: e.message };
  return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
}

export function fromWireError(w: WireError): Error {
  switch (w.kind) {
    case 'timeout':
      return new QueryTimeoutError(w.limitMs ?? 0, w.setting ?? 'the time limit');
    case 'too-large':
      return new ResultTooLargeError(w.limitBytes ?? 0);
    case 'cancelled':
      return new QueryCancelledError(w.message);
    case 'not-a-read':
      return new NotAReadError(w.statementType ?? 'this statement');
    case 'busy':
      return new ServiceBusyError(w.message);
    case 'usage':
      return new ServiceUsageError(w.message);
    default:
      return new Error(w.message);
  }
}

/** The owner takes no more queries now (its queue is full). */
export class ServiceBusyError extends Error {}
/** The request itself is wrong (a bad option the command should have caught): exit 2, like a direct run. */
export class ServiceUsageError extends Error {}

/** The owner went away or answered something unreadable: the command cannot finish through it. */
export class ServiceUnavailableError extends Error {}

export const HTTP_STATUS: Record<WireError['kind'], number> = {
  timeout: 422,
  'too-large': 413,
  cancelled: 503,
  'not-a-read': 400,
  busy: 429,
  usage: 400,
  failed: 400,
};
