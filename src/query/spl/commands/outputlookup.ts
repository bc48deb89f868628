import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import type { Ctx, Scope } from '../context.js';
import { LookupError, type LookupOutput } from '../lookups/catalog.js';
import { MAX_SUBSEARCH_LOOKUP_ROWS } from '../lookups/write.js';
import { flag, onlyDefault, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, q } from './stage.js';

interface Outputlookup {
  table: Token;
  options: Map<string, Token>;
  query: string;
}

/**
 * `outputlookup [append=] [create_empty=] [override_if_empty=] [max=N] <table>`: the results are
 * written to the lookup's CSV file (in the first lookups folder when new) and passed on. In the outer
 * search only as the last command (the caller writes what the query returns); in a subsearch
 * anywhere (Splunk's baseline searches): the rows reaching it are read first, written, and the rest
 * of the subsearch runs on them. Only where writing is allowed (the console is read-only), and not
 * for results holding several values in a field (Splunk's mv CSV encodings are not reproduced).
 */
export const outputlookup = commandModule<Outputlookup>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'outputlookup', ['append', 'create_empty', 'override_if_empty', 'max', 'output_format', 'createinapp'], {
      key_field: 'updating a KV store collection by key is not supported (the collection is written whole, as a CSV lookup)',
    });
    onlyDefault(options, 'output_format', (v) => v === 'splunk_sv_csv', 'only splunk_sv_csv is written', c.query);
    onlyDefault(options, 'createinapp', (v) => /^(true|t|1)$/i.test(v), 'there are no apps: the file goes into the lookups folder', c.query);
    if (options.has('max') && !/^\d+$/.test(options.get('max')!.text)) throw c.error('max must be a whole number', options.get('max'));
    const table = c.expectName('the lookup table');
    return { table, options, query: c.query };
  },
  compile(ctx, scope, o, from, tok) {
    if (!ctx.lookups) throw ctx.error('outputlookup needs a lookups folder (--lookups DIR)', tok);
    if (!ctx.lookups.writable) throw ctx.error('outputlookup writes a file: not allowed here (the console is read-only; use packettrail query)', tok);
    if (ctx.output && !ctx.inSubsearch) throw ctx.error('one outputlookup per search', tok);
    const list = [...scope.cols].find(([, c]) => c.list);
    if (list && !scope.base) throw ctx.error(`outputlookup of '${list[0]}', which holds several values, is not supported`, tok);
    if (scope.base) throw ctx.error('outputlookup of raw events is not supported: choose the columns first (table, stats)', tok);
    let file: string;
    try {
      file = ctx.lookups.outputFile(o.table.text);
    } catch (e) {
      if (e instanceof LookupError) throw ctx.error(e.message, o.table);
      throw e;
    }
    const append = flag(o.options, 'append', false, o.query);
    if (append && file.endsWith('.gz')) throw ctx.error('a .gz lookup cannot be appended to', o.table);
    const max = o.options.get('max');
    const output: LookupOutput = {
      name: o.table.text,
      file,
      append,
      createEmpty: flag(o.options, 'create_empty', true, o.query),
      overrideIfEmpty: flag(o.options, 'override_if_empty', true, o.query),
      max: max ? Number(max.text) : null,
    };
    if (ctx.inSubsearch) return keep(subsearchRows(ctx, scope, output, from, tok), scope);
    ctx.output = output;
    return keep(`SELECT * FROM ${from}`, scope);
  },
});

/** DuckDB types a column passed on through an outputlookup in a subsearch may have (cast back from text). */
const PASSABLE_TYPE = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR|DATE|TIME|TIMESTAMP|TIMESTAMP_MS|TIMESTAMP_S|TIMESTAMP_NS|INTERVAL|UUID)$/;

/**
 * An outputlookup in a subsearch: the rows reaching it are read from the store (the caller writes
 * them to the lookup, see compileSplOn) and the rest of the subsearch reads those rows, bound as one
 * JSON parameter, in their order and with their types. They are not computed again: the pipeline
 * before may read the lookup just written (`inputlookup append=t`).
 */
function subsearchRows(ctx: Ctx, scope: Scope, lookup: LookupOutput, from: string, tok: Token): string {
  const columns = [...scope.cols.keys()];
  const select = `SELECT ${columns.map((c) => `typeof(${q(c)}), CAST(${q(c)} AS VARCHAR)`).join(', ')} FROM ${from} LIMIT ${MAX_SUBSEARCH_LOOKUP_ROWS + 1}`;
  const rows = ctx.needData(`outputlookup ${ctx.nextSubsearchOutput()}`, select, { lookup, columns, at: { offset: tok.pos, length: tok.end - tok.pos, query: ctx.query } });
  // No rows: the relation's columns and types, empty.
  if (!rows.length) return `SELECT * FROM ${from} WHERE FALSE`;
  const types = columns.map((c, i) => {
    const type = String(rows[0]![2 * i]);
    if (!PASSABLE_TYPE.test(type)) throw ctx.error(`outputlookup in a subsearch: the field '${c}' is of type ${type}, which cannot be passed on`, tok);
    return type;
  });
  const json = JSON.stringify(rows.map((r) => columns.map((_, i) => r[2 * i + 1] ?? null)));
  const cols = columns.map((c, i) => `CAST("__pt_ov"[${i + 1}] AS ${types[i]}) AS ${q(c)}`);
  return `SELECT ${cols.join(', ')} FROM (SELECT CAST("key" AS BIGINT) AS "__pt_orow", CAST("value" AS VARCHAR[]) AS "__pt_ov" FROM json_each(${ctx.param(json)})) ORDER BY "__pt_orow"`;
}
