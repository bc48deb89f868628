import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, q } from './stage.js';
import { numbered } from './order.js';

interface Mvexpand {
  field: Token;
  limit: Token | null;
}

/**
 * `mvexpand <field> [limit=N]`: a result per value of the field (the first N values with limit),
 * the other fields copied, in the order of the input. A result whose field has one value is kept as
 * it is; one without the field is kept too.
 */
export const mvexpand = commandModule<Mvexpand>({
  mode: 'search',
  parse(c: Cursor) {
    const before = readOptions(c, 'mvexpand', ['limit']);
    const field = c.expectName('the field to expand');
    const after = readOptions(c, 'mvexpand', ['limit']);
    const limit = before.get('limit') ?? after.get('limit') ?? null;
    if (limit && !/^\d+$/.test(limit.text)) throw c.error('limit must be a whole number', limit);
    return { field, limit };
  },
  compile(ctx, scope, m, from, tok) {
    const ref = ctx.resolve(scope, m.field);
    if (!ref.list) return keep(`SELECT * FROM ${from}`, scope);
    const name = ctx.outName(m.field);
    const values = m.limit && m.limit.text !== '0' ? `${ref.sql}[1:${ctx.number(m.limit.text, m.limit)}]` : ref.sql;
    // An empty list or none: the result stays, without the field.
    const each = `unnest(CASE WHEN len(${values}) > 0 THEN ${values} ELSE [NULL] END)`;
    const rows = numbered(ctx, scope, from, tok);
    const sql = scope.cols.has(name)
      ? `SELECT * EXCLUDE ("__pt_row") REPLACE (${each} AS ${q(name)}) FROM ${rows} ORDER BY "__pt_row"`
      : `SELECT * EXCLUDE ("__pt_row"), ${each} AS ${q(name)} FROM ${rows} ORDER BY "__pt_row"`;
    return keep(sql, { ...scope, cols: new Map(scope.cols).set(name, { list: false }), sorted: true });
  },
});
