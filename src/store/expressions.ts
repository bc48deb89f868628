/**
 * The SQL expressions whose spelling differs between engines, for the queries the trail and the
 * insights views build. Each engine implements them so that the same inputs give the same values
 * (src/store/expressions.test.ts runs every one on DuckDB and ClickHouse and compares).
 *
 * Arguments named `expr` are SQL the caller built from catalog identifiers and `$name` parameters;
 * arguments named `text`/`pattern` are fixed text from the code (never log content), which the
 * engine quotes as a literal. Values from users go through the `…Param` methods, which put them in
 * `params` (the store binds them, or substitutes them as safe literals).
 *
 * Times: a `time` column is TIMESTAMP on DuckDB and Decimal64(3) epoch seconds on ClickHouse (18.16
 * has no DateTime64); both hold milliseconds in UTC.
 *
 * SQL both engines read alike, beyond these: explicit GROUP BY lists (no GROUP BY ALL or positions),
 * subqueries instead of WITH … AS (…), no EXISTS, no IS [NOT] DISTINCT FROM, no window functions,
 * and no alias equal to a column name the query reads elsewhere (ClickHouse aliases are visible in
 * the whole query: `count(*) AS n` would replace the column n in every other expression).
 */
import type { FieldType } from '../formats/format.js';
import type { SplFunctionSql } from './spl-functions.js';

export type SqlParams = Record<string, string | number | boolean | null>;

/** A grouping key of `groupingSets`: its name (an alias, or the column itself), its SQL and what it holds. */
export interface GroupingKey {
  name: string;
  expr: string;
  type: FieldType;
}

/** A query grouped by several key sets in one (GROUP BY GROUPING SETS on DuckDB). */
export interface GroupingSetsQuery {
  keys: readonly GroupingKey[];
  /** Each set: key names. */
  sets: readonly (readonly string[])[];
  /**
   * The select list: `key(name)` is the key's SQL (NULL in the rows of the sets without it; alias it
   * yourself), `grouping(name)` is GROUPING(name): 0 in the rows of sets grouping by it, else 1.
   */
  select(key: (name: string) => string, grouping: (name: string) => string): string;
  from: string;
  where: string;
}

/**
 * lowerQuantiles of each of `values` per grouping set of `keys`. The result's columns: each key by
 * its name (NULL in the rows of the sets without it), `grouping_set` (the set's index in `sets`),
 * then each value's list of quantiles by its name.
 */
export interface QuantilesBySetsQuery {
  keys: readonly GroupingKey[];
  sets: readonly (readonly string[])[];
  from: string;
  where: string;
  values: readonly { name: string; expr: string }[];
  qs: readonly number[];
  sample: number;
}

/** The rows of a query ranked within groups, the first `limit` of each group kept (QUALIFY row_number() … <= limit). */
export interface TopPerGroupQuery {
  /** A complete query; its columns are what the result has. */
  inner: string;
  /** The group's columns (of `inner`), and the ranking within it: the result is ordered by both. */
  group: string;
  order: string;
  /** SQL of the limit (a number or a parameter). */
  limit: string;
  /** Rows for which this condition holds are all kept, whatever their rank. */
  keepAll?: string;
}

/**
 * A query with the sum of `value` over the earlier rows of the same partition whose `order` lies in
 * [order − span, order − 1] (sum(…) OVER (… RANGE BETWEEN span PRECEDING AND 1 PRECEDING), 0 when
 * none), for the rows where `keep` holds. `inner`'s columns are exactly the partition's, `order` and
 * `value`; the result has them and `as`.
 */
export interface PrecedingSumQuery {
  inner: string;
  partition: readonly string[];
  order: string;
  value: string;
  /** SQL of the span (a number or a parameter). */
  span: string;
  keep: string;
  as: string;
}

/**
 * A query's rows with the previous row's value of `lag` within their partition, ordered by `order`
 * (lag(…) OVER (PARTITION BY … ORDER BY …); NULL on a partition's first row). `inner`'s columns are
 * exactly the partition's, `order` (unique within a partition) and `columns` (which hold `lag`).
 */
export interface LagQuery {
  inner: string;
  partition: readonly string[];
  order: string;
  columns: readonly string[];
  lag: string;
  as: string;
}

