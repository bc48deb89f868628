import type { FastifyRequest } from 'fastify';
import { buildTrail, TrailNotFoundError, TrailQueryError, type TrailQuery } from '../../trail/index.js';
import type { ServerContext } from '../context.js';
import { ApiError, badRequest } from '../errors.js';
import { obj, str, type ApiRoute } from './define.js';

interface TrailParams {
  requestId?: string;
  alertId?: string;
  url?: string;
  user?: string;
  at?: string;
  window?: number;
}

function queryOf(p: TrailParams): TrailQuery {
  const q: TrailQuery = {};
  if (p.requestId) q.requestId = p.requestId;
  if (p.alertId) q.alertId = p.alertId;
  if (p.url) q.url = p.url;
  if (p.user) q.user = p.user;
  if (p.at) q.at = p.at;
  if (p.window !== undefined) q.windowSeconds = p.window;
  const selectors = [q.requestId, q.alertId, q.url].filter((v) => v !== undefined).length;
  if (selectors !== 1) throw badRequest('give exactly one of requestId, alertId or url');
  return q;
}

async function trail(ctx: ServerContext, request: FastifyRequest) {
  const q = queryOf(request.query as TrailParams);
  try {
    return await buildTrail(ctx.store, q);
  } catch (e) {
    if (e instanceof TrailNotFoundError) throw new ApiError(404, e.message);
    if (e instanceof TrailQueryError) throw badRequest(e.message);
    throw e;
  }
}

export const TRAIL_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/trail',
    role: 'viewer',
    tag: 'trail',
    summary: 'Follow one request hop by hop (endpoint → DNS → proxy → firewall → edge → WAF → origin), with each hop\'s verdict, events and join evidence.',
    querystring: obj({
      requestId: str(300, { description: 'http.request.id (CloudFront/WAF/ALB/app)' }),
      alertId: str(200, { description: 'an alert id: the trail of its first event' }),
      url: str(2000, { description: 'a URL; narrow with user and at' }),
      user: str(300),
      at: str(40, { description: 'RFC 3339 time of the request (url queries)' }),
      window: { type: 'number', exclusiveMinimum: 0, maximum: 86400, description: 'search window around the anchor, seconds' },
    }),
    response: { description: 'the trail (src/trail/types.ts: Trail)' },
    handler: (ctx, request) => trail(ctx, request),
  },
];
