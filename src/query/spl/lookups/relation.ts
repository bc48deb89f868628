import type { Ctx } from '../context.js';
import type { Located } from '../errors.js';
import { quoteIdent } from '../context.js';
import { ipv4Range } from '../ip.js';
import { LookupError, type LookupTable } from './catalog.js';

/** The row number column of a lookup relation: matches are taken in file order. */
export const LOOKUP_ROW = '"__pt_lrow"';

/**
 * A lookup table as a relation: its rows bound as one JSON parameter and read with json_each, so the
 * file's content never becomes SQL text and no DuckDB file access is needed (the console's store has
 * it switched off, is read-only, and its connections share no temporary tables). Columns are text,
 * named as in the file; `__pt_lrow` is the row's place in the file. For WILDCARD(<col>) columns a
 * LIKE pattern `__pt_like_<col>` is added, for CIDR(<col>) the IPv4 range `__pt_low_<col>`/`__pt_high_<col>`.
 */
export function lookupRelation(ctx: Ctx, table: LookupTable, at: Located): string {
  const extra: ((row: (string | null)[]) => string | null)[] = [];
  const names: string[] = [];
  for (const [col, type] of table.matchTypes) {
    const k = table.columns.indexOf(col);
    if (type === 'wildcard') {
      names.push(`__pt_like_${col}`);
      extra.push((r) => (r[k] === null ? null : r[k]!.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%')));
    } else if (type === 'cidr') {
      const ranges = table.rows.map((r) => (r[k] === null ? null : ipv4Range(r[k]!)));
      const bad = table.rows.findIndex((r, i) => r[k] !== null && ranges[i] === null);
      if (bad >= 0) throw ctx.error(`lookup ${table.name}: CIDR(${col}) value '${table.rows[bad]![k]}' (row ${bad + 2}) is not an IPv4 subnet: only IPv4 CIDR lookups are supported`, at);
      names.push(`__pt_low_${col}`, `__pt_high_${col}`);
      extra.push((r) => (r[k] === null ? null : String(ipv4Range(r[k]!)![0])), (r) => (r[k] === null ? null : String(ipv4Range(r[k]!)![1])));
    }
  }
  const rows = table.rows.map((r) => [...r, ...extra.map((f) => f(r))]);
  // ClickHouse reads backslash escapes in quoted identifiers (see Ctx.outName).
  const odd = ctx.fn.nativeSpl ? undefined : table.columns.find((c) => /[\\"`\x00-\x1f]/.test(c));
  if (odd !== undefined) throw ctx.error(`lookup ${table.name}: a column name with \\, " or \` ('${odd}') is not supported on a ${ctx.fn.engine} store`, at);
  const cols = [...table.columns, ...names].map(quoteIdent);
  return ctx.paramWith((params, name) => ctx.fn.textRowsParam(params, name, cols, rows, LOOKUP_ROW));
}

export { LookupError };