/** What a column holds, from its SQL type as the engine's catalog lists it. */
export type ColumnKind = 'list' | 'number' | 'time' | 'other';

export interface SqlExpressions extends SplFunctionSql {
  // --- catalog ----------------------------------------------------------------------------------
  /**
   * Every dataset table (`events_…`) of the database with its columns: rows [table, column, SQL
   * type, the table's row count (an estimate: it chooses how to search, never what is found)].
   */
  readonly datasetTablesSql: string;
  typeKind(sqlType: string): ColumnKind;
  /** NULL of a catalog type, for the columns a table lacks (ClickHouse unites only equal types; a list: empty). */
  nullOf(type: FieldType): string;

  // --- query shapes -----------------------------------------------------------------------------
  /** GROUP BY GROUPING SETS (ClickHouse 18.16 has none: one GROUP BY per set, united). */
  groupingSets(q: GroupingSetsQuery): string;
  /** QUALIFY row_number() (ClickHouse 18.16 has no window functions: ORDER BY … LIMIT n BY). */
  topPerGroup(q: TopPerGroupQuery): string;
  /** lowerQuantiles per grouping set (ClickHouse 18.16: one scan, each finest group's values collected, then merged per set). */
  quantilesBySets(q: QuantilesBySetsQuery): string;


  /** A string literal of fixed text (the engines escape differently: ClickHouse reads backslashes). */
  literal(text: string): string;
  /** A boolean condition that always holds (`WHERE true`: ClickHouse 18.16 has no `true`). */
  readonly always: string;

  // --- time -------------------------------------------------------------------------------------
  /** A time value bound as `params[name]` (epoch ms, truncated to whole ms), comparable with time columns. */
  timeParam(params: SqlParams, name: string, ms: number): string;
  /** A time column's epoch milliseconds, as a 64-bit integer (NULL stays NULL). */
  epochMs(expr: string): string;
  /** A time column's epoch microseconds, as a 64-bit integer. */
  epochUs(expr: string): string;
  /** The index of the bucket holding the time: floor(epoch seconds / width), width in seconds (SQL). */
  bucketIndex(expr: string, widthSeconds: string): string;
  /**
   * A time's text that `timeTextParam` turns back into the same time exactly. Opaque: it is only
   * carried back into a query, never shown or parsed (DuckDB `2026-11-20 08:00:16.36`, ClickHouse
   * `1795161616.360`).
   */
  timeText(expr: string): string;
  /** The time `timeText` wrote, bound as `params[name]`. */
  timeTextParam(params: SqlParams, name: string, text: string): string;

  // --- numbers and casts ------------------------------------------------------------------------
  /** Integer division rounding toward zero (DuckDB `//`), for integers. */
  intDiv(a: string, b: string): string;
  /** A string as a 32-bit integer, NULL when it is not one (TRY_CAST … AS INTEGER: surrounding spaces allowed, out of range NULL). */
  tryInteger(expr: string): string;
  /** The first non-NULL of the values (COALESCE). */
  coalesce(...exprs: string[]): string;
  /** A number or string as text (CAST … AS VARCHAR). Whole numbers and strings only: not for times, doubles or booleans. */
  text(expr: string): string;

  // --- strings and regular expressions (RE2 on both engines) -------------------------------------
  /** Whether the RE2 pattern matches anywhere in the string (NULL for NULL). */
  regexMatches(expr: string, pattern: string): string;
  /** The pattern's first capture group ('' when it does not match, NULL for NULL). */
  regexExtractFirst(expr: string, pattern: string): string;
  startsWith(expr: string, prefix: string): string;
  contains(expr: string, needle: string): string;
  /** Lower case (Unicode letters too). */
  lower(expr: string): string;
  /** Percent-decoding of a URL part (`+` stays, malformed escapes stay as written). */
  urlDecode(expr: string): string;

  // --- lists ------------------------------------------------------------------------------------
  /** Whether a list column holds the value. */
  listContains(list: string, value: string): string;
  /** A list of strings bound as `params[name]`: the SQL of the list. */
  stringListParam(params: SqlParams, name: string, values: readonly string[]): string;
  /** `expr IN (the list)`, for a list from `stringListParam`. */
  inList(expr: string, list: string): string;
  /** The first `n` elements of a list. */
  listHead(list: string, n: number): string;

