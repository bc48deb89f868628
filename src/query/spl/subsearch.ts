import type { SearchNode } from './ast.js';
import { cidrValueSql } from './cidr.js';
import { compilePipeline } from './compile.js';
import { DataNeeded, quoteIdent, type Ctx, type Ref, type Scope } from './context.js';
import { SplError } from './errors.js';
import { commandWord, lex, splitPipeline, type Token } from './lexer.js';
import { parse } from './parser.js';
import { conditionFromRows } from './subsearch-rows.js';

/**
 * Subsearches in a search: `… [search … | fields a b]`. Splunk runs the subsearch first and puts
 * its results into the outer search as text, through `format`: each row `( a="v" AND b="w" )`,
 * rows ORed, an empty result `NOT ()` (nothing matches). Here the subsearch is a subquery and the
 * outer search keeps the events for which some row matches: every non-null field of the row
 * matches the event's field as a search value would (case-insensitively, `*` a wildcard).
 */

/** Rows a subsearch hands over: Splunk's `[subsearch] maxout` (limits.conf); the rest are dropped, as there. */
export const MAX_SUBSEARCH_RESULTS = 10_000;

/**
 * Generating commands: a subsearch may begin with one without a pipe (`[inputlookup x.csv | fields
 * ip]`, `[tstats …]`), and Splunk then runs it as that command. Only a search is implied otherwise.
 */
export const GENERATING_COMMANDS: ReadonlySet<string> = new Set([
  'inputlookup', 'inputcsv', 'tstats', 'mstats', 'makeresults', 'rest', 'metadata', 'metasearch', 'eventcount',
  'loadjob', 'savedsearch', 'datamodel', 'from', 'pivot', 'dbinspect', 'gentimes', 'multisearch', 'union', 'set',
]);

/** What one row of the subsearch contributes to the outer search. */
interface Term {
  /** The subsearch column holding the value. */
  column: string;
  /** The outer field it is compared with, or null for a bare term (`return $field`). */
  field: string | null;
}

type SubsearchNode = Extract<SearchNode, { kind: 'subsearch' }>;

