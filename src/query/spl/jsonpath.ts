import type { Ctx } from './context.js';
import type { Located } from './errors.js';

/**
 * A Splunk JSON path (`a.b`, `items{}.id`) as a DuckDB JSONPath, and whether it selects several
 * values (`{}`: every element of an array, a multivalue in Splunk). Keys are quoted so any text is a
 * key. An element index (`a{2}`) is refused: the docs leave its base (0 or 1) unsaid for JSON.
 */
export function jsonPath(ctx: Ctx, path: string, at: Located): { path: string; many: boolean } {
  if (!path) throw ctx.error('empty path', at);
  let out = '$';
  let many = false;
  for (const part of path.split('.')) {
    const m = /^([^{}]*)((?:\{\d*\})*)$/.exec(part);
    if (!m || (!m[1] && !m[2])) throw ctx.error(`invalid path '${path}' (keys separated by dots, {} for every element of an array)`, at);
    if (m[1]) out += `."${m[1].replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    for (const idx of m[2]!.match(/\{\d*\}/g) ?? []) {
      if (idx !== '{}') throw ctx.error(`the array index in '${path}' is not supported (Splunk's base for JSON indexes is not documented): use {} for every element`, at);
      out += '[*]';
      many = true;
    }
  }
  return { path: out, many };
}

/**
 * The value at a path of a JSON text: text for a scalar, the JSON text of an object or array; a
 * list with `{}`. NULL when the text is not JSON or has nothing there.
 */
export function extractJson(ctx: Ctx, json: string, path: string, at: Located): { sql: string; many: boolean } {
  const p = jsonPath(ctx, path, at);
  const text = `CAST(${json} AS VARCHAR)`;
  const value = `json_extract_string(${text}, ${ctx.param(p.path)})`;
  const sql = p.many ? `CASE WHEN json_valid(${text}) THEN nullif(list_filter(${value}, lambda v: v IS NOT NULL), []) END` : `CASE WHEN json_valid(${text}) THEN ${value} END`;
  return { sql, many: p.many };
}
