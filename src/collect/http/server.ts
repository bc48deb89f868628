import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { inflate, InflateLimitError } from '../../util/bounded-inflate.js';
import { ConnectionLimiter, type RefusalReason } from '../../util/connection-limits.js';
import { ThrottledWarning } from '../throttled-warning.js';
import { HTTP_DEADLINE_CHECK_MS, type HttpConnectionLimits } from './limits.js';

/** An HTTP failure with its status (and, for 429/503, when to come back). */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** What the connection limits of an HTTP input did, for its summary. */
export interface HttpConnectionCounts {
  refused: Record<RefusalReason, number>;
  /** Closed because no byte came for `idle_timeout_seconds` (a stalled body, an idle kept-alive connection). */
  idleClosed: number;
  /** Answered 408 and closed: headers or the whole request not in by their deadline. */
  timedOut: number;
}

/**
 * A fastify app for a push input: every body arrives as raw bytes (the input decides how to read
 * it), bodies over `bodyLimit` are refused with 413 before they are buffered, and failures are
 * answered by `reply` in the input's own response shape. Connections are bounded (`limits`): at
 * most so many at once and per address, headers and the whole request within their deadlines, no
 * idle connection kept beyond the idle timeout, and a refusal answered before its body was read
 * (401, 413, 429 …) closes the connection instead of leaving it to the client.
 */
export function createApp(
  bodyLimit: number,
  limits: HttpConnectionLimits,
  reply: (res: FastifyReply, failure: HttpFailure) => FastifyReply,
  log: (message: string) => void,
): { app: FastifyInstance; connections: HttpConnectionCounts } {
  const refusals = new ThrottledWarning(log);
  const limiter: ConnectionLimiter = new ConnectionLimiter({ maxConnections: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerAddress }, (address, reason) =>
    refusals.note((n) => `refused ${n} connection(s) (latest from ${address}): ${limiter.capSetting(reason)} reached`),
  );
  const counts: HttpConnectionCounts = { refused: limiter.refused, idleClosed: 0, timedOut: 0 };
  const app = Fastify({
    bodyLimit,
    logger: false,
    return503OnClosing: true,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: HTTP_DEADLINE_CHECK_MS },
    clientErrorHandler: (err, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      if (status === 408) counts.timedOut++;
      if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    },
  });
  limiter.guard(app.server);
  // The idle timer runs on every socket; it only spares one whose request is in and whose answer
  // waits for the pipeline (the client is then waiting on us, not the other way round).
  const current = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  app.server.on('timeout', (socket: Socket) => {
    const r = current.get(socket);
    if (r && r.req.complete && !r.res.writableEnded) return;
    counts.idleClosed++;
    socket.destroy();
  });
  app.addHook('onRequest', async (req, res) => {
    current.set(req.raw.socket, { req: req.raw, res: res.raw });
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
  const answer = (res: FastifyReply, failure: HttpFailure): FastifyReply => {
    // A body still on its way would be read (or left hanging) for nothing; an unauthenticated
    // client gets no kept-alive connection.
    if (failure.status === 401 || !res.request.raw.complete) void res.header('connection', 'close');
    return reply(res, failure);
  };
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, res) => {
    if (error instanceof HttpFailure) return answer(res, error);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body exceeds the limit of ${bodyLimit} bytes` : error.message;
    return answer(res, new HttpFailure(status, message));
  });
  app.setNotFoundHandler((req, res) => answer(res, new HttpFailure(404, `no such endpoint: ${req.method} ${req.url.slice(0, 200)}`)));
  return { app, connections: counts };
}

/** `3 connections refused (max_connections_per_address), 2 closed idle, 1 timed out`, or '' when nothing happened. */
export function connectionSummary(c: HttpConnectionCounts): string {
  const parts = [
    c.refused['per-address'] ? `${c.refused['per-address']} connections refused (max_connections_per_address)` : '',
    c.refused.total ? `${c.refused.total} connections refused (max_connections)` : '',
    c.idleClosed ? `${c.idleClosed} closed idle` : '',
    c.timedOut ? `${c.timedOut} timed out (408)` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/** `answered 401 ×3, 429 ×1`, or '' when no request was refused. */
export function refusedSummary(refused: Record<number, number>): string {
  const parts = Object.entries(refused).map(([status, n]) => `${status} ×${n}`);
  return parts.length ? `answered ${parts.join(', ')}` : '';
}

/** The request body as bytes, gunzipped when `Content-Encoding: gzip` (bounded by `maxBytes`: 413). */
export async function bodyBytes(body: unknown, encoding: string | string[] | undefined, maxBytes: number): Promise<Buffer> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const enc = (Array.isArray(encoding) ? encoding.join(',') : encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return raw;
  if (enc !== 'gzip') throw new HttpFailure(415, `unsupported Content-Encoding '${enc.slice(0, 40)}' (expected gzip or none)`);
  try {
    return await inflate('gzip', raw, maxBytes);
  } catch (e) {
    if (e instanceof InflateLimitError) throw new HttpFailure(413, `gzip body inflates beyond the limit of ${maxBytes} bytes`);
    throw new HttpFailure(400, `Content-Encoding is gzip but the body does not inflate: ${(e as Error).message}`);
  }
}

export async function listen(app: FastifyInstance, port: number, host: string): Promise<AddressInfo> {
  await app.listen({ port, host });
  return app.server.address() as AddressInfo;
}

/** `10.0.0.5` / `[::1]` for sources. */
export function clientHost(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return v4.includes(':') ? `[${v4}]` : v4;
}
