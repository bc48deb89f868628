import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback, tokenMatches } from '../server/auth.js';
import { capConnections } from '../util/connection-limits.js';
import { shortSecretProblem } from '../util/secrets.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import type { MetricsRegistry } from './metrics.js';

/**
 * `--metrics-listen HOST:PORT`: a listener of its own that answers `GET /metrics` and nothing else,
 * for a Prometheus scraper, in every long-running process (collect, worker, serve). Deny by default:
 * on loopback it answers requests that name a loopback host (a web page that rebinds its DNS name to
 * 127.0.0.1 is refused); bound anywhere else it needs a bearer token (PACKETTRAIL_METRICS_TOKEN), which,
 * when set, every request must send, on loopback too.
 */

/** The bearer token of the metrics listener (at least MIN_SECRET_LENGTH characters). */
export const METRICS_TOKEN_ENV = 'PACKETTRAIL_METRICS_TOKEN';
/** Scrapers are few (one or two Prometheus servers): connections beyond these are closed on accept. */
export const METRICS_MAX_CONNECTIONS = 16;
export const METRICS_MAX_CONNECTIONS_PER_ADDRESS = 4;
/** A scrape's request must arrive within this (headers and all: a GET has no body). */
export const METRICS_REQUEST_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection between two scrapes (Prometheus scrapes every 15 s or more: it reconnects). */
export const METRICS_KEEP_ALIVE_MS = 5_000;

export interface MetricsListenOptions {
  /** `HOST:PORT` (`[::1]:PORT` for IPv6); port 0 takes a free one. */
  listen: string;
  /** Required of every request when set (Authorization: Bearer <token>); required to bind beyond loopback. */
  token?: string | undefined;
}

export interface MetricsServer {
  /** `http://HOST:PORT/metrics` as bound (the real port when 0 was asked): what the process registry advertises. */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` → its parts, or an error saying what was expected. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error(`--metrics-listen must be HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464), got '${text.slice(0, 100)}'`);
  return { host: m[1] ?? m[2]!, port };
}

/** The token from the environment, checked like the console's; undefined when unset. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env[METRICS_TOKEN_ENV]?.trim();
  if (token === undefined) return undefined;
  const problem = shortSecretProblem(METRICS_TOKEN_ENV, token);
  if (problem) throw new Error(`${problem}: set a longer one (e.g. openssl rand -base64 32) or unset it`);
  return token;
}

function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(`${text}\n`);
}

/** Why a request is refused (status and text), or undefined when it may read the metrics. */
function refusal(req: IncomingMessage, token: string | undefined): [number, string, Record<string, string>?] | undefined {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return [404, 'only /metrics is served here'];
  if (req.method !== 'GET' && req.method !== 'HEAD') return [405, 'only GET /metrics', { allow: 'GET, HEAD' }];
  if (token !== undefined) {
    const header = req.headers.authorization;
    const given = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    return tokenMatches(given, token) ? undefined : [401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' }];
  }
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopback(host)) return [403, 'requests must name a loopback host'];
  return undefined;
}

/** Starts the listener; resolves once it listens. One call wires a process: `startMetrics({ listen }, registry)`. */
export async function startMetrics(o: MetricsListenOptions, registry: MetricsRegistry): Promise<MetricsServer> {
  const { host, port } = parseListen(o.listen);
  if (o.token !== undefined) {
    const problem = shortSecretProblem('the metrics token', o.token);
    if (problem) throw new Error(problem);
  } else if (!isLoopback(host)) {
    throw new Error(`--metrics-listen ${o.listen.slice(0, 100)} is not a loopback address: set ${METRICS_TOKEN_ENV} so scrapers must send it (Authorization: Bearer), or bind 127.0.0.1`);
  }
  const server = createServer({ requestTimeout: METRICS_REQUEST_TIMEOUT_MS, headersTimeout: METRICS_REQUEST_TIMEOUT_MS, keepAliveTimeout: METRICS_KEEP_ALIVE_MS }, (req, res) => {
    const refused = refusal(req, o.token);
    if (refused) {
      res.setHeader('connection', 'close');
      return answer(res, refused[0], refused[1], refused[2]);
    }
    let body: string;
    try {
      body = registry.render();
    } catch (e) {
      return answer(res, 500, `metrics could not be collected: ${(e as Error).message}`);
    }
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.setTimeout(METRICS_REQUEST_TIMEOUT_MS * 3);
  capConnections(server, { maxConnections: METRICS_MAX_CONNECTIONS, maxPerAddress: METRICS_MAX_CONNECTIONS_PER_ADDRESS });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
