import type { AliasTable } from './aliases.js';
import type { Expr } from './ast.js';
import { SplError, suggest, type Located } from './errors.js';
import { compileExpr } from './expr.js';
import { renamedFrom, type WildcardRename } from './rename.js';
import { knownFieldNames, rawField, resolveEventField } from './fields.js';
import type { Token } from './lexer.js';
import type { Column } from '../../store/schema.js';
import type { SeriesSet } from './timechart.js';
import type { FieldType } from '../../formats/format.js';
import type { LookupCatalog, LookupOutput, SubsearchOutput } from './lookups/catalog.js';
import type { SqlExpressions, SqlParams } from '../../store/expressions.js';
import { duckdbExpressions } from '../../store/duckdb/expressions.js';

export type Param = string | number | boolean | null;

/** A column of the relation a command reads. */
export interface ColInfo {
  list: boolean;
  /** The stored type of a catalog column; absent where a command computed the values (eval, stats). */
  type?: FieldType;
}

/**
 * The relation between two commands. While `base` is true it still holds every catalog column of
 * the events view, so CIM aliases and ECS paths resolve; after stats/table only its own columns do.
 */
export interface Scope {
  cols: Map<string, ColInfo>;
  base: boolean;
  /**
   * Set while compiling a calculated field of the alias table: names are the raw fields of this
   * dataset (its extractions, JSON paths and columns), as Splunk's EVAL- see them.
   */
  raw?: { dataset: string | undefined };
  /**
   * The rows are in an order a command gave them (sort, stats, dedup …). Raw events without one are
   * in Splunk's order, newest first: commands that depend on the order (head, dedup, streamstats,
   * transaction) impose it (see commands/order.ts).
   */
  sorted?: boolean;
}


/** A field reference compiled to SQL. */
export interface Ref {
  sql: string;
  list: boolean;
  /** The stored type, when the field is a catalog column (or an alias of one) as stored. */
  type?: FieldType | undefined;
  /** The alias normalization, applied to searched values too. */
  normalize?: string | undefined;
  /** With `normalize`: the SQL of the value before it (`sql` is NORMALIZERS[normalize] of it). */
  unnormalized?: string | undefined;
  /** A field each dataset defines its own way (`sql` is a CASE on event_dataset): the datasets' fields, and the others'. */
  perDataset?: { arms: { dataset: string; ref: Ref }[]; otherwise: Ref | undefined } | undefined;
  /** Never null on any event (a calculated field with a default): no null test needed. */
  notNull?: boolean;
}

/** Output names are quoted; control characters and absurd lengths are refused rather than quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Thrown while compiling a command that needs rows of the store first (iplocation reads the
 * addresses to locate): compileSplOn runs `select` and compiles again with the rows under `key`.
 */
export class DataNeeded extends Error {
  /** The whole statement up to the command (set where the command sits, which may be a subsearch). */
  statement: string | undefined;
  constructor(
    readonly key: string,
    readonly select: string,
    /** An outputlookup in a subsearch: the caller writes the rows read (see commands/outputlookup.ts). */
    readonly output?: SubsearchOutput,
  ) {
    super(`${key}: rows must be read first`);
  }
}

export class Ctx {
  readonly params: Record<string, Param> = {};
  /** What the answer caps or leaves out, said to the user (each once). */
  readonly warnings: string[] = [];
  private n = 0;
  private seriesUsed = 0;
  readonly catalog: Map<string, Column>;
  /** Resolved event fields of this query (their SQL carries this query's parameters). */
  readonly fieldCache = new Map<string, Ref | null>();
  /**
   * The datasets the base search is pinned to (`sourcetype=`/`index=` at its top level), or null:
   * fields then resolve for these datasets only, and the query reads their tables.
   */
  datasets: string[] | null = null;
  /** Wildcard renames on raw events so far (`rename requestParameters.* as *`): later names resolve through them. */
  readonly renames: WildcardRename[] = [];
  /** The columns the tables read hold (null: every catalog column): others are null. */
  available: ReadonlySet<string> | null = null;
  /** The datasets whose own tables the pipeline reads (null: the events view): every row read is one of theirs. */
  readDatasets: readonly string[] | null = null;

