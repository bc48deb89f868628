import type { FieldType } from '../../formats/format.js';
import { monthIndex, monthStart } from './calendar.js';
import { inlineNamedQueries, wholeMs, type GroupingKey, type SqlExpressions } from '../expressions.js';
import { clickhouseSplFunctions } from './spl-functions.js';

/** The design's column types (Array cannot be NULL: a missing list is empty). */
const NULLS: Record<FieldType, string> = {
  keyword: 'CAST(NULL AS Nullable(String))', text: 'CAST(NULL AS Nullable(String))', ip: 'CAST(NULL AS Nullable(String))', json: 'CAST(NULL AS Nullable(String))',
  long: 'CAST(NULL AS Nullable(Int64))', double: 'CAST(NULL AS Nullable(Float64))', boolean: 'CAST(NULL AS Nullable(UInt8))',
  date: 'CAST(NULL AS Nullable(Decimal(18, 3)))', 'keyword[]': 'emptyArrayString()',
};

/**
 * Epoch ms → ClickHouse's time value: epoch seconds with milliseconds (`1795161616.363`), the text
 * `toDecimal64(…, 3)` reads exactly (18.16 cannot compare Decimal with Float64, so no numbers).
 */
export function clickhouseTimeValue(ms: number): string {
  const whole = wholeMs(ms);
  const abs = Math.abs(whole);
  return `${whole < 0 ? '-' : ''}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/**
 * A list parameter as one string ClickHouse 18.16 can take apart (it has no JSON arrays): each value
 * after a comma, with `%` and `,` percent-encoded, so `decodeURLComponent` restores it exactly.
 * `[]` → '', `['']` → ',', `['a', 'b,c']` → ',a,b%2Cc'.
 */
export function clickhouseStringList(values: readonly string[]): string {
  return values.map((v) => `,${v.replace(/%/g, '%25').replace(/,/g, '%2C')}`).join('');
}

/** The dataset tables' columns and row counts, the counts read from `parts` (a table expression over system.parts). */
function datasetTablesSql(parts: string, database = 'currentDatabase()'): string {
  return `SELECT c.t, c.name, c.type, ifNull(p.n, 0) FROM
      (SELECT table AS t, name, type FROM system.columns WHERE database = currentDatabase() AND startsWith(table, 'events_') AND NOT endsWith(table, '_local')) AS c
      ANY LEFT JOIN (SELECT replaceRegexpOne(table, '_local$', '') AS t, sum(rows) AS n FROM ${parts} WHERE active AND database = ${database} GROUP BY t) AS p
      USING t`;
}

/**
 * The expressions of a cluster's store: table row counts summed over every shard (`cluster(…)`), as
 * the trail orders its searches by them (smallest first) and must order them as on one node.
 * `cluster` and `database` are the store URL's, written as literals.
 */
export function clusterExpressions(cluster: string, database: string): SqlExpressions {
  const quote = (text: string) => clickhouseExpressions.literal(text);
  return { ...clickhouseExpressions, datasetTablesSql: datasetTablesSql(`cluster(${quote(cluster)}, system, parts)`, quote(database)) };
}

const sorted = (expr: string) => `arraySort(groupArray(${expr}))`;

/**
 * The expressions in SQL that ClickHouse 18.16 and current releases both accept. Where 18.16 lacks a
 * function (exact mode, interpolated quantiles), the group's values are collected into a sorted array
 * and the answer is computed from it exactly as DuckDB defines it.
 */
export const clickhouseExpressions: SqlExpressions = {
  ...clickhouseSplFunctions,
  // A cluster's dataset table is Distributed: its rows are in `<table>_local` (this node's shard here;
  // a cluster's store sums every shard's, see clusterExpressions).
  datasetTablesSql: datasetTablesSql('system.parts'),
  typeKind(type) {
    const inner = /^Nullable\((.*)\)$/.exec(type)?.[1] ?? type;
    // Decimal(18, 3) is the schema's time type (epoch seconds with milliseconds).
    if (inner === 'Decimal(18, 3)') return 'time';
    return inner.startsWith('Array(') ? 'list' : /^(U?Int\d+|Float\d+|Decimal)/.test(inner) ? 'number' : 'other';
  },

  nullOf: (type) => NULLS[type],

  groupingSets(q) {
    const branches = q.sets.map((set) => {
      const has = new Set(set);
      const key = (name: string) => {
        const k = q.keys.find((x) => x.name === name)!;
        return has.has(name) ? k.expr : NULLS[k.type];
      };
      return `SELECT ${q.select(key, (name) => (has.has(name) ? '0' : '1'))} FROM ${q.from} WHERE ${q.where} GROUP BY ${set.join(', ')}`;
    });
    return branches.join('\nUNION ALL ');
  },
  // One scan grouped by every key, each group's values collected (unsorted); ARRAY JOIN gives every
  // such group one row per set, whose keys outside the set are NULL; the collections are merged per
  // set and sorted once. The per-set scans of groupingSets read the rows once per set.
  quantilesBySets(q) {
    const inner = q.keys.map((_, n) => `__pt_k${n}`);
    const values = q.values.map((_, n) => `__pt_v${n}`);
    const scan = `SELECT ${[...q.keys.map((k, n) => `${k.expr} AS ${inner[n]}`), ...q.values.map((v, n) => `groupArray(${v.expr}) AS ${values[n]}`)].join(', ')}
      FROM ${q.from} WHERE ${q.where} GROUP BY ${inner.join(', ')}`;
    const key = (k: GroupingKey, n: number) => `if(has([${q.sets.flatMap((s, i) => (s.includes(k.name) ? [i] : [])).join(', ')}], grouping_set), toNullable(${inner[n]}), ${NULLS[k.type]})`;
    const quantiles = (v: string) => {
      const a = `arraySort(groupArrayArray(${v}))`;
      return `[${q.qs.map((x) => `if(empty(${a}), NULL, ${a}[toUInt64(floor((toFloat64(length(${a})) - 1) * ${x})) + 1])`).join(', ')}]`;
    };
    const select = [...q.keys.map((k, n) => `${key(k, n)} AS ${k.name}`), 'grouping_set', ...q.values.map((v, n) => `${quantiles(values[n]!)} AS ${v.name}`)];
    return `SELECT ${select.join(', ')} FROM (${scan}) ARRAY JOIN [${q.sets.map((_, i) => i).join(', ')}] AS grouping_set
      GROUP BY grouping_set, ${q.keys.map((k) => k.name).join(', ')}`;
  },
  // Rows kept whatever their rank each get a group of their own (rowNumberInAllBlocks is unique per row).
  topPerGroup: (q) =>
    `SELECT * FROM (${q.inner}) ORDER BY ${q.group}, ${q.order} LIMIT ${q.limit} BY ${q.group}${q.keepAll ? `, if(${q.keepAll}, rowNumberInAllBlocks(), 0)` : ''}`,

  literal: (text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  always: '1',

  timeParam(params, name, ms) {
    params[name] = clickhouseTimeValue(ms);
    return `toDecimal64($${name}, 3)`;
  },
  epochMs: (expr) => `toInt64(${expr} * 1000)`,
  epochUs: (expr) => `(toInt64(${expr} * 1000) * 1000)`,
  // DuckDB's epoch() is the double nearest to the exact seconds; toFloat64 of the Decimal is the same double.
  bucketIndex: (expr, width) => `toInt64(floor(toFloat64(${expr}) / ${width}))`,
  timeText: (expr) => `toString(${expr})`,
  timeTextParam(params, name, text) {
    params[name] = text;
    return `toDecimal64($${name}, 3)`;
  },

  intDiv: (a, b) => `intDiv(${a}, ${b})`,
  // toInt32OrNull wraps out-of-range values around; DuckDB's TRY_CAST gives NULL, and allows surrounding spaces.
  tryInteger(expr) {
    const wide = `toInt64OrNull(replaceRegexpAll(toString(${expr}), '^ +| +$', ''))`;
    return `(CASE WHEN ${wide} BETWEEN -2147483648 AND 2147483647 THEN toInt32(${wide}) END)`;
  },
  // Nested ifNull: 18.16's COALESCE of several arguments, united and then sorted, corrupts memory
  // ("Memory limit exceeded: would use 128.00 TiB", then the server dies).
  coalesce: (...exprs) => exprs.reduce((a, b) => `ifNull(${a}, ${b})`),
  text: (expr) => `toString(${expr})`,

  regexMatches(expr, pattern) {
    return `match(${expr}, ${this.literal(pattern)})`;
  },
  regexExtractFirst(expr, pattern) {
    return `extract(${expr}, ${this.literal(pattern)})`;
  },
  startsWith(expr, prefix) {
    return `startsWith(${expr}, ${this.literal(prefix)})`;
  },
  contains(expr, needle) {
    return `(position(${expr}, ${this.literal(needle)}) > 0)`;
  },
  lower: (expr) => `lowerUTF8(${expr})`,
  urlDecode: (expr) => `decodeURLComponent(${expr})`,

  listContains: (l, value) => `has(${l}, ${value})`,
  stringListParam(params, name, values) {
    params[name] = clickhouseStringList(values);
    return `arrayMap(x -> decodeURLComponent(x), arrayPopFront(splitByChar(',', $${name})))`;
  },
  inList: (expr, l) => `${expr} IN (SELECT arrayJoin(${l}))`,
  listHead: (l, n) => `arraySlice(${l}, 1, ${Math.trunc(n)})`,

  // A group whose conditions are all NULL counts 0, not NULL.
  countIf: (cond) => `countIf(ifNull(${cond}, 0))`,
  anyValue: (expr) => `any(${expr})`,
  argMax: (arg, value) => `argMax(${arg}, ${value})`,
  mode(expr) {
    const all = `groupArray(${expr})`;
    const distinct = `arraySort(arrayDistinct(${all}))`;
    const counts = `arrayMap(v -> countEqual(${all}, v), ${distinct})`;
    return `if(empty(${all}), NULL, ${distinct}[indexOf(${counts}, arrayReduce('max', ${counts}))])`;
  },
  quantileCont(expr, q) {
    const a = sorted(`toFloat64(${expr})`);
    const pos = `((toFloat64(length(${a})) - 1) * ${q})`;
    const lo = `${a}[toUInt64(floor(${pos})) + 1]`;
    const hi = `${a}[toUInt64(ceil(${pos})) + 1]`;
    const d = `(${pos} - floor(${pos}))`;
    // DuckDB: lo when the position is whole, else lo × (1 − d) + hi × d in doubles (d: the position's fraction).
    return `if(empty(${a}), NULL, if(floor(${pos}) = ceil(${pos}), ${lo}, ${lo} * (1 - ${d}) + ${hi} * ${d}))`;
  },
  // One element per quantile, written out: 18.16's lambdas cannot read the group's aggregates.
  lowerQuantiles(expr, qs) {
    const a = sorted(expr);
    return `[${qs.map((q) => `if(empty(${a}), NULL, ${a}[toUInt64(floor((toFloat64(length(${a})) - 1) * ${q})) + 1])`).join(', ')}]`;
  },
  listSorted: (expr, orderBy) => `arrayMap(t -> t.2, arraySort(groupArray((${orderBy}, ${expr}))))`,
  listSortedIf: (expr, orderBy, cond) => `arrayMap(t -> t.2, arraySort(groupArrayIf((${orderBy}, ${expr}), ${cond})))`,
  // Wrapped in a tuple, NULL is a value groupUniqArray keeps (DuckDB lists it, last).
  distinctSorted: (expr) => `arrayMap(t -> t.1, arraySort(groupUniqArray(tuple(${expr}))))`,

  // --- insights views (issue 24)
  timeMin: (expr) => `min(toNullable(${expr}))`,
  timeMax: (expr) => `max(toNullable(${expr}))`,
  withTable: (_name, sql, body) => body(`(${sql})`),
  // The kept rows (few) joined with every row of their partition, the span's values summed.
  precedingSum(q) {
    const keys = q.partition.join(', ');
    return `SELECT ${keys}, ${q.order}, ${q.value}, sum(if(other_order >= ${q.order} - ${q.span} AND other_order < ${q.order}, other_value, 0)) AS ${q.as}
      FROM (SELECT * FROM (${q.inner}) WHERE ${q.keep})
      ALL INNER JOIN (SELECT ${keys}, ${q.order} AS other_order, ${q.value} AS other_value FROM (${q.inner})) USING (${keys})
      GROUP BY ${keys}, ${q.order}, ${q.value}`;
  },
  // Each partition's rows as one sorted array of tuples (order first), spread out again by ARRAY JOIN
  // with the lagged column shifted by one.
  lag(q) {
    const cols = [q.order, ...q.columns];
    const at = cols.indexOf(q.lag) + 1;
    const keys = q.partition.join(', ');
    return `SELECT ${keys}, ${cols.map((c, i) => `lag_c${i} AS ${c}`).join(', ')}, lag_prev AS ${q.as} FROM (
        SELECT ${keys}, arraySort(groupArray((${cols.map((c) => (c === q.lag ? `toNullable(${c})` : c)).join(', ')}))) AS lag_rows,
          ${cols.map((_, i) => `arrayMap(x -> tupleElement(x, ${i + 1}), lag_rows) AS lag_c${i}`).join(', ')},
          arrayPushFront(arrayPopBack(arrayMap(x -> tupleElement(x, ${at}), lag_rows)), NULL) AS lag_prev
        FROM (${q.inner}) GROUP BY ${keys})
      ARRAY JOIN ${cols.map((_, i) => `lag_c${i}`).join(', ')}, lag_prev`;
  },
  pairsParam(params, name, pairs, [a, b]) {
    const first = this.stringListParam(params, `${name}A`, pairs.map((p) => p[0]));
    const second = this.stringListParam(params, `${name}B`, pairs.map((p) => p[1]));
    return `(SELECT tupleElement(pair, 1) AS ${a}, tupleElement(pair, 2) AS ${b} FROM (SELECT arrayJoin(arrayMap((x, y) -> (x, y), ${first}, ${second})) AS pair))`;
  },
  unnestList: (l) => `arrayJoin(${l})`,
  rowList: (cells, orderBy) => `arrayMap(t -> t.2, arraySort(groupArray(((${orderBy.join(', ')}), [${cells.join(', ')}]))))`,
  engine: 'ClickHouse',
  nativeSpl: false,
  withQueries: inlineNamedQueries,
  // DuckDB's TRY_CAST reads numbers written with surrounding spaces.
  tryDouble: (expr) => `toFloat64OrNull(replaceRegexpAll(toString(${expr}), '^ +| +$', ''))`,
  // ClickHouse's LIKE reads backslash escapes as DuckDB's ESCAPE '\\' does; 18.16 has no ILIKE.
  ilike: (expr, pattern) => `(lowerUTF8(toString(${expr})) LIKE lowerUTF8(${pattern}))`,
  selectKeys: (names) => names.map((n) => `"${n.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', '),
  limitCount: (param) => param,
  textLength: (expr) => `lengthUTF8(${expr})`,
  // Whole seconds are exact as doubles: the bucket's start goes back to the time type exactly.
  timeBucket: (expr, width) => `toDecimal64(floor(toFloat64(${expr}) / ${Math.trunc(width)}) * ${Math.trunc(width)}, 3)`,
  // 18.16 fails a filter on a column that is a constant in some branches of UNION ALL over Distributed
  // tables ("non constant in source stream but must be constant in result"), materialize() or not:
  // the NULL is computed from event_id, which every dataset table has.
  unitedNull: (type) => (type === 'keyword[]' ? 'arrayFilter(v -> 0, ["event_id"])' : NULLS[type].replace('CAST(NULL ', 'CAST(nullIf("event_id", "event_id") ')),
  endsWith(expr, suffix) {
    return `endsWith(${expr}, ${this.literal(suffix)})`;
  },
  regexReplaceAll: (expr, pattern, replacement) => `replaceRegexpAll(${expr}, ${pattern}, ${replacement})`,
  ipv4Number: (expr) => `toInt64(IPv4StringToNum(${expr}))`,
  upper: (expr) => `upperUTF8(${expr})`,
  trueValue: '1',
  falseValue: '0',
  argMin: (arg, value) => `argMin(${arg}, ${value})`,
  valuesSorted: (expr) => `arraySort(groupUniqArray(${expr}))`,
  valuesOfLists: (lists) => `arraySort(groupUniqArrayArray(${lists}))`,
  sumCounts: (counts) => `sum(${counts})`,
  // One value has no sample deviation: NULL as on DuckDB (ClickHouse says nan).
  stddevSamp: (expr) => `if(count(${expr}) > 1, stddevSamp(${expr}), NULL)`,
  stddevPop: (expr) => `if(count(${expr}) > 0, stddevPop(${expr}), NULL)`,
  varSamp: (expr) => `if(count(${expr}) > 1, varSamp(${expr}), NULL)`,
  varPop: (expr) => `if(count(${expr}) > 0, varPop(${expr}), NULL)`,
  // arrayExists takes only a plain UInt8: a NULL condition does not hold.
  anyElement: (l, cond) => `arrayExists(__e -> ifNull(${cond('__e')}, 0), ${l})`,
  // An uncorrelated IN (18.16 has no correlated subqueries); the rows zipped from the lists as tuples.
  textRowIn(exprs, lists) {
    const left = exprs.map((e) => `lowerUTF8(toString(${e}))`);
    if (exprs.length === 1) return `(${left[0]} IN (SELECT lowerUTF8(arrayJoin(${lists[0]}))))`;
    const vars = exprs.map((_, i) => `__x${i}`).join(', ');
    return `((${left.join(', ')}) IN (SELECT ${exprs.map((_, i) => `lowerUTF8(tupleElement(__row, ${i + 1}))`).join(', ')} FROM (SELECT arrayJoin(arrayMap((${vars}) -> (${vars}), ${lists.join(', ')})) AS __row)))`;
  },
  // Encoded as textRowsParam's cells: empty for NULL, else `v` and the percent-encoded text.
  nullableTextListParam(params, name, values) {
    params[name] = values.map((c) => (c === null ? ',' : `,v${c.replace(/%/g, '%25').replace(/,/g, '%2C')}`)).join('');
    return `arrayMap(x -> if(x = '', CAST(NULL AS Nullable(String)), decodeURLComponent(substring(x, 2))), arrayPopFront(splitByChar(',', $${name})))`;
  },
  // 18.16 reads no JSON arrays: the cells row by row in one string, each after a comma, empty for
  // NULL, else `v` and the text percent-encoded as stringListParam's (so no comma is inside a cell).
  textRowsParam(params, name, columns, rows, rowColumn) {
    params[name] = rows.map((r) => r.map((c) => (c === null ? ',' : `,v${c.replace(/%/g, '%25').replace(/,/g, '%2C')}`)).join('')).join('');
    const n = Math.max(1, columns.length);
    const cell = (j: number) => `arrayElement(__cells, __i * ${n} + ${j + 1})`;
    const cols = columns.map((c, j) => `if(${cell(j)} = '', CAST(NULL AS Nullable(String)), decodeURLComponent(substring(${cell(j)}, 2))) AS ${c}`);
    return `(SELECT toInt64(__i) AS ${rowColumn}, ${cols.join(', ')} FROM (SELECT __cells, arrayJoin(range(toUInt64(intDiv(length(__cells), ${n})))) AS __i FROM (SELECT arrayPopFront(splitByChar(',', $${name})) AS __cells)))`;
  },
  // 18.16 has no toStartOfInterval: DuckDB's bucket arithmetic written out (whole seconds are exact as doubles).
  spanBucket: (expr, span) =>
    'seconds' in span
      ? `toDecimal64(floor((toFloat64(${expr}) - ${SPAN_ORIGIN}) / ${span.seconds}) * ${span.seconds} + ${SPAN_ORIGIN}, 3)`
      : monthStart(`(floor((${monthIndex(expr)} - ${MONTH_ORIGIN}) / ${span.months}) * ${span.months} + ${MONTH_ORIGIN})`),
  // The bounds read first (18.16's lambdas cannot read aggregates); NULL bounds make an empty range.
  spanSeries(first, last, from, span) {
    const steps =
      'seconds' in span
        ? `ifNull(round((toFloat64("__pt_hi") - toFloat64("__pt_lo")) / ${span.seconds}), -1)`
        : `ifNull(intDiv(${monthIndex('"__pt_hi"')} - ${monthIndex('"__pt_lo"')}, ${span.months}), -1)`;
    const at =
      'seconds' in span
        ? `toDecimal64(ifNull(toFloat64("__pt_lo"), 0) + i * ${span.seconds}, 3)`
        : monthStart(`(${monthIndex('ifNull(toFloat64("__pt_lo"), 0)')} + i * ${span.months})`);
    return `SELECT arrayJoin(arrayMap(i -> ${at}, range(toUInt64(${steps} + 1)))) AS "_time" FROM (SELECT ${first} AS "__pt_lo", ${last} AS "__pt_hi" FROM ${from})`;
  },
  timeBefore: (expr) => `(${expr} - toDecimal64('0.001', 3))`,
  // 18.16's anyIf of a Nullable value over no row that holds is the type's default, not NULL.
  anyValueIf(expr, cond) {
    const holds = `ifNull(${cond}, 0) AND isNotNull(${expr})`;
    return `if(countIf(${holds}) > 0, anyIf(${expr}, ${holds}), NULL)`;
  },
  nullable: (expr) => `toNullable(${expr})`,
  leftJoinUsing: (left, right, keys) => `${left} AS l0 ALL LEFT JOIN ${right} AS r0 USING (${keys.join(', ')})`,
  groupKey: (expr) => `concat(if(isNull(${expr}), '1', '0'), ifNull(toString(${expr}), ''))`,
  // 18.16 has no row_number(): rowNumberInAllBlocks() counts the rows of the sorted stream in order.
  numberedRows: (from, order, as) => `(SELECT *, rowNumberInAllBlocks() + 1 AS ${as} FROM ${order ? `(SELECT * FROM ${from} ${order})` : from})`,
  isFinite: (expr) => `isFinite(${expr})`,
  withTotalCounts: (from, exprs, as) => `(SELECT * FROM ${from} CROSS JOIN (SELECT ${exprs.map((e, i) => `count(${e}) AS ${as[i]}`).join(', ')} FROM ${from}))`,
  sumOfPresent(exprs) {
    const present = `arrayFilter(v -> isNotNull(v), [${exprs.map((e) => `toNullable(toFloat64(${e}))`).join(', ')}])`;
    return `if(empty(${present}), NULL, arraySum(arrayMap(v -> assumeNotNull(v), ${present})))`;
  },
  fillNumber(expr, value, type) {
    const as = type === 'long' ? 'toInt64' : 'toFloat64';
    return `ifNull(${as}(${expr}), ${value === 'NULL' ? value : `${as}(${value})`})`;
  },
  // A time's Decimal reads as its epoch seconds, as a number or numeric text does.
  epochOrNumber(expr) {
    return this.tryDouble(expr);
  },
};

/**
 * DuckDB's time_bucket origins: 2000-01-03 00:00 UTC (epoch seconds) for spans of seconds, and the
 * months from year 0 to 2000-01. Months by the calendar of calendar.ts: any year (18.16's dates stop at 1970).
 */
const SPAN_ORIGIN = 946857600;
const MONTH_ORIGIN = 2000 * 12;
