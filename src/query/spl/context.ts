import { findAlias, NORMALIZERS, type AliasTable } from './aliases.js';
import { SplError, suggest, type Located } from './errors.js';
import type { Token } from './lexer.js';
import type { Column } from '../../store/schema.js';
import { columnName } from '../../store/schema.js';
import type { SeriesSet } from './timechart.js';
import type { FieldType } from '../../formats/format.js';
import type { LookupCatalog, LookupOutput } from './lookups/catalog.js';

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
  constructor(
    readonly key: string,
    readonly select: string,
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

  constructor(
    readonly query: string,
    catalog: readonly Column[],
    readonly aliases: AliasTable,
    readonly now: Date,
    /** The series of each `timechart … by`, in pipeline order, as far as they have been read. */
    private readonly series: readonly SeriesSet[],
    /** Caps on what a command may make (see CompileOptions). */
    readonly caps: { timechartColumns: number },
  ) {
    this.catalog = new Map(catalog.map((c) => [c.name, c]));
  }

  /** The lookup tables `lookup`/`inputlookup`/`outputlookup` read and write (none: those commands are refused). */
  lookups: LookupCatalog | undefined;
  /** Set by `outputlookup`: where the caller writes the results. */
  output: LookupOutput | undefined;
  /** Rows read from the store for commands that need data before their SQL (see DataNeeded), by key. */
  data: ReadonlyMap<string, unknown[][]> = new Map();

  /** The rows of `select` (a SELECT over a relation of the pipeline), read from the store before compiling again. */
  needData(key: string, select: string): unknown[][] {
    const rows = this.data.get(key);
    if (rows) return rows;
    throw new DataNeeded(key, select);
  }

  /** The base search's `earliest=`/`latest=`, when given: timechart shows every bucket between them. */
  readonly bounds: { earliest?: Date; latest?: Date } = {};
  /** Datasets the base search asks for by `index=`/`sourcetype=` (not under NOT): what an empty answer is about. */
  readonly datasets = new Set<string>();
  /** How many NOTs the search walk is under (datasets named there are excluded, not asked for). */
  negated = 0;

  /** The series of the next `timechart … by`, or undefined when they have not been read yet. */
  nextSeries(): SeriesSet | undefined {
    return this.series[this.seriesUsed++];
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** A bound parameter for a value: the only way user values reach SQL. */
  param(v: Param): string {
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
    return tok.text;
  }

  /** Resolves a field name in a scope: its own columns, then catalog columns, ECS paths and aliases. */
  resolve(scope: Scope, tok: Token): Ref {
    const name = tok.text;
    const own = scope.cols.get(name);
    if (own) return { sql: quoteIdent(name), list: own.list, type: own.type };
    if (scope.base) {
      const alias = findAlias(this.aliases, name);
      if (alias && !this.catalog.has(name)) {
        const cols = alias.columns.map(quoteIdent);
        const sql = cols.length === 1 ? cols[0]! : `coalesce(${cols.join(', ')})`;
        const type = this.catalog.get(alias.columns[0]!)!.type;
        const list = type === 'keyword[]';
        return alias.normalize ? { sql: NORMALIZERS[alias.normalize]!.sql(sql), list, normalize: alias.normalize } : { sql, list, type };
      }
      const col = this.catalog.get(name) ?? this.catalog.get(columnName(name));
      if (col && col.name !== 'extra') return { sql: quoteIdent(col.name), list: col.type === 'keyword[]', type: col.type };
    }
    const known = scope.base ? [...scope.cols.keys(), ...this.aliases.fields.keys()] : [...scope.cols.keys()];
    const hint = suggest(name, known);
    const where = scope.base ? '' : ' at this point of the pipeline (stats, table and fields keep only the fields they name)';
    throw this.error(`unknown field '${name}'${where}${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, tok);
  }

  /** The event time in a scope: `_time` (alias of the timestamp column, or a column named _time). */
  time(scope: Scope, at: Located): string {
    return this.resolve(scope, { kind: 'word', text: '_time', pos: at.pos, end: at.end }).sql;
  }
}
