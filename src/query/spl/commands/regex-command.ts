import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { regexParam } from '../regex.js';
import { commandModule } from './registry.js';
import { keep, nameToken } from './stage.js';

interface RegexFilter {
  field: Token | null;
  negated: boolean;
  pattern: Token;
}

/**
 * `regex [<field>=|<field>!=]"<regex>"`: keeps the results whose field (default _raw) matches the
 * regex anywhere in it; with `!=` those that have the field and do not match (as search's `!=`, a
 * result without the field is not kept). Regexes run on RE2.
 */
export const regexCommand = commandModule<RegexFilter>({
  mode: 'search',
  parse(c: Cursor) {
    let field: Token | null = null;
    let negated = false;
    if (c.peek().kind === 'word' && (c.isOp('=', 1) || c.isOp('!=', 1))) {
      field = c.next();
      negated = c.next().text === '!=';
    }
    const pattern = c.peek();
    if (pattern.kind !== 'string') throw c.error('expected the regex in double quotes');
    c.next();
    return { field, negated, pattern };
  },
  compile(ctx, scope, r, from, tok) {
    const fieldTok = r.field ?? nameToken('_raw', tok);
    const ref = ctx.resolve(scope, fieldTok);
    if (ref.list) throw ctx.error(`regex on '${fieldTok.text}', which holds several values, is not supported`, fieldTok);
    const match = ctx.fn.regexMatchParam(ref.sql, regexParam(ctx, r.pattern.text, r.pattern));
    return keep(`SELECT * FROM ${from} WHERE ${r.negated ? `${ref.sql} IS NOT NULL AND NOT ${match}` : ctx.fn.coalesce(match, ctx.fn.falseValue)}`, scope);
  },
});