  constructor(
    readonly query: string,
    catalog: readonly Column[],
    readonly aliases: AliasTable,
    readonly now: Date,
    /** The series of each `timechart … by`, in pipeline order, as far as they have been read. */
    private readonly series: readonly SeriesSet[],
    /** Caps on what a command may make (see CompileOptions). */
    readonly caps: { timechartColumns: number; subsearchResults: number },
    /** The store's dataset tables and their columns, when known (CompileOptions.tables). */
    readonly tables?: ReadonlyMap<string, ReadonlySet<string>>,
    /** The query a subsearch is part of: parameters and warnings are the whole statement's. */
    private readonly parent?: Ctx,
  ) {
    this.catalog = new Map(catalog.map((c) => [c.name, c]));
  }

  /**
   * The console's time range (CompileOptions.range): applied to the query's first base search unless
   * that search gives earliest=/latest= itself (those win, as in Splunk); cleared once applied.
   */
  pickerRange: { earliest?: Date; latest?: Date } | undefined;

  /** The context of a subsearch (its own text, datasets and fields; the statement's parameters). */
  child(query: string): Ctx {
    const c = new Ctx(query, [...this.catalog.values()], this.aliases, this.now, [], this.caps, this.tables, this.parent ?? this);
    c.fn = this.fn;
    c.lookups = this.lookups;
    c.data = this.data;
    return c;
  }

  /** Whether this pipeline is a subsearch (run before the search around it). */
  get inSubsearch(): boolean {
    return this.parent !== undefined;
  }

  /** outputlookups in subsearches compiled so far (keys their rows in `data`). */
  subsearchOutputs = 0;
  nextSubsearchOutput(): number {
    return this.parent ? this.parent.nextSubsearchOutput() : ++this.subsearchOutputs;
  }

  /** Subsearches compiled so far in the statement (names their CTEs). */
  subsearches = 0;
  nextSubsearch(): number {
    return this.parent ? this.parent.nextSubsearch() : ++this.subsearches;
  }

  /** The SQL of the store's engine (`store.dialect.fn`): what differs per engine is written through it. */
  fn: SqlExpressions = duckdbExpressions;

  /**
   * Refuses a construct the SPL compiler writes in DuckDB's words only, on an engine where those do
   * not run (see src/query/spl/portable.ts): the message names the construct and the engine.
   */
  native(construct: string, at: Located): void {
    if (!this.fn.nativeSpl) throw this.error(`${construct} is not supported on a ${this.fn.engine} store (it runs on DuckDB)`, at);
  }

  /** A value written by one of the dialect's `…Param` expressions, under a fresh parameter name. */
  paramWith(write: (params: SqlParams, name: string) => string): string {
    if (this.parent) return this.parent.paramWith(write);
    const key = `p${++this.n}`;
    return write(this.params, key);
  }

  /** The lookup tables `lookup`/`inputlookup`/`outputlookup` read and write (none: those commands are refused). */
  lookups: LookupCatalog | undefined;
  /** Set by `outputlookup`: where the caller writes the results. */
  output: LookupOutput | undefined;
  /** Rows read from the store for commands that need data before their SQL (see DataNeeded), by key. */
  data: ReadonlyMap<string, unknown[][]> = new Map();

  /** The rows of `select` (a SELECT over a relation of the pipeline), read from the store before compiling again. */
  needData(key: string, select: string, output?: SubsearchOutput): unknown[][] {
    const rows = this.data.get(key);
    if (rows) return rows;
    throw new DataNeeded(key, select, output);
  }

  /** The base search's `earliest=`/`latest=`, when given: timechart shows every bucket between them. */
  readonly bounds: { earliest?: Date; latest?: Date } = {};
  /** Datasets the base search asks for by `index=`/`sourcetype=` (not under NOT): what an empty answer is about. */
  readonly askedDatasets = new Set<string>();
  /** How many NOTs the search walk is under (datasets named there are excluded, not asked for). */
  negated = 0;

  /** The series of the next `timechart … by`, or undefined when they have not been read yet. */
  nextSeries(): SeriesSet | undefined {
    return this.series[this.seriesUsed++];
  }

