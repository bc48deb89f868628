import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { LookupError } from '../lookups/catalog.js';
import { flag, onlyDefault, readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep } from './stage.js';

interface Outputlookup {
  table: Token;
  options: Map<string, Token>;
  query: string;
}

/**
 * `outputlookup [append=] [create_empty=] [override_if_empty=] [max=N] <table>`: the results are
 * written to the lookup's CSV file (in the first lookups folder when new) and passed on. Only as the
 * last command (the caller writes what the query returns), only where writing is allowed (the
 * console is read-only), and not for results holding several values in a field (Splunk's mv CSV
 * encodings are not reproduced).
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
    if (ctx.output) throw ctx.error('one outputlookup per search', tok);
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
    ctx.output = {
      name: o.table.text,
      file,
      append,
      createEmpty: flag(o.options, 'create_empty', true, o.query),
      overrideIfEmpty: flag(o.options, 'override_if_empty', true, o.query),
      max: max ? Number(max.text) : null,
    };
    return keep(`SELECT * FROM ${from}`, scope);
  },
});
