import type { Expr, SearchNode } from '../ast.js';
import type { Ctx, Scope } from '../context.js';
import { Cursor } from '../cursor.js';
import { compileExpr } from '../expr.js';
import { lex, type Token } from '../lexer.js';
import { parseExpr } from '../parse-expr.js';
import { parseSearch } from '../parser.js';
import { compileSearch } from '../search.js';
import { flag } from './options.js';
import { commandModule } from './registry.js';
import { transactionSql, type TransactionPlan } from './transaction-sql.js';

/** A startswith=/endswith= condition: a search (`"eventName=ConsoleLogin"`, `(EventCode=4698)`) or `eval(<bool>)`. */
type Condition = { kind: 'search'; node: SearchNode | null; tok: Token } | { kind: 'eval'; expr: Expr; tok: Token };

export interface Transaction {
  fields: Token[];
  options: Map<string, Token>;
  startswith: Condition | null;
  endswith: Condition | null;
  /** Where the command's text ends: the names after it are the ones later commands may read. */
  end: number;
}

/** Splunk's default maxevents: a transaction holds at most this many events (negative: no limit). */
export const TRANSACTION_MAX_EVENTS = 1000;

const SUPPORTED = ['maxspan', 'maxpause', 'maxevents', 'startswith', 'endswith', 'keepevicted', 'mvlist', 'keeporphans', 'connected', 'unifyends'];
const REFUSED: Record<string, string> = {
  name: 'transaction types (transactiontypes.conf) are not supported',
  delim: "the events' text (_raw) of a transaction is not made",
  mvraw: "the events' text (_raw) of a transaction is not made",
  nullstr: 'mvlist=true (which nullstr is about) is not supported',
  maxopentxn: "Splunk's default (5000) is checked instead",
  maxopenevents: "Splunk's default (100000) is checked instead",
};

/** A time span option (`30`, `30s`, `5m`, `2h`, `1d`): seconds, or null when negative (no limit). */
function spanSeconds(ctx: Ctx, t: Token): number | null {
  const m = /^(-?\d{1,9})(s|m|h|d)?$/i.exec(t.text);
  if (!m) throw ctx.error(`expected a time span such as 30s, 5m, 2h or 1d (a negative one: no limit), found '${t.text}'`, t);
  const n = Number(m[1]);
  if (n < 0) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's').toLowerCase() as 's']!;
  return n * unit;
}

/**
 * `transaction [<fields>] [maxspan=] [maxpause=] [maxevents=] [startswith=] [endswith=] [keepevicted=]
 * [mvlist=false] [keeporphans=false] [connected=] [unifyends=]`: groups events sharing the fields'
 * values into transactions, as Splunk does reading them newest first (see transaction-sql.ts).
 */
export const transaction = commandModule<Transaction>({
  mode: 'search',
  parse(c: Cursor) {
    const fields: Token[] = [];
    const options = new Map<string, Token>();
    let startswith: Condition | null = null;
    let endswith: Condition | null = null;
    while (!c.atEnd()) {
      if (c.eatOp(',')) continue;
      const t = c.peek();
      if (t.kind === 'word' && c.isOp('=', 1)) {
        const name = t.text.toLowerCase();
        if (!SUPPORTED.includes(name)) {
          const why = Object.hasOwn(REFUSED, name) ? `: ${REFUSED[name]}` : '';
          throw c.error(`transaction option '${t.text}' is not supported${why} (supported: ${SUPPORTED.join(', ')})`, t);
        }
        c.next();
        c.next();
        if (name === 'startswith' || name === 'endswith') {
          const cond = condition(c, t);
          if (name === 'startswith') startswith = cond;
          else endswith = cond;
          continue;
        }
        const v = c.peek();
        if (v.kind !== 'word' && v.kind !== 'string') throw c.error(`expected a value for ${t.text}=`);
        options.set(name, c.next());
        continue;
      }
      fields.push(c.expectName('a field name or an option'));
    }
    return { fields, options, startswith, endswith, end: c.peek().pos };
  },
  compile(ctx, scope, node, from, tok) {
    if (!scope.base) throw ctx.error('transaction groups raw events: it cannot follow stats, table, fields or another command that makes results of its own', tok);
    const plan = planOf(ctx, scope, node, tok);
    return transactionSql(ctx, scope, plan, from);
  },
});

