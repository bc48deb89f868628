import { SplError } from '../errors.js';
import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { flag, onlyDefault, readOptions } from './options.js';
import { numbered } from './order.js';
import { commandModule } from './registry.js';
import { keep, nameToken, q, ROW } from './stage.js';
import { compileSubpipeline } from './subpipeline.js';
import { portableJoin } from './join-portable.js';

/** Rows of a join subsearch used, as Splunk's `[join] subsearch_maxout` (limits.conf): the rest are dropped, as there. */
export const JOIN_SUBSEARCH_MAXOUT = 50_000;

interface Join {
  options: Map<string, Token>;
  fields: Token[];
  sub: Token;
}

const KNOWN = ['type', 'max', 'overwrite', 'usetime', 'earlier', 'maxout', 'maxtime', 'timeout'];
const REFUSED = { extendtimerange: 'the subsearch runs over the whole store here' };

/**
 * `join [type=inner|left|outer] [max=N] [overwrite=bool] <fields> [subsearch]`, as Splunk: each
 * result is joined with the first `max` (default 1; 0: all) subsearch rows whose fields equal its
 * own (exactly, as text), in the subsearch's order; inner drops results without a match, left/outer
 * keeps them. The subsearch's other fields are added; where a field exists on both sides the
 * subsearch's value wins (overwrite=true, the default) unless it has none.
 */
