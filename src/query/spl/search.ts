import type { SearchNode } from './ast.js';
import { NORMALIZERS } from './aliases.js';
import { cidrSql, parseSearchCidr } from './cidr.js';
import { compileSubsearch } from './subsearch.js';
import { quoteIdent, type Ctx, type Ref, type Scope } from './context.js';
import { suggest } from './errors.js';
import type { Token } from './lexer.js';
import { parseTime } from './time.js';
import { datasetTable } from '../../store/store.js';

/** A Splunk wildcard value → a LIKE pattern: `*` matches anything, SQL's own wildcards are escaped. */
export function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/**
 * Compiles a search expression to a SQL condition. Splunk compares field values and terms
 * case-insensitively, so matches are ILIKE. `earliest`/`latest` become time bounds and are only
 * allowed where they bound the whole search (not under OR or NOT; `top` false: nowhere, as in a
 * condition on each event such as transaction's startswith=).
 */
export function compileSearch(ctx: Ctx, scope: Scope, node: SearchNode, top = true): string {
  return walk(ctx, scope, node, top);
}

function walk(ctx: Ctx, scope: Scope, n: SearchNode, top: boolean): string {
  switch (n.kind) {
    case 'and':
      return `(${n.items.map((i) => walk(ctx, scope, i, top)).join(' AND ')})`;
    case 'or':
      return `(${n.items.map((i) => walk(ctx, scope, i, false)).join(' OR ')})`;
    case 'not': {
      // A missing field is "not equal" too (Splunk's NOT f=v keeps events without f).
      ctx.negated++;
      try {
        return `(NOT ${ctx.fn.coalesce(walk(ctx, scope, n.item, false), ctx.fn.falseValue)})`;
      } finally {
        ctx.negated--;
      }
    }
    case 'term':
      return term(ctx, scope, n.value);
    case 'in':
      return `(${n.values.map((v) => compare(ctx, scope, n.field, '=', v, top)).join(' OR ')})`;
    case 'cmp':
      return compare(ctx, scope, n.field, n.op, n.value, top);
    case 'subsearch':
      return compileSubsearch(ctx, scope, n);
  }
}

function compare(ctx: Ctx, scope: Scope, field: Token, op: string, value: Token, top: boolean): string {
  const name = field.text.toLowerCase();
  if (scope.base && field.kind === 'word' && (name === 'earliest' || name === 'latest')) {
    if (!top || op !== '=') throw ctx.error(`${name}= bounds the whole search: use it outside OR/NOT, with '='`, field);
    const t = parseTime(value.text, ctx.now);
    if (!t) throw ctx.error(`invalid time '${value.text}' (use -24h, -7d@d, now, an epoch or 2026-11-20T10:00:00Z)`, value);
    // Splunk's latest is exclusive, earliest inclusive.
    // earliest=0 is "all time": the query chose its range, so the console's does not apply either.
    if (value.text === '0' && name === 'earliest') {
      ctx.pickerRange = undefined;
      return ctx.fn.trueValue;
    }
    const b = ctx.bounds;
    if (name === 'earliest') b.earliest = b.earliest && b.earliest > t ? b.earliest : t;
    else b.latest = b.latest && b.latest < t ? b.latest : t;
    const bound = ctx.paramWith((params, key) => ctx.fn.timeParam(params, key, t.getTime()));
    return `(${ctx.time(scope, field)} ${name === 'earliest' ? '>=' : '<'} ${bound})`;
  }
  if (scope.base && field.kind === 'word' && (name === 'index' || name === 'sourcetype')) return datasets(ctx, name, op, value);
  const ref = ctx.resolve(scope, field);
  if (op === '=' || op === '!=') {
    // A list is present when it has a value (engines without NULL lists keep a missing one empty).
    const present = `(${ref.list ? ctx.fn.listCount(ref.sql) : ref.sql} IS NOT NULL)`;
    const match = value.text === '*' ? present : matches(ctx, ref, value.text, value);
    return op === '=' ? match : `(${present} AND NOT ${ctx.fn.coalesce(match, ctx.fn.falseValue)})`;
  }
  if (ref.list) throw ctx.error(`'${field.text}' holds several values: compare it with = or !=`, field);
  return /^-?\d+(\.\d+)?$/.test(value.text)
    ? `(${ctx.fn.tryDouble(ref.sql)} ${op} ${ctx.double(Number(value.text))})`
    : `(${ctx.fn.text(ref.sql)} ${op} ${ctx.param(value.text)})`;
}

/** A whole number as text written for it (no sign on zero, no leading zeros, no wildcard). */
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/**
 * Case-insensitive equality with Splunk wildcards, or subnet membership for a CIDR value; a list
 * column matches when any element does.
 */
function matches(ctx: Ctx, ref: Ref, raw: string, at: Token): string {
  const cidr = parseSearchCidr(raw);
  if (cidr) {
    if (ref.list) return ctx.fn.anyElement(ref.sql, (v) => cidrSql(ctx, v, cidr));
    return cidrSql(ctx, ctx.fn.text(ref.sql), cidr);
  }
  // A whole-number column matches only its own decimal text (`404`, never `0404` or `404.0`): an
  // equality reads the column as stored instead of casting every row to text (same answers).
  if (CANONICAL_INTEGER.test(raw) && Number.isSafeInteger(Number(raw))) {
    if (ref.type === 'long' && !ref.list) return `(${ref.sql} = ${ctx.number(raw, at)})`;
    // A field defined per dataset: each dataset's own match (the CASE picks one value per event, as before).
    const parts = ref.perDataset;
    const each = parts ? [...parts.arms.map((a) => a.ref), ...(parts.otherwise ? [parts.otherwise] : [])] : [];
    if (parts && each.some((r) => r.type === 'long') && each.every((r) => !r.list && !r.normalize)) {
      const one = (r: Ref) => (r.sql === 'NULL' ? 'NULL' : matches(ctx, r, raw, at));
      const arms = parts.arms.map((a) => `WHEN "event_dataset" = ${ctx.param(a.dataset)} THEN ${one(a.ref)}`);
      return `(CASE ${arms.join(' ')}${parts.otherwise ? ` ELSE ${one(parts.otherwise)}` : ''} END)`;
    }
  }
  const value = ref.normalize ? NORMALIZERS[ref.normalize]!.js(raw) : raw;
  const p = ctx.param(likePattern(value));
  if (ref.list) return ctx.fn.anyElement(ref.sql, (v) => ctx.fn.ilike(v, p));
  return ctx.fn.ilike(ref.sql, p);
}