/** The value of startswith=/endswith=: a quoted search, a parenthesized search, or eval(…). */
function condition(c: Cursor, option: Token): Condition {
  const t = c.peek();
  if (t.kind === 'string') {
    c.next();
    const inner = new Cursor(lex(t.text, { pos: 0, end: t.text.length }, 'search'), t.text);
    return { kind: 'search', node: parseSearch(inner), tok: t };
  }
  const isEval = c.isWord('eval') && c.isOp('(', 1);
  if (isEval) c.next();
  if (!c.isOp('(')) throw c.error(`expected a search in quotes, (…) or eval(…) after ${option.text}=`);
  const open = c.next();
  let depth = 1;
  let close = open;
  while (depth > 0) {
    if (c.atEnd()) throw c.error(`expected ')' to close ${option.text}=(`);
    close = c.next();
    if (close.kind === 'op' && close.text === '(') depth++;
    if (close.kind === 'op' && close.text === ')') depth--;
  }
  const seg = { pos: open.end, end: close.pos };
  const at = { ...open, end: close.end };
  if (isEval) {
    const inner = new Cursor(lex(c.query, seg, 'expr'), c.query);
    const expr = parseExpr(inner);
    inner.done();
    return { kind: 'eval', expr, tok: at };
  }
  return { kind: 'search', node: parseSearch(new Cursor(lex(c.query, seg, 'search'), c.query)), tok: at };
}

function conditionSql(ctx: Ctx, scope: Scope, cond: Condition | null): string | null {
  if (!cond) return null;
  if (cond.kind === 'eval') return `coalesce(${compileExpr(ctx, scope, cond.expr)}, FALSE)`;
  return cond.node ? `coalesce(${compileSearch(ctx, scope, cond.node, false)}, FALSE)` : 'TRUE';
}

/** The options read and checked: what transaction-sql.ts builds from. */
function planOf(ctx: Ctx, scope: Scope, node: Transaction, tok: Token): TransactionPlan {
  const o = node.options;
  const mvlist = o.get('mvlist');
  if (mvlist && !/^(false|f|0)$/i.test(mvlist.text)) throw ctx.error(`mvlist=${mvlist.text} is not supported: the fields of a transaction are the distinct values of its events, sorted (mvlist=false)`, mvlist);
  if (flag(o, 'keeporphans', false, ctx.query)) throw ctx.error('keeporphans=true is not supported: events outside every transaction are left out', o.get('keeporphans')!);
  // connected/unifyends decide what happens to events missing some of the fields: such events are
  // refused at run time (see transaction-sql.ts), so for the events grouped they change nothing.
  flag(o, 'connected', true, ctx.query);
  flag(o, 'unifyends', true, ctx.query);
  const keepevicted = flag(o, 'keepevicted', false, ctx.query);
  const maxspan = o.get('maxspan') ? spanSeconds(ctx, o.get('maxspan')!) : null;
  const maxpause = o.get('maxpause') ? spanSeconds(ctx, o.get('maxpause')!) : null;
  const ev = o.get('maxevents');
  if (ev && (!/^-?\d+$/.test(ev.text) || ev.text === '0' || Math.abs(Number(ev.text)) > Number.MAX_SAFE_INTEGER)) throw ctx.error('maxevents must be a whole number other than 0 (negative: no limit)', ev);
  const maxevents = ev ? (Number(ev.text) < 0 ? null : Number(ev.text)) : TRANSACTION_MAX_EVENTS;
  if (node.endswith && (maxspan !== null || maxpause !== null)) {
    throw ctx.error('transaction endswith= with maxspan= or maxpause= is not supported: when Splunk (reading events newest first) counts a transaction ended by the next end event as closed is not reproduced', node.endswith.tok);
  }
  const keys = node.fields.map((f) => ({ tok: f, ref: ctx.resolve(scope, f) }));
  const multi = keys.find((k) => k.ref.list);
  if (multi) throw ctx.error(`transaction by '${multi.tok.text}', which holds several values, is not supported`, multi.tok);
  return {
    keys,
    tok,
    maxspan,
    maxpause,
    maxevents,
    explicitMaxevents: ev !== undefined && maxevents !== null,
    startswith: conditionSql(ctx, scope, node.startswith),
    endswith: conditionSql(ctx, scope, node.endswith),
    keepevicted,
    after: ctx.query.slice(node.end),
  };
}
