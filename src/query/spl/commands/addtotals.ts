import type { ColInfo } from '../context.js';
import { replacing } from '../portable.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { flag, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { expand, keep, q } from './stage.js';

interface Addtotals {
  options: Map<string, Token>;
  fields: Token[];
}

const REFUSED = {
  col: 'a totals row is not produced',
  labelfield: 'it only applies with col=true',
  label: 'it only applies with col=true',
};

/**
 * `addtotals [row=true] [fieldname=<name>] [<fields>]`: each result gets the sum of the numeric
 * values of the fields (numbers and numeric text; other values are left out) in `fieldname`
 * (default Total). Without fields, every field of the results (not on raw events, where it would be
 * every field of every source).
 */
export const addtotals = commandModule<Addtotals>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'addtotals', ['row', 'fieldname'], REFUSED);
    const fields: Token[] = [];
    while (!c.atEnd()) {
      if (c.eatOp(',')) continue;
      fields.push(c.expectName('a field name'));
    }
    return { options, fields };
  },
  compile(ctx, scope, a, from, tok) {
    if (!flag(a.options, 'row', true, ctx.query)) return keep(`SELECT * FROM ${from}`, scope);
    const nameTok = a.options.get('fieldname');
    const name = nameTok ? ctx.outName(nameTok) : 'Total';
    if (!a.fields.length && scope.base) throw ctx.error('addtotals without a field list on events would add every field of every source: name the fields (or use it after stats/table)', tok);
    const targets = (a.fields.length ? expand(ctx, scope, a.fields) : [...scope.cols.keys()]).filter((f) => f !== name);
    const internal = a.fields.length ? undefined : targets.find((f) => f.startsWith('_'));
    if (internal) throw ctx.error(`addtotals without a field list over results holding '${internal}' is not supported: name the fields to add`, tok);
    const values = targets.map((f) => {
      const ref = ctx.resolve(scope, a.fields.find((t) => t.text === f) ?? { ...tok, text: f });
      if (ref.list) throw ctx.error(`addtotals over '${f}', which holds several values, is not supported`, a.fields.find((t) => t.text === f) ?? tok);
      // Numbers as Splunk reads them: a time as its epoch, numeric text parsed, other values none.
      return ref.type === 'boolean' ? null : ctx.fn.epochOrNumber(ref.sql);
    }).filter((v): v is string => v !== null);
    // The sum of the numeric ones: NULL when none is.
    const total = values.length ? ctx.fn.sumOfPresent(values) : ctx.fn.nullOf('double');
    const cols = new Map<string, ColInfo>(scope.cols);
    cols.set(name, { list: false, type: 'double' });
    const sql = scope.cols.has(name) ? replacing(ctx, scope, [[name, total]], [], from, 'addtotals', tok) : `SELECT *, ${total} AS ${q(name)} FROM ${from}`;
    return keep(sql, { ...scope, cols });
  },
});
