import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { storeTables, timeAsText } from './store-sql.js';
import { int, obj, str, type ApiRoute } from './define.js';

async function tableExists(ctx: ServerContext, name: string): Promise<boolean> {
  return (await storeTables(ctx.store)).has(name);
}

const rowsOf = (r: { columns: { name: string }[]; rows: unknown[][] }) => r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i] ?? null])));

async function sources(ctx: ServerContext) {
  const files = (await tableExists(ctx, 'ingested_files')) ? ctx.store : undefined;
  const dead = await tableExists(ctx, 'dead_letters');
  const datasets = files
    ? rowsOf(await files.query(
        `SELECT dataset, count(*) AS files, sum(records) AS records, sum(events) AS events, sum(stored) AS stored, sum(duplicates) AS duplicates,
                sum(rejected) AS rejected, sum(skipped) AS skipped, sum(bytes) AS bytes, ${timeAsText(ctx.store, 'max(ingested_at)')} AS last_ingested
         FROM ingested_files GROUP BY dataset ORDER BY events DESC, dataset`,
      ))
    : [];
  const recent = files
    ? rowsOf(await files.query(`SELECT path, dataset, records, events, stored, duplicates, rejected, skipped, bytes, ${timeAsText(ctx.store, 'ingested_at')} AS ingested_at FROM ingested_files ORDER BY ingested_at DESC, path LIMIT 200`))
    : [];
  const rejections = dead
    ? rowsOf(await ctx.store.query(
        `SELECT dataset, reason, count(*) AS count, min(source) AS example_source FROM dead_letters GROUP BY dataset, reason ORDER BY count DESC, dataset, reason LIMIT 200`,
      ))
    : [];
  return { datasets, files: recent, rejections };
}

async function deadLetters(ctx: ServerContext, request: FastifyRequest) {
  if (!(await tableExists(ctx, 'dead_letters'))) return { total: 0, samples: [] };
  const q = request.query as { dataset?: string; reason?: string; limit?: number };
  const params: Record<string, string> = {};
  let where = ctx.store.dialect.fn.always;
  if (q.dataset) {
    where += ' AND dataset = $dataset';
    params.dataset = q.dataset;
  }
  if (q.reason) {
    where += ' AND reason = $reason';
    params.reason = q.reason;
  }
  const total = Number((await ctx.store.query(`SELECT count(*) FROM dead_letters WHERE ${where}`, params)).rows[0]?.[0] ?? 0);
  const samples = rowsOf(await ctx.store.query(
    `SELECT source, line, dataset, reason, substring(record, 1, 4000) AS record, ${timeAsText(ctx.store, 'rejected_at')} AS rejected_at FROM dead_letters WHERE ${where} ORDER BY rejected_at DESC, source, line LIMIT ${q.limit ?? 20}`,
    params,
  ));
  return { total, samples };
}

export const SOURCE_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/sources',
    role: 'viewer',
    tag: 'sources',
    summary: 'What is ingested (per dataset and the latest files) and what was rejected (dead letters by dataset and reason).',
    response: { description: 'datasets, files, rejections' },
    handler: (ctx) => sources(ctx),
  },
  {
    method: 'GET',
    url: '/api/dead-letters',
    role: 'viewer',
    tag: 'sources',
    summary: 'Samples of rejected records with the reason, the file and the line.',
    querystring: obj({ dataset: str(100), reason: str(2000), limit: int(1, 200) }),
    response: { description: 'total and samples' },
    handler: (ctx, request) => deadLetters(ctx, request),
  },
];
