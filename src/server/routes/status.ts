import type { ServerContext } from '../context.js';
import type { ApiRoute } from './define.js';
import { storeTables, timeAsText } from './store-sql.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The events' count and time range, from each dataset table rather than the `events` view: every
 * page asks for it, and over the view a 10M-event DuckDB store spends ~1 s (binding the view and
 * reading every row) where each table answers count(*), min and max from its metadata in milliseconds.
 */
async function eventsSummary(ctx: ServerContext): Promise<{ events: number; range: unknown[] }> {
  const fn = ctx.store.dialect.fn;
  const tables = [...(await ctx.store.datasetColumns()).keys()].sort();
  if (!tables.length) return { events: 0, range: [] };
  // timeMin/timeMax: NULL for an empty table (ClickHouse's min() of no rows is 0), so it does not lower the range.
  const per = tables.map((t) => `SELECT count(*) AS table_events, ${fn.timeMin('timestamp')} AS table_first, ${fn.timeMax('timestamp')} AS table_last FROM ${quote(t)}`);
  const time = (c: string) => timeAsText(ctx.store, c);
  const [events, first, last] = (await ctx.store.query(`SELECT sum(table_events), ${time('min(table_first)')}, ${time('max(table_last)')} FROM (${per.join(' UNION ALL ')}) AS per_table`)).rows[0] ?? [];
  return { events: Number(events ?? 0), range: [first, last] };
}

async function status(ctx: ServerContext) {
  const names = await storeTables(ctx.store);
  const count = async (sql: string) => Number((await ctx.store.query(sql)).rows[0]?.[0] ?? 0);
  const { events, range } = names.has('events') ? await eventsSummary(ctx) : { events: 0, range: [] };
  return {
    version: ctx.version,
    database: ctx.dbPath,
    readOnly: ctx.readOnly,
    auth: ctx.auth,
    events,
    alerts: names.has('alerts') ? await count('SELECT count(*) FROM alerts') : 0,
    first: range[0] ?? null,
    last: range[1] ?? null,
  };
}

export const STATUS_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/status',
    role: 'viewer',
    tag: 'status',
    summary: 'The database the server reads, its event and alert counts and time range, and whether saving is allowed.',
    response: { description: 'status' },
    handler: (ctx) => status(ctx),
  },
];
