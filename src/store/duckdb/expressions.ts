import type { FieldType } from '../../formats/format.js';
import { quantilesByGroupingSets, wholeMs, type SqlExpressions, type SqlParams } from '../expressions.js';
import { asEpoch, duckdbSplFunctions } from './spl-functions.js';

/** Catalog types → DuckDB column types. */
export const DUCKDB_TYPES: Record<FieldType, string> = {
  keyword: 'VARCHAR',
  text: 'VARCHAR',
  ip: 'VARCHAR',
  long: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'TIMESTAMP',
  'keyword[]': 'VARCHAR[]',
  json: 'JSON',
};

/** Epoch ms → DuckDB TIMESTAMP text (`2026-11-20 08:00:16.363`), bound and cast in SQL. */
export function duckdbTimeText(ms: number): string {
  return new Date(wholeMs(ms)).toISOString().replace('T', ' ').replace('Z', '');
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL)/;

const list = (values: readonly number[]) => `[${values.map((v) => String(v)).join(', ')}]`;

/** The expressions as DuckDB spells them (the SQL the trail and the views have always run). */
export const duckdbExpressions: SqlExpressions = {
  ...duckdbSplFunctions,
  datasetTablesSql: `SELECT c.table_name, c.column_name, c.data_type, t.estimated_size FROM information_schema.columns c JOIN duckdb_tables() t ON t.table_name = c.table_name AND t.schema_name = 'main'
     WHERE c.table_schema = 'main' AND c.table_name LIKE 'events\\_%' ESCAPE '\\'`,
  typeKind: (type) => (type.endsWith('[]') ? 'list' : NUMERIC.test(type) ? 'number' : type.startsWith('TIMESTAMP') ? 'time' : 'other'),

  nullOf: (type) => `CAST(NULL AS ${DUCKDB_TYPES[type]})`,

  groupingSets: (q) =>
    `SELECT ${q.select((name) => q.keys.find((k) => k.name === name)!.expr, (name) => `GROUPING(${name})`)} FROM ${q.from} WHERE ${q.where}
    GROUP BY GROUPING SETS (${q.sets.map((s) => `(${s.join(', ')})`).join(', ')})`,
  quantilesBySets(q) {
    return quantilesByGroupingSets(this, q);
  },
  topPerGroup: (q) =>
    `SELECT * FROM (${q.inner}) QUALIFY ${q.keepAll ? `${q.keepAll} OR ` : ''}row_number() OVER (PARTITION BY ${q.group} ORDER BY ${q.order}) <= ${q.limit} ORDER BY ${q.group}, ${q.order}`,

  literal: (text) => `'${text.replace(/'/g, "''")}'`,
  always: 'true',

  timeParam(params: SqlParams, name, ms) {
    params[name] = duckdbTimeText(ms);
    return `CAST($${name} AS TIMESTAMP)`;
  },
  epochMs: (expr) => `epoch_ms(${expr})`,
  epochUs: (expr) => `epoch_us(${expr})`,
  bucketIndex: (expr, width) => `CAST(floor(epoch(${expr}) / ${width}) AS BIGINT)`,
  timeText: (expr) => `CAST(${expr} AS VARCHAR)`,
  timeTextParam(params, name, text) {
    params[name] = text;
    return `CAST($${name} AS TIMESTAMP)`;
  },

  intDiv: (a, b) => `(${a} // ${b})`,
  tryInteger: (expr) => `TRY_CAST(${expr} AS INTEGER)`,
  coalesce: (...exprs) => `coalesce(${exprs.join(', ')})`,
  text: (expr) => `CAST(${expr} AS VARCHAR)`,

  regexMatches(expr, pattern) {
    return `regexp_matches(${expr}, ${this.literal(pattern)})`;
  },
  regexExtractFirst(expr, pattern) {
    return `regexp_extract(${expr}, ${this.literal(pattern)}, 1)`;
  },
  startsWith(expr, prefix) {
    return `starts_with(${expr}, ${this.literal(prefix)})`;
  },
  contains(expr, needle) {
    return `contains(${expr}, ${this.literal(needle)})`;
  },
  lower: (expr) => `lower(${expr})`,
  urlDecode: (expr) => `url_decode(${expr})`,

  listContains: (l, value) => `list_contains(${l}, ${value})`,
  stringListParam(params, name, values) {
    params[name] = JSON.stringify(values);
    return `from_json($${name}, '["VARCHAR"]')`;
  },
  inList: (expr, l) => `${expr} IN (SELECT unnest(${l}))`,
  listHead: (l, n) => `${l}[1:${Math.trunc(n)}]`,

  countIf: (cond) => `count(*) FILTER (${cond})`,
  anyValue: (expr) => `any_value(${expr})`,
  argMax: (arg, value) => `arg_max(${arg}, ${value})`,
  // Not mode(): its ties go to the value met first (scan order); the smallest tied value wins here, as on ClickHouse.
  mode: (expr) => `list_min(list_transform(map_entries(histogram(${expr})), e -> {'n': -CAST(e.value AS BIGINT), 'k': e.key})).k`,
  quantileCont: (expr, q) => `quantile_cont(${expr}, ${q})`,
  lowerQuantiles: (expr, qs, sample) => `reservoir_quantile(${expr}, ${list(qs)}, ${Math.trunc(sample)})`,
  listSorted: (expr, orderBy) => `list(${expr} ORDER BY ${orderBy}, ${expr})`,
  listSortedIf: (expr, orderBy, cond) => `list(${expr} ORDER BY ${orderBy}, ${expr}) FILTER (${cond})`,
  distinctSorted: (expr) => `list(DISTINCT ${expr} ORDER BY ${expr})`,

  // --- insights views (issue 24)
  timeMin: (expr) => `min(${expr})`,
  timeMax: (expr) => `max(${expr})`,
  withTable: (name, sql, body) => `WITH ${name} AS (${sql}) ${body(name)}`,
  precedingSum: (q) =>
    `SELECT * FROM (SELECT *, COALESCE(sum(${q.value}) OVER (PARTITION BY ${q.partition.join(', ')} ORDER BY ${q.order} RANGE BETWEEN ${q.span} PRECEDING AND 1 PRECEDING), 0) AS ${q.as} FROM (${q.inner}) AS rows_in) AS summed WHERE ${q.keep}`,
  lag: (q) => `SELECT *, lag(${q.lag}) OVER (PARTITION BY ${q.partition.join(', ')} ORDER BY ${q.order}) AS ${q.as} FROM (${q.inner}) AS rows_in`,
  pairsParam(params, name, pairs, [a, b]) {
    params[name] = JSON.stringify(pairs.map(([x, y]) => ({ [a]: x, [b]: y })));
    return `(SELECT unnest(from_json($${name}, '[{"${a}":"VARCHAR","${b}":"VARCHAR"}]'), recursive := true))`;
  },
  unnestList: (l) => `unnest(${l})`,
  rowList: (cells, orderBy) => `CAST(to_json(list([${cells.join(', ')}] ORDER BY ${orderBy.join(', ')})) AS VARCHAR)`,
  engine: 'DuckDB',
  nativeSpl: true,
  withQueries: (named, select) => (named.length ? `WITH ${named.map(([name, sql]) => `${name} AS (\n  ${sql}\n)`).join(',\n')}\n${select}` : select),
  tryDouble: (expr) => `TRY_CAST(${expr} AS DOUBLE)`,
  ilike: (expr, pattern) => `(CAST(${expr} AS VARCHAR) ILIKE ${pattern} ESCAPE '\\')`,
  selectKeys: (names) => names.map((_, i) => i + 1).join(', '),
  limitCount: (param) => `CAST(${param} AS BIGINT)`,
  textLength: (expr) => `length(${expr})`,
  timeBucket: (expr, width) => `make_timestamp((epoch_us(${expr}) // ${Math.trunc(width) * 1e6}) * ${Math.trunc(width) * 1e6})`,
  unitedNull: (type) => `CAST(NULL AS ${DUCKDB_TYPES[type]})`,
  endsWith(expr, suffix) {
    return `ends_with(${expr}, ${this.literal(suffix)})`;
  },
  regexReplaceAll: (expr, pattern, replacement) => `regexp_replace(${expr}, ${pattern}, ${replacement}, 'g')`,
  ipv4Number(expr) {
    const octet = (i: number) => `TRY_CAST(split_part(${expr}, '.', ${i}) AS BIGINT)`;
    return `(${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)})`;
  },
  upper: (expr) => `upper(${expr})`,
  trueValue: 'TRUE',
  falseValue: 'FALSE',
  argMin: (arg, value) => `arg_min(${arg}, ${value})`,
  valuesSorted: (expr) => `list_sort(list_distinct(list(DISTINCT ${expr})))`,
  valuesOfLists: (lists) => `list_sort(list_distinct(flatten(list(${lists}))))`,
  // sum() of BIGINT is HUGEINT on DuckDB.
  sumCounts: (counts) => `CAST(sum(${counts}) AS BIGINT)`,
  stddevSamp: (expr) => `stddev_samp(${expr})`,
  stddevPop: (expr) => `stddev_pop(${expr})`,
  varSamp: (expr) => `var_samp(${expr})`,
  varPop: (expr) => `var_pop(${expr})`,
  anyElement: (l, cond) => `(len(list_filter(${l}, lambda __e: ${cond('__e')})) > 0)`,
  textRowIn: (exprs, lists) =>
    exprs.length === 1
      ? `(lower(CAST(${exprs[0]} AS VARCHAR)) IN (SELECT lower(unnest(${lists[0]}))))`
      : `EXISTS (SELECT 1 FROM (SELECT ${lists.map((l, i) => `unnest(${l}) AS "__x${i}"`).join(', ')}) WHERE ${exprs.map((e, i) => `lower("__x${i}") = lower(CAST(${e} AS VARCHAR))`).join(' AND ')})`,
  nullableTextListParam(params, name, values) {
    params[name] = JSON.stringify(values);
    return `from_json($${name}, '["VARCHAR"]')`;
  },
  // Read with json_each: the content never becomes SQL text, and no file access is needed.
  textRowsParam(params, name, columns, rows, rowColumn) {
    params[name] = JSON.stringify(rows);
    const cols = columns.map((c, i) => `"__pt_lv"[${i + 1}] AS ${c}`);
    return `(SELECT CAST("key" AS BIGINT) AS ${rowColumn}, ${cols.join(', ')} FROM (SELECT "key", CAST("value" AS VARCHAR[]) AS "__pt_lv" FROM json_each($${name})))`;
  },
  spanBucket: (expr, _span, interval) => `time_bucket(${interval}, ${expr})`,
  spanSeries: (first, last, from, _span, interval) => `SELECT unnest(generate_series(${first}, ${last}, ${interval})) AS "_time" FROM ${from}`,
  timeBefore: (expr) => `${expr} - INTERVAL 1 MICROSECOND`,
  anyValueIf: (expr, cond) => `any_value(${expr}) FILTER (WHERE ${cond})`,
  nullable: (expr) => expr,
  leftJoinUsing: (left, right, keys) => `${left} AS l0 LEFT JOIN ${right} AS r0 USING (${keys.join(', ')})`,
  groupKey: (expr) => `CASE WHEN ${expr} IS NULL THEN '1' ELSE '0' || CAST(${expr} AS VARCHAR) END`,
  numberedRows: (from, order, as) => `(SELECT *, row_number() OVER (${order}) AS ${as} FROM ${from})`,
  isFinite: (expr) => `isfinite(${expr})`,
  withTotalCounts: (from, exprs, as) => `(SELECT *, ${exprs.map((e, i) => `count(${e}) OVER () AS ${as[i]}`).join(', ')} FROM ${from})`,
  sumOfPresent: (exprs) => `list_sum([${exprs.join(', ')}])`,
  epochOrNumber: asEpoch,
  fillNumber: (expr, value) => `coalesce(${expr}, ${value})`,
};
