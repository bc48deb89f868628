import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { inflate, InflateLimitError } from '../../util/bounded-inflate.js';

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

/**
 * A fastify app for a push input: every body arrives as raw bytes (the input decides how to read
 * it), bodies over `bodyLimit` are refused with 413 before they are buffered, and failures are
 * answered by `reply` in the input's own response shape.
 */
export function createApp(bodyLimit: number, reply: (res: FastifyReply, failure: HttpFailure) => FastifyReply): FastifyInstance {
  // A request (headers and body) must arrive within two minutes: slow senders cannot hold sockets forever.
  const app = Fastify({ bodyLimit, logger: false, return503OnClosing: true, requestTimeout: 120_000 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, res) => {
    if (error instanceof HttpFailure) return reply(res, error);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body exceeds the limit of ${bodyLimit} bytes` : error.message;
    return reply(res, new HttpFailure(status, message));
  });
  app.setNotFoundHandler((req, res) => reply(res, new HttpFailure(404, `no such endpoint: ${req.method} ${req.url.slice(0, 200)}`)));
  return app;
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
