import type { Command } from '../ast.js';
import { compileAggs, expandMultivalue, normalizedStats, ORDERED_AGGREGATIONS } from '../aggs.js';
import type { ColInfo, Ctx, Scope } from '../context.js';
import { compileExpr, isListExpr, valueKind } from '../expr.js';
import { renameStage } from '../rename.js';
import { compileSearch } from '../search.js';
import { compileTimechart } from '../timechart.js';
import { compileDedup } from './dedup.js';
import { inputOrder, numbered } from './order.js';
import { derived, expand, keep, orderBy, project, q, ROW, type Stage } from './stage.js';
import { allBut, replacing } from '../portable.js';

export type Handler<C extends Command['cmd']> = (ctx: Ctx, scope: Scope, cmd: Extract<Command, { cmd: C }>, from: string) => Stage;

/** Rows `sort` keeps when no count is given: Splunk's default (`sort 0` keeps all). */
export const SORT_DEFAULT_LIMIT = 10_000;

/**
 * The console's time range on the first base search (earliest inclusive, latest exclusive, as
 * earliest=/latest= are), unless that search set its own bounds; it then bounds the query as those do.
 */
function pickerConditions(ctx: Ctx, scope: Scope, at: Command['tok']): string[] {
  const range = ctx.pickerRange!;
  ctx.pickerRange = undefined;
  const b = ctx.bounds;
  if (b.earliest || b.latest) return [];
  const out: string[] = [];
  for (const [name, t] of [['earliest', range.earliest], ['latest', range.latest]] as const) {
    if (!t) continue;
    b[name] = t;
    const bound = ctx.paramWith((params, key) => ctx.fn.timeParam(params, key, t.getTime()));
    out.push(`(${ctx.time(scope, at)} ${name === 'earliest' ? '>=' : '<'} ${bound})`);
  }
  return out;
}

