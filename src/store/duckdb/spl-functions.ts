import type { JsonStep, SplFunctionSql } from '../spl-functions.js';

/** Whether a SQL value is a time (TIMESTAMP, TIMESTAMPTZ, DATE), decided on the value's type. */
const isTime = (x: string) => `(typeof(${x}) LIKE 'TIMESTAMP%' OR typeof(${x}) = 'DATE')`;

/**
 * Any value as a TIMESTAMP (UTC): a time as it is; a number (or numeric text) as epoch seconds, as
 * Splunk keeps times; anything else NULL. Works whatever the value's SQL type (it goes through text).
 */
export function duckdbAsTimestamp(x: string): string {
  const v = `CAST(${x} AS VARCHAR)`;
  return `CASE WHEN ${isTime(x)} THEN TRY_CAST(${v} AS TIMESTAMP) ELSE make_timestamp(CAST(TRY_CAST(${v} AS DOUBLE) * 1000000 AS BIGINT)) END`;
}

const str = (x: string) => `CAST(${x} AS VARCHAR)`;

/** Any value as epoch seconds (DOUBLE): a time's epoch, a number as it is, numeric text parsed; else NULL. */
export function asEpoch(x: string): string {
  return `CASE WHEN ${isTime(x)} THEN epoch(TRY_CAST(${str(x)} AS TIMESTAMP)) ELSE TRY_CAST(${str(x)} AS DOUBLE) END`;
}

/** Time format variables DuckDB's strftime prints under another name, and those computed beside it. */
// DuckDB's %n prints six digits and three NUL characters: times hold microseconds, the rest are zeros.
const STRFTIME_NAMES: Record<string, string> = { '3N': '%g', '6N': '%f', '9N': '%f000' };
const PAD = (sql: string) => `lpad(CAST(${sql} AS VARCHAR), 2, ' ')`;
const COMPUTED: Record<string, (t: string) => string> = {
  s: (t) => `CAST(floor(epoch(${t})) AS BIGINT)`,
  e: (t) => PAD(`day(${t})`),
  k: (t) => PAD(`hour(${t})`),
};
const STRFTIME_VARIABLES = ['Y', 'm', 'd', 'H', 'M', 'S', 'y', 'b', 'B', 'h', 'a', 'A', 'j', 'p', 'I', 'U', 'W', 'V', 'G', 'u', 'w', 'f'];

/** A JSON path as DuckDB's JSONPath, keys quoted so any text is a key. */
const jsonPath = (steps: readonly JsonStep[]) => '$' + steps.map((s) => ('key' in s ? `.${JSON.stringify(s.key)}` : '[*]')).join('');
const TRIM = { both: 'trim', left: 'ltrim', right: 'rtrim' } as const;

