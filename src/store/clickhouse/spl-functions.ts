import type { SplFunctionSql, TimeUnit } from '../spl-functions.js';
import { clickhouseJsonLeaf, clickhouseJsonLeaves } from './json-paths.js';
import { literal } from './literals.js';
import { addMonths, CLICKHOUSE_TIME_VARIABLES, formatTime, monthIndex, monthStart, weekStart } from './calendar.js';
import { clickhouseAtan2, clickhouseHyperbolic } from './hyperbolic.js';

const str = (x: string) => `toString(${x})`;
/** RE2 escapes for characters of a bracket expression. */
const classChars = (chars: string) => chars.replace(/[\\\]\[^-]/g, (c) => `\\${c}`);
/** The non-NULL values of the arguments, as an array (18.16's least/greatest take two numbers). */
const present = (exprs: readonly string[], numbers: boolean) => `arrayFilter(v -> isNotNull(v), [${(numbers ? exprs.map((x) => `toFloat64(${x})`) : exprs).join(', ')}])`;
/** Seconds of the units of fixed length. */
const SECONDS: Partial<Record<TimeUnit, number>> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
const MONTHS: Partial<Record<TimeUnit, number>> = { month: 1, quarter: 3, year: 12 };
const HASH = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' } as const;

/**
 * The SPL compiler's functions in SQL that ClickHouse 18.16 and current releases both accept, giving
 * DuckDB's answers (src/query/spl/engines.test.ts compares them on the demo scenario).
 */
