import type { ServerContext } from '../context.js';
import type { ApiRoute } from './define.js';
import { storeTables, timeAsText } from './store-sql.js';

async function status(ctx: ServerContext) {
  const names = await storeTables(ctx.store);
  const time = (c: string) => timeAsText(ctx.store, c);
  const count = async (sql: string) => Number((await ctx.store.query(sql)).rows[0]?.[0] ?? 0);
  const events = names.has('events') ? await count('SELECT count(*) FROM events') : 0;
  const range = names.has('events') ? (await ctx.store.query(`SELECT ${time('min(timestamp)')}, ${time('max(timestamp)')} FROM events`)).rows[0] ?? [] : [];
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
