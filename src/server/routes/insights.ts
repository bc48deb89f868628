import type { FastifyRequest } from 'fastify';
import type { InsightOptions } from '../../insights/report.js';
import { InsightOptionError } from '../../insights/time-range.js';
import { getInsightView, INSIGHT_VIEWS } from '../../insights/views.js';
import type { ServerContext } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { int, obj, str, type ApiRoute } from './define.js';

interface InsightParams {
  since?: string;
  until?: string;
  distribution?: string;
  bucket?: number;
  limit?: number;
}

async function runView(ctx: ServerContext, request: FastifyRequest) {
  const { view: id } = request.params as { view: string };
  const view = getInsightView(id);
  if (!view) throw notFound(`no insights view '${id}'; views: ${INSIGHT_VIEWS.map((v) => v.id).join(', ')}`);
  const p = request.query as InsightParams;
  const options: InsightOptions = {};
  if (p.since) options.since = p.since;
  if (p.until) options.until = p.until;
  if (p.distribution) options.distribution = p.distribution;
  if (p.bucket !== undefined) options.bucketSeconds = p.bucket;
  if (p.limit !== undefined) options.limit = p.limit;
  try {
    return await view.run(ctx.store, options);
  } catch (e) {
    if (e instanceof InsightOptionError) throw badRequest(e.message);
    throw e;
  }
}

export const INSIGHT_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/insights',
    role: 'viewer',
    tag: 'insights',
    summary: 'The insights views the dashboards page can show.',
    response: { description: 'views', schema: { type: 'object', properties: { views: { type: 'array', items: obj({ id: str(), title: str(), description: str(1000) }) } } } },
    handler: async () => ({ views: INSIGHT_VIEWS.map((v) => ({ id: v.id, title: v.title, description: v.description })) }),
  },
  {
    method: 'GET',
    url: '/api/insights/:view',
    role: 'viewer',
    tag: 'insights',
    summary: 'Run one insights view: a report of table, series and findings sections (src/insights/report.ts).',
    params: obj({ view: str(100) }, ['view']),
    querystring: obj({
      since: str(40, { description: 'RFC 3339' }), until: str(40, { description: 'RFC 3339' }), distribution: str(100, { description: 'CloudFront distribution id' }),
      bucket: int(1, 31 * 86400, { description: 'series bucket width, seconds' }), limit: int(1, 10_000, { description: 'rows per top-N table' }),
    }),
    response: { description: 'the InsightReport' },
    handler: (ctx, request) => runView(ctx, request),
  },
];
