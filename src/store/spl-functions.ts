/**
 * What the SPL compiler's eval functions, aggregations and commands (rex, regex, makemv, mvexpand)
 * write through the store's dialect, beyond the shared expressions of expressions.ts. Part of
 * `SqlExpressions`; each engine's table is in `<engine>/spl-functions.ts`.
 *
 * Arguments named `expr`, `list` and `*Param` are SQL (catalog identifiers, `$name` parameters and
 * what the compiler built from them); `text` arguments are the query's own constant text, which
 * the engine writes as an escaped literal.
 */
export type TrimSide = 'both' | 'left' | 'right';
export type HashName = 'md5' | 'sha1' | 'sha256';
export type HyperbolicName = 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh';
export type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
/**
 * A piece of a time format (strftime, convert ctime): fixed text, or a variable as Splunk names it
 * (`Y`, `m`, `d`, `H`, …; `s` epoch seconds, `e`/`k` space-padded day/hour, `3N`/`6N`/`9N` subseconds).
 */
export type TimePiece = { text: string } | { variable: string };

/** An IPv6 subnet as its prefix: the first `whole` hex digits (a parameter), then `rest` bits of the next digit. */
export interface Ipv6Prefix {
  /** The parameter holding the first `whole` hex digits (lower case), absent when `whole` is 0. */
  hexParam?: string;
  whole: number;
  rest: number;
  /** The next digit's first `rest` bits, as a number. */
  nibble: number;
}


/** A step of a JSON path: a key of an object, or every element of an array (Splunk's `{}`). */
export type JsonStep = { key: string } | { each: true };

export interface SplFunctionSql extends SplListSql {
  // --- text ---------------------------------------------------------------------------------------
  /**
   * The text without the characters of `chars` at its ends (Splunk's trim, ltrim, rtrim): `charsSql`
   * is their SQL, `charsText` their text when the query wrote them as a literal (engines that need a
   * constant set use it; undefined: they refuse before calling).
   */
  trimChars(side: TrimSide, expr: string, charsSql: string, charsText: string | undefined): string;
  /** Characters from `start` (1-based; negative: from the end), `length` of them or to the end (DuckDB's substr). Start and length are whole numbers. */
  substring(expr: string, start: string, length?: string): string;
  /** The hash of the text as lower-case hex digits. */
  hashHex(hash: HashName, expr: string): string;
  /** The smallest / largest of the non-NULL values (NULL when all are); `numbers`: all are known to be numbers. */
  least(exprs: readonly string[], numbers: boolean): string;
  greatest(exprs: readonly string[], numbers: boolean): string;
  /** Whether an RE2 pattern (SQL of a constant: a parameter) matches anywhere in the text. */
  regexMatchParam(expr: string, pattern: string): string;
  /** A number as Splunk prints it: whole numbers (below 1e15) without a fraction, others as the engine prints a double. */
  numberText(expr: string): string;
  /** log base `base` of a number. */
  logBase(expr: string, base: string): string;
  /** A hyperbolic function (or its inverse) of a number (Float64); NULL stays NULL. */
  hyperbolic(name: HyperbolicName, expr: string): string;
  /** The angle of the point (x, y) in radians, in (-π, π]. */
  atan2(y: string, x: string): string;
  /** Whether the text of an address (NULL stays NULL) is an IPv6 address in the subnet. */
  ipv6InSubnet(expr: string, prefix: Ipv6Prefix): string;

  // --- regular expressions of rex, regex and makemv (patterns: SQL of a constant, a parameter) ----
  /**
   * Whether `regexExtract` reads a capture group by its number (DuckDB). Where it does not
   * (ClickHouse 18.16's extract reads the first group), the pattern given must hold the wanted group
   * as its only capturing group (src/query/spl/regex.ts `onlyGroup`).
   */
  readonly regexGroupByNumber: boolean;
  /** The capture group of the first match ('' when none; NULL for NULL). */
  regexExtract(expr: string, pattern: string, group: number): string;
  /** The capture group of every match, as a list (none for NULL). */
  regexExtractAll(expr: string, pattern: string, group: number): string;
  /** The first match replaced (`\\1` names a group). */
  regexReplaceFirst(expr: string, pattern: string, replacement: string): string;
  /** The list when `expr` is not NULL, else none. */
  listWhenPresent(expr: string, list: string): string;
  /** The list without its empty-text values. */
  listNonEmptyValues(list: string): string;
  /** The first `n` values (SQL of a whole number). */
  listHeadParam(list: string, n: string): string;