  // --- aggregates -------------------------------------------------------------------------------
  /** Rows of the group where the condition holds (a NULL condition does not count). */
  countIf(cond: string): string;
  /** Any value of the group (for columns constant within it). */
  anyValue(expr: string): string;
  /** The value of `arg` on the row where `value` is largest (NULL values ignored). */
  argMax(arg: string, value: string): string;
  /** The most frequent non-NULL value; of tied values, the smallest. NULL without values. */
  mode(expr: string): string;
  /** The continuous (interpolated) quantile of the non-NULL values, as a double (DuckDB quantile_cont). */
  quantileCont(expr: string, q: number): string;
  /**
   * The values at positions floor((n − 1) × q) of the sorted non-NULL values, one per q: the exact
   * answer of DuckDB's reservoir_quantile for groups up to `sample` values (beyond, DuckDB samples
   * and ClickHouse stays exact). No values: NULL, or a list of NULLs.
   */
  lowerQuantiles(expr: string, qs: readonly number[], sample: number): string;
  /** The values of the group sorted by `orderBy` (ascending; ties by value), NULL values kept. */
  listSorted(expr: string, orderBy: string): string;
  /** listSorted of the rows where the condition holds (an empty list or NULL when none do). */
  listSortedIf(expr: string, orderBy: string, cond: string): string;
  /** The distinct values of the group, ascending, NULL last when there is one. */
  distinctSorted(expr: string): string;

