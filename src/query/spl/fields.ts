import { NORMALIZERS, type FieldAlias } from './aliases.js';
import type { Expr } from './ast.js';
import { quoteIdent, type Ctx, type Ref } from './context.js';
import { Cursor } from './cursor.js';
import { SplError } from './errors.js';
import { lex } from './lexer.js';
import { parseExpr } from './parse-expr.js';
import { isListExpr, neverNull } from './expr.js';
import { columnName } from '../../store/schema.js';
import type { JsonStep } from '../../store/spl-functions.js';

/**
 * Field names as Splunk shows them, per sourcetype. A name resolves, for the events of each dataset
 * in play, to that dataset's own field (calculated `eval`, then `extract`, then a raw JSON path),
 * else to the shared alias table, else to a packettrail column (its name or ECS path). Several
 * datasets make a `CASE "event_dataset" WHEN … END`; a search pinned to one sourcetype reads its
 * field directly.
 */
export function resolveEventField(ctx: Ctx, name: string): Ref | undefined {
  const key = `event\u0000${name}`;
  const cached = ctx.fieldCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const ref = combine(ctx, name);
  ctx.fieldCache.set(key, ref ?? null);
  return ref;
}

function combine(ctx: Ctx, name: string): Ref | undefined {
  const pinned = ctx.datasets;
  const candidates = pinned ?? [...ctx.aliases.datasets.keys()];
  const branches: { dataset: string; ref: Ref }[] = [];
  for (const d of candidates) {
    const r = datasetField(ctx, d, name);
    if (r) branches.push({ dataset: d, ref: r });
  }
  const shared = sharedField(ctx, name);
  // Pinned datasets that all define the name need no fallback.
  const fallback = pinned && branches.length === pinned.length ? undefined : (shared ?? { sql: 'NULL', list: false });
  // A dataset whose own field is the shared one needs no branch of its own.
  if (fallback) branches.splice(0, branches.length, ...branches.filter((b) => b.ref.sql !== fallback.sql));
  if (!branches.length) return shared;
  if (!fallback && branches.length === 1) return branches[0]!.ref;
  const all = [...branches.map((b) => b.ref), ...(fallback ? [fallback] : [])];
  const list = all.some((r) => r.list);
  const types = new Set(all.map((r) => r.type));
  const plain = !list && types.size === 1 && !types.has(undefined);
  if (list) ctx.native(`the field '${name}', a list in some sources and not in others`, { pos: 0, end: 0 });
  const as = (r: Ref) => (list ? asList(r) : plain ? r.sql : r.sql === 'NULL' ? r.sql : ctx.fn.text(r.sql));
  // Searched CASE: ClickHouse turns `CASE x WHEN` into transform(), which takes constant results only.
  const arms = branches.map((b) => `WHEN "event_dataset" = ${ctx.param(b.dataset)} THEN ${as(b.ref)}`).join(' ');
  const sql = `(CASE ${arms}${fallback ? ` ELSE ${as(fallback)}` : ''} END)`;
  return { sql, list, type: plain ? all[0]!.type : list ? undefined : 'keyword', ...(list ? {} : { perDataset: { arms: branches, otherwise: fallback } }) };
}

function asList(r: Ref): string {
  if (r.sql === 'NULL') return 'CAST(NULL AS VARCHAR[])';
  return r.list ? `CAST(${r.sql} AS VARCHAR[])` : `(CASE WHEN ${r.sql} IS NULL THEN NULL ELSE [CAST(${r.sql} AS VARCHAR)] END)`;
}

/** A name every dataset shares: the alias table's `fields`, then a packettrail column by name or ECS path. */
export function sharedField(ctx: Ctx, name: string): Ref | undefined {
  const alias = ctx.aliases.fields.get(name);
  if (alias && !ctx.catalog.has(name)) return aliasRef(ctx, alias, undefined, name);
  const col = ctx.catalog.get(name) ?? ctx.catalog.get(columnName(name));
  if (col && col.name !== 'extra') return columnRef(ctx, col.name);
  return undefined;
}

/** A catalog column, or a typed NULL when no table read holds it (no event has the field). */
export function columnRef(ctx: Ctx, column: string): Ref {
  const col = ctx.catalog.get(column)!;
  const list = col.type === 'keyword[]';
  if (!ctx.hasColumn(column)) return { sql: ctx.fn.nullOf(list ? 'keyword[]' : col.type === 'long' ? 'long' : col.type === 'double' ? 'double' : 'keyword'), list, type: col.type };
  return { sql: quoteIdent(column), list, type: col.type };
}

function aliasRef(ctx: Ctx, alias: FieldAlias, dataset: string | undefined, name: string): Ref {
  if (alias.eval !== undefined) return calculated(ctx, dataset, name, alias.eval);
  const refs = alias.columns.map((c) => columnRef(ctx, c));
  const present = refs.filter((_, i) => ctx.hasColumn(alias.columns[i]!));
  const sql = present.length === 0 ? refs[0]!.sql : present.length === 1 ? present[0]!.sql : ctx.fn.coalesce(...present.map((r) => r.sql));
  const { list } = refs[0]!;
  // A type only when every column has it (a coalesce of a number and a text column is no number).
  const type = refs.every((r) => r.type === refs[0]!.type) ? refs[0]!.type : undefined;
  return alias.normalize ? { sql: NORMALIZERS[alias.normalize]!.sql(sql, ctx.fn), list, normalize: alias.normalize, unnormalized: sql } : { sql, list, type };
}

