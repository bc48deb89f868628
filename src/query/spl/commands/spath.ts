import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { extractJson } from '../jsonpath.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, nameToken, q } from './stage.js';

/** A reference that is null for every event (nothing in the store holds the field). */
const NULL_LITERAL = /^\(?\s*(?:NULL|CAST\(NULL AS [A-Z]+(?:\[\])?\))\s*\)?$/;

interface Spath {
  input: Token | null;
  output: Token | null;
  path: Token | null;
}

/**
 * `spath [input=<field>] [output=<field>] [path=]<path>`: the value at a JSON path of the input
 * (default _raw) into the output field (default the path itself); `{}` makes a multivalue of every
 * element. Without a path Splunk extracts every field of the JSON, which a fixed set of columns
 * cannot hold: refused.
 */
export const spath = commandModule<Spath>({
  mode: 'search',
  parse(c: Cursor) {
    const options = new Map<string, Token>();
    let path: Token | null = null;
    while (!c.atEnd()) {
      if (c.peek().kind === 'word' && c.isOp('=', 1)) {
        for (const [k, v] of readOptions(c, 'spath', ['input', 'output', 'path'])) options.set(k, v);
      } else {
        if (path) throw c.error('spath takes one path');
        path = c.expectName('a path');
      }
    }
    if (path && options.has('path')) throw c.error('give the path once', path);
    return { input: options.get('input') ?? null, output: options.get('output') ?? null, path: path ?? options.get('path') ?? null };
  },
  compile(ctx, scope, s, from, tok) {
    if (!s.path) throw ctx.error('spath without a path (extracting every field of the JSON) is not supported: give path=<path>', tok);
    const inputName = s.input ?? nameToken('_raw', tok);
    const input = ctx.resolve(scope, inputName);
    if (input.list) throw ctx.error('spath on a field that holds several values is not supported', s.input ?? tok);
    const absent = NULL_LITERAL.test(input.sql);
    // Splunk reads the raw event; packettrail keeps it only when asked (--original). Null values for
    // every event would be a different answer from Splunk's, so the query is refused instead.
    if (absent && inputName.text === '_raw') {
      throw ctx.error(`spath reads the raw event (_raw), which the store does not hold for these events: ingest with --original to keep it, or name a field that holds the JSON with input=`, s.input ?? tok);
    }
    const extracted = extractJson(ctx, input.sql, s.path.text, s.path);
    const many = extracted.many;
    // A field no event has: DuckDB cannot bind a JSON path on a constant NULL as a list, and the value is null anyway.
    const value = absent ? (many ? 'CAST(NULL AS VARCHAR[])' : 'CAST(NULL AS VARCHAR)') : extracted.sql;
    const name = ctx.outName(s.output ?? s.path);
    const cols = new Map(scope.cols).set(name, { list: many });
    const sql = scope.cols.has(name) ? `SELECT * REPLACE (${value} AS ${q(name)}) FROM ${from}` : `SELECT *, ${value} AS ${q(name)} FROM ${from}`;
    return keep(sql, { ...scope, cols });
  },
});
