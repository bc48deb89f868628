import type { SqlExpressions } from '../../store/expressions.js';
import type { Column } from '../../store/schema.js';
import { datasetTable, EVENTS_VIEW } from '../../store/store.js';
import type { AliasTable } from './aliases.js';
import type { Command } from './ast.js';
import { compileCommand, type Stage } from './commands/index.js';
import { inputOrder } from './commands/order.js';
import { LookupError, type LookupCatalog, type LookupOutput, type SubsearchOutput } from './lookups/catalog.js';
import { writeSubsearchLookup } from './lookups/write.js';
import { SplError } from './errors.js';
import { Ctx, DataNeeded, quoteIdent, type Param, type Scope } from './context.js';
import { builtinMacros, expandMacros, type MacroTable } from './macros.js';
import { newestFirst, newestFirstAt } from './order.js';
import { parse } from './parser.js';
import { pinnedDatasets } from './search.js';
import { MAX_SUBSEARCH_RESULTS } from './subsearch.js';
import { MAX_TIMECHART_COLUMNS, SeriesNeeded, seriesSetOf, type SeriesSet } from './timechart.js';

export interface CompileOptions {
  /** The column catalog (`allColumns(listFormats())`): the only identifiers a query may name. */
  catalog: readonly Column[];
  aliases: AliasTable;
  /** The time relative modifiers (-24h) count from; default: the current time. */
  now?: Date;
  /**
   * A time range chosen outside the query (the console's picker): it bounds the first base search
   * as earliest=/latest= would, unless the query gives its own (which win). A query that does not
   * start with a search is told in a warning that the range did not apply.
   */
  range?: { earliest?: Date; latest?: Date };
  /** The series of each `timechart … by` read so far, in pipeline order (see compileSplOn). */
  series?: readonly SeriesSet[];
  /** Columns a `timechart … by` may make (default MAX_TIMECHART_COLUMNS). */
  maxTimechartColumns?: number;
  /** Rows a subsearch passes to the search around it (default MAX_SUBSEARCH_RESULTS, Splunk's `[subsearch] maxout`). */
  subsearchMaxResults?: number;
  /** Search macros (default: the built-in ones, `rules/mappings/spl-macros.conf`). */
  macros?: MacroTable;
  /**
   * The store's dataset tables and their columns (`EventStore.datasetColumns()`). With it, a search
   * pinned to sourcetypes reads their tables instead of the `events` view, and fields no table
   * holds are known to be null.
   */
  tables?: ReadonlyMap<string, ReadonlySet<string>>;
  /** The lookup tables (`--lookups`); without them lookup commands are refused. */
  lookups?: LookupCatalog;
  /** The SQL of the store's engine (`store.dialect.fn`; default DuckDB's). */
  fn?: SqlExpressions;
  /** Rows read for commands that need data first (see DataNeeded), by key; compileSplOn fills it. */
  data?: ReadonlyMap<string, unknown[][]>;
}

export interface CompiledSpl {
  sql: string;
  /** Bound parameters `$p1…`: every value the query carries. */
  params: Record<string, Param>;
  /**
   * Set when a `timechart … by` needs its series first: run this (rows of value, count, score) and compile
   * again with them appended to `series`; `sql` is empty meanwhile.
   */
  seriesQuery?: { sql: string; params: Record<string, Param> };
  /**
   * Likewise for a command that needs rows of the store (iplocation): run it, compile again with the rows
   * under `key` in `data`. With `output` (an outputlookup in a subsearch), write the rows to the lookup first.
   */
  dataQuery?: { key: string; sql: string; params: Record<string, Param>; output?: SubsearchOutput };
  /** What the answer caps, as Splunk does (list() keeps 100 values): shown with the result. */
  warnings: string[];
  /** `outputlookup`: the caller writes the results (the rows of `sql`) to this lookup file. */
  output?: LookupOutput;
  /**
   * The base search's time bounds (`earliest=`/`latest=`, RFC 3339) and the datasets it names by
   * index/sourcetype (empty: any), so that an empty answer can say what the store holds instead.
   */
  timeFilter?: { earliest?: string; latest?: string; datasets: string[] };
}

/** Runs a statement with bound parameters and returns its rows (a store's query). */
export type RowReader = (sql: string, params: Record<string, Param>) => Promise<unknown[][]>;

