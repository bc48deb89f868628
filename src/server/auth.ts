import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';

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
 */
export function resolveToken(host: string, db: string, env: NodeJS.ProcessEnv = process.env): ResolvedToken {
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv) return { token: fromEnv, origin: 'environment' };
  if (isLoopback(host)) return { token: undefined, origin: 'none' };
  const file = tokenFileFor(db);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, origin: 'file', file };
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

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer /i.test(header)) return header.slice(7).trim();
  const alt = request.headers['x-packettrail-token'];
  return typeof alt === 'string' ? alt : undefined;
}

/**
 * The onRequest check of every /api route. Without a token the server only listens on loopback, and
 * the Host header must name a loopback host too: a web page that rebinds its DNS name to 127.0.0.1
 * cannot read the API.
 */
export function apiGuard(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return;
    if (token === undefined) {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      if (!isLoopback(host)) {
        reply.code(403).send({ error: `requests must name a loopback host (got Host '${host.slice(0, 100)}')` });
      }
      return;
    }
    if (!tokenMatches(presentedToken(request), token)) {
      reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'missing or wrong access token (send Authorization: Bearer <token>)' });
    }
  };
}
