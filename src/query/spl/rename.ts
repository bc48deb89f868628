import { quoteIdent, type ColInfo, type Ctx, type Scope } from './context.js';
import type { Token } from './lexer.js';
import { allBut } from './portable.js';

/**
 * `rename a as b` and its wildcard form `rename src_* as source_*`, `rename requestParameters.* as *`
 * (Splunk: each field matching the first pattern takes the name made by the second, `*` carrying
 * the matched part; an existing field of that name is replaced where the renamed one has a value).
 * Named columns are renamed in place; on raw events, where JSON sources name their fields by their
 * data, a wildcard rename becomes a rule the later commands resolve names through.
 */
export interface WildcardRename {
  from: { prefix: string; suffix: string };
  to: { prefix: string; suffix: string };
}

export function renameStage(ctx: Ctx, scope: Scope, pairs: { from: Token; to: Token }[], from: string): { sql: string; scope: Scope } {
  let sql = `SELECT * FROM ${from}`;
  let cols = scope.cols;
  const one = (src: Token, to: string) => {
    const ref = ctx.resolve({ ...scope, cols }, src);
    const drop = [...new Set([...(cols.has(src.text) ? [src.text] : []), ...(cols.has(to) ? [to] : [])])];
    // The target keeps its own value where the renamed field has none.
    const value = cols.has(to) && to !== src.text ? `coalesce(${ref.sql}, ${quoteIdent(to)})` : ref.sql;
    sql = `SELECT ${allBut(ctx, { ...scope, cols }, drop, [`${value} AS ${quoteIdent(to)}`], 'rename', src)} FROM (${sql})`;
    cols = new Map([...cols].filter(([k]) => !drop.includes(k)));
    cols.set(to, { list: ref.list } satisfies ColInfo);
  };
  for (const p of pairs) {
    const to = ctx.outName(p.to);
    const wild = (p.from.text.match(/\*/g) ?? []).length;
    if (!wild) {
      one(p.from, to);
      continue;
    }
    const toWild = (to.match(/\*/g) ?? []).length;
    if (wild > 1 || toWild > 1) throw ctx.error('rename with more than one * in a name is not supported', wild > 1 ? p.from : p.to);
    const [fp, fs] = p.from.text.split('*') as [string, string];
    const [tp, ts] = toWild ? (to.split('*') as [string, string]) : [to, ''];
    if (!toWild) throw ctx.error(`rename ${p.from.text} as ${to}: the new name needs a * for the part the first one matches`, p.to);
    // The columns the relation has now.
    const matching = [...cols.keys()].filter((k) => k.length >= fp.length + fs.length && k.startsWith(fp) && k.endsWith(fs) && !(scope.base && ctx.catalog.has(k)));
    for (const k of matching) one({ ...p.from, text: k }, `${tp}${k.slice(fp.length, k.length - fs.length)}${ts}`);
    // On raw events, Splunk's field names (JSON paths, aliases) are resolved later through the rule.
    if (scope.base) ctx.renames.push({ from: { prefix: fp, suffix: fs }, to: { prefix: tp, suffix: ts } });
    else if (!matching.length) ctx.warn(`rename ${p.from.text}: no field matches it here`);
  }
  return { sql, scope: { ...scope, cols } };
}

/** The name a field had before the wildcard renames that could have made `name` (latest first). */
export function renamedFrom(renames: readonly WildcardRename[], name: string): { source: string; rest: WildcardRename[] } | undefined {
  for (let i = renames.length - 1; i >= 0; i--) {
    const r = renames[i]!;
    if (name.length >= r.to.prefix.length + r.to.suffix.length && name.startsWith(r.to.prefix) && name.endsWith(r.to.suffix)) {
      const middle = name.slice(r.to.prefix.length, name.length - r.to.suffix.length);
      return { source: `${r.from.prefix}${middle}${r.from.suffix}`, rest: renames.slice(0, i) };
    }
  }
  return undefined;
}