/**
 * Compiles SPL against a store: like compileSpl, reading the series of each `timechart … by` from
 * the data first, since each series becomes a column.
 */
export async function compileSplOn(read: RowReader, query: string, opts: CompileOptions): Promise<CompiledSpl> {
  const series: SeriesSet[] = [...(opts.series ?? [])];
  const data = new Map(opts.data ?? []);
  const written: string[] = [];
  for (;;) {
    const compiled = compileSpl(query, { ...opts, series, data });
    if (compiled.dataQuery) {
      const rows = await read(compiled.dataQuery.sql, compiled.dataQuery.params);
      const output = compiled.dataQuery.output;
      // Splunk runs the subsearch first: its outputlookup writes before the search around it runs.
      if (output) written.push(`outputlookup in a subsearch wrote ${writeOutput(output, rows)} row(s) to ${output.lookup.file}`);
      data.set(compiled.dataQuery.key, rows);
    } else if (compiled.seriesQuery) series.push(seriesSetOf(await read(compiled.seriesQuery.sql, compiled.seriesQuery.params)));
    else return written.length ? { ...compiled, warnings: [...compiled.warnings, ...written] } : compiled;
  }
}

function writeOutput(output: SubsearchOutput, rows: readonly unknown[][]): number {
  try {
    return writeSubsearchLookup(output, rows);
  } catch (e) {
    if (e instanceof LookupError) throw new SplError(e.message, output.at.offset, output.at.length, output.at.query);
    throw e;
  }
}

/**
 * Compiles an SPL pipeline to one SQL statement over the `events` view: each command is a CTE
 * reading the previous one. The result keeps the order the last ordering command gave it.
 */
export function compileSpl(text: string, opts: CompileOptions): CompiledSpl {
  const query = expandMacros(text, opts.macros ?? builtinMacros());
  const commands = parse(query);
  const caps = { timechartColumns: opts.maxTimechartColumns ?? MAX_TIMECHART_COLUMNS, subsearchResults: opts.subsearchMaxResults ?? MAX_SUBSEARCH_RESULTS };
  const ctx = new Ctx(query, opts.catalog, opts.aliases, opts.now ?? new Date(), opts.series ?? [], caps, opts.tables);
  if (opts.fn) ctx.fn = opts.fn;
  ctx.lookups = opts.lookups;
  if (opts.data) ctx.data = opts.data;
  if (opts.range && (opts.range.earliest || opts.range.latest)) ctx.pickerRange = { ...opts.range };
  let compiled: { sql: string };
  try {
    compiled = compilePipeline(ctx, commands, 's');
  } catch (e) {
    if (e instanceof SeriesNeeded) {
      const sql = e.statement ?? e.select;
      return { sql: '', params: ctx.params, seriesQuery: { sql, params: usedParams(ctx.params, sql) }, warnings: ctx.warnings };
    }
    if (e instanceof DataNeeded) {
      const sql = e.statement ?? e.select;
      return { sql: '', params: ctx.params, dataQuery: { key: e.key, sql, params: usedParams(ctx.params, sql), ...(e.output ? { output: e.output } : {}) }, warnings: ctx.warnings };
    }
    throw e;
  }
  if (ctx.pickerRange) ctx.warnings.push('the time range does not apply to this query: it does not start with a search (give earliest=/latest= in it)');
  const result: CompiledSpl = { sql: compiled.sql, params: usedParams(ctx.params, compiled.sql), warnings: ctx.warnings };
  if (ctx.output) result.output = ctx.output;
  const { earliest, latest } = ctx.bounds;
  if (earliest || latest) {
    result.timeFilter = { datasets: [...ctx.askedDatasets].sort() };
    if (earliest) result.timeFilter.earliest = earliest.toISOString();
    if (latest) result.timeFilter.latest = latest.toISOString();
  }
  return result;
}

/**
 * One pipeline (the query, or a subsearch) as one statement: each command a CTE (`<prefix>1`, …)
 * reading the previous one. A base search pinned to sourcetypes reads their tables when they are known.
 * Events are sorted newest first where a command answers from their order (see order.ts);
 * `resultOrderMatters`: the caller cuts the rows in order (a subsearch).
 */