  // --- insights views (issue 24) -----------------------------------------------------------------
  /** min()/max() of a time column, NULL over no rows (ClickHouse's timestamp is not Nullable: its min() of nothing is 0). */
  timeMin(expr: string): string;
  timeMax(expr: string): string;
  /** A query `body` reads several times: a CTE on DuckDB (computed once), the subquery repeated on ClickHouse 18.16 (no WITH … AS (subquery)). */
  withTable(name: string, sql: string, body: (table: string) => string): string;
  /** sum(…) OVER a RANGE of preceding rows (ClickHouse 18.16: the kept rows joined with their partition's rows). */
  precedingSum(q: PrecedingSumQuery): string;
  /** lag(…) OVER (ClickHouse 18.16: each partition's rows collected, sorted, shifted and spread out again). */
  lag(q: LagQuery): string;
  /** A table of string pairs bound as `params[name]`: the SQL of a subquery with the two named columns. */
  pairsParam(params: SqlParams, name: string, pairs: readonly (readonly [string, string])[], columns: readonly [string, string]): string;
  /** One row per element of a list column (unnest / arrayJoin), in a select list. */
  unnestList(list: string): string;
  /**
   * The group's rows (each a list of text `cells`, ordered by `orderBy`) as one cell: a list of lists,
   * or its JSON text (DuckDB: JSON.parse reads it in half the time the client takes to convert the
   * rows cell by cell). `rowsOfList` reads either.
   */
  rowList(cells: readonly string[], orderBy: readonly string[]): string;
  // --- what the SPL compiler writes through the dialect ---------------------------------------------
  /** The engine's name, for messages refusing what its SQL cannot express. */
  readonly engine: string;
  /**
   * Whether the SPL compiler's own SQL (its function and command tables, written in DuckDB's words)
   * runs here. Where it does not, only the constructs written through these expressions compile; the
   * others are refused naming the construct (src/query/spl/portable.ts).
   */
  readonly nativeSpl: boolean;
  /** One statement of named subqueries (`WITH name AS (…)`; ClickHouse 18.16 has no such WITH: each name becomes its subquery). */
  withQueries(named: readonly (readonly [string, string])[], select: string): string;
  /** Any value as a double, NULL when it is not a number (TRY_CAST … AS DOUBLE; text is read as a number). */
  tryDouble(expr: string): string;
  /** A Splunk-style case-insensitive LIKE: `%` and `_` wildcards, backslash escapes (the value cast to text). */
  ilike(expr: string, pattern: string): string;
  /** GROUP BY / ORDER BY the first select items, by their names (DuckDB: positions; ClickHouse reads a number there as a constant). */
  selectKeys(names: readonly string[]): string;
  /** A row count for LIMIT, from a bound whole-number parameter (ClickHouse takes only a literal there). */
  limitCount(param: string): string;
  /** A dotted IPv4 address (already checked to be one) as its 32-bit number. */
  ipv4Number(expr: string): string;
  /** Whether the text ends with the fixed text. */
  endsWith(expr: string, suffix: string): string;
  /** Every match of the RE2 pattern (SQL of a constant: a literal or a parameter) replaced (`\\1` names a group). */
  regexReplaceAll(expr: string, pattern: string, replacement: string): string;
  /** nullOf for a branch of UNION ALL (ClickHouse 18.16 refuses a column constant in one branch and not in another: materialized). */
  unitedNull(type: FieldType): string;
  /** The start of the time's bucket of `widthSeconds` (whole seconds), aligned to the epoch, as a time. */
  timeBucket(expr: string, widthSeconds: number): string;
  /** Text length in characters. */
  textLength(expr: string): string;
  /** Upper case (Unicode letters too). */
  upper(expr: string): string;
  /** The boolean constants (ClickHouse 18.16 has no TRUE/FALSE). */
  readonly trueValue: string;
  readonly falseValue: string;
  /** The value of `arg` on the row where `value` is smallest (NULL values ignored). */
  argMin(arg: string, value: string): string;
  /** The distinct non-NULL values of the group, ascending (Splunk's values()). */
  valuesSorted(expr: string): string;
  /** valuesSorted over the elements of the group's lists (valuesSorted's lists, merged: values() computed in two steps). */
  valuesOfLists(lists: string): string;
  /** The sum of the group's counts (count()'s own type: a 64-bit integer). */
  sumCounts(counts: string): string;
  /** The sample standard deviation and variance, and the population ones, as doubles. */
  stddevSamp(expr: string): string;
  stddevPop(expr: string): string;
  varSamp(expr: string): string;
  varPop(expr: string): string;
  // --- SPL subsearches and lookups (issue 24) ---------------------------------------------------------
  /** Whether some element of the list satisfies `cond` (written over the element's SQL name). */
  anyElement(list: string, cond: (element: string) => string): string;
  /**
   * Whether the lower-case text of the expressions equals, column by column, the lower-case values of
   * one row of the lists (from `stringListParam`, one per expression, one element per row).
   */
  textRowIn(exprs: readonly string[], lists: readonly string[]): string;
  /**
   * A table of text (a lookup's rows) bound as `params[name]`: the SQL of a subquery with the row's
   * place (0-based, a 64-bit integer) as `rowColumn` and the named `columns` (SQL identifiers, quoted),
   * one per cell of each row; NULL cells stay NULL.
   */
  textRowsParam(params: SqlParams, name: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[], rowColumn: string): string;
  /** A list of text bound as `params[name]` whose elements may be NULL (stringListParam's have none). */
  nullableTextListParam(params: SqlParams, name: string, values: readonly (string | null)[]): string;