  // --- time (a time is the store's time type: TIMESTAMP on DuckDB, Decimal epoch seconds on ClickHouse) ---
  /** Any value as a time: a time as it is, a number (or numeric text) as epoch seconds, else NULL. */
  asTime(expr: string): string;
  /** A time `n` units later (`n` a whole number, possibly negative); months, quarters and years by the calendar (day clamped). */
  timeShift(time: string, n: number, unit: TimeUnit, param: (value: string | number) => string): string;
  /** A time rounded down to the start of its unit (UTC); weeks to the last `weekday` (0 Sunday … 6) at or before it. */
  timeSnap(time: string, unit: TimeUnit, weekday: number): string;
  /** The time format variables `formatTime` prints (others are refused before calling it, naming the variable). */
  readonly timeVariables: ReadonlySet<string>;
  /** A time (NULL stays NULL) as text in the format's pieces (UTC; English names). `param` binds fixed text. */
  formatTime(time: string, pieces: readonly TimePiece[], param: (text: string) => string): string;

  // --- aggregations ---------------------------------------------------------------------------------
  /** The smallest / largest time of the rows where `expr` is not NULL (NULL when none is). */
  earliestTimeOf(time: string, expr: string): string;
  latestTimeOf(time: string, expr: string): string;

  // --- JSON paths of json columns (text the store wrote with JSON.stringify) ----------------------
  /**
   * The leaf at a path of keys: a string's text, a number's or boolean's JSON text; NULL for an
   * object, an array, null or nothing there. `param` binds a value (the path's keys).
   */
  jsonLeaf(json: string, steps: readonly JsonStep[], param: (value: string) => string): string;
  /** The leaves at a path through arrays (`{}`), in order, as a list; objects, arrays and nulls left out; none: no list. */
  jsonLeaves(json: string, steps: readonly JsonStep[], param: (value: string) => string): string;
}

/** Multivalue (list) functions. Splunk has no empty multivalue: where DuckDB makes NULL of an empty list, ClickHouse (no NULL arrays) keeps it empty, and results read it as NULL. */
export interface SplListSql {
  /** One value as a list of its text (no value: none). */
  listOf(expr: string): string;
  /** A list that is NULL when empty (where the engine has NULL lists). */
  nonEmptyList(list: string): string;
  /** The lists' values one after the other (NULL lists add nothing). */
  listAppend(lists: readonly string[]): string;
  /** The number of values, NULL for none. */
  listCount(list: string): string;
  /** mvindex: the value at `start` (0-based, negative from the end), or the values from `start` to `end` (inclusive); out of range: NULL. */
  listIndex(list: string, start: string, end?: string): string;
  /** The values joined by the delimiter (SQL of a constant). */
  listJoin(list: string, delimiter: string): string;
  /** The values without repeats, first occurrences kept in order. */
  listDedup(list: string): string;
  /** The values sorted as text (byte order). */
  listSortText(list: string): string;
  /** The 0-based position of the first value the RE2 pattern (a parameter) matches, NULL when none does. */
  listFindRegex(list: string, pattern: string): string;
  /** The values for which `body` (over the lambda parameter `param`, a quoted name) holds (NULL: not kept). */
  listFilter(list: string, param: string, body: string): string;
  /** `body` (over `param`) of every value, as text, NULL results dropped. */
  listMap(list: string, param: string, body: string): string;
  /** The pairs of values at the same positions, joined by the delimiter, up to the shorter list. */
  listZip(a: string, b: string, delimiter: string): string;
  /** The numbers from `start` (inclusive) to `end` (exclusive) by `step` (whole numbers), as text. */
  listRange(start: string, end: string, step?: string): string;
  /**
   * mvexpand: the 1-based positions of the list's values, one row each (a table function in the
   * select list); a row with no value gets one row, position 0.
   */
  listExpandPositions(list: string): string;
  /** The value at a 1-based position of the list; NULL at position 0. */
  listValueAt(list: string, position: string): string;
  /** The text split at the delimiter (its SQL; its text when the query wrote it as a literal); '' splits into characters. NULL: none. */
  splitText(expr: string, delimiter: string, delimiterText: string | undefined): string;
  /** The list's non-empty values as text, or a list of the one `value` (SQL) when it has none (a data model field's default). */
  listValuesOr(list: string, value: string): string;
  /** The non-NULL values of the expressions (text), as a list. */
  presentValues(exprs: readonly string[]): string;
}
