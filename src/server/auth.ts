import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MIN_SECRET_LENGTH, shortSecretProblem } from '../util/secrets.js';

export const TOKEN_ENV = 'PACKETTRAIL_TOKEN';

/** Where a generated token is kept: next to the database, readable by its owner only. */
export const tokenFileFor = (db: string) => `${db}.console-token`;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface ResolvedToken {
  token: string | undefined;
  /** Where it came from, for the startup message. */
  origin: 'none' | 'environment' | 'file' | 'generated';
  file?: string;
}

/**
 * Loopback needs no token (one is still enforced when PACKETTRAIL_TOKEN is set); any other address
 * needs one: from the environment, else the file next to the database, else a new one written there.
 * A PACKETTRAIL_TOKEN that is set but short (or blank) is refused, not ignored: whoever set it meant
 * the API to be guarded.
 */
export function resolveToken(host: string, db: string, env: NodeJS.ProcessEnv = process.env): ResolvedToken {
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv !== undefined) {
    const problem = shortSecretProblem(TOKEN_ENV, fromEnv);
    if (problem) throw new Error(`${problem}: set a longer one (e.g. openssl rand -base64 32) or unset it`);
    return { token: fromEnv, origin: 'environment' };
  }
  if (isLoopback(host)) return { token: undefined, origin: 'none' };
  const file = tokenFileFor(db);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= MIN_SECRET_LENGTH) return { token, origin: 'file', file };
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, origin: 'generated', file };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: both sides are hashed first so neither the length nor a prefix leaks. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/**
 * The hosts a request names: its Host header, and the authority of an absolute-form target
 * (`GET http://host/path`), which HTTP/1.1 says takes precedence. A target that is neither a path nor
 * a URL names the empty host (refused).
 */
function namedHosts(request: FastifyRequest): string[] {
  const hosts = [(request.headers.host ?? '').replace(/:\d+$/, '')];
  if (!request.url.startsWith('/')) {
    try {
      hosts.push(new URL(request.url).hostname);
    } catch {
      hosts.push('');
    }
  }
  return hosts;
}

/** Ends the request with a JSON error and closes the connection: refused clients keep no idle sockets. */
function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).header('connection', 'close').send({ error });
}

/**
 * The onRequest check of a server without a token (which only listens on loopback): every request
 * must name a loopback host, so a web page that rebinds its DNS name to 127.0.0.1 can read neither
 * the API nor the page. Who may do what is decided next (users/access.ts).
 */
export async function loopbackHostGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  // An async hook that answers must return the reply: otherwise fastify goes on to the handler while
  // the answer is still in its onSend hooks, and the handler's answer collides with it.
  const foreign = namedHosts(request).find((h) => !isLoopback(h));
  if (foreign !== undefined) return refuse(reply, 403, `requests must name a loopback host (got '${foreign.slice(0, 100)}')`);
  return undefined;
}

/** Methods that change something or make the server work (POST /api/query): a foreign page may not send them. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The onRequest check against cross-site requests: a browser names the page's origin on every POST,
 * and a page elsewhere (even one the analyst has open beside the console, even on loopback, where no
 * token is needed) may not run queries or save searches. The origin must be the console's own: its
 * host and port are the ones the request was sent to. Clients that send no Origin (curl, scripts)
 * are not browsers acting for another site and pass.
 */
export async function sameOriginGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    const u = new URL(origin);
    host = u.protocol === 'http:' || u.protocol === 'https:' ? u.host : undefined;
  } catch {
    host = undefined;
  }
  if (host !== undefined && host.toLowerCase() === (request.headers.host ?? '').toLowerCase()) return undefined;
  return refuse(reply, 403, `cross-origin request refused: Origin ${String(origin).slice(0, 100)} is not this console`);
}
