import type { FastifyReply, FastifyRequest } from 'fastify';
import { splCommandNames } from '../../query/spl/index.js';
import { QueryCancelledError } from '../../store/bounds.js';
import type { ServerContext } from '../context.js';
import { DEFAULT_ROW_LIMIT, MAX_ROW_LIMIT, MAX_ROW_OFFSET, runQuery, type QueryLanguage } from '../query-runner.js';
import { int, obj, str, type ApiRoute } from './define.js';
import { SAVED_SEARCH_ROUTES } from './searches.js';

export { MAX_SEARCH_QUERY as MAX_QUERY_LENGTH } from '../../searches/types.js';
import { MAX_SEARCH_QUERY as MAX_QUERY_LENGTH } from '../../searches/types.js';
const LANGUAGE = { type: 'string', enum: ['auto', 'spl', 'sql'] };

/** A signal that aborts when the client goes away before its answer is sent: its query is interrupted. */
function clientGone(reply: FastifyReply): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new QueryCancelledError('the client closed the connection'));
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, done: () => reply.raw.off('close', onClose) };
}

async function query(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const b = request.body as { query: string; language?: QueryLanguage; limit?: number; offset?: number; since?: string; until?: string };
  const client = clientGone(reply);
  try {
    return await runQuery(ctx, b.query, b.language ?? 'auto', b.limit ?? DEFAULT_ROW_LIMIT, client.signal, b.offset ?? 0, { since: b.since, until: b.until });
  } finally {
    client.done();
  }
}

async function schema(ctx: ServerContext) {
  return {
    columns: ctx.catalog.map((c) => ({ name: c.name, field: c.path, type: c.type, description: c.description ?? '' })),
    // Splunk field names (CIM aliases) SPL reads besides the columns, and the SPL commands, for autocomplete.
    aliases: [...ctx.aliases.fields.keys()].sort(),
    commands: splCommandNames(),
  };
}

export const SEARCH_ROUTES: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/query',
    role: 'analyst',
    tag: 'search',
    summary:
      'Run SPL (compiled to parameterized SQL) or SQL on a read-only connection, with a row limit and an offset (one page of the result); returns rows, the total and a time histogram. ' +
      'Queries have a time limit (422 past it), a result size limit (413) and a concurrency limit (429 when the queue is full); a query whose client disconnects is interrupted.',
    body: obj(
      {
        query: str(MAX_QUERY_LENGTH, { minLength: 1 }), language: LANGUAGE, limit: int(1, MAX_ROW_LIMIT), offset: int(0, MAX_ROW_OFFSET),
        since: str(40, { description: 'RFC 3339, inclusive: bounds an SPL search unless it gives earliest= itself' }),
        until: str(40, { description: 'RFC 3339, exclusive: bounds an SPL search unless it gives latest= itself' }),
      },
      ['query'],
    ),
    response: {
      description: 'columns, rows (at most limit, from offset), total, offset, truncated, sql and params that ran, histogram of the first time column',
      schema: { type: 'object', properties: { columns: { type: 'array' }, rows: { type: 'array' }, total: { type: 'integer' }, truncated: { type: 'boolean' }, sql: { type: 'string' }, histogram: { type: 'object' } } },
    },
    audit: { action: 'query', detail: (request) => { const b = request.body as { query: string; language?: string }; return `${b.language ?? 'auto'}: ${b.query}`; } },
    handler: (ctx, request, reply) => query(ctx, request, reply),
  },
  {
    method: 'GET',
    url: '/api/schema',
    role: 'viewer',
    tag: 'search',
    summary: 'The columns of the events view (name, ECS field, type, description), the Splunk field names SPL reads besides them, and the SPL commands.',
    response: { description: 'columns, aliases, commands' },
    handler: (ctx) => schema(ctx),
  },
  ...SAVED_SEARCH_ROUTES,
];
