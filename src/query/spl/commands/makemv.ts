import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { captureGroups, onlyGroup, regexParam } from '../regex.js';
import { flag, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, q } from './stage.js';
import { replacing } from '../portable.js';

interface Makemv {
  delim: Token | null;
  tokenizer: Token | null;
  allowempty: boolean;
  field: Token;
}

/**
 * `makemv [delim=<str>|tokenizer=<regex>] [allowempty=<bool>] <field>`: the field's text becomes a
 * multivalue: split at delim (default a space; with allowempty=false, the default, empty values
 * between delimiters are dropped), or each match of the tokenizer's first group.
 */
export const makemv = commandModule<Makemv>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'makemv', ['delim', 'tokenizer', 'allowempty'], { setsv: 'the single-value copy is not made' });
    const field = c.expectName('the field to split');
    if (options.has('delim') && options.has('tokenizer')) throw c.error('give delim= or tokenizer=, not both', options.get('tokenizer'));
    return { delim: options.get('delim') ?? null, tokenizer: options.get('tokenizer') ?? null, allowempty: flag(options, 'allowempty', false, c.query), field };
  },
  compile(ctx, scope, m, from) {
    const ref = ctx.resolve(scope, m.field);
    if (ref.list) return keep(`SELECT * FROM ${from}`, scope);
    const fn = ctx.fn;
    const text = fn.text(ref.sql);
    let values: string;
    if (m.tokenizer) {
      const groups = captureGroups(m.tokenizer.text);
      if (!groups.length) throw ctx.error('the tokenizer needs a capturing group: its matches become the values', m.tokenizer);
      const pattern = fn.regexGroupByNumber || groups.length === 1 ? m.tokenizer.text : onlyGroup(m.tokenizer.text, 1);
      values = fn.regexExtractAll(text, regexParam(ctx, pattern, m.tokenizer), 1);
    } else {
      const delim = m.delim?.text ?? ' ';
      values = fn.splitText(ref.sql, ctx.param(delim), delim);
    }
    if (!m.allowempty) values = fn.listNonEmptyValues(values);
    const value = fn.listWhenPresent(ref.sql, values);
    const name = ctx.outName(m.field);
    const sql = scope.cols.has(name) ? replacing(ctx, scope, [[name, value]], [], from, 'makemv', m.field) : `SELECT *, ${value} AS ${q(name)} FROM ${from}`;
    return keep(sql, { ...scope, cols: new Map(scope.cols).set(name, { list: true }) });
  },
});