/** The commands the parser knows itself (parser.ts); the others are modules (registry.ts). */
export const CORE_HANDLERS: { [C in Exclude<Command['cmd'], 'module'>]: Handler<C> } = {
  search: (ctx, scope, c, from) => {
    const conditions = c.node ? [compileSearch(ctx, scope, c.node)] : [];
    if (scope.base && ctx.pickerRange) conditions.push(...pickerConditions(ctx, scope, c.tok));
    return keep(`SELECT * FROM ${from}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`, scope);
  },
  where: (ctx, scope, c, from) => keep(`SELECT * FROM ${from} WHERE ${ctx.fn.coalesce(compileExpr(ctx, scope, c.expr), ctx.fn.falseValue)}`, scope),
  eval: (ctx, scope, c, from) => {
    // One SELECT per assignment: later assignments see earlier ones, as in Splunk.
    let sql = '';
    let cols = scope.cols;
    for (const a of c.assignments) {
      const name = ctx.outName(a.name);
      const value = compileExpr(ctx, { ...scope, cols }, a.expr);
      const src = sql ? `(${sql})` : from;
      sql = cols.has(name) ? replacing(ctx, { ...scope, cols }, [[name, value]], [], src, 'eval', a.name) : `SELECT *, ${value} AS ${q(name)} FROM ${src}`;
      // A value of a known kind keeps comparisons on it plain (see compileExpr).
      const kind = valueKind(ctx, { ...scope, cols }, a.expr);
      const list = isListExpr(ctx, { ...scope, cols }, a.expr);
      cols = new Map(cols).set(name, list ? { list } : kind === 'number' ? { list, type: 'double' } : kind === 'text' ? { list, type: 'keyword' } : { list });
    }
    return keep(sql, { cols, base: scope.base });
  },
  stats: (ctx, scope, c, rel) => {
    const names = c.by.map((t) => ctx.outName(t));
    // list()/first()/last() follow the input order: the rows are numbered first.
    const ordered = c.aggs.some((a) => ORDERED_AGGREGATIONS.has(a.fn.text.toLowerCase()));
    const input = ordered ? numbered(ctx, scope, rel, c.tok) : rel;
    const { from, refs } = expandMultivalue(c.by.map((t) => ctx.resolve(scope, t)), input, ctx.fn);
    const by = names.map((name, i) => ({ name, ref: refs[i]! }));
    const aggs = compileAggs(ctx, scope, c.aggs, names, '', ordered ? ROW : '');
    const select = [...by.map((b) => `${b.ref.sql} AS ${q(b.name)}`), ...aggs.map((a) => `${a.sql} AS ${q(a.name)}`)];
    const positions = ctx.fn.selectKeys(by.map((b) => b.name));
    // Events without a by field are in no group; a value never null needs no test (it would be computed twice).
    const tested = by.filter((b) => !b.ref.notNull);
    const where = tested.length ? ` WHERE ${tested.map((b) => `${b.ref.sql} IS NOT NULL`).join(' AND ')}` : '';
    const group = by.length ? ` GROUP BY ${positions} ORDER BY ${positions}` : '';
    return {
      sql: normalizedStats(ctx, by, aggs, from) ?? `SELECT ${select.join(', ')} FROM ${from}${where}${group}`,
      // A by field holds the values of what it groups by: a stored column's type is kept (fillnull and comparisons read it).
      scope: derived([...by.map((b): [string, ColInfo] => [b.name, b.ref.type && !b.ref.list && !b.ref.type.endsWith('[]') ? { list: false, type: b.ref.type } : { list: b.ref.list }]), ...aggs.map((a): [string, ColInfo] => [a.name, a.type ? { list: a.list, type: a.type } : { list: a.list }])]),
    };
  },
  timechart: (ctx, scope, c, from) => compileTimechart(ctx, scope, c, from, c.by ? ctx.nextSeries() : undefined),
  table: (ctx, scope, c, from) => project(ctx, scope, c.fields, from),
  fields: (ctx, scope, c, from) => {
    if (!c.remove) return project(ctx, scope, c.fields, from);
    const names = expand(ctx, scope, c.fields).filter((n) => scope.cols.has(n));
    if (!names.length) return keep(`SELECT * FROM ${from}`, scope);
    const cols = new Map(scope.cols);
    for (const n of names) cols.delete(n);
    return keep(`SELECT ${allBut(ctx, scope, names, [], 'fields -', c.tok)} FROM ${from}`, { cols, base: scope.base });
  },
  rename: (ctx, scope, c, from) => renameStage(ctx, scope, c.pairs, from),
  sort: (ctx, scope, c, from) => {
    // Splunk's sort keeps its first 10,000 rows unless given a count (0: all).
    const count = c.limit ?? { ...c.tok, text: String(SORT_DEFAULT_LIMIT) };
    const limit = count.text !== '0' ? ` LIMIT ${ctx.limit(count.text, count)}` : '';
    return keep(`SELECT * FROM ${from} ORDER BY ${orderBy(ctx, scope, c.keys)}${limit}`, { ...scope, sorted: true });
  },
  // Raw events come newest first (see order.ts): head keeps the newest, tail the oldest.
  head: (ctx, scope, c, from) => {
    const order = inputOrder(ctx, scope, c.tok);
    return keep(`SELECT * FROM ${from}${order ? ` ${order}` : ''} LIMIT ${c.count ? ctx.limit(c.count.text, c.count) : ctx.limit('10', c.tok)}`, { ...scope, sorted: true });
  },
  tail: (ctx, scope, c, from) => {
    const n = c.count ? ctx.limit(c.count.text, c.count) : ctx.limit('10', c.tok);
    return keep(`SELECT ${allBut(ctx, scope, [ROW], [], 'tail', c.tok)} FROM ${numbered(ctx, scope, from, c.tok)} ORDER BY ${ROW} DESC LIMIT ${n}`, { ...scope, sorted: true });
  },
  dedup: compileDedup,
  top: (ctx, scope, c, from) => topRare(ctx, scope, c, from, 'DESC'),
  rare: (ctx, scope, c, from) => topRare(ctx, scope, c, from, 'ASC'),
};

