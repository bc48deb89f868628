import { cidrSql, subsearchCidr } from './cidr.js';
import { DataNeeded, quoteIdent, type Ctx, type Ref, type Scope } from './context.js';
import { likePattern } from './search.js';
import type { Located } from './errors.js';

/**
 * A subsearch in a search on an engine without correlated subqueries (ClickHouse): run first, as
 * Splunk runs it, its rows read, and the condition written from their values as search terms are
 * (bound parameters). Same rules as the correlated form in subsearch.ts: a row's non-null cells
 * combine by format's column separator, rows by its row separator, a multivalue cell's values by
 * mvsep; a value matches case-insensitively with `*` wildcards, or as a subnet when it is CIDR.
 */

/**
 * Values matched one by one (wildcards, subnets, bare terms, multivalue cells) that one statement may
 * spell out: each is a condition of its own in the SQL text, which ClickHouse caps (max_query_size,
 * 256 KiB by default). Plain values have no such cap: they are bound as lists.
 */
export const MAX_SUBSEARCH_SPELLED_VALUES = 1_000;

export interface RowsTerm {
  column: string;
  field: string | null;
}

export interface RowsJoins {
  row: 'AND' | 'OR';
  column: 'AND' | 'OR';
  mv: 'AND' | 'OR';
}

/** A cell's values as text (DuckDB's CAST … AS VARCHAR of the same value), or null. */
function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The condition of the subsearch's `rows` (its `select` read first under `key`). */
export function conditionFromRows(ctx: Ctx, scope: Scope, key: string, select: string, terms: readonly RowsTerm[], out: Scope, joins: RowsJoins, at: Located): string {
  let data: unknown[][];
  try {
    data = ctx.needData(key, select);
  } catch (e) {
    // The subsearch's statement stands alone: it reads nothing of the pipeline around it.
    if (e instanceof DataNeeded && e.statement === undefined) e.statement = e.select;
    throw e;
  }
  const refs = terms.map((t) => (t.field === null ? null : ctx.resolve(scope, { kind: 'word', text: t.field, pos: 0, end: 0 })));
  const listCell = terms.map((t) => out.cols.get(t.column)?.list ?? false);
  let spelled = 0;
  const spell = (): void => {
    if (++spelled > MAX_SUBSEARCH_SPELLED_VALUES)
      throw ctx.error(`a subsearch handing over more than ${MAX_SUBSEARCH_SPELLED_VALUES} wildcard, subnet, free-text or multivalue values is not supported on a ${ctx.fn.engine} store`, at);
  };
  const test = (i: number, v: string): string => {
    spell();
    const ref = refs[i];
    return ref === null || ref === undefined ? termMatches(ctx, scope, v) : valueMatches(ctx, ref, v, at);
  };
  // Rows of plain values (no wildcard, not CIDR, one value per cell, on fields of one value) with
  // format's defaults are bound as lists and matched by equality, grouped by which cells are set.
  const plainGroups = new Map<string, { columns: number[]; rows: string[][] }>();
  const spelledRows: string[] = [];
  for (const raw of data) {
    const cells = raw.map((c, i) => (listCell[i] ? (Array.isArray(c) ? c.map(cellText).filter((x): x is string => x !== null) : c === null || c === undefined ? null : [cellText(c)!]) : cellText(c)));
    const set = cells.map((c, i) => [c, i] as const).filter(([c]) => c !== null);
    if (!set.length) continue;
    const plain = joins.row === 'OR' && joins.column === 'AND' && set.every(([c, i]) => typeof c === 'string' && refs[i] && !refs[i]!.list && !c.includes('*') && !subsearchCidr(c));
    if (plain) {
      const columns = set.map(([, i]) => i);
      const group = plainGroups.get(columns.join(',')) ?? { columns, rows: [] };
      group.rows.push(set.map(([c]) => c as string));
      plainGroups.set(columns.join(','), group);
      continue;
    }
    const parts = set.map(([c, i]) => {
      if (typeof c === 'string') return test(i, c);
      const each = (c as string[]).map((v) => test(i, v));
      // An empty multivalue cell: none of its values matches (OR), all of them do (AND).
      if (!each.length) return joins.mv === 'OR' ? ctx.fn.falseValue : ctx.fn.trueValue;
      return `(${each.map((x) => ctx.fn.coalesce(x, ctx.fn.falseValue)).join(` ${joins.mv} `)})`;
    });
    spelledRows.push(ctx.fn.coalesce(`(${parts.join(` ${joins.column} `)})`, ctx.fn.falseValue));
  }
  const rows = [
    ...[...plainGroups.values()].map((g) => {
      const lists = g.columns.map((_, k) => ctx.paramWith((params, name) => ctx.fn.stringListParam(params, name, g.rows.map((r) => r[k]!))));
      return ctx.fn.coalesce(ctx.fn.textRowIn(g.columns.map((i) => refs[i]!.sql), lists), ctx.fn.falseValue);
    }),
    ...spelledRows,
  ];
  // No row: Splunk's `NOT ()`, nothing matches.
  if (!rows.length) return ctx.fn.falseValue;
  return `(${rows.join(` ${joins.row} `)})`;
}

/** The field's value matching the subsearch's value as `field="value"` would: subnet or case-insensitive wildcard; any element of a list. */
function valueMatches(ctx: Ctx, ref: Ref, v: string, at: Located): string {
  const cidr = subsearchCidr(v);
  if (cidr?.version === 'ipv6') ctx.native('an IPv6 CIDR match', at);
  const one = (x: string, text: string) => (cidr ? cidrSql(ctx, text, cidr) : ctx.fn.ilike(x, ctx.param(likePattern(v))));
  if (ref.list) return ctx.fn.anyElement(ref.sql, (e) => one(e, e));
  return one(ref.sql, ctx.fn.text(ref.sql));
}

/** A bare term (`return $field`): the value in any of the text fields searched by free text. */
function termMatches(ctx: Ctx, scope: Scope, v: string): string {
  const cols = scope.base ? ctx.aliases.searchText.filter((c) => ctx.hasColumn(c)) : [...scope.cols.keys()];
  if (!cols.length) return ctx.fn.falseValue;
  const p = ctx.param(`%${likePattern(v)}%`);
  return `(${cols.map((c) => ctx.fn.ilike(quoteIdent(c), p)).join(' OR ')})`;
}