export function compileSubsearch(ctx: Ctx, scope: Scope, node: SubsearchNode): string {
  const text = node.tok.text;
  const offset = node.tok.pos + 1;
  /** Characters put before the subsearch's text (a pipe before a generating command). */
  let shift = 0;
  const at = (inner: number) => offset + Math.min(Math.max(0, inner - shift), text.length);
  const relocate = (e: unknown): never => {
    if (e instanceof SplError && e.query !== ctx.query) throw new SplError(`in the subsearch: ${e.reason}`, at(e.offset), e.length, ctx.query);
    // An outputlookup's place, for the caller's errors about writing it.
    if (e instanceof DataNeeded && e.output && e.output.at.query !== ctx.query) e.output.at = { offset: at(e.output.at.offset), length: e.output.at.length, query: ctx.query };
    throw e;
  };
  try {
    const split = splitTail(text);
    const tail = split.tail;
    if (GENERATING_COMMANDS.has(commandWord(split.body, { pos: 0, end: split.body.length }).name)) shift = 2;
    const body = shift ? `| ${split.body}` : split.body;
    let limit = ctx.caps.subsearchResults;
    let wanted: { column: string; field: string | null }[] | undefined;
    let joins = FORMAT_DEFAULTS;
    if (tail?.name === 'return') {
      const r = parseReturn(text, tail);
      limit = Math.min(limit, r.count);
      wanted = r.items;
    } else if (tail?.name === 'format') {
      const f = parseFormat(text, tail);
      limit = Math.min(limit, f.limit);
      joins = f.joins;
    }
    // return implies fields: the named fields are the subsearch's result.
    const query = wanted ? `${body.trim() ? body : '*'} | fields ${wanted.map((w) => JSON.stringify(w.column)).join(' ')}` : body.trim() ? body : '*';
    const commands = parse(query);
    // An outputlookup in it is run first and written by the caller (commands/outputlookup.ts).
    const unsupported = commands.find((c) => c.cmd === 'timechart');
    if (unsupported) throw new SplError(`${unsupported.cmd} in a subsearch is not supported`, unsupported.tok.pos, unsupported.tok.end - unsupported.tok.pos, query);
    const child = ctx.child(query);
    const n = ctx.nextSubsearch();
    // Splunk keeps the first rows (events newest first): the cut below takes them in that order.
    const { sql, scope: out } = compilePipeline(child, commands, `sub${n}_`, true);
    if (out.base) throw new SplError('a subsearch passing on whole events is not supported: end it with fields, table, stats or return', 0, Math.max(1, body.length), body);
    const columns = [...out.cols.keys()];
    let terms: Term[];
    if (wanted) {
      for (const w of wanted) if (!out.cols.has(w.column)) child.warn(`the subsearch has no field '${w.column}' to return: it is null`);
      terms = wanted.filter((w) => out.cols.has(w.column));
    } else {
      // format: fields starting with _ are not passed; a field named search or query is search text.
      const special = columns.find((c) => c === 'search' || c === 'query');
      if (special) throw new SplError(`a subsearch returning a '${special}' field (search text built from data) is not supported`, 0, Math.max(1, body.length), body);
      terms = columns.filter((c) => !c.startsWith('_')).map((c) => ({ column: c, field: c }));
    }
    if (!terms.length) throw new SplError('the subsearch returns no field to search for (fields whose names start with _ are not passed on)', 0, Math.max(1, body.length), body);
    // The subsearch's columns are renamed so that they cannot capture the outer search's column names.
    const cols = terms.map((t, i) => `${quoteIdent(t.column)} AS "__c${i}"`);
    // Without correlated subqueries (ClickHouse) the rows are read first and their values bound.
    if (!ctx.fn.nativeSpl) return conditionFromRows(ctx, scope, `subsearch ${n}`, `SELECT ${cols.join(', ')} FROM (${sql}) LIMIT ${ctx.limit(String(limit), node)}`, terms, out, joins, node.tok);
    const rows = `(SELECT ${cols.join(', ')} FROM (${sql}) LIMIT ${ctx.number(String(limit), node)})`;
    return condition(ctx, scope, rows, terms, out, joins);
  } catch (e) {
    return relocate(e);
  }
}

/** The subsearch without a final `return`/`format`, and that command. */
function splitTail(text: string): { body: string; tail?: { name: string; pos: number; end: number } } {
  const segs = splitPipeline(text);
  const last = segs[segs.length - 1]!;
  const word = commandWord(text, last);
  if (segs.length > 1 && (word.name === 'return' || word.name === 'format')) return { body: text.slice(0, last.pos - 1), tail: { name: word.name, pos: word.end, end: last.end } };
  if (segs.length === 1 && (word.name === 'return' || word.name === 'format')) throw new SplError(`${word.name} needs a search before it`, word.pos, word.end - word.pos, text);
  return { body: text };
}

/** `return [N] [alias=field …] [field …] [$field …]`: N rows (default 1). */
function parseReturn(text: string, tail: { pos: number; end: number }): { count: number; items: { column: string; field: string | null }[] } {
  const toks = lex(text, tail, 'search').filter((t) => t.kind !== 'eof');
  let count = 1;
  const items: { column: string; field: string | null }[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (i === 0 && /^\d+$/.test(t.text) && t.kind === 'word') {
      count = Number(t.text);
      continue;
    }
    if (t.kind === 'op' && t.text === ',') continue;
    if (t.kind !== 'word' && t.kind !== 'string') throw new SplError(`expected a field to return, found '${t.text}'`, t.pos, t.end - t.pos, text);
    const eq = toks[i + 1];
    if (eq?.kind === 'op' && eq.text === '=') {
      const col = toks[i + 2];
      if (!col || (col.kind !== 'word' && col.kind !== 'string')) throw new SplError('expected alias=field', t.pos, t.end - t.pos, text);
      items.push({ column: col.text, field: t.text });
      i += 2;
    } else if (t.text.startsWith('$') && t.text.length > 1) items.push({ column: t.text.slice(1), field: null });
    else items.push({ column: t.text, field: t.text });
  }
  if (!items.length) throw new SplError('return needs a field', tail.pos, 1, text);
  return { count: count || Number.MAX_SAFE_INTEGER, items };
}

