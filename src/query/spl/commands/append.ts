import { SplError } from '../errors.js';
import type { ColInfo, Ctx } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { maxout } from './join.js';
import { readOptions } from './options.js';
import { numbered } from './order.js';
import { commandModule } from './registry.js';
import { keep, q, ROW, type Stage } from './stage.js';
import { compileSubpipeline } from './subpipeline.js';

/**
 * Rows of an append subsearch added: the `maxout` default of the Search Reference's option table
 * (its overview text says 10,000; the larger is kept so that nothing Splunk shows is dropped).
 */
export const APPEND_SUBSEARCH_MAXOUT = 50_000;

interface Append {
  options: Map<string, Token>;
  sub: Token;
}

const KNOWN = ['maxout', 'maxtime', 'timeout'];
const REFUSED = { extendtimerange: 'the subsearch runs over the whole store here' };

/**
 * `append [maxout=N] [subsearch]`: the subsearch's results after the current ones, fields united by
 * name (a field one side lacks is empty on its rows).
 */
export const append = commandModule<Append>({
  mode: 'search',
  parse(c: Cursor, tok: Token) {
    const options = readOptions(c, 'append', KNOWN, REFUSED);
    if (c.atEnd() || c.peek().kind !== 'subsearch') throw new SplError('append needs a subsearch in brackets, as in append [search … | stats …]', tok.pos, tok.end - tok.pos, c.query);
    const sub = c.next();
    return { options, sub };
  },
  compile(ctx, scope, a, from, tok) {
    if (scope.base) throw ctx.error('append after raw events is not supported: reduce them first (stats, table, fields)', tok);
    const right = compileSubpipeline(ctx, a.sub, `append${a.sub.pos}_`, 'append');
    if (right.scope.base) throw ctx.error('an append subsearch passing on whole events is not supported: end it with fields, table or stats', a.sub);
    const cols = new Map<string, ColInfo>(scope.cols);
    for (const [name, info] of right.scope.cols) {
      const mine = cols.get(name);
      if (mine && mine.list !== info.list) throw ctx.error(`append: '${name}' holds several values on one side only; rename it in the subsearch`, a.sub);
      cols.set(name, mine && mine.type !== info.type ? { list: info.list } : info);
    }
    const limit = Math.min(APPEND_SUBSEARCH_MAXOUT, maxout(ctx, a.options.get('maxout')));
    if (!ctx.fn.nativeSpl) return appendByColumns(ctx, scope.cols, right.scope.cols, cols, from, `SELECT * FROM (${right.sql}) LIMIT ${ctx.limit(String(limit), a.sub)}`);
    const left = `SELECT *, 0 AS "__pt_part" FROM ${numbered(ctx, scope, from, tok)}`;
    const rightRows = `SELECT *, 1 AS "__pt_part", row_number() OVER () AS ${ROW} FROM (SELECT * FROM (${right.sql}) LIMIT ${ctx.number(String(limit), a.sub)})`;
    // A field of two types on the two sides is united as text.
    const mixed = [...cols].filter(([n, info]) => !info.list && scope.cols.has(n) && right.scope.cols.has(n) && scope.cols.get(n)!.type !== right.scope.cols.get(n)!.type).map(([n]) => n);
    const asText = (side: string, have: Map<string, ColInfo>) => {
      const names = mixed.filter((n) => have.has(n));
      return names.length ? `SELECT * REPLACE (${names.map((n) => `CAST(${q(n)} AS VARCHAR) AS ${q(n)}`).join(', ')}) FROM (${side})` : side;
    };
    const sides = [asText(left, scope.cols), asText(rightRows, right.scope.cols)];
    return keep(`SELECT * EXCLUDE ("__pt_part", ${ROW}) FROM (${sides.join(' UNION ALL BY NAME ')}) ORDER BY "__pt_part", ${ROW}`, { cols, base: false, sorted: true });
  },
});


/**
 * The union without UNION ALL BY NAME and window functions (ClickHouse 18.16): both sides list every
 * column in one order, NULL (of no type: ClickHouse gives it the other side's) where a side lacks
 * one, a field of two types as text; rows numbered in each side's order, the results first.
 */
function appendByColumns(ctx: Ctx, mine: Map<string, ColInfo>, theirs: Map<string, ColInfo>, cols: Map<string, ColInfo>, from: string, right: string): Stage {
  const names = [...cols.keys()];
  const side = (have: Map<string, ColInfo>, other: Map<string, ColInfo>) =>
    names.map((n) => {
      const info = have.get(n);
      if (!info) return `${cols.get(n)!.list ? '[]' : 'NULL'} AS ${q(n)}`;
      const two = !info.list && other.has(n) && other.get(n)!.type !== info.type;
      return two ? `${ctx.fn.text(q(n))} AS ${q(n)}` : q(n);
    });
  const left = `SELECT ${side(mine, theirs).join(', ')}, 0 AS "__pt_part", rowNumberInAllBlocks() AS ${ROW} FROM ${from}`;
  const rows = `SELECT ${side(theirs, mine).join(', ')}, 1 AS "__pt_part", rowNumberInAllBlocks() AS ${ROW} FROM (${right})`;
  return keep(`SELECT ${names.map(q).join(', ')} FROM (${left} UNION ALL ${rows}) ORDER BY "__pt_part", ${ROW}`, { cols, base: false, sorted: true });
}
