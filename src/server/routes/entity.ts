import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ENTITY_KINDS, ENTITY_TIMELINE_MAX_OFFSET, ENTITY_TIMELINE_MAX_PAGE, ENTITY_VALUE_MAX_LENGTH, entityReport, EntityValueError, type EntityKind } from '../entity-report.js';
import { badRequest } from '../errors.js';
import { int, obj, str, type ApiRoute } from './define.js';

async function entity(ctx: ServerContext, request: FastifyRequest) {
  const q = request.query as { kind: EntityKind; value: string; offset?: number; limit?: number; since?: string; until?: string };
  try {
    return await entityReport(ctx.store, q.kind, q.value, {
      ...(q.offset !== undefined ? { offset: q.offset } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.since ? { since: q.since } : {}), ...(q.until ? { until: q.until } : {}),
    });
  } catch (e) {
    if (e instanceof EntityValueError) throw badRequest(e.message);
    throw e;
  }
}

export const ENTITY_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/entity',
    role: 'viewer',
    tag: 'entity',
    summary:
      'What is known about an IP address, a user or a host: country and ASN of a public address, the values seen with it, its datasets, ' +
      'the alerts that mention it, its events per time bucket and a page of its events across every source (newest first); all within since/until when given.',
    querystring: obj(
      {
        kind: { type: 'string', enum: [...ENTITY_KINDS] },
        value: str(ENTITY_VALUE_MAX_LENGTH, { minLength: 1 }),
        offset: int(0, ENTITY_TIMELINE_MAX_OFFSET, { description: 'timeline events to skip' }),
        limit: int(1, ENTITY_TIMELINE_MAX_PAGE, { description: 'timeline events per page' }),
        since: str(40, { description: 'RFC 3339: only events (and alerts) at or after it' }),
        until: str(40, { description: 'RFC 3339: only events (and alerts) at or before it' }),
      },
      ['kind', 'value'],
    ),
    response: { description: 'the entity report (src/server/entity-report.ts: EntityReport)' },
    handler: (ctx, request) => entity(ctx, request),
  },
];
