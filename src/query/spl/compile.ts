import type { Column } from '../../store/schema.js';
import { EVENTS_VIEW } from '../../store/store.js';
import type { AliasTable } from './aliases.js';
import { compileCommand, type Stage } from './commands/index.js';
import { inputOrder } from './commands/order.js';
import type { LookupCatalog, LookupOutput } from './lookups/catalog.js';
import { Ctx, DataNeeded, quoteIdent, type Param, type Scope } from './context.js';
import { parse } from './parser.js';
import { MAX_TIMECHART_COLUMNS, SeriesNeeded, seriesSetOf, type SeriesSet } from './timechart.js';

export interface CompileOptions {
  /** The column catalog (`allColumns(listFormats())`): the only identifiers a query may name. */
  catalog: readonly Column[];
  aliases: AliasTable;
  /** The time relative modifiers (-24h) count from; default: the current time. */
  now?: Date;
  /** The series of each `timechart … by` read so far, in pipeline order (see compileSplOn). */
  series?: readonly SeriesSet[];
  /** Columns a `timechart … by` may make (default MAX_TIMECHART_COLUMNS). */
  maxTimechartColumns?: number;
  /** The lookup tables (`--lookups`); without them lookup commands are refused. */
  lookups?: LookupCatalog;
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
  /** Likewise for a command that needs rows of the store (iplocation): run it, compile again with the rows under `key` in `data`. */
  dataQuery?: { key: string; sql: string; params: Record<string, Param> };
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
  for (;;) {
    const compiled = compileSpl(query, { ...opts, series, data });
    if (compiled.dataQuery) data.set(compiled.dataQuery.key, await read(compiled.dataQuery.sql, compiled.dataQuery.params));
    else if (compiled.seriesQuery) series.push(seriesSetOf(await read(compiled.seriesQuery.sql, compiled.seriesQuery.params)));
    else return compiled;
  }
}

/**
 * Compiles an SPL pipeline to one SQL statement over the `events` view: each command is a CTE
 * reading the previous one. The result keeps the order the last ordering command gave it.
 */
export function compileSpl(query: string, opts: CompileOptions): CompiledSpl {
  const commands = parse(query);
  const ctx = new Ctx(query, opts.catalog, opts.aliases, opts.now ?? new Date(), opts.series ?? [], { timechartColumns: opts.maxTimechartColumns ?? MAX_TIMECHART_COLUMNS });
  ctx.lookups = opts.lookups;
  if (opts.data) ctx.data = opts.data;
  let scope: Scope = { cols: new Map(opts.catalog.map((c) => [c.name, { list: c.type === 'keyword[]', type: c.type }])), base: true };
  const ctes: string[] = [];
  let from = quoteIdent(EVENTS_VIEW);
  const statement = (select: string) => (ctes.length ? `WITH ${ctes.join(',\n')}\n${select}` : select);
  for (const [i, cmd] of commands.entries()) {
    let stage: Stage;
    try {
      stage = compileCommand(ctx, scope, cmd, from, i === 0);
    } catch (e) {
      if (e instanceof SeriesNeeded) return { sql: '', params: ctx.params, seriesQuery: { sql: statement(e.select), params: ctx.params }, warnings: ctx.warnings };
      if (e instanceof DataNeeded) return { sql: '', params: ctx.params, dataQuery: { key: e.key, sql: statement(e.select), params: ctx.params }, warnings: ctx.warnings };
      throw e;
    }
    ctes.push(`s${ctes.length + 1} AS (\n  ${stage.sql}\n)`);
    from = `s${ctes.length}`;
    scope = stage.scope;
  }
  const final = scope.base ? eventColumns(ctx, scope) : '*';
  // Raw events no command ordered come newest first, as Splunk lists them.
  const order = inputOrder(ctx, scope, { pos: 0, end: 0 });
  const compiled: CompiledSpl = { sql: statement(`SELECT ${final} FROM ${from}${order ? ` ${order}` : ''}`), params: ctx.params, warnings: ctx.warnings };
  if (ctx.output) compiled.output = ctx.output;
  const { earliest, latest } = ctx.bounds;
  if (earliest || latest) {
    compiled.timeFilter = { datasets: [...ctx.datasets].sort() };
    if (earliest) compiled.timeFilter.earliest = earliest.toISOString();
    if (latest) compiled.timeFilter.latest = latest.toISOString();
  }
  return compiled;
}

/** Raw events: the default columns (the time as `_time`) and the fields the query added. */
function eventColumns(ctx: Ctx, scope: Scope): string {
  const cols = ctx.aliases.defaultFields.filter((c) => scope.cols.has(c)).map((c) => (c === 'timestamp' ? `"timestamp" AS "_time"` : quoteIdent(c)));
  const added = [...scope.cols.keys()].filter((k) => !ctx.catalog.has(k)).map(quoteIdent);
  return [...cols, ...added].join(', ') || '*';
}