function topRare(ctx: Ctx, scope: Scope, c: Extract<Command, { cmd: 'top' | 'rare' }>, from: string, dir: 'ASC' | 'DESC'): Stage {
  const by = c.by.map((t) => ({ name: ctx.outName(t), ref: ctx.resolve(scope, t) }));
  const fields = c.fields.map((t) => ({ name: ctx.outName(t), ref: ctx.resolve(scope, t) }));
  const all = [...by, ...fields];
  // limit=0: every value, as Splunk.
  const n = c.limit && Number(c.limit.text) === 0 ? null : c.limit ? ctx.number(c.limit.text, c.limit) : ctx.number('10', c.tok);
  if (!ctx.fn.nativeSpl) return topRareGrouped(ctx, c, from, dir, by, fields, n);
  const partBy = by.length ? `PARTITION BY ${by.map((b) => b.ref.sql).join(', ')} ` : '';
  const select = [...all.map((f) => `${f.ref.sql} AS ${q(f.name)}`), 'count(*) AS "count"'];
  if (c.showperc) select.push(`100.0 * count(*) / sum(count(*)) OVER (${partBy}) AS "percent"`);
  const groups = all.map((_, i) => i + 1).join(', ');
  const cols: [string, ColInfo][] = [...all.map((f): [string, ColInfo] => [f.name, { list: f.ref.list }]), ['count', { list: false }]];
  if (c.showperc) cols.push(['percent', { list: false }]);
  return {
    sql:
      `SELECT ${select.join(', ')} FROM ${from} WHERE ${fields.map((f) => `${f.ref.sql} IS NOT NULL`).join(' AND ')} GROUP BY ${groups}` +
      (n === null ? '' : ` QUALIFY row_number() OVER (${partBy}ORDER BY count(*) ${dir}, ${fields.map((f) => f.ref.sql).join(', ')}) <= ${n}`) +
      ` ORDER BY ${by.map((_, i) => `${i + 1}, `).join('')}"count" ${dir}, ${fields.map((_, i) => by.length + i + 1).join(', ')}`,
    scope: derived(cols),
  };
}

type Named = { name: string; ref: { sql: string; list: boolean } };

/**
 * top/rare without window functions (engines other than DuckDB): the counts per value, the share of
 * the total from a subquery, and per `by` group the first n through the dialect's topPerGroup.
 */
function topRareGrouped(ctx: Ctx, c: Extract<Command, { cmd: 'top' | 'rare' }>, from: string, dir: 'ASC' | 'DESC', by: Named[], fields: Named[], n: string | null): Stage {
  const all = [...by, ...fields];
  if (all.some((f) => f.ref.list)) ctx.native(`${c.cmd} of a field holding several values`, c.tok);
  const where = fields.map((f) => `${f.ref.sql} IS NOT NULL`).join(' AND ');
  const select = [...all.map((f) => `${f.ref.sql} AS ${q(f.name)}`), 'count(*) AS "count"'];
  if (c.showperc && !by.length) select.push(`100.0 * count(*) / (SELECT count(*) FROM ${from} WHERE ${where}) AS "percent"`);
  let grouped = `SELECT ${select.join(', ')} FROM ${from} WHERE ${where} GROUP BY ${ctx.fn.selectKeys(all.map((f) => f.name))}`;
  if (c.showperc && by.length) grouped = withGroupPercent(ctx, from, where, by, fields, grouped);
  const order = `"count" ${dir}, ${fields.map((f) => q(f.name)).join(', ')}`;
  const cols: [string, ColInfo][] = [...all.map((f): [string, ColInfo] => [f.name, { list: false }]), ['count', { list: false }]];
  if (c.showperc) cols.push(['percent', { list: false }]);
  const limit = n === null ? null : ctx.fn.limitCount(ctx.param(Number(c.limit?.text ?? 10)));
  const sql = !by.length
    ? `SELECT * FROM (${grouped}) ORDER BY ${order}${limit === null ? '' : ` LIMIT ${limit}`}`
    : limit === null
      ? `SELECT * FROM (${grouped}) ORDER BY ${by.map((b) => q(b.name)).join(', ')}, ${order}`
      : ctx.fn.topPerGroup({ inner: grouped, group: by.map((b) => q(b.name)).join(', '), order, limit });
  return { sql, scope: derived(cols) };
}

/**
 * The percent of each row's count in its `by` group, without window functions: the counts joined
 * with each group's total on keys that match NULL with NULL (a NULL by value is a group too).
 */
function withGroupPercent(ctx: Ctx, from: string, where: string, by: Named[], fields: Named[], grouped: string): string {
  const keys = by.map((_, i) => q(`__pt_g${i}`));
  const keyOf = (i: number, sql: string) => `${ctx.fn.groupKey(sql)} AS ${keys[i]}`;
  const counts = `SELECT *, ${by.map((b, i) => keyOf(i, q(b.name))).join(', ')} FROM (${grouped})`;
  const totals = `SELECT ${by.map((b, i) => keyOf(i, b.ref.sql)).join(', ')}, count(*) AS "__pt_total" FROM ${from} WHERE ${where} GROUP BY ${ctx.fn.selectKeys(by.map((_, i) => `__pt_g${i}`))}`;
  const cols = [...by, ...fields].map((f) => q(f.name));
  return `SELECT ${cols.join(', ')}, "count", 100.0 * "count" / "__pt_total" AS "percent" FROM ${ctx.fn.leftJoinUsing(`(${counts})`, `(${totals})`, keys)}`;
}
