import type { JsonStep } from '../spl-functions.js';
import { literal } from './literals.js';

/**
 * JSON paths on ClickHouse 18.16, which has no JSON parser beyond visitParamExtract* (a key searched
 * at any depth: a different answer wherever the name repeats). The text is cut into JSON tokens
 * (strings, numbers and words, punctuation), the depth of each is a running sum of the brackets, and
 * a leaf is at a path when, at every level of the path, the last key (or opening bracket) at that
 * depth before it is the path's key (or `[` for `{}`). Exact on JSON text, which the store's json
 * columns hold (written by JSON.stringify); the cost grows with the length of the text.
 */

/** One JSON token: a string with its escapes, a bracket, a colon or comma, or a number/true/false/null. */
const TOKEN = '"(?:[^"\\\\]|\\\\.)*"|[{}\\[\\]:,]|[^{}\\[\\]:,"\\s]+';

/** The tokens of the text, bound to `t` in `body`, their depths to `d`, whether a colon follows to `k` (the token is a key). */
function withTokens(json: string, body: string): string {
  const tokens = `extractAll(ifNull(toString(${json}), ''), ${literal(TOKEN)})`;
  const depths = `arrayCumSum(arrayMap(x -> multiIf(x = '{' OR x = '[', 1, x = '}' OR x = ']', -1, 0), t))`;
  const keys = `arrayMap(x -> x = ':', arrayPopFront(arrayPushBack(t, '')))`;
  return `arrayMap(t -> arrayMap(d -> arrayMap(k -> ${body}, [${keys}])[1], [${depths}])[1], [${tokens}])[1]`;
}

/**
 * For every token, the last key or opening bracket at depth `level` at or before it ('' when none):
 * what the token sits under at that level.
 */
function lastAtLevel(level: number): string {
  const marks = `arrayMap((x, y, z) -> y = ${level} AND (z OR x = '{' OR x = '['), t, d, k)`;
  // Lambdas over several arrays rather than indexes into captured ones: a captured array is copied for every element.
  return `arrayMap(m -> arrayMap(p -> arrayMap(c -> if(c = 0, '', p[c]), arrayCumSum(m)), [arrayFilter((x, y) -> y, t, m)])[1], [${marks}])[1]`;
}

/**
 * The leaves at the path, in the text's order, as text: a string decoded, a number or true/false as
 * written. Objects, arrays and nulls are no leaf (their members are deeper than the path).
 */
export function clickhouseJsonLeaves(json: string, steps: readonly JsonStep[], param: (v: string) => string): string {
  const under = steps.map((_, i) => `l${i + 1}`);
  const conds = steps.map((s, i) => `${under[i]}u = ${'key' in s ? param(JSON.stringify(s.key)) : "'['"}`);
  const leaf = `y = ${steps.length} AND NOT z AND NOT has(['{', '}', '[', ']', ':', ',', 'null'], x)`;
  let leaves = `arrayFilter((${['x', 'y', 'z', ...under.map((u) => `${u}u`)].join(', ')}) -> ${[leaf, ...conds].join(' AND ')}, ${['t', 'd', 'k', ...under].join(', ')})`;
  // Bind each level's array once (a lambda over a one-element array), innermost last.
  for (let i = steps.length - 1; i >= 0; i--) leaves = `arrayMap(${under[i]} -> ${leaves}, [${lastAtLevel(i + 1)}])[1]`;
  const decode = `arrayMap(x -> if(startsWith(x, '"'), visitParamExtractString(concat('{"v":', x, '}'), 'v'), x), ${leaves})`;
  return withTokens(json, decode);
}

/** The one leaf at a path of keys (the first, should a key repeat), NULL when there is none. */
export function clickhouseJsonLeaf(json: string, steps: readonly JsonStep[], param: (v: string) => string): string {
  const leaves = clickhouseJsonLeaves(json, steps, param);
  return `arrayMap(v -> if(empty(v), NULL, toNullable(v[1])), [${leaves}])[1]`;
}