  // --- SPL timechart, dedup, eventstats, top/rare without window functions (issue 24) --------------
  /**
   * The start of the time's bucket of a timechart span, aligned as DuckDB's time_bucket aligns it:
   * spans of seconds from 2000-01-03 00:00 UTC, spans of months from 2000-01-01. `interval` is the
   * span as a DuckDB INTERVAL (SQL; other engines read `span`).
   */
  spanBucket(expr: string, span: TimeSpan, interval: string): string;
  /**
   * A query of one row per bucket start (column "_time") from `first` to `last` (bucket starts: SQL
   * read over the rows of `from`, aggregates allowed; no rows when they are NULL).
   */
  spanSeries(first: string, last: string, from: string, span: TimeSpan, interval: string): string;
  /** The time one tick earlier (DuckDB: a microsecond; ClickHouse's times hold milliseconds). */
  timeBefore(expr: string): string;
  /** Any non-NULL value of the rows where the condition holds (a NULL condition does not hold). */
  anyValueIf(expr: string, cond: string): string;
  /**
   * The value as a type that holds NULL: `leftJoinUsing` fills a right row that matched nothing with
   * NULLs on DuckDB, and with its type's default on ClickHouse unless the column is Nullable.
   */
  nullable(expr: string): string;
  /** `left LEFT JOIN right` on equal `keys` (column names of both, quoted), every matching right row. */
  leftJoinUsing(left: string, right: string, keys: readonly string[]): string;
  /**
   * A non-NULL text standing for the value in an equality join (ClickHouse matches no NULL key):
   * equal for equal values, and for NULLs.
   */
  groupKey(expr: string): string;
  /**
   * The relation's rows numbered from 1 (column `as`) in the order of `order` (an `ORDER BY …`
   * clause; '' for the order the rows come in, which a subquery ending in ORDER BY sets): a
   * parenthesized subquery. ClickHouse numbers the rows as its single sorted stream delivers them.
   */
  numberedRows(from: string, order: string, as: string): string;
  /** Whether a double is finite (not NaN or ±infinity). */
  isFinite(expr: string): string;
  /**
   * `from`'s rows with, beside each, the number of non-NULL values of each expression over all of
   * them (count(…) OVER (); ClickHouse 18.16: the counts read first and joined), as the columns `as`:
   * a parenthesized subquery.
   */
  withTotalCounts(from: string, exprs: readonly string[], as: readonly string[]): string;
  /** The sum of the non-NULL numbers among the expressions (doubles), NULL when none is. */
  sumOfPresent(exprs: readonly string[]): string;
  /** Any value as a double: a time as its epoch seconds, a number as it is, numeric text read; else NULL. */
  epochOrNumber(expr: string): string;
  /** A number, or `value` (SQL of a number) where it is NULL, as a whole number or a double (ClickHouse has no common type of signed and unsigned). */
  fillNumber(expr: string, value: string, type: 'long' | 'double'): string;
}

/** A timechart span: whole seconds, or whole months (a month, quarter, year). */
export type TimeSpan = { seconds: number } | { months: number };

/**
 * `WITH name AS (…)` written as nested subqueries: every later reference to a name (a bare word, not
 * in a string literal or a quoted identifier) becomes `(its query) AS name`. For engines that read no
 * table expressions in WITH (ClickHouse 18.16).
 */
export function inlineNamedQueries(named: readonly (readonly [string, string])[], select: string): string {
  const known = new Map<string, string>();
  for (const [name, sql] of named) known.set(name, replaceNames(sql, known));
  return replaceNames(select, known);
}

function replaceNames(sql: string, known: ReadonlyMap<string, string>): string {
  if (!known.size) return sql;
  let out = '';
  let i = 0;
  // The word before the current token (spaces skipped): a name after FROM/JOIN is a table reference.
  let before = '';
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\') j += 2;
        else if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      before = '';
    } else if (/[A-Za-z_$]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      const table = known.get(word);
      out += table !== undefined && /^(FROM|JOIN)$/i.test(before) ? `(${table}) AS ${word}` : word;
      before = word;
      i = j;
    } else {
      out += ch;
      if (!/\s/.test(ch)) before = '';
      i++;
    }
  }
  return out;
}

/** The rows `rowList` wrote (JSON text or a list of lists); NULL (no rows) is none. */
export function rowsOfList(cell: unknown): (string | null)[][] {
  if (typeof cell === 'string') return JSON.parse(cell) as (string | null)[][];
  return Array.isArray(cell) ? (cell as (string | null)[][]) : [];
}

/** Epoch ms → whole ms (as a JavaScript Date keeps them: toward zero). */
export function wholeMs(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  return Math.trunc(ms);
}

/** quantilesBySets as GROUP BY GROUPING SETS (through the dialect's groupingSets): the set's index from GROUPING(). */
export function quantilesByGroupingSets(fn: SqlExpressions, q: QuantilesBySetsQuery): string {
  return fn.groupingSets({
    keys: q.keys, sets: q.sets, from: q.from, where: q.where,
    select: (key, grouping) => {
      const set = q.sets.map((s, n) => `WHEN ${q.keys.map((k) => `${grouping(k.name)} = ${s.includes(k.name) ? 0 : 1}`).join(' AND ')} THEN ${n}`);
      return [
        ...q.keys.map((k) => `${key(k.name)} AS ${k.name}`), `CASE ${set.join(' ')} END AS grouping_set`,
        ...q.values.map((v) => `${fn.lowerQuantiles(v.expr, q.qs, q.sample)} AS ${v.name}`),
      ].join(', ');
    },
  });
}
