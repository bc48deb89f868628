import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, q, ROW } from './stage.js';
import { allBut } from '../portable.js';

/** Columns of the expansion: the list, and the position of each row's value in it. */
const LIST = '__pt_list';
const POSITION = '__pt_pos';
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
    const values = m.limit && m.limit.text !== '0' ? ctx.fn.listHeadParam(ref.sql, ctx.number(m.limit.text, m.limit)) : ref.sql;
    // A row per position of a value (an empty list or none: one row, the field NULL), in the input order.
    const rows = `(SELECT *, ${values} AS "${LIST}", ${ctx.fn.listExpandPositions(values)} AS "${POSITION}" FROM ${numbered(ctx, scope, from, tok)})`;
    const drop = [...(scope.cols.has(name) ? [name] : []), ROW, LIST, POSITION];
    const cols = allBut(ctx, scope, drop, [`${ctx.fn.listValueAt(`"${LIST}"`, `"${POSITION}"`)} AS ${q(name)}`], 'mvexpand', tok);
    const sql = `SELECT ${cols} FROM ${rows} ORDER BY "${ROW}", "${POSITION}"`;
    return keep(sql, { ...scope, cols: new Map(scope.cols).set(name, { list: false }), sorted: true });
  },
});
