import type { SortKey } from '../ast.js';
import { quoteIdent, type ColInfo, type Ctx, type Scope } from '../context.js';
import type { Token } from '../lexer.js';
import { inputOrder } from './order.js';

/** One compiled command: a SELECT over the previous relation (`from`), and the relation it makes. */
export interface Stage {
  sql: string;
  scope: Scope;
}

/** A row number column commands add to keep (or restore) the order of their input. */
export const ROW = '__pt_row';
export const q = quoteIdent;
export const keep = (sql: string, scope: Scope): Stage => ({ sql, scope });
export const derived = (cols: [string, ColInfo][]): Scope => ({ cols: new Map(cols), base: false });

/** A Splunk wildcard name (`src_*`) as an anchored regular expression. */
export function wildcardRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('(.*)')}$`);
}

/** The names a scope offers: its columns and, on events, the aliases. */
export function knownNames(ctx: Ctx, scope: Scope): string[] {
  return scope.base ? [...scope.cols.keys(), ...ctx.aliases.fields.keys()] : [...scope.cols.keys()];
}

/** Field names with `*` wildcards expanded against the scope's columns (and, on events, the aliases). */
export function expand(ctx: Ctx, scope: Scope, fields: Token[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (!f.text.includes('*')) {
      out.push(f.text);
      continue;
    }
    const re = wildcardRegExp(f.text);
    const hits = knownNames(ctx, scope).filter((k) => re.test(k));
    if (!hits.length) throw ctx.error(`no field matches '${f.text}'`, f);
    out.push(...hits);
  }
  return [...new Set(out)];
}

/** table / fields +: exactly these fields, in this order. */
export function project(ctx: Ctx, scope: Scope, fields: Token[], from: string): Stage {
  const names = expand(ctx, scope, fields);
  const byText = new Map(fields.map((f) => [f.text, f]));
  const cols: [string, ColInfo][] = [];
  const select = names.map((n) => {
    const tok = byText.get(n) ?? { kind: 'word' as const, text: n, pos: fields[0]!.pos, end: fields[0]!.end };
    const ref = ctx.resolve(scope, tok);
    cols.push([ctx.outName(tok), { list: ref.list }]);
    return `${ref.sql} AS ${q(n)}`;
  });
  // Raw events keep Splunk's order, newest first (order.ts).
  const order = inputOrder(ctx, scope, fields[0]!);
  return { sql: `SELECT ${select.join(', ')} FROM ${from}${order ? ` ${order}` : ''}`, scope: { ...derived(cols), sorted: true } };
}

export function orderBy(ctx: Ctx, scope: Scope, keys: SortKey[]): string {
  return keys.map((k) => `${ctx.resolve(scope, k.field).sql} ${k.desc ? 'DESC' : 'ASC'} NULLS LAST`).join(', ');
}

/** A token standing for a name the compiler made up (at the place of `at`). */
export function nameToken(text: string, at: Token): Token {
  return { kind: 'word', text, pos: at.pos, end: at.end };
}