export function compilePipeline(ctx: Ctx, written: readonly Command[], prefix: string, resultOrderMatters = false): { sql: string; scope: Scope } {
  const sortAt = newestFirstAt(written, resultOrderMatters);
  const commands = sortAt < 0 ? written : [...written.slice(0, sortAt), newestFirst(written[sortAt]?.tok ?? written[0]!.tok), ...written.slice(sortAt)];
  const first = commands[0];
  ctx.datasets = first?.cmd === 'search' ? pinnedDatasets(ctx, first.node) : null;
  let from = quoteIdent(EVENTS_VIEW);
  const read = ctx.tables && ctx.datasets ? datasetTables(ctx, ctx.datasets, ctx.tables) : undefined;
  ctx.readDatasets = null;
  if (read) {
    from = read.from;
    ctx.available = read.columns;
    ctx.readDatasets = ctx.datasets;
  }
  let scope: Scope = { cols: new Map([...ctx.catalog.values()].filter((c) => ctx.hasColumn(c.name)).map((c) => [c.name, { list: c.type === 'keyword[]', type: c.type }])), base: true };
  const ctes: [string, string][] = [];
  const statement = (select: string) => ctx.fn.withQueries(ctes, select);
  for (const [i, cmd] of commands.entries()) {
    let stage: Stage;
    try {
      stage = compileCommand(ctx, scope, cmd, from, i === 0);
    } catch (e) {
      if ((e instanceof SeriesNeeded || e instanceof DataNeeded) && e.statement === undefined) e.statement = statement(e.select);
      throw e;
    }
    ctes.push([`${prefix}${ctes.length + 1}`, stage.sql]);
    from = `${prefix}${ctes.length}`;
    scope = stage.scope;
  }
  const final = scope.base ? eventColumns(ctx, scope) : '*';
  // Raw events no command ordered come newest first, as Splunk lists them.
  const order = inputOrder(ctx, scope, { pos: 0, end: 0 });
  return { sql: statement(`SELECT ${final} FROM ${from}${order ? ` ${order}` : ''}`), scope };
}

/**
 * The parameters the statement names: resolving a field to learn its type can make parameters the
 * statement then does not use, and DuckDB refuses to bind those.
 */
function usedParams(params: Record<string, Param>, sql: string): Record<string, Param> {
  const used = new Set(sql.match(/\$p\d+\w*/g) ?? []); // dialect params may add a suffix (pairsParam: `${name}A`)
  return Object.fromEntries(Object.entries(params).filter(([k]) => used.has(`$${k}`)));
}

/**
 * The tables of the pinned datasets, united by name, and the columns they hold; undefined when a
 * dataset has no table yet (the events view then answers, with nothing for it).
 */
function datasetTables(ctx: Ctx, datasets: readonly string[], tables: ReadonlyMap<string, ReadonlySet<string>>): { from: string; columns: Set<string> } | undefined {
  const names = [...new Set(datasets.map(datasetTable))].filter((t) => tables.has(t));
  if (!names.length) return undefined;
  const columns = new Set(names.flatMap((t) => [...tables.get(t)!]));
  if (names.length === 1) return { from: quoteIdent(names[0]!), columns };
  if (ctx.fn.nativeSpl) return { from: `(${names.map((t) => `SELECT * FROM ${quoteIdent(t)}`).join(' UNION ALL BY NAME ')})`, columns };
  // Without UNION ALL BY NAME: every table lists the columns in one order, typed NULLs for those it lacks.
  const all = [...columns].filter((c) => ctx.catalog.has(c)).sort();
  const select = (t: string) => all.map((c) => (tables.get(t)!.has(c) ? quoteIdent(c) : `${ctx.fn.unitedNull(ctx.catalog.get(c)!.type)} AS ${quoteIdent(c)}`)).join(', ');
  return { from: `(${names.map((t) => `SELECT ${select(t)} FROM ${quoteIdent(t)}`).join(' UNION ALL ')})`, columns: new Set(all) };
}

/** Raw events: the default columns (the time as `_time`) and the fields the query added. */
function eventColumns(ctx: Ctx, scope: Scope): string {
  const cols = ctx.aliases.defaultFields.filter((c) => scope.cols.has(c) && ctx.hasColumn(c)).map((c) => (c === 'timestamp' ? `"timestamp" AS "_time"` : quoteIdent(c)));
  const added = [...scope.cols.keys()].filter((k) => !ctx.catalog.has(k)).map(quoteIdent);
  return [...cols, ...added].join(', ') || '*';
}
