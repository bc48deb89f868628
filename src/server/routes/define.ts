import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import type { RouteRole } from '../users/roles.js';

/** A JSON Schema fragment (validated by fastify, documented in the OpenAPI document). */
export type Schema = Record<string, unknown>;

/**
 * One API route as data: fastify validates `querystring`/`params`/`body` with these schemas and the
 * OpenAPI document is generated from the same list, so the document cannot drift from the routes.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  querystring?: Schema;
  params?: Schema;
  body?: Schema;
  /** What a 200 response holds (documentation only: responses are not filtered by a serializer). */
  response: { description: string; schema?: Schema };
  /**
   * The least role that may call it (users/roles.ts): deny by default, every route says. `public`:
   * anyone (the sign-in endpoints).
   */
  role: RouteRole;
  /** Routes that change something: refused with 403 under --read-only. */
  writes?: boolean;
  /** Written to the audit log after the handler ran (outcome ok, or failed with the error). */
  audit?: {
    action: string;
    target?(request: FastifyRequest, result: unknown): string | undefined;
    detail?(request: FastifyRequest): string | undefined;
  };
  handler(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

export const str = (maxLength = 200, extra: Schema = {}): Schema => ({ type: 'string', maxLength, ...extra });
export const int = (minimum: number, maximum: number, extra: Schema = {}): Schema => ({ type: 'integer', minimum, maximum, ...extra });
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });

/**
 * The first value that is an infinite number. Ajv coerces the text `?limit=1e309` to Infinity and lets
 * it through an integer schema's bounds (a JSON body's 1e309 it refuses), and routes put limits in SQL.
 */
function nonFinite(where: string, values: unknown): string | undefined {
  if (values === null || typeof values !== 'object') return undefined;
  for (const [key, v] of Object.entries(values)) if (typeof v === 'number' && !Number.isFinite(v)) return `${where}/${key}`;
  return undefined;
}

export function addRoutes(app: FastifyInstance, ctx: ServerContext, routes: readonly ApiRoute[]): void {
  for (const r of routes) {
    const schema: Schema = {};
    if (r.querystring) schema.querystring = r.querystring;
    if (r.params) schema.params = r.params;
    if (r.body) schema.body = r.body;
    app.route({
      method: r.method,
      url: r.url,
      schema,
      config: { role: r.role },
      handler: async (request, reply) => {
        const infinite = nonFinite('querystring', request.query);
        if (infinite) {
          reply.code(400);
          return { error: `invalid request: ${infinite} must be a finite number` };
        }
        if (r.writes && ctx.readOnly) {
          reply.code(403);
          return { error: 'the console runs with --read-only: saving is disabled' };
        }
        if (!r.audit) return r.handler(ctx, request, reply);
        const a = r.audit;
        const detail = a.detail?.(request);
        let result: unknown;
        try {
          result = await r.handler(ctx, request, reply);
        } catch (e) {
          ctx.access.audit(request, { action: a.action, outcome: 'failed', ...(detail !== undefined ? { detail: `${detail} — ${(e as Error).message}` } : { detail: (e as Error).message }) });
          throw e;
        }
        const target = a.target?.(request, result);
        ctx.access.audit(request, { action: a.action, outcome: 'ok', ...(target !== undefined ? { target } : {}), ...(detail !== undefined ? { detail } : {}) });
        return result;
      },
    });
  }
}
