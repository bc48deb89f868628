import type { ColInfo, Ctx, Scope } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { captureGroups, onlyGroup, regexParam } from '../regex.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, nameToken, q, type Stage } from './stage.js';
import { replacing } from '../portable.js';

interface Rex {
  field: Token | null;
  pattern: Token;
  maxMatch: Token | null;
  sed: boolean;
}

/** Matches max_match=0 keeps: all of them (Splunk's 0 means unlimited). */
const ALL = 0;

/**
 * `rex [field=<f>] "<regex>" [max_match=N]`: each named group of the regex becomes a field (the
 * first match, or with max_match≠1 every match up to N as a multivalue); `rex [field=<f>] mode=sed
 * "s/<regex>/<replacement>/[g]"` or `"y/<from>/<to>/"` rewrites the field in place. The field
 * defaults to _raw. Regexes run on RE2 (PCRE-only constructs are refused by name).
 */
export const rex = commandModule<Rex>({
  mode: 'search',
  parse(c: Cursor) {
    let pattern: Token | null = null;
    const options = new Map<string, Token>();
    while (!c.atEnd()) {
      if (c.peek().kind === 'string') {
        if (pattern) throw c.error('rex takes one regex');
        pattern = c.next();
      } else if (c.peek().kind === 'word' && c.isOp('=', 1)) {
        for (const [k, v] of readOptions(c, 'rex', ['field', 'max_match', 'mode'], { offset_field: 'match offsets are not computed' })) options.set(k, v);
      } else throw c.error('expected field=, max_match=, mode=sed or the regex in double quotes');
    }
    if (!pattern) throw c.error('expected the regex in double quotes');
    const mode = options.get('mode');
    if (mode && mode.text.toLowerCase() !== 'sed') throw c.error(`mode=${mode.text} is not a rex mode (mode=sed)`, mode);
    const maxMatch = options.get('max_match') ?? null;
    if (maxMatch && !/^\d+$/.test(maxMatch.text)) throw c.error('max_match must be a whole number', maxMatch);
    if (mode && maxMatch) throw c.error('max_match does not apply to mode=sed', maxMatch);
    return { field: options.get('field') ?? null, pattern, maxMatch, sed: !!mode };
  },
  compile(ctx, scope, r, from, tok) {
    const fieldTok = r.field ?? nameToken('_raw', tok);
    const src = ctx.resolve(scope, fieldTok);
    if (src.list) throw ctx.error(`rex on '${fieldTok.text}', which holds several values, is not supported`, fieldTok);
    const text = ctx.fn.text(src.sql);
    if (r.sed) return sed(ctx, scope, r, from, fieldTok, text);
    const p = regexParam(ctx, r.pattern.text, r.pattern);
    const groups = captureGroups(r.pattern.text).filter((g) => g.name !== null);
    if (!groups.length) throw ctx.error('the regex has no named group (?<name>…): rex would extract nothing', r.pattern);
    const names = groups.map((g) => g.name!);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw ctx.error(`the regex names the group '${dup}' twice`, r.pattern);
    const max = r.maxMatch ? Number(r.maxMatch.text) : 1;
    let sql = `SELECT * FROM ${from}`;
    let cols = scope.cols;
    const fn = ctx.fn;
    for (const g of groups) {
      // Engines that extract the first group get a pattern with only this one.
      const gp = fn.regexGroupByNumber ? p : regexParam(ctx, onlyGroup(r.pattern.text, g.index), r.pattern);
      // A group that took no part in the match (or matched nothing) extracts nothing, as no match does.
      const value =
        max === 1
          ? `nullif(${fn.regexExtract(text, gp, g.index)}, '')`
          : fn.nonEmptyList(max === ALL ? fn.listNonEmptyValues(fn.regexExtractAll(text, gp, g.index)) : fn.listHeadParam(fn.listNonEmptyValues(fn.regexExtractAll(text, gp, g.index)), ctx.number(String(max), r.maxMatch!)));
      const name = g.name!;
      const prior = existing(ctx, { ...scope, cols }, name);
      if (prior && prior.list !== (max !== 1)) throw ctx.error(`rex would put ${max === 1 ? 'one value' : 'several values'} into '${name}', which holds ${prior.list ? 'several' : 'one'}: rename the group`, r.pattern);
      if (prior?.list) ctx.native(`rex with max_match into a field that has several values (${name})`, r.pattern);
      // Where the regex does not match, a field the event already has keeps its value.
      const out = prior ? fn.coalesce(value, prior.sql) : value;
      sql = cols.has(name) ? replacing(ctx, { ...scope, cols }, [[name, out]], [], `(${sql})`, 'rex', r.pattern) : `SELECT *, ${out} AS ${q(name)} FROM (${sql})`;
      cols = new Map(cols).set(name, { list: max !== 1 });
    }
    return keep(sql, { ...scope, cols });
  },
});

/** The field as the scope has it, or null when it has none. */
function existing(ctx: Ctx, scope: Scope, name: string): { sql: string; list: boolean } | null {
  return ctx.find(scope, name) ?? null;
}

function sed(ctx: Ctx, scope: Scope, r: Rex, from: string, field: Token, text: string): Stage {
  const parts = splitSed(r.pattern.text);
  if (!parts) throw ctx.error("expected a sed expression 's/<regex>/<replacement>/[g]' or 'y/<from>/<to>/'", r.pattern);
  let value: string;
  if (parts.kind === 'y') {
    if ([...parts.a].length !== [...parts.b].length) throw ctx.error('y/<from>/<to>/ needs as many characters in <to> as in <from>', r.pattern);
    ctx.native("rex mode=sed 'y/<from>/<to>/'", r.pattern);
    value = `translate(${text}, ${ctx.param(parts.a)}, ${ctx.param(parts.b)})`;
  } else {
    if (parts.flags !== '' && parts.flags !== 'g') throw ctx.error(`sed flag '${parts.flags}' is not supported (g, or none for the first match)`, r.pattern);
    if (/(^|[^\\])&/.test(parts.b)) throw ctx.error("'&' in a sed replacement is not supported: use \\0 for the whole match", r.pattern);
    const p = regexParam(ctx, parts.a, r.pattern);
    value = parts.flags === 'g' ? ctx.fn.regexReplaceAll(text, p, ctx.param(parts.b)) : ctx.fn.regexReplaceFirst(text, p, ctx.param(parts.b));
  }
  const name = ctx.outName(field);
  const cols = new Map<string, ColInfo>(scope.cols).set(name, { list: false, type: 'keyword' });
  const sql = scope.cols.has(name) ? replacing(ctx, scope, [[name, value]], [], from, 'rex mode=sed', field) : `SELECT *, ${value} AS ${q(name)} FROM ${from}`;
  return keep(sql, { ...scope, cols });
}

/** `s/a/b/flags` or `y/a/b/`, with `\/` for a slash inside a part. */
function splitSed(expr: string): { kind: 's' | 'y'; a: string; b: string; flags: string } | null {
  const kind = expr[0];
  if ((kind !== 's' && kind !== 'y') || expr[1] !== '/') return null;
  const parts: string[] = [''];
  for (let i = 2; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === '\\' && expr[i + 1] === '/') {
      parts[parts.length - 1] += '/';
      i++;
    } else if (ch === '\\') {
      parts[parts.length - 1] += expr.slice(i, i + 2);
      i++;
    } else if (ch === '/') parts.push('');
    else parts[parts.length - 1] += ch;
  }
  if (parts.length !== 3) return null;
  return { kind, a: parts[0]!, b: parts[1]!, flags: parts[2]! };
}
