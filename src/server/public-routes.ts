import type { FastifyRequest, RouteOptions } from 'fastify';

/**
 * What anyone may fetch from a token-protected console: the built page and its files, which hold no
 * data (the page asks the API for everything, with the token). Every other route, an API route or an
 * unknown path, needs the token: deny by default.
 *
 * The decision is made on the route fastify chose for the request (after routing), never on the raw
 * URL: `/%61pi/query`, `http://x/api/query` and `/api/query` reach the same API route and are treated
 * alike, and no spelling of an API path can pass for a file.
 */

/** Route config of a public route (set on the static files' routes by `markPublic`). */
interface PublicConfig {
  public?: boolean;
}

/** An onRoute hook for the context that serves the console's files: its routes are public. */
export function markPublic(route: RouteOptions): void {
  const paths = Array.isArray(route.url) ? route.url : [route.url];
  if (paths.some((p) => /^\/api(?:\/|$)/i.test(p))) throw new Error(`a console file would shadow the API: ${paths.join(', ')}`);
  route.config = { ...(route.config as object | undefined), public: true } as typeof route.config;
}

/** The console's top-level views (web/src/app.tsx); each may carry one encoded id (`/alerts/<id>`). */
export const CONSOLE_SECTIONS = ['alerts', 'trail', 'search', 'dashboards', 'sources', 'searches', 'users', 'audit'] as const;

/** `/`, `/alerts`, `/alerts/<percent-encoded id>`: letters, digits and what encodeURIComponent leaves. */
const CONSOLE_VIEW = new RegExp(`^/(?:(?:${CONSOLE_SECTIONS.join('|')})(?:/([A-Za-z0-9\\-_.!~*'()%]*))?)?$`);
/** An entity page: `/entity/<kind>/<percent-encoded value>` (web/src/pages/entity.tsx). */
const ENTITY_VIEW = /^\/entity\/(?:ip|user|host)\/([A-Za-z0-9\-_.!~*'()%]+)$/;

/**
 * A request the console's page answers (the not-found fallback serves index.html, which routes
 * itself from the URL). Only the plain spelling: a dot segment, an encoded section name or a doubled
 * slash is no console view, so nothing that might mean an API path is ever answered with the page.
 */
export function isConsoleView(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?', 1)[0]!;
  const m = CONSOLE_VIEW.exec(path) ?? ENTITY_VIEW.exec(path);
  if (!m) return false;
  try {
    const segment = decodeURIComponent(m[1] ?? '');
    return segment !== '.' && segment !== '..';
  } catch {
    return false;
  }
}

/** Whether the route the request reached (or, for no route, the console's fallback) is public. */
export function isPublic(request: FastifyRequest): boolean {
  if (request.is404) return isConsoleView(request);
  return (request.routeOptions.config as PublicConfig | undefined)?.public === true;
}
