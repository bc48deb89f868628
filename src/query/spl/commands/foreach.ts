import type { Command } from '../ast.js';
import type { Scope } from '../context.js';
import type { Cursor } from '../cursor.js';
import { SplError } from '../errors.js';
import type { Token } from '../lexer.js';
import { parse } from '../parser.js';
import { compileCommand } from './index.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, knownNames, wildcardRegExp } from './stage.js';

interface Foreach {
  options: Map<string, Token>;
  fields: Token[];
  template: Token;
}

/** Placeholders of the template and the options renaming them. */
const PLACEHOLDERS = { fieldstr: '<<FIELD>>', matchstr: '<<MATCHSTR>>', matchseg1: '<<MATCHSEG1>>', matchseg2: '<<MATCHSEG2>>', matchseg3: '<<MATCHSEG3>>' };
/** Fields one foreach may expand to: a template compiled per field, each a step of the query. */
export const MAX_FOREACH_FIELDS = 200;

/**
 * `foreach <wildcard fields> [ eval <<FIELD>> = … ]` (mode=multifield, Splunk's default): the eval
 * template run once per field of the results matching the names, `<<FIELD>>` replaced by the field
 * name, `<<MATCHSTR>>` by what a single `*` matched, `<<MATCHSEG1..3>>` by what each `*` matched.
 */
export const foreach = commandModule<Foreach>({
  mode: 'search',
  parse(c: Cursor, tok: Token) {
    const options = readOptions(c, 'foreach', ['mode', ...Object.keys(PLACEHOLDERS)]);
    const fields: Token[] = [];
    while (!c.atEnd() && c.peek().kind !== 'subsearch') {
      if (c.eatOp(',')) continue;
      fields.push(c.expectName('a field name or the template in brackets'));
    }
    if (c.atEnd()) throw new SplError('foreach needs a template in brackets, as in foreach count_* [eval <<FIELD>>=<<FIELD>>*2]', tok.pos, tok.end - tok.pos, c.query);
    if (!fields.length) throw c.error('expected the fields foreach runs over');
    return { options, fields, template: c.next() };
  },
  compile(ctx, scope, f, from, tok) {
    const mode = f.options.get('mode');
    if (mode && mode.text.toLowerCase() !== 'multifield') throw ctx.error(`foreach mode=${mode.text} is not supported (multifield)`, mode);
    if (scope.base) throw ctx.error('foreach over raw events would run over every field of every source: use it after stats, table or fields', tok);
    const names = (k: keyof typeof PLACEHOLDERS) => f.options.get(k)?.text ?? PLACEHOLDERS[k];
    const matches: { field: string; segs: string[] }[] = [];
    for (const t of f.fields) {
      const re = wildcardRegExp(t.text);
      for (const field of knownNames(ctx, scope)) {
        const m = re.exec(field);
        if (m && !matches.some((x) => x.field === field)) matches.push({ field, segs: m.slice(1) });
      }
    }
    if (matches.length > MAX_FOREACH_FIELDS) throw ctx.error(`foreach matches ${matches.length} fields (at most ${MAX_FOREACH_FIELDS})`, f.fields[0]!);
    let sql = `SELECT * FROM ${from}`;
    let current: Scope = scope;
    for (const { field, segs } of matches) {
      let text = f.template.text.split(names('fieldstr')).join(field);
      if (segs.length === 1) text = text.split(names('matchstr')).join(segs[0]!);
      segs.slice(0, 3).forEach((s, i) => (text = text.split(names(`matchseg${i + 1}` as keyof typeof PLACEHOLDERS)).join(s)));
      try {
        const commands = parse(text);
        const bad = commands.find((c: Command) => c.cmd !== 'eval');
        if (bad) throw new SplError('only eval is supported in a foreach template', 0, 1, text);
        for (const c of commands) {
          const stage = compileCommand(ctx, current, c, `(${sql})`, false);
          sql = stage.sql;
          current = stage.scope;
        }
      } catch (e) {
        if (e instanceof SplError) throw ctx.error(`in the foreach template for '${field}': ${e.reason}`, f.template);
        throw e;
      }
    }
    return keep(sql, current);
  },
});
