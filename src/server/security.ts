import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPublic } from './public-routes.js';

/**
 * Log content is hostile: besides escaping everything it renders, the console runs under a policy
 * that allows no inline script, no foreign origin and no framing, so a payload that slipped through
 * still could not run.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export async function securityHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  for (const [name, value] of Object.entries(HEADERS)) reply.header(name, value);
  // Everything but the console's files may hold data: never cached.
  if (!isPublic(request)) reply.header('cache-control', 'no-store');
  return payload;
}