/** The dataset's own definition of a name, if it has one. */
function datasetField(ctx: Ctx, dataset: string, name: string): Ref | undefined {
  const fields = ctx.aliases.datasets.get(dataset);
  if (!fields) return undefined;
  const calc = fields.eval.get(name);
  if (calc) return aliasRef(ctx, calc, dataset, name);
  return extracted(ctx, dataset, name);
}

/** What a calculated field sees: the dataset's extractions and JSON paths, shared aliases and columns — never another calculated field. */
export function rawField(ctx: Ctx, dataset: string | undefined, name: string): Ref {
  const own = dataset === undefined ? undefined : extracted(ctx, dataset, name);
  if (own) return own;
  const alias = ctx.aliases.fields.get(name);
  if (alias && alias.eval === undefined && !ctx.catalog.has(name)) return aliasRef(ctx, alias, dataset, name);
  const col = ctx.catalog.get(name) ?? ctx.catalog.get(columnName(name));
  if (col && col.name !== 'extra') return columnRef(ctx, col.name);
  return { sql: 'NULL', list: false };
}

function extracted(ctx: Ctx, dataset: string, name: string): Ref | undefined {
  const key = `raw\u0000${dataset}\u0000${name}`;
  const cached = ctx.fieldCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const ref = extractedUncached(ctx, dataset, name);
  ctx.fieldCache.set(key, ref ?? null);
  return ref;
}

function extractedUncached(ctx: Ctx, dataset: string, name: string): Ref | undefined {
  const fields = ctx.aliases.datasets.get(dataset);
  if (!fields) return undefined;
  const ex = fields.extract.get(name);
  if (ex) return aliasRef(ctx, ex, dataset, name);
  return jsonField(ctx, fields.json, name);
}

/**
 * A raw JSON path as Splunk's JSON extraction names it: keys joined with `.`, `{}` after an array
 * (`requestParameters.instancesSet.items{}.instanceId`, `resources{}.ARN`). A path through an array
 * is multivalue; a path naming an object is no field (null), as Splunk extracts leaves only.
 */
function jsonField(ctx: Ctx, roots: ReadonlyMap<string, string>, name: string): Ref | undefined {
  const parts = name.split('.');
  const m = /^(.+?)((?:\{\})*)$/.exec(parts[0]!);
  const column = m ? roots.get(m[1]!) : undefined;
  if (!m || !column) return undefined;
  const steps: JsonStep[] = Array.from({ length: m[2]!.length / 2 }, () => ({ each: true }));
  for (const part of parts.slice(1)) {
    const seg = /^(.*?)((?:\{\})*)$/.exec(part)!;
    if (!seg[1]) return undefined;
    steps.push({ key: seg[1] }, ...Array.from({ length: seg[2]!.length / 2 }, () => ({ each: true }) as const));
  }
  if (!steps.length) return undefined;
  const many = steps.some((s) => 'each' in s);
  const col = columnRef(ctx, column);
  if (!ctx.hasColumn(column)) return { sql: ctx.fn.nullOf(many ? 'keyword[]' : 'keyword'), list: many, type: 'keyword' };
  const param = (v: string) => ctx.param(v);
  if (many) return { sql: ctx.fn.jsonLeaves(col.sql, steps, param), list: true, type: 'keyword[]' };
  return { sql: ctx.fn.jsonLeaf(col.sql, steps, param), list: false, type: 'keyword' };
}

/** A calculated field: its expression compiled where names are the dataset's raw fields. */
function calculated(ctx: Ctx, dataset: string | undefined, name: string, text: string): Ref {
  const expr = parseAliasExpr(text, `${dataset ?? 'fields'}.${name}`);
  // A calculated field that only names another field is that field (a multivalue JSON path stays one).
  if (expr.kind === 'field') return rawField(ctx, dataset, expr.tok.text);
  const sql = ctx.compileRaw(dataset, expr);
  // A calculated field may hold several values (mvappend of a JSON path through an array).
  const list = isListExpr(ctx, { cols: new Map(), base: false, raw: { dataset } }, expr);
  return { sql, list, ...(!list && neverNull(expr) ? { notNull: true } : {}) };
}

const parsed = new Map<string, Expr>();

/** Parses an alias file's eval expression (cached by text); a syntax error names the field. */
export function parseAliasExpr(text: string, where: string): Expr {
  let e = parsed.get(text);
  if (e) return e;
  try {
    const c = new Cursor(lex(text, { pos: 0, end: text.length }, 'expr'), text);
    e = parseExpr(c);
    c.done();
  } catch (err) {
    if (err instanceof SplError) throw new SplError(`the alias table's calculated field ${where} does not parse: ${err.reason}`, 0, 1, text);
    throw err;
  }
  parsed.set(text, e);
  return e;
}

/** The names a dataset (or all, when none is pinned) shows: for "did you mean" hints. */
export function knownFieldNames(ctx: Ctx): string[] {
  const names = new Set(ctx.aliases.fields.keys());
  for (const d of ctx.datasets ?? [...ctx.aliases.datasets.keys()]) {
    const f = ctx.aliases.datasets.get(d);
    if (!f) continue;
    for (const k of [...f.extract.keys(), ...f.eval.keys(), ...f.json.keys()]) names.add(k);
  }
  return [...names];
}