/** The SPL compiler's functions as DuckDB spells them (the SQL SPL has always compiled to). */
export const duckdbSplFunctions: SplFunctionSql = {
  trimChars: (side, expr, charsSql) => `${TRIM[side]}(${str(expr)}, ${charsSql})`,
  substring: (expr, start, length) => `substr(${str(expr)}, ${[start, ...(length === undefined ? [] : [length])].map((x) => `CAST(${x} AS BIGINT)`).join(', ')})`,
  hashHex: (hash, expr) => `${hash}(${str(expr)})`,
  least: (exprs, _numbers) => `least(${exprs.join(', ')})`,
  greatest: (exprs, _numbers) => `greatest(${exprs.join(', ')})`,
  regexMatchParam: (expr, pattern) => `regexp_matches(${str(expr)}, ${pattern})`,
  numberText: (x) => `CASE WHEN ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END`,
  logBase: (expr, base) => `log(${base}, ${expr})`,
  listOf: (x) => `CASE WHEN ${x} IS NOT NULL THEN [${str(x)}] END`,
  nonEmptyList: (l) => `nullif(${l}, [])`,
  listAppend: (lists) => `list_concat(${lists.map((l) => `coalesce(${l}, [])`).join(', ')})`,
  listCount: (l) => `len(${l})`,
  listIndex(l, start, end) {
    const big = (x: string) => `CAST(${x} AS BIGINT)`;
    const at = (i: string) => `(CASE WHEN ${big(i)} < 0 THEN len(${l}) + ${big(i)} ELSE ${big(i)} END)`;
    const s = at(start);
    if (end === undefined) return `CASE WHEN ${s} >= 0 AND ${s} < len(${l}) THEN ${l}[${s} + 1] END`;
    const e = at(end);
    return `CASE WHEN ${s} >= 0 AND ${s} < len(${l}) AND ${e} >= ${s} THEN nullif(${l}[${s} + 1:least(${e}, len(${l}) - 1) + 1], []) END`;
  },
  listJoin: (l, d) => `array_to_string(${l}, ${d})`,
  listDedup: (l) => `list_filter(${l}, lambda v, i: list_position(${l}, v) = i)`,
  listSortText: (l) => `list_sort(${l})`,
  listFindRegex: (l, p) => `(list_position(list_transform(${l}, lambda v: regexp_matches(v, ${p})), TRUE) - 1)`,
  listFilter: (l, param, body) => `list_filter(${l}, lambda ${param}: coalesce(${body}, FALSE))`,
  listMap: (l, param, body) => `list_filter(list_transform(${l}, lambda ${param}: CAST(${body} AS VARCHAR)), lambda v: v IS NOT NULL)`,
  listZip: (a, b, d) => `list_transform(range(1, least(len(${a}), len(${b})) + 1), lambda i: ${a}[i] || ${d} || ${b}[i])`,
  listRange: (start, end, step) => `list_transform(range(${[start, end, ...(step === undefined ? [] : [step])].map((x) => `CAST(${x} AS BIGINT)`).join(', ')}), lambda v: CAST(v AS VARCHAR))`,
  splitText: (x, d) => `string_split(${str(x)}, ${d})`,
  listValuesOr: (l, v) => `coalesce(nullif(list_filter(CAST(${l} AS VARCHAR[]), lambda v: v <> ''), []), [${v}])`,
  presentValues: (exprs) => `list_filter([${exprs.join(', ')}], lambda v: v IS NOT NULL)`,
  regexGroupByNumber: true,
  regexExtract: (x, p, g) => `regexp_extract(${x}, ${p}, ${g})`,
  regexExtractAll: (x, p, g) => `regexp_extract_all(${x}, ${p}, ${g})`,
  regexReplaceFirst: (x, p, r) => `regexp_replace(${x}, ${p}, ${r})`,
  listWhenPresent: (x, l) => `CASE WHEN ${x} IS NOT NULL THEN ${l} END`,
  listNonEmptyValues: (l) => `list_filter(${l}, lambda v: v <> '')`,
  listHeadParam: (l, n) => `${l}[1:${n}]`,
  earliestTimeOf: (t, x) => `min(${t}) FILTER (WHERE ${x} IS NOT NULL)`,
  latestTimeOf: (t, x) => `max(${t}) FILTER (WHERE ${x} IS NOT NULL)`,
  asTime: duckdbAsTimestamp,
  timeShift: (t, n, unit, param) => `(${t} + CAST(${param(`${n} ${unit}`)} AS INTERVAL))`,
  timeSnap: (t, unit, day) =>
    unit === 'week' ? `(date_trunc('day', ${t}) - to_days(CAST((dayofweek(${t}) - ${day} + 7) % 7 AS INTEGER)))` : `date_trunc('${unit}', ${t})`,
  timeVariables: new Set([...STRFTIME_VARIABLES, ...Object.keys(STRFTIME_NAMES), ...Object.keys(COMPUTED)]),
  // strftime over runs of variables and text; what it lacks computed beside it.
  formatTime(t, pieces, param) {
    const parts: string[] = [];
    let fmt = '';
    const flush = () => {
      if (fmt) parts.push(`strftime(${t}, ${param(fmt)})`);
      fmt = '';
    };
    for (const p of pieces) {
      if ('text' in p) fmt += p.text.replace(/%/g, '%%');
      else if (Object.hasOwn(COMPUTED, p.variable)) {
        flush();
        parts.push(COMPUTED[p.variable]!(t));
      } else fmt += STRFTIME_NAMES[p.variable] ?? `%${p.variable}`;
    }
    flush();
    return parts.length ? `(${parts.join(' || ')})` : `CASE WHEN ${t} IS NOT NULL THEN '' END`;
  },
  ipv6InSubnet(v, prefix) {
    const hex = ipv6Hex(v);
    const conds = [`regexp_full_match(${hex}, '[0-9a-f]{32}')`];
    if (prefix.hexParam) conds.push(`starts_with(${hex}, ${prefix.hexParam})`);
    if (prefix.rest) conds.push(`(TRY_CAST(('0x' || substr(${hex}, ${prefix.whole + 1}, 1)) AS INTEGER) >> ${4 - prefix.rest}) = ${prefix.nibble}`);
    return `(CASE WHEN ${v} IS NULL THEN NULL WHEN NOT contains(${v}, ':') OR len(string_split(${v}, '::')) > 2 THEN FALSE ELSE ${conds.join(' AND ')} END)`;
  },
  hyperbolic: (name, x) => `${name}(${x})`,
  atan2: (y, x) => `atan2(${y}, ${x})`,
  listExpandPositions: (l) => `unnest(CASE WHEN len(${l}) > 0 THEN range(1, len(${l}) + 1) ELSE [0] END)`,
  listValueAt: (l, i) => `(CASE WHEN ${i} > 0 THEN ${l}[${i}] END)`,
  jsonLeaf(json, steps, param) {
    const value = `json_extract(${json}, ${param(jsonPath(steps))})`;
    return `(CASE WHEN json_type(${value}) IN ('OBJECT', 'ARRAY', 'NULL') THEN NULL ELSE json_extract_string(${value}, '$') END)`;
  },
  // Elements that are objects are not values; an empty list is no field.
  jsonLeaves: (json, steps, param) =>
    `nullif(list_transform(list_filter(json_extract(${json}, ${param(jsonPath(steps))}), lambda v: json_type(v) NOT IN ('OBJECT', 'ARRAY', 'NULL')), lambda v: json_extract_string(v, '$')), [])`,
};

/** SQL: the 32 hex digits of an IPv6 address text: groups with '::' expanded, each padded to 4 digits. */
export function ipv6Hex(v: string): string {
  const halves = `string_split(lower(${v}), '::')`;
  const groups = (s: string) => `list_filter(string_split(${s}, ':'), lambda g: g <> '')`;
  const left = groups(`${halves}[1]`);
  const right = `(CASE WHEN len(${halves}) = 2 THEN ${groups(`${halves}[2]`)} ELSE [] END)`;
  const full = `(CASE WHEN len(${halves}) = 2 THEN list_concat(${left}, list_transform(range(greatest(0, 8 - len(${left}) - len(${right}))), lambda x: '0'), ${right}) ELSE ${left} END)`;
  return `array_to_string(list_transform(${full}, lambda g: lpad(g, 4, '0')), '')`;
}