  warn(text: string): void {
    if (this.parent) this.parent.warn(text);
    else if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** A bound parameter for a value: the only way user values reach SQL. */
  param(v: Param): string {
    if (this.parent) return this.parent.param(v);
    const key = `p${++this.n}`;
    this.params[key] = v;
    return `$${key}`;
  }

  /** A numeric literal as a typed parameter (JS numbers bind as DOUBLE; integers stay integers). */
  number(text: string, at: Located): string {
    const v = Number(text);
    if (!Number.isFinite(v)) throw this.error(`invalid number '${text}'`, at);
    return Number.isSafeInteger(v) ? `CAST(${this.param(v)} AS BIGINT)` : this.double(v);
  }

  /** A row count for LIMIT (ClickHouse takes only a literal there: the dialect says how to write it). */
  limit(text: string, at: Located): string {
    const v = Number(text);
    return Number.isSafeInteger(v) ? this.fn.limitCount(this.param(v)) : this.number(text, at);
  }

  /**
   * A number as a DOUBLE parameter. An integral value past the safe range (1e20) would bind as a
   * BIGINT and fail with "out of int64 range": it binds as its text, which DuckDB casts.
   */
  double(v: number): string {
    return `CAST(${this.param(Number.isInteger(v) && !Number.isSafeInteger(v) ? String(v) : v)} AS DOUBLE)`;
  }

  error(reason: string, at: Located): SplError {
    return new SplError(reason, at.pos, Math.max(1, at.end - at.pos), this.query);
  }

  /** A name the query defines (eval target, `as`, rename): quoted, so any text is safe, but kept printable. */
  outName(tok: Token): string {
    if (!tok.text || tok.text.length > 256 || /[\x00-\x1f\x7f]/.test(tok.text)) throw this.error('invalid output field name', tok);
    // ClickHouse reads backslash escapes in quoted identifiers: refused there rather than escaped twice ways.
    if (!this.fn.nativeSpl && /[\\"`]/.test(tok.text)) throw this.error(`an output field name with \\, " or \` is not supported on a ${this.fn.engine} store`, tok);
    return tok.text;
  }

  /** True when the relation read holds the catalog column. */
  hasColumn(column: string): boolean {
    return this.available === null || this.available.has(column);
  }

  /** A calculated field's expression, compiled over one dataset's raw fields. */
  compileRaw(dataset: string | undefined, e: Expr): string {
    return compileExpr(this, { cols: new Map(), base: false, raw: { dataset } }, e);
  }

  /**
   * Resolves a field name in a scope: its own columns, then (on events) the Splunk field names of
   * the datasets in play, the shared aliases and packettrail's columns. Names are case-sensitive.
   * A name nothing defines is null, as in Splunk, with a warning (and a hint when it looks like a
   * typo of a known name).
   */
  resolve(scope: Scope, tok: Token): Ref {
    const name = tok.text;
    if (scope.raw) return rawField(this, scope.raw.dataset, name);
    const found = this.tryResolve(scope, name, this.renames);
    if (found) return found;
    const known = scope.base ? [...scope.cols.keys(), ...knownFieldNames(this)] : [...scope.cols.keys()];
    const hint = suggest(name, known).filter((h) => h !== name);
    const where = scope.base ? 'no event here has' : 'at this point of the pipeline (stats, table and fields keep only the fields they name) there is no';
    this.warn(`${where} field '${name}': it is null${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`);
    return { sql: this.fn.nullOf('keyword'), list: false };
  }

  /**
   * A field's reference when something defines it (no warning), or undefined: for commands that
   * treat a field the results do not have otherwise (rex and join add it, fillnull creates it).
   */
  find(scope: Scope, name: string): Ref | undefined {
    return scope.raw ? rawField(this, scope.raw.dataset, name) : this.tryResolve(scope, name, this.renames);
  }

  /** A field's reference, or undefined when nothing defines it. */
  private tryResolve(scope: Scope, name: string, renames: readonly WildcardRename[]): Ref | undefined {
    const own = scope.cols.get(name);
    if (own) return { sql: quoteIdent(name), list: own.list, type: own.type };
    if (!scope.base) return undefined;
    // A wildcard does not make Splunk's internal fields (`_time`, `_raw`…): `rename requestParameters.* as *`
    // leaves _time the event's time (typed), not text that a JSON key `_time` could hold.
    const renamed = renames.length && !name.startsWith('_') ? renamedFrom(renames, name) : undefined;
    if (renamed) {
      // Renamed onto `name` where the source has a value; the field of that name stays elsewhere.
      const src = this.tryResolve(scope, renamed.source, renamed.rest);
      const prev = this.tryResolve(scope, name, renamed.rest);
      if (!src || !prev) return src ?? prev;
      if (src.list !== prev.list) return src;
      return { sql: this.fn.coalesce(src.list ? src.sql : this.fn.text(src.sql), prev.list ? prev.sql : this.fn.text(prev.sql)), list: src.list };
    }
    return resolveEventField(this, name);
  }

  /** The event time in a scope: `_time` (alias of the timestamp column, or a column named _time). */
  time(scope: Scope, at: Located): string {
    return this.resolve(scope, { kind: 'word', text: '_time', pos: at.pos, end: at.end }).sql;
  }
}