export const join = commandModule<Join>({
  mode: 'search',
  parse(c: Cursor, tok: Token) {
    const options = readOptions(c, 'join', KNOWN, REFUSED);
    const fields: Token[] = [];
    while (!c.atEnd() && c.peek().kind !== 'subsearch') {
      if (c.eatOp(',')) continue;
      // Splunk also reads options after the fields (`join user type=outer [...]`, as security_content writes it).
      if (c.peek().kind === 'word' && c.isOp('=', 1)) {
        for (const [k, v] of readOptions(c, 'join', KNOWN, REFUSED)) options.set(k, v);
        continue;
      }
      fields.push(c.expectName('a field name or the subsearch'));
    }
    if (c.atEnd()) throw new SplError('join needs a subsearch in brackets, as in join user [search … | stats … by user]', tok.pos, tok.end - tok.pos, c.query);
    const sub = c.next();
    return { options, fields, sub };
  },
  compile(ctx, scope, j, from, tok) {
    const type = (j.options.get('type')?.text ?? 'inner').toLowerCase();
    if (!['inner', 'left', 'outer'].includes(type)) throw ctx.error(`join type=${type} is not supported (inner, left, outer)`, j.options.get('type')!);
    onlyDefault(j.options, 'usetime', (v) => /^(false|f|0)$/i.test(v), 'joining by time is not supported', ctx.query);
    const overwrite = flag(j.options, 'overwrite', true, ctx.query);
    const maxTok = j.options.get('max');
    if (maxTok && !/^\d+$/.test(maxTok.text)) throw ctx.error('join max= takes a whole number (0: every match)', maxTok);
    const limit = Math.min(JOIN_SUBSEARCH_MAXOUT, maxout(ctx, j.options.get('maxout')));
    const right = compileSubpipeline(ctx, j.sub, `join${j.sub.pos}_`, 'join');
    if (right.scope.base) throw ctx.error('a join subsearch passing on whole events is not supported: end it with fields, table or stats', j.sub);
    const rightCols = [...right.scope.cols.keys()];
    let keys = j.fields.map((f) => f.text);
    if (!keys.length) {
      if (scope.base) throw ctx.error('join without field names on events is not supported: name the fields to join on', tok);
      keys = rightCols.filter((c) => scope.cols.has(c));
      if (!keys.length) throw ctx.error('join: the results and the subsearch have no field in common', tok);
    }
    const keyToken = (name: string) => j.fields.find((f) => f.text === name) ?? nameToken(name, tok);
    const lefts = keys.map((k) => {
      const kt = keyToken(k);
      if (!right.scope.cols.has(k)) throw ctx.error(`join: the subsearch has no field '${k}'`, kt);
      const left = ctx.resolve(scope, kt);
      if (left.list || right.scope.cols.get(k)!.list) throw ctx.error(`join on '${k}', which holds several values, is not supported`, kt);
      return left;
    });
    const max = maxTok ? Number(maxTok.text) : 1;
    if (!ctx.fn.nativeSpl) {
      const spec = { type, overwrite, limit, max, keys, lefts, keyToken, right, rightCols, existing: (name: string) => existing(ctx, scope, name) };
      return portableJoin(ctx, scope, spec, from, maxTok ?? tok, tok);
    }
    const on = keys.map((k, i) => `CAST(${lefts[i]!.sql} AS VARCHAR) = CAST("__r${rightCols.indexOf(k)}" AS VARCHAR)`);
    // Subsearch columns are renamed so that they cannot capture the results' column names.
    const r = `(SELECT ${rightCols.map((c, i) => `${q(c)} AS "__r${i}"`).join(', ')}, row_number() OVER () AS "__pt_rrow" FROM (SELECT * FROM (${right.sql}) LIMIT ${ctx.number(String(limit), j.sub)}))`;
    const added: string[] = [];
    const replaced: string[] = [];
    const cols = new Map<string, ColInfo>(scope.cols);
    rightCols.forEach((c, i) => {
      if (keys.includes(c)) return;
      const mine = existing(ctx, scope, c);
      const theirs = `"__r${i}"`;
      const info = right.scope.cols.get(c)!;
      if (mine && mine.list !== info.list) throw ctx.error(`join: '${c}' holds several values on one side only; rename it in the subsearch`, j.sub);
      const cast = (x: string) => (mine && !info.list && !(mine.type && mine.type === info.type) ? `CAST(${x} AS VARCHAR)` : x);
      added.push(`${mine ? `coalesce(${cast(overwrite ? theirs : mine.sql)}, ${cast(overwrite ? mine.sql : theirs)})` : theirs} AS ${q(c)}`);
      if (scope.cols.has(c)) replaced.push(q(c));
      cols.set(c, { list: info.list });
    });
    const pick = max > 0 ? ` QUALIFY "__pt_rrow" IS NULL OR row_number() OVER (PARTITION BY ${ROW} ORDER BY "__pt_rrow") <= ${ctx.number(String(max), maxTok ?? tok)}` : '';
    const left = numbered(ctx, scope, from, tok);
    const exclude = [ROW, ...replaced];
    const joined = `SELECT "__pt_l".* EXCLUDE (${exclude.join(', ')})${added.length ? `, ${added.join(', ')}` : ''}, "__pt_l".${ROW} AS "__pt_lrow", "__pt_r"."__pt_rrow" FROM ${left} AS "__pt_l" ${type === 'inner' ? 'JOIN' : 'LEFT JOIN'} ${r} AS "__pt_r" ON ${on.join(' AND ')}${pick}`;
    const sql = `SELECT * EXCLUDE ("__pt_lrow", "__pt_rrow") FROM (${joined}) ORDER BY "__pt_lrow", "__pt_rrow"`;
    return keep(sql, { cols, base: scope.base, sorted: true });
  },
});

/** The value of a field the results already have (own column, or on events an alias or column), if any. */
function existing(ctx: Ctx, scope: Scope, name: string): Ref | undefined {
  const own = scope.cols.get(name);
  if (own) return { sql: q(name), list: own.list, type: own.type };
  if (!scope.base) return undefined;
  return ctx.find(scope, name);
}

/** A subsearch option `maxout=N` (at most the command's cap); the cap when absent. */
export function maxout(ctx: Ctx, t: Token | undefined): number {
  if (!t) return Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(t.text)) throw ctx.error('maxout= takes a whole number', t);
  return Number(t.text) || Number.MAX_SAFE_INTEGER;
}