/** Values that may be CIDR notation (cidrValueSql decides): never matched by plain equality. */
const CIDR_LIKE = '[0-9A-Fa-f.:]+/[0-9]{1,3}';

/** How rows, the fields of a row and the values of a multivalue cell combine (format's strings). */
interface Joins {
  row: 'AND' | 'OR';
  column: 'AND' | 'OR';
  mv: 'AND' | 'OR';
}
const FORMAT_DEFAULTS: Joins = { row: 'OR', column: 'AND', mv: 'OR' };

/**
 * `format [mvsep=S] [maxresults=N] ["(" "(" SEP ")" SEP ")"]`: the separators may be AND or OR (in
 * capitals, as Splunk's operators); other prefixes, ends or an `emptystr=` are refused, since
 * they change how the text Splunk builds parses.
 */
function parseFormat(text: string, tail: { pos: number; end: number }): { limit: number; joins: Joins } {
  const toks = lex(text, tail, 'search').filter((t) => t.kind !== 'eof');
  const joins = { ...FORMAT_DEFAULTS };
  let limit = Number.MAX_SAFE_INTEGER;
  const strings: Token[] = [];
  const refuse = (t: Token, what: string): never => {
    throw new SplError(`format ${what} is not supported (separators AND or OR between "(" and ")" are)`, t.pos, t.end - t.pos, text);
  };
  const separator = (t: Token): 'AND' | 'OR' => (t.text === 'AND' || t.text === 'OR' ? t.text : refuse(t, `with the separator '${t.text}'`));
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const eq = toks[i + 1];
    if (t.kind === 'word' && eq?.kind === 'op' && eq.text === '=') {
      const value = toks[i + 2];
      if (!value || (value.kind !== 'word' && value.kind !== 'string')) throw new SplError(`expected a value after ${t.text}=`, t.pos, t.end - t.pos, text);
      const option = t.text.toLowerCase();
      if (option === 'maxresults' && /^\d+$/.test(value.text)) limit = Number(value.text) || Number.MAX_SAFE_INTEGER;
      else if (option === 'mvsep') joins.mv = separator(value);
      else refuse(t, `option ${t.text}=`);
      i += 2;
    } else if (t.kind === 'string') strings.push(t);
    else refuse(t, `argument '${t.text}'`);
  }
  if (strings.length && strings.length !== 6) refuse(strings[0]!, 'with other than six row and column strings');
  if (strings.length) {
    const [rowStart, colStart, colSep, colEnd, rowSep, rowEnd] = strings as [Token, Token, Token, Token, Token, Token];
    for (const [t, want] of [[rowStart, '('], [colStart, '('], [colEnd, ')'], [rowEnd, ')']] as const) if (t.text.trim() !== want) refuse(t, `with '${t.text}' where '${want}' is`);
    joins.column = separator(colSep);
    joins.row = separator(rowSep);
  }
  return { limit, joins };
}

/** A Splunk search value (text with `*` wildcards) as a LIKE pattern, in SQL. */
function pattern(v: string): string {
  return `replace(replace(replace(replace(${v}, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%')`;
}

/**
 * Does the event's field match the value `v` (a VARCHAR expression) as `field="v"` in a search
 * would: case-insensitively with `*` wildcards, or, when the value is CIDR notation, as a subnet test.
 */
