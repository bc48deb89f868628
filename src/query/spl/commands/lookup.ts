import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { FieldType } from '../../../formats/format.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { ipv4Number } from '../ip.js';
import { LookupError, type LookupTable } from '../lookups/catalog.js';
import { LOOKUP_ROW, lookupRelation } from '../lookups/relation.js';
import { suggest } from '../errors.js';
import { readOptions } from './options.js';
import { inputOrder } from './order.js';
import { commandModule } from './registry.js';
import { keep, q, ROW } from './stage.js';
import { asTimestamp } from '../timefmt.js';
import { lookupByLists } from './lookup-arrays.js';

interface Pair {
  column: Token;
  field: Token;
}

interface Lookup {
  table: Token;
  inputs: Pair[];
  outputs: Pair[] | null;
  outputNew: boolean;
}

/** The table of a name, or a compile error naming it (with the names the folders have). */
export function tableOf(ctx: Ctx, name: Token): LookupTable {
  if (!ctx.lookups) throw ctx.error(`lookup tables are not available here (no lookups folder: give --lookups DIR)`, name);
  let table: LookupTable | undefined;
  try {
    table = ctx.lookups.table(name.text);
  } catch (e) {
    if (e instanceof LookupError) throw ctx.error(e.message, name);
    throw e;
  }
  if (!table) {
    const hint = suggest(name.text, ctx.lookups.names());
    throw ctx.error(`unknown lookup '${name.text}' in ${ctx.lookups.dirs.join(', ') || 'no folder'}${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, name);
  }
  return table;
}

function pairs(c: Cursor, stop: (c: Cursor) => boolean, what: string): Pair[] {
  const out: Pair[] = [];
  while (!c.atEnd() && !stop(c)) {
    if (c.eatOp(',')) continue;
    const column = c.expectName(what);
    const field = c.eatWord('as') ? c.expectName('a field name after AS') : column;
    out.push({ column, field });
  }
  return out;
}

const isOutput = (c: Cursor) => c.isWord('output') || c.isWord('outputnew');

/**
 * `lookup [local=] [update=] <table> <column> [AS <field>]… [OUTPUT|OUTPUTNEW <column> [AS <field>]…]`:
 * each result gets the values of the rows whose columns match its fields, as Splunk: exact and
 * case-sensitive unless the definition says case_sensitive_match=false or WILDCARD(<col>)/CIDR(<col>);
 * at most max_matches rows (default 100) in file order, several making a multivalue; with
 * min_matches=1 a result without a match gets default_match. Without OUTPUT every other column is
 * written; OUTPUT overwrites the fields (a result without a match loses them), OUTPUTNEW writes only
 * fields the result lacks.
 */
export const lookup = commandModule<Lookup>({
  mode: 'search',
  parse(c: Cursor) {
    // local= and update= change where Splunk runs and refreshes the lookup; the answer is the same here
    // (one node, the file read for each query).
    readOptions(c, 'lookup', ['local', 'update'], { event_time_field: 'time-based lookups are not supported' });
    const table = c.expectName('the lookup table');
    const inputs = pairs(c, isOutput, 'a lookup column to match');
    if (!inputs.length) throw c.error('expected the lookup columns to match');
    let outputs: Pair[] | null = null;
    let outputNew = false;
    if (isOutput(c)) {
      outputNew = c.next().text.toLowerCase() === 'outputnew';
      outputs = pairs(c, () => false, 'a lookup column to output');
      if (!outputs.length) throw c.error('expected the columns to output');
    }
    return { table, inputs, outputs, outputNew };
  },
  compile(ctx, scope, l, from, tok) {
    const table = tableOf(ctx, l.table);
    const column = (t: Token) => {
      if (!table.columns.includes(t.text)) throw ctx.error(`lookup ${table.name} has no column '${t.text}' (${table.columns.join(', ')})`, t);
      return t.text;
    };
    const inputs = l.inputs.map((p) => ({ column: column(p.column), ref: ctx.resolve(scope, p.field), tok: p.field }));
    const multi = inputs.find((i) => i.ref.list);
    if (multi) throw ctx.error(`lookup on '${multi.tok.text}', which holds several values, is not supported`, multi.tok);
    const outputs = (l.outputs ?? table.columns.filter((col) => !inputs.some((i) => i.column === col)).map((col) => ({ column: { ...l.table, text: col }, field: { ...l.table, text: col } }))).map((p) => ({
      column: column(p.column),
      name: ctx.outName(p.field),
    }));
    if (!outputs.length) throw ctx.error(`lookup ${table.name} has no column to output besides the matched ones`, l.table);
    const single = table.maxMatches === 1 || uniqueKeys(table, inputs.map((i) => i.column));
    if (!ctx.fn.nativeSpl) return lookupByLists(ctx, scope, { table, inputs, outputs, single, outputNew: l.outputNew, existing: (name) => existing(ctx, scope, name) }, from, l.table);
    const rel = lookupRelation(ctx, table, l.table);
    const cond = inputs.map((i, k) => matchSql(table, i.column, `e."__pt_lk${k}"`)).join(' AND ');
    const events = `SELECT *, ${[...inputs.map((i, k) => `CAST(${i.ref.sql} AS VARCHAR) AS "__pt_lk${k}"`), `row_number() OVER (${inputOrder(ctx, scope, tok)}) AS ${ROW}`].join(', ')} FROM ${from}`;
    const firstN = `SELECT e.${ROW} AS "__pt_mrow", l.* FROM "__pt_e" AS e JOIN ${rel} AS l ON ${cond} QUALIFY row_number() OVER (PARTITION BY e.${ROW} ORDER BY l.${LOOKUP_ROW}) <= ${table.maxMatches}`;
    const matches =
      `SELECT "__pt_mrow", count(*) AS "__pt_n", ` +
      outputs.map((o, k) => `list(${q(o.column)} ORDER BY ${LOOKUP_ROW}) FILTER (WHERE ${q(o.column)} IS NOT NULL) AS "__pt_o${k}"`).join(', ') +
      ` FROM (${firstN}) GROUP BY "__pt_mrow"`;
    const cols = new Map<string, ColInfo>(scope.cols);
    const dests = outputs.map((o, k) => {
      let value = single ? `m."__pt_o${k}"[1]` : `nullif(m."__pt_o${k}", [])`;
      if (table.minMatches === 1 && table.defaultMatch !== null) {
        const d = ctx.param(table.defaultMatch);
        value = `CASE WHEN m."__pt_n" IS NULL THEN ${single ? d : `[${d}]`} ELSE ${value} END`;
      }
      const prior = existing(ctx, scope, o.name);
      let type: FieldType = 'keyword';
      if (l.outputNew && prior) {
        if (prior.list !== !single) throw ctx.error(`OUTPUTNEW into '${o.name}', which holds ${prior.list ? 'several values' : 'one value'}, from a lookup giving ${single ? 'one' : 'several'}`, l.table);
        // A time or a number the results hold stays one; the lookup's text fills the gaps as such
        // (min(_time) as firstTime, then OUTPUTNEW firstTime from a table of epoch seconds).
        const kept = single && prior.type !== undefined && TYPED[prior.type] ? prior.type : null;
        value = `coalesce(${prior.sql}, ${kept ? TYPED[kept]!(value) : value})`;
        if (kept) type = kept;
      }
      cols.set(o.name, { list: !single, ...(single ? { type } : {}) });
      return { name: o.name, value };
    });
    const replaced = dests.filter((d) => scope.cols.has(d.name)).map((d) => q(d.name));
    const hidden = [ROW, ...inputs.map((_, k) => `"__pt_lk${k}"`), ...replaced];
    const sql =
      `WITH "__pt_e" AS (${events}), "__pt_m" AS (${matches}) ` +
      `SELECT e.* EXCLUDE (${hidden.join(', ')}), ${dests.map((d) => `${d.value} AS ${q(d.name)}`).join(', ')} ` +
      `FROM "__pt_e" AS e LEFT JOIN "__pt_m" AS m ON m."__pt_mrow" = e.${ROW} ORDER BY e.${ROW}`;
    return keep(sql, { ...scope, cols, sorted: true });
  },
});

/** Whether no two rows share the matched columns (as compared): then at most one row matches a result. */
function uniqueKeys(table: LookupTable, columns: string[]): boolean {
  if (columns.some((c) => (table.matchTypes.get(c) ?? 'exact') !== 'exact')) return false;
  const idx = columns.map((c) => table.columns.indexOf(c));
  const seen = new Set<string>();
  for (const row of table.rows) {
    const key = JSON.stringify(idx.map((i) => (table.caseSensitive ? row[i] : row[i]?.toLowerCase())));
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function matchSql(table: LookupTable, column: string, value: string): string {
  const type = table.matchTypes.get(column) ?? 'exact';
  const l = `l.${q(column)}`;
  if (type === 'wildcard') return `${value} ${table.caseSensitive ? 'LIKE' : 'ILIKE'} l.${q(`__pt_like_${column}`)} ESCAPE '\\'`;
  if (type === 'cidr') return `${ipv4Number(value)} BETWEEN CAST(l.${q(`__pt_low_${column}`)} AS BIGINT) AND CAST(l.${q(`__pt_high_${column}`)} AS BIGINT)`;
  return table.caseSensitive ? `${l} = ${value}` : `lower(${l}) = lower(${value})`;
}

/** How a lookup's text is read into a field of a known non-text type. */
/** A lookup's text read as the type the results hold in a field of the same name (times, numbers). */
export const TYPED: Partial<Record<FieldType, (x: string) => string>> = {
  date: asTimestamp,
  long: (x) => `TRY_CAST(${x} AS DOUBLE)`,
  double: (x) => `TRY_CAST(${x} AS DOUBLE)`,
};

function existing(ctx: Ctx, scope: Scope, name: string): Ref | null {
  return ctx.find(scope, name) ?? null;
}
