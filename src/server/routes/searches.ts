import type { FastifyRequest } from 'fastify';
import { MAX_RUNS_LISTED } from '../../searches/service.js';
import { SearchNotFoundError } from '../../searches/scheduler.js';
import { LEVELS, MAX_ROW_THRESHOLD, MAX_SCHEDULE_SECONDS, MAX_SEARCH_NAME, MAX_SEARCH_QUERY, MIN_INTERVAL_SECONDS, SearchInputError, type SearchSchedule } from '../../searches/types.js';
import type { ServerContext } from '../context.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { int, obj, str, type ApiRoute, type Schema } from './define.js';

const LANGUAGE = { type: 'string', enum: ['auto', 'spl', 'sql'] };
const ID = obj({ id: str(100) }, ['id']);
const SCHEDULE: Schema = obj(
  {
    intervalSeconds: int(MIN_INTERVAL_SECONDS, MAX_SCHEDULE_SECONDS),
    lookBackSeconds: int(MIN_INTERVAL_SECONDS, MAX_SCHEDULE_SECONDS),
    condition: {
      oneOf: [
        obj({ kind: { type: 'string', enum: ['rows'] }, threshold: int(0, MAX_ROW_THRESHOLD) }, ['kind', 'threshold']),
        obj({ kind: { type: 'string', enum: ['per-row'] } }, ['kind']),
      ],
    },
    level: { type: 'string', enum: [...LEVELS] },
    title: str(MAX_SEARCH_NAME, { minLength: 1 }),
  },
  ['intervalSeconds', 'lookBackSeconds', 'condition', 'level', 'title'],
);

/** The book's refusals as API errors: what was wrong (400), or which id is unknown (404). */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof SearchInputError) throw badRequest(e.message, e.field);
    if (e instanceof SearchNotFoundError) throw notFound(e.message);
    if (e instanceof ApiError) throw e;
    throw new ApiError(500, `saved searches: ${(e as Error).message}`);
  }
}

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const auditId = (request: FastifyRequest) => idOf(request);

async function save(ctx: ServerContext, request: FastifyRequest) {
  const b = request.body as { name: string; query: string; language?: 'auto' | 'spl' | 'sql'; schedule?: SearchSchedule };
  return answer(() => ctx.searches.add({ name: b.name, query: b.query, language: b.language ?? 'auto', schedule: b.schedule }));
}

export const SAVED_SEARCH_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/searches',
    role: 'viewer',
    tag: 'search',
    summary: 'Saved searches, with their schedule, last run (its window, rows, alerts, error) and next run.',
    response: { description: 'the saved searches', schema: { type: 'array', items: { type: 'object' } } },
    handler: (ctx) => answer(() => ctx.searches.list()),
  },
  {
    method: 'GET',
    url: '/api/searches/:id/runs',
    role: 'viewer',
    tag: 'search',
    summary: `The latest runs of a scheduled search, newest first (at most ${MAX_RUNS_LISTED}).`,
    params: ID,
    querystring: obj({ limit: int(1, MAX_RUNS_LISTED) }),
    response: { description: 'runs: window, rows, alerts, skipped windows, error, trigger' },
    handler: (ctx, request) => answer(async () => {
      await ctx.searches.get(idOf(request));
      return ctx.searches.runs(idOf(request), (request.query as { limit?: number }).limit ?? 50);
    }),
  },
  {
    method: 'POST',
    url: '/api/searches',
    role: 'analyst',
    tag: 'search',
    summary: 'Save a search, optionally scheduled as a detection (refused under --read-only).',
    body: obj({ name: str(MAX_SEARCH_NAME), query: str(MAX_SEARCH_QUERY, { minLength: 1 }), language: LANGUAGE, schedule: SCHEDULE }, ['name', 'query']),
    response: { description: 'the saved search with its id' },
    writes: true,
    audit: { action: 'search.save', target: (_request, result) => (result as { id?: string } | undefined)?.id, detail: (request) => (request.body as { name: string }).name },
    handler: (ctx, request) => save(ctx, request),
  },
  {
    method: 'POST',
    url: '/api/searches/:id/schedule',
    role: 'analyst',
    tag: 'search',
    summary: 'Schedule a saved search as a detection: interval, look-back window, condition (rows > N or per row), level and title. Its alerts (rule kind `search`) go through the same suppression and sinks as Sigma alerts.',
    params: ID,
    body: SCHEDULE,
    response: { description: 'the saved search with its schedule' },
    writes: true,
    audit: { action: 'search.schedule', target: auditId, detail: (request) => JSON.stringify(request.body).slice(0, 500) },
    handler: (ctx, request) => answer(() => ctx.searches.schedule(idOf(request), request.body as SearchSchedule)),
  },
  {
    method: 'POST',
    url: '/api/searches/:id/run',
    role: 'analyst',
    tag: 'search',
    summary: 'Run a scheduled search now over [now − look-back, now): its alerts go where scheduled ones go.',
    params: ID,
    response: { description: 'the run: window, rows, alerts, error' },
    writes: true,
    audit: { action: 'search.run', target: auditId },
    handler: (ctx, request) => answer(() => ctx.searches.runNow(idOf(request))),
  },
  {
    method: 'DELETE',
    url: '/api/searches/:id/schedule',
    role: 'analyst',
    tag: 'search',
    summary: 'Stop running a saved search on a schedule (the search and its past runs stay).',
    params: ID,
    response: { description: 'the saved search without a schedule' },
    writes: true,
    audit: { action: 'search.unschedule', target: auditId },
    handler: (ctx, request) => answer(() => ctx.searches.schedule(idOf(request), undefined)),
  },
  {
    method: 'DELETE',
    url: '/api/searches/:id',
    role: 'analyst',
    tag: 'search',
    summary: 'Delete a saved search and its schedule (refused under --read-only).',
    params: ID,
    response: { description: 'the deleted id' },
    writes: true,
    audit: { action: 'search.delete', target: auditId },
    handler: (ctx, request) => answer(async () => ({ deleted: (await ctx.searches.remove(idOf(request))).id })),
  },
];
