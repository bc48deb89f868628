import type { SearchNode } from '../ast.js';
import type { ColInfo } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { LOOKUP_ROW, lookupRelation } from '../lookups/relation.js';
import { parseSearch } from '../parser.js';
import { compileSearch } from '../search.js';
import { tableOf, TYPED } from './lookup.js';
import { flag, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { derived, keep, q } from './stage.js';
import type { Ctx } from '../context.js';

/** A row count or offset: a typed parameter on DuckDB (as before), the literal ClickHouse requires there. */
function count(ctx: Ctx, t: Token): string {
  return ctx.fn.nativeSpl ? ctx.number(t.text, t) : ctx.limit(t.text, t);
}

interface Inputlookup {
  table: Token;
  append: boolean;
  start: Token | null;
  max: Token | null;
  where: SearchNode | null;
}

/**
 * `| inputlookup [append=<bool>] [start=N] [max=N] <table> [<options>] [where <search>]`: the table's rows in file
 * order (from row `start`, 0-based, at most `max`), filtered with search syntax (case-insensitive,
 * wildcards). It starts a search; later in the pipeline only with append=true, adding its rows after
 * the results.
 */
export const inputlookup = commandModule<Inputlookup>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'inputlookup', ['append', 'start', 'max']);
    const table = c.expectName('the lookup table');
    // Splunk also takes the options after the table (security_content writes `inputlookup x append=t`).
    for (const [k, v] of readOptions(c, 'inputlookup', ['append', 'start', 'max'])) options.set(k, v);
    for (const n of ['start', 'max'] as const) if (options.has(n) && !/^\d+$/.test(options.get(n)!.text)) throw c.error(`${n} must be a whole number`, options.get(n));
    const where = c.eatWord('where') ? parseSearch(c) : null;
    return { table, append: flag(options, 'append', false, c.query), start: options.get('start') ?? null, max: options.get('max') ?? null, where };
  },
  compile(ctx, scope, l, from, tok, first) {
    if (!first && !l.append) throw ctx.error('inputlookup starts a search: put it first (| inputlookup …), or give append=true to add its rows to the results', tok);
    const table = tableOf(ctx, l.table);
    const cols = new Map<string, ColInfo>(table.columns.map((c) => [c, { list: false, type: 'keyword' }]));
    const rowScope = derived([...cols]);
    const where = l.where ? ` WHERE ${compileSearch(ctx, rowScope, l.where)}` : '';
    const offset = l.start ? ` OFFSET ${count(ctx, l.start)}` : '';
    // ClickHouse reads OFFSET only after a LIMIT.
    const limit = l.max ? ` LIMIT ${count(ctx, l.max)}` : l.start && !ctx.fn.nativeSpl ? ` LIMIT ${ctx.limit(String(Number.MAX_SAFE_INTEGER), l.start)}` : '';
    const rows = `SELECT ${table.columns.map(q).join(', ')} FROM ${lookupRelation(ctx, table, l.table)}${where} ORDER BY ${LOOKUP_ROW}${limit}${offset}`;
    if (first) return keep(rows, { ...rowScope, sorted: true });
    // A time or a number the results hold stays one: the table's text is read as such (stats
    // earliest(_time) as firstTime, then the baseline's epoch seconds appended).
    const typed = table.columns.map((c) => {
      const have = scope.cols.get(c);
      const as = have && !have.list && have.type !== undefined ? TYPED[have.type] : undefined;
      return as ? `${as(q(c))} AS ${q(c)}` : q(c);
    });
    // append=true: the results, then the table's rows (by column name).
    if (scope.base) throw ctx.error('inputlookup append=true after raw events is not supported: reduce them first (stats, table)', tok);
    // Without UNION ALL BY NAME, and with the results' column types unknown here, the union is DuckDB's.
    ctx.native('inputlookup append=true', tok);
    const merged = new Map<string, ColInfo>(scope.cols);
    for (const [k, v] of cols) if (!merged.has(k)) merged.set(k, v);
    return keep(`SELECT * FROM (SELECT * FROM ${from}) UNION ALL BY NAME (SELECT ${typed.join(', ')} FROM (${rows}))`, { cols: merged, base: false, sorted: true });
  },
});
