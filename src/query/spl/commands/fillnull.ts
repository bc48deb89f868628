import type { ColInfo } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { names } from '../parse-args.js';
import { fieldsNamedLater } from './later-fields.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { expand, keep, q } from './stage.js';
import { allBut, replacing } from '../portable.js';

interface Fillnull {
  value: Token | null;
  fields: Token[];
  /** Where the command's text ends (without a field list on raw events, the fields are those named after it). */
  end: number;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Types whose text is the same on every engine (fn.text: not times, doubles or booleans); refused elsewhere off DuckDB. */
const TEXT_SAME: ReadonlySet<string> = new Set(['keyword', 'text', 'ip', 'long']);

/**
 * `fillnull [value=<v>] [<fields>]`: empty values become `v` (default 0). With fields, those fields
 * (created where missing); without, every field that has a value in some result, as Splunk (a field
 * empty in every result is not one) — on raw events, of the fields the rest of the query names. A number keeps a numeric field numeric; other values make the
 * field text.
 */
export const fillnull = commandModule<Fillnull>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'fillnull', ['value']);
    const value = options.get('value') ?? null;
    const fields = c.atEnd() ? [] : names(c, 'a field name');
    return { value, fields, end: c.peek().pos };
  },
  compile(ctx, scope, f, from, tok) {
    const raw = f.value?.text ?? '0';
    const numeric = NUMBER.test(raw);
    // Without a field list on raw events, Splunk fills every field some result has: here the Splunk
    // fields the rest of the query reads and those the pipeline made, each where some result has it.
    // packettrail's own columns are left as they are: Splunk's field aliases are computed from them.
    const targets = f.fields.length
      ? expand(ctx, scope, f.fields)
      : scope.base
        ? fieldsNamedLater(ctx, scope, ctx.query.slice(f.end), 'fillnull without a field list', tok).map((n) => n.name).filter((n) => !ctx.catalog.has(n))
        : [...scope.cols.keys()];
    const replace: [string, string][] = [];
    const add: string[] = [];
    const cols = new Map<string, ColInfo>(scope.cols);
    // Without a field list: each field's number of values over every result, beside every result.
    const counted: [string, string][] = [];
    for (const name of targets) {
      const at = f.fields.find((t) => t.text === name) ?? tok;
      const ref = ctx.find(scope, name) ?? null;
      const info = scope.cols.get(name);
      const value = () => (numeric ? ctx.number(raw, f.value ?? tok) : ctx.param(raw));
      let filled: string;
      let type: ColInfo;
      if (!ref) {
        filled = value();
        type = numeric ? { list: false, type: 'double' } : { list: false, type: 'keyword' };
      } else if (ref.list) {
        ctx.native(`fillnull of '${name}', which holds several values`, at);
        filled = `coalesce(${ref.sql}, [${ctx.param(raw)}])`;
        type = { list: true };
      } else if (numeric && (ref.type === 'long' || ref.type === 'double')) {
        filled = ctx.fn.fillNumber(ref.sql, value(), ref.type);
        type = { list: false, type: ref.type };
      } else {
        if (!TEXT_SAME.has(ref.type ?? '')) ctx.native(`fillnull of '${name}' with text (a field not known to hold text or whole numbers)`, at);
        filled = ctx.fn.coalesce(ctx.fn.text(ref.sql), ctx.param(raw));
        type = { list: false, type: 'keyword' };
      }
      // Without a field list, a field no result has is not filled (it is not a field of the results).
      if (!f.fields.length) {
        const n = `"__pt_n${counted.length}"`;
        counted.push([ref!.sql, n]);
        const unfilled = ref!.list ? ref!.sql : type.type === 'keyword' ? ctx.fn.text(ref!.sql) : ctx.fn.fillNumber(ref!.sql, 'NULL', type.type === 'long' ? 'long' : 'double');
        filled = `CASE WHEN ${n} > 0 THEN ${filled} ELSE ${unfilled} END`;
      }
      if (info) replace.push([name, filled]);
      else add.push(`${filled} AS ${q(ctx.outName({ ...at, text: name }))}`);
      cols.set(name, type);
    }
    if (!counted.length) return keep(replacing(ctx, scope, replace, add, from, 'fillnull', tok), { ...scope, cols });
    const rows = ctx.fn.withTotalCounts(from, counted.map(([sql]) => sql), counted.map(([, n]) => n));
    const filled = replacing(ctx, scope, replace, add, rows, 'fillnull', tok);
    const names = counted.map(([, n]) => n.slice(1, -1));
    return keep(`SELECT ${allBut(ctx, { ...scope, cols }, names, [], 'fillnull', tok)} FROM (${filled})`, { ...scope, cols });
  },
});