export const clickhouseSplFunctions: SplFunctionSql = {
  trimChars(side, expr, _charsSql, chars) {
    if (!chars) return str(expr);
    const set = `[${classChars(chars)}]+`;
    const pattern = side === 'both' ? `^${set}|${set}$` : side === 'left' ? `^${set}` : `${set}$`;
    return `replaceRegexpAll(${str(expr)}, ${literal(pattern)}, '')`;
  },
  // DuckDB's substr in characters: positions [p, p + length) within [1, n], p = start, or n + start + 1
  // when negative. 18.16's substringUTF8 takes only constant positions: the characters as an array.
  substring(expr, start, length) {
    const chars = `extractAll(ifNull(${str(expr)}, ''), '(?s).')`;
    const n = `toInt64(length(${chars}))`;
    const p = `if(toInt64(${start}) < 0, ${n} + toInt64(${start}) + 1, toInt64(${start}))`;
    const from = `greatest(${p}, toInt64(1))`;
    const to = length === undefined ? `(${n} + 1)` : `(${p} + toInt64(${length}))`;
    return `if(isNull(${expr}), NULL, arrayStringConcat(arraySlice(${chars}, ${from}, greatest(${to} - ${from}, toInt64(0)))))`;
  },
  hashHex: (hash, expr) => `lower(hex(${HASH[hash]}(${str(expr)})))`,
  least: (exprs, numbers) => `if(empty(${present(exprs, numbers)}), NULL, arrayReduce('min', ${present(exprs, numbers)}))`,
  greatest: (exprs, numbers) => `if(empty(${present(exprs, numbers)}), NULL, arrayReduce('max', ${present(exprs, numbers)}))`,
  regexMatchParam: (expr, pattern) => `match(${str(expr)}, ${pattern})`,
  // 18.16's if() refuses a constant Nullable condition: ifNull makes it plain.
  numberText: (x) => `if(ifNull(${x} = floor(${x}) AND abs(${x}) < 1e15, 0), toString(toInt64(${x})), toString(${x}))`,
  logBase: (expr, base) => `(log(${expr}) / log(${base}))`,
  listOf: (x) => `if(isNull(${x}), emptyArrayString(), [ifNull(${str(x)}, '')])`,
  nonEmptyList: (l) => l,
  listAppend: (lists) => (lists.length === 1 ? lists[0]! : `arrayConcat(${lists.join(', ')})`),
  listCount: (l) => `if(empty(${l}), NULL, length(${l}))`,
  listIndex(l, start, end) {
    const n = `toInt64(length(${l}))`;
    const at = (i: string) => `if(toInt64(${i}) < 0, ${n} + toInt64(${i}), toInt64(${i}))`;
    const s = at(start);
    // The index as UInt64: 18.16 reads a constant Int64 index of a column's array as out of range ('').
    if (end === undefined) return `if(${s} >= 0 AND ${s} < ${n}, ${l}[toUInt64(${s} + 1)], NULL)`;
    const e = at(end);
    return `if(${s} >= 0 AND ${s} < ${n} AND ${e} >= ${s}, arraySlice(${l}, ${s} + 1, least(${e}, ${n} - 1) - ${s} + 1), emptyArrayString())`;
  },
  listJoin: (l, d) => `if(empty(${l}), NULL, arrayStringConcat(${l}, ${d}))`,
  listDedup: (l) => `arrayDistinct(${l})`,
  listSortText: (l) => `arraySort(${l})`,
  listFindRegex(l, p) {
    const i = `indexOf(arrayMap(v -> match(v, ${p}), ${l}), 1)`;
    return `if(${i} = 0, NULL, toInt64(${i}) - 1)`;
  },
  listFilter: (l, param, body) => `arrayFilter(${param} -> ifNull(${body}, 0), ${l})`,
  listMap: (l, param, body) => `arrayMap(v -> assumeNotNull(v), arrayFilter(v -> isNotNull(v), arrayMap(${param} -> ${str(body)}, ${l})))`,
  listZip(a, b, d) {
    const n = `least(length(${a}), length(${b}))`;
    return `arrayMap((x, y) -> concat(x, ${d}, y), arraySlice(${a}, 1, ${n}), arraySlice(${b}, 1, ${n}))`;
  },
  listRange(start, end, step) {
    const s = `toInt64(${start})`;
    const by = step === undefined ? 'toInt64(1)' : `toInt64(${step})`;
    const count = `toUInt64(greatest(toInt64(0), toInt64(ceil((toInt64(${end}) - ${s}) / ${by}))))`;
    return `arrayMap(i -> toString(${s} + toInt64(i) * ${by}), range(${count}))`;
  },
  splitText(x, d, text) {
    const value = `ifNull(${str(x)}, '')`;
    return text === '' ? `extractAll(${value}, '(?s).')` : `if(isNull(${x}), emptyArrayString(), splitByString(${d}, ${value}))`;
  },
  listValuesOr(l, v) {
    const values = `arrayFilter(v -> v != '', ${l})`;
    return `if(empty(${values}), [${v}], ${values})`;
  },
  presentValues: (exprs) => `arrayMap(v -> assumeNotNull(v), arrayFilter(v -> isNotNull(v), [${exprs.join(', ')}]))`,
  regexGroupByNumber: false,
  regexExtract: (x, p) => `extract(${x}, ${p})`,
  regexExtractAll: (x, p) => `extractAll(ifNull(${x}, ''), ${p})`,
  regexReplaceFirst: (x, p, r) => `replaceRegexpOne(${x}, ${p}, ${r})`,
  listWhenPresent: (x, l) => `if(isNull(${x}), emptyArrayString(), ${l})`,
  listNonEmptyValues: (l) => `arrayFilter(v -> v != '', ${l})`,
  listHeadParam: (l, n) => `arraySlice(${l}, 1, ${n})`,
  // A time column is not Nullable, and 18.16's minIf of no row is 0 even over a Nullable one.
  earliestTimeOf: (t, x) => `min(if(isNotNull(${x}), toNullable(${t}), NULL))`,
  latestTimeOf: (t, x) => `max(if(isNotNull(${x}), toNullable(${t}), NULL))`,
  // Epoch seconds: a time's Decimal reads as its seconds, as a number does.
  asTime: (x) => `toDecimal64(toFloat64OrNull(${str(x)}), 3)`,
  timeShift(t, n, unit, param) {
    const seconds = SECONDS[unit];
    if (seconds !== undefined) return `(${t} + toDecimal64(${param(n * seconds)}, 3))`;
    // By the calendar (any year: 18.16's addMonths works on DateTime, 1970 to 2106); the time of day kept.
    return addMonths(t, param(n * MONTHS[unit]!));
  },
  timeSnap(t, unit, day) {
    const months = MONTHS[unit];
    if (months !== undefined) return monthStart(`intDiv(${monthIndex(t)}, ${months}) * ${months}`);
    if (unit !== 'week') return `toDecimal64(floor(toFloat64(${t}) / ${SECONDS[unit]!}) * ${SECONDS[unit]!}, 3)`;
    return weekStart(t, day);
  },
  timeVariables: CLICKHOUSE_TIME_VARIABLES,
  formatTime,
  ipv6InSubnet(v, prefix) {
    const hex = ipv6Hex(v);
    const conds = [`match(${hex}, '^[0-9a-f]{32}$')`];
    if (prefix.hexParam) conds.push(`startsWith(${hex}, ${prefix.hexParam})`);
    if (prefix.rest) conds.push(`bitShiftRight(reinterpretAsUInt8(unhex(concat('0', substring(${hex}, ${prefix.whole + 1}, 1)))), ${4 - prefix.rest}) = ${prefix.nibble}`);
    const text = `ifNull(${v}, '')`;
    return `(CASE WHEN ${v} IS NULL THEN NULL WHEN position(${text}, ':') = 0 OR length(splitByString('::', ${text})) > 2 THEN 0 ELSE ${conds.join(' AND ')} END)`;
  },
  hyperbolic: clickhouseHyperbolic,
  atan2: clickhouseAtan2,
  listExpandPositions: (l) => `arrayJoin(if(empty(${l}), [toUInt32(0)], arrayEnumerate(${l})))`,
  listValueAt: (l, i) => `if(${i} = 0, NULL, toNullable(${l}[${i}]))`,
  jsonLeaf: clickhouseJsonLeaf,
  jsonLeaves: clickhouseJsonLeaves,
};

/** DuckDB's ipv6Hex (duckdb/spl-functions.ts) step for step: groups with '::' expanded, each padded (or cut) to 4 digits. */
function ipv6Hex(v: string): string {
  const halves = `splitByString('::', lower(ifNull(${v}, '')))`;
  const groups = (s: string) => `arrayFilter(g -> g != '', splitByChar(':', ${s}))`;
  const left = groups(`${halves}[1]`);
  const right = `if(length(${halves}) = 2, ${groups(`${halves}[2]`)}, emptyArrayString())`;
  const zeros = `arrayMap(x -> '0', range(toUInt64(greatest(toInt64(0), 8 - toInt64(length(${left})) - toInt64(length(${right}))))))`;
  const full = `if(length(${halves}) = 2, arrayConcat(${left}, ${zeros}, ${right}), ${left})`;
  const pad = `if(length(g) >= 4, substring(g, 1, 4), concat(substring('000', 1, toUInt64(greatest(toInt64(0), 4 - toInt64(length(g))))), g))`;
  return `arrayStringConcat(arrayMap(g -> ${pad}, ${full}), '')`;
}