/** A bare term: a case-insensitive substring of any of the text columns. */
function term(ctx: Ctx, scope: Scope, tok: Token): string {
  const p = ctx.param(`%${likePattern(tok.text)}%`);
  const cols = scope.base ? ctx.aliases.searchText : [...scope.cols.keys()];
  if (!cols.length) throw ctx.error('no text fields to search in', tok);
  return `(${cols.map((c) => ctx.fn.ilike(quoteIdent(c), p)).join(' OR ')})`;
}

/** `index=`/`sourcetype=`: names from the alias table (or dataset ids themselves) → event_dataset. */
function datasets(ctx: Ctx, kind: 'index' | 'sourcetype', op: string, value: Token): string {
  if (op !== '=' && op !== '!=') throw ctx.error(`${kind} can only be compared with = or !=`, value);
  const ids = datasetIdsOf(ctx, kind, value);
  if (ids === null) return op === '=' ? ctx.fn.trueValue : ctx.fn.falseValue;
  if (op === '=' && !ctx.negated) for (const d of ids) ctx.askedDatasets.add(d);
  // Reading only the tables of datasets named here, every row is one of them: no test per row.
  let set = readOnly(ctx, ids) ? ctx.fn.trueValue : `"event_dataset" IN (${ids.map((d) => ctx.param(d)).join(', ')})`;
  // A sourcetype that is part of a dataset (pan:traffic, zscalernss-web) also needs its columns' values.
  const where = kind === 'sourcetype' && !value.text.includes('*') ? ctx.aliases.sourcetypeWhere.get(value.text.toLowerCase()) : undefined;
  if (where) set = `(${set} AND ${Object.entries(where).map(([c, v]) => (ctx.hasColumn(c) ? ctx.fn.coalesce(`${quoteIdent(c)} = ${ctx.param(v)}`, ctx.fn.falseValue) : ctx.fn.falseValue)).join(' AND ')})`;
  return op === '=' ? `(${set})` : `(NOT (${set}))`;
}

/** Whether every row the pipeline reads belongs to one of `ids` (it reads only their own tables, which no other known dataset shares). */
function readOnly(ctx: Ctx, ids: readonly string[]): boolean {
  const read = ctx.readDatasets;
  if (!read || !read.every((d) => ids.includes(d))) return false;
  const tables = new Set(read.map(datasetTable));
  return datasetIds(ctx).every((d) => ids.includes(d) || !tables.has(datasetTable(d)));
}

/** The datasets an `index=`/`sourcetype=` value names; null for all (`*`, `main`). Unknown names are errors. */
function datasetIdsOf(ctx: Ctx, kind: 'index' | 'sourcetype', value: Token): string[] | null {
  const table = kind === 'index' ? ctx.aliases.indexes : ctx.aliases.sourcetypes;
  const v = value.text.toLowerCase();
  if (v === '*' || v === 'main') return null;
  const re = new RegExp(`^${v.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const named = [...table.entries()].filter(([k]) => (v.includes('*') ? re.test(k) : k === v)).flatMap(([, d]) => d);
  const own = datasetIds(ctx).filter((d) => (v.includes('*') ? re.test(d) : d === v));
  const ids = [...new Set([...named, ...own])];
  if (!ids.length) {
    const hint = suggest(v, [...table.keys(), ...datasetIds(ctx)]);
    throw ctx.error(`unknown ${kind} '${value.text}'${hint.length ? `; did you mean ${hint.join(', ')}?` : ''} (extend the list with --aliases)`, value);
  }
  return ids;
}

/**
 * The datasets a base search is pinned to: every `index=`/`sourcetype=` at its top level (ANDed,
 * or an OR of such terms only). Null when the search may match any dataset.
 */
export function pinnedDatasets(ctx: Ctx, node: SearchNode | null): string[] | null {
  if (!node) return null;
  const conjuncts = node.kind === 'and' ? node.items : [node];
  let pinned: string[] | null = null;
  for (const n of conjuncts) {
    const terms = n.kind === 'or' ? n.items : [n];
    if (!terms.every((t) => t.kind === 'cmp' && t.op === '=' && t.field.kind === 'word' && /^(index|sourcetype)$/i.test(t.field.text))) continue;
    const ids = new Set<string>();
    let all = false;
    for (const t of terms as Extract<SearchNode, { kind: 'cmp' }>[]) {
      const found = datasetIdsOf(ctx, t.field.text.toLowerCase() as 'index' | 'sourcetype', t.value);
      if (found === null) all = true;
      else for (const d of found) ids.add(d);
    }
    if (all) continue;
    pinned = pinned === null ? [...ids] : pinned.filter((d) => ids.has(d));
  }
  return pinned;
}

/** Dataset ids named by the alias table: a dataset id is a valid index name too. */
function datasetIds(ctx: Ctx): string[] {
  return [...new Set([...ctx.aliases.indexes.values(), ...ctx.aliases.sourcetypes.values()].flat())];
}