function fieldMatches(ref: Ref, v: string): string {
  const one = (x: string) => cidrValueSql(x, v, `(${x} ILIKE ${pattern(v)} ESCAPE '\\')`);
  if (ref.list) return `(len(list_filter(${ref.sql}, lambda __e: ${one('__e')})) > 0)`;
  return one(`CAST(${ref.sql} AS VARCHAR)`);
}

/** A bare term: the value in any of the text fields searched by free text. */
function termMatches(ctx: Ctx, scope: Scope, v: string): string {
  const cols = scope.base ? ctx.aliases.searchText.filter((c) => ctx.hasColumn(c)) : [...scope.cols.keys()];
  if (!cols.length) return 'FALSE';
  return `(${cols.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR) ILIKE '%' || ${pattern(v)} || '%' ESCAPE '\\'`).join(' OR ')})`;
}

function condition(ctx: Ctx, scope: Scope, rows: string, terms: Term[], out: Scope, joins: Joins): string {
  const parts = terms.map((t, i) => {
    const cell = `"__sub"."__c${i}"`;
    const listCell = out.cols.get(t.column)?.list ?? false;
    const test = (v: string) => (t.field === null ? termMatches(ctx, scope, v) : fieldMatches(ctx.resolve(scope, { kind: 'word', text: t.field, pos: 0, end: 0 }), v));
    // A multivalue cell: its values joined by format's mvsep.
    const match = !listCell
      ? test(`CAST(${cell} AS VARCHAR)`)
      : joins.mv === 'OR'
        ? `(len(list_filter(${cell}, lambda __w: ${test('CAST(__w AS VARCHAR)')})) > 0)`
        : `(len(list_filter(${cell}, lambda __w: NOT coalesce(${test('CAST(__w AS VARCHAR)')}, FALSE))) = 0)`;
    const ref = t.field === null || listCell ? undefined : ctx.resolve(scope, { kind: 'word', text: t.field, pos: 0, end: 0 });
    return { cell, match, equal: ref && !ref.list ? `lower(CAST(${cell} AS VARCHAR)) = lower(CAST(${ref.sql} AS VARCHAR))` : undefined };
  });
  // A null cell puts no condition on its field; a row of nulls puts none at all (Splunk: an empty group).
  const anyValue = `(${parts.map((p) => `${p.cell} IS NOT NULL`).join(' OR ')})`;
  const row =
    joins.column === 'AND' ? parts.map((p) => `(${p.cell} IS NULL OR ${p.match})`).join(' AND ') : `(${parts.map((p) => `(${p.cell} IS NOT NULL AND ${p.match})`).join(' OR ')})`;
  const sub = `FROM ${rows} AS "__sub" WHERE ${anyValue}`;
  if (joins.row === 'OR' && joins.column === 'AND' && parts.every((p) => p.equal)) {
    // Rows of plain values (no wildcard, not CIDR notation, none null) match by equality: a hash
    // join, where the general test would be tried for every event and row.
    const plain = parts.map((p) => `(${p.cell} IS NOT NULL AND NOT contains(CAST(${p.cell} AS VARCHAR), '*') AND NOT regexp_full_match(CAST(${p.cell} AS VARCHAR), '${CIDR_LIKE}'))`).join(' AND ');
    const equal = `EXISTS (SELECT 1 FROM ${rows} AS "__sub" WHERE ${plain} AND ${parts.map((p) => p.equal).join(' AND ')})`;
    return `(${equal} OR EXISTS (SELECT 1 ${sub} AND NOT (${plain}) AND ${row}))`;
  }
  if (joins.row === 'OR') return `(EXISTS (SELECT 1 ${sub} AND ${row}))`;
  // Rows ANDed: every row matches; no row at all is still NOT () (nothing matches).
  return `(EXISTS (SELECT 1 ${sub}) AND NOT EXISTS (SELECT 1 ${sub} AND NOT coalesce(${row}, FALSE)))`;
}
