import type { FieldType } from '../../../formats/format.js';
import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { Located } from '../errors.js';
import type { Token } from '../lexer.js';
import { relationColumns } from '../portable.js';
import { numbered } from './order.js';
import { keep, q, ROW, type Stage } from './stage.js';

/** What join.ts read from the command, for the form without window functions. */
export interface PortableJoin {
  type: string;
  overwrite: boolean;
  /** Subsearch rows used at most. */
  limit: number;
  /** Matches kept per result (0: all). */
  max: number;
  keys: string[];
  /** Each key's value on the results' side. */
  lefts: Ref[];
  keyToken: (name: string) => Token;
  right: { sql: string; scope: Scope };
  rightCols: string[];
  existing: (name: string) => Ref | undefined;
}

/**
 * Types whose text differs between engines (DuckDB `2.0`, `true`, `2026-11-20 08:00:00`; ClickHouse
 * `2`, `1`, epoch seconds): compared as text with a value of another type, the engines would match
 * differently, so that is refused. Equal types compare alike (equal text ⇔ equal values).
 */
const TEXT_DIFFERS: ReadonlySet<FieldType> = new Set(['double', 'date', 'boolean']);

/**
 * join on engines without window functions, QUALIFY or `* EXCLUDE` (ClickHouse 18.16), with the
 * answers of join.ts: the subsearch's rows (its first `limit`) numbered in their order, keyed by
 * the text of the join fields (rows with a NULL key match nothing and are left out) and joined to
 * the numbered results on equal keys (a left join: inner keeps the matched rows), the first `max`
 * matches of each result kept (LIMIT … BY), in the results' order then the subsearch's.
 */
export function portableJoin(ctx: Ctx, scope: Scope, j: PortableJoin, from: string, maxAt: Located, at: Token): Stage {
  const fn = ctx.fn;
  const index = (c: string) => j.rightCols.indexOf(c);
  const sameText = (a: FieldType | undefined, b: FieldType | undefined, name: string, where: Token) => {
    if (a !== b && ((a && TEXT_DIFFERS.has(a)) || (b && TEXT_DIFFERS.has(b))))
      ctx.native(`join comparing '${name}' as text where one side holds a ${a && TEXT_DIFFERS.has(a) ? a : b} value and the other does not`, where);
  };
  j.keys.forEach((k, i) => sameText(j.lefts[i]!.type, j.right.scope.cols.get(k)!.type, k, j.keyToken(k)));

  // The subsearch: its first rows in its order, numbered; columns renamed so that they cannot capture the results' names.
  const limited = `(SELECT * FROM (${j.right.sql}) LIMIT ${ctx.limit(String(j.limit), at)})`;
  const named = `(SELECT ${j.rightCols.map((c, i) => `${q(c)} AS "__pt_s${i}"`).join(', ')}, __pt_rrow FROM ${fn.numberedRows(limited, '', '__pt_rrow')})`;
  const joinKeys = j.keys.map((_, i) => `"__pt_j${i}"`);
  const others = j.rightCols.map((c, i) => ({ c, i })).filter(({ c }) => !j.keys.includes(c));
  // Nullable on the right, so that a result without a match reads NULL (lists: empty, returned as NULL).
  const rightSide =
    `(SELECT ${[
      ...j.keys.map((k, i) => `${fn.groupKey(fn.text(`"__pt_s${index(k)}"`))} AS ${joinKeys[i]}`),
      ...others.map(({ c, i }) => `${j.right.scope.cols.get(c)!.list ? `"__pt_s${i}"` : fn.nullable(`"__pt_s${i}"`)} AS "__r${i}"`),
      `${fn.nullable('__pt_rrow')} AS "__pt_rr"`,
    ].join(', ')} FROM ${named} WHERE ${j.keys.map((k) => `"__pt_s${index(k)}" IS NOT NULL`).join(' AND ')})`;
  const leftSide = `(SELECT *, ${j.lefts.map((l, i) => `${fn.groupKey(fn.text(l.sql))} AS ${joinKeys[i]}`).join(', ')} FROM ${numbered(ctx, scope, from, at)})`;

  const cols = new Map<string, ColInfo>(scope.cols);
  const added: { name: string; sql: string }[] = [];
  for (const { c, i } of others) {
    const mine = j.existing(c);
    const theirs = `"__r${i}"`;
    const info = j.right.scope.cols.get(c)!;
    if (mine && mine.list !== info.list) throw ctx.error(`join: '${c}' holds several values on one side only; rename it in the subsearch`, at);
    const cast = mine && !info.list && !(mine.type && mine.type === info.type);
    if (cast) sameText(mine.type, info.type, c, at);
    const text = (x: string) => (cast ? fn.text(x) : x);
    added.push({ name: c, sql: mine ? fn.coalesce(text(j.overwrite ? theirs : mine.sql), text(j.overwrite ? mine.sql : theirs)) : theirs });
    cols.set(c, { list: info.list });
  }
  const kept = relationColumns(ctx, scope, 'join', at).filter((c) => !added.some((a) => a.name === c));
  // New values under names of their own first: ClickHouse reads `f(x) AS x` as a cyclic alias.
  const values =
    `SELECT ${[...kept.map(q), ...added.map((a, n) => `${a.sql} AS "__pt_a${n}"`), `${ROW} AS "__pt_lrow"`, `"__pt_rr" AS "__pt_rrow"`].join(', ')} ` +
    `FROM ${fn.leftJoinUsing(leftSide, rightSide, joinKeys)}${j.type === 'inner' ? ' WHERE "__pt_rr" IS NOT NULL' : ''}`;
  const picked = j.max > 0
    ? fn.topPerGroup({ inner: values, group: '"__pt_lrow"', order: '"__pt_rrow"', limit: ctx.limit(String(j.max), maxAt) })
    : `SELECT * FROM (${values}) ORDER BY "__pt_lrow", "__pt_rrow"`;
  const sql = `SELECT ${[...kept.map(q), ...added.map((a, n) => `"__pt_a${n}" AS ${q(a.name)}`)].join(', ')} FROM (${picked})`;
  return keep(sql, { cols, base: scope.base, sorted: true });
}
