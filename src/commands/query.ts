import { createReadStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { DEFAULT_ROW_LIMIT, renderResult, renderTableOrVertical, rowsFooter, type PrintedResult, type ResultFormat } from '../cli/result-output.js';
import { listFormats } from '../formats/registry.js';
import { deadline, isOutOfMemory, QueryCancelledError, QueryTimeoutError, ResultTooLargeError, type QueryBounds } from '../store/bounds.js';
import { megabytes } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import type { EventStore, QueryResult } from '../store/store.js';
import { AliasError, compileSplOn, DEFAULT_LOOKUPS_DIR, loadAliases, loadMacros, LookupCatalog, looksLikeSpl, MacroError, SplError, writeLookup, type CompiledSpl, type LookupOutput } from '../query/spl/index.js';
import { timeFilterNote } from '../insights/stored-span.js';
import { terminalSafe } from '../cli/text.js';
import { commandStoreLocation, DEFAULT_DB, openExistingStore } from './common.js';
import { STORE_ENV } from '../store/open.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface QueryOptions {
  db: string;
  store?: string;
  output: ResultFormat;
  vertical?: boolean;
  limit?: string;
  file?: string;
  schema?: boolean;
  spl?: boolean;
  sql?: boolean;
  showSql?: boolean;
  aliases?: string[];
  macros?: string[];
  lookups?: string[];
  timeout: string;
  memoryLimit: string;
  maxResultSize: string;
}

/**
 * A query's time limit on the command line: long enough for real work on a big database, short
 * enough that a runaway on a shared machine ends by itself (--timeout 0 for none).
 */
export const DEFAULT_CLI_QUERY_TIMEOUT_S = 300;
/** DuckDB's memory limit for the query (the store's own default). */
export const DEFAULT_CLI_MEMORY_LIMIT = '1GB';
/** The result held before it is printed: past it the query is refused, not a heap exhausted. */
export const DEFAULT_CLI_MAX_RESULT_SIZE = '256MB';

/**
 * How long counting the rows of a capped result may take (DuckDB runs the query again as a count,
 * reading only the columns it needs: 600,000 events in ≈ 1 s). Past it the footer says "more, not
 * counted" rather than keep the user waiting.
 */
export const ROW_COUNT_TIME_LIMIT_MS = 10_000;

interface CliLimits {
  timeoutMs: number;
  memoryLimit: string;
  maxResultBytes: number;
}

function limitsOf(o: QueryOptions): CliLimits {
  const seconds = Number(o.timeout);
  if (!/^\d+(\.\d+)?$/.test(o.timeout.trim()) || !(seconds <= 86_400 * 7)) throw new CliError(`--timeout must be a number of seconds (0: none), got '${o.timeout}'`);
  for (const [name, v] of [['--memory-limit', o.memoryLimit], ['--max-result-size', o.maxResultSize]] as const) {
    if (!(megabytes(v) > 0)) throw new CliError(`${name} must be a size like 512MB or 2GB, got '${v}'`);
  }
  return { timeoutMs: Math.round(seconds * 1000), memoryLimit: o.memoryLimit, maxResultBytes: Math.round(megabytes(o.maxResultSize) * 2 ** 20) };
}

/**
 * DuckDB's errors for a query that is wrong as written: it does not parse, or names a table,
 * column or function that does not exist. Usage errors (exit 2), as SPL's are.
 */
const QUERY_MISTAKE = /^(Failed to extract statements: )?(Parser|Binder|Catalog|Syntax) Error\b/;

/** A query failure as the CLI reports it: the limit named with its option. */
/** `interrupted`: this command got Ctrl-C (exit 130); a query cancelled otherwise (the process holding the database shutting down) failed. */
function failure(e: unknown, limits: CliLimits, interrupted: boolean): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof QueryCancelledError) return new CliError(`query stopped: ${e.message}`, interrupted ? EXIT.INTERRUPTED : EXIT.FATAL);
  if (e instanceof QueryTimeoutError) return new CliError(`query stopped: ${e.message}`, EXIT.FATAL);
  if (e instanceof ResultTooLargeError) return new CliError(`query refused: ${e.message} (--max-result-size; or write it with COPY … TO)`, EXIT.FATAL);
  if (isOutOfMemory(e)) return new CliError(`query failed: it needs more memory than ${limits.memoryLimit} (--memory-limit): ${(e as Error).message.split('\n')[0]}`, EXIT.FATAL);
  const message = (e as Error).message;
  if (QUERY_MISTAKE.test(message) || (e as { mistake?: boolean }).mistake === true) return new CliError(`query is not valid: ${terminalSafeLines(message)}`, EXIT.USAGE);
  return new CliError(`query failed: ${terminalSafeLines(message)}`, EXIT.FATAL);
}

/** DuckDB's message quotes the query (`LINE 1: SELECT …`), which may carry escape sequences. */
function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

/**
 * A signal for the query: its time limit, and Ctrl-C (SIGINT), which interrupts the DuckDB statement;
 * a second Ctrl-C exits at once.
 */
function querySignal(timeoutMs: number): { signal: AbortSignal; interrupted(): boolean; done(): void } {
  const interrupted = new AbortController();
  const onSigint = () => {
    process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
    interrupted.abort(new QueryCancelledError('interrupted (Ctrl-C)'));
  };
  process.once('SIGINT', onSigint);
  const limit = deadline(timeoutMs, '--timeout', interrupted.signal);
  return {
    signal: limit.signal,
    interrupted: () => interrupted.signal.aborted,
    done: () => {
      limit.done();
      process.off('SIGINT', onSigint);
    },
  };
}

/**
 * SQL text and parameters to run: SPL compiles to SQL (reading `timechart … by` series from the
 * store first); SQL passes through.
 */
async function toSql(text: string, o: QueryOptions, store: EventStore, bounds: QueryBounds): Promise<{ sql: string; params?: Record<string, string | number | boolean | null>; output?: LookupOutput; timeFilter?: CompiledSpl['timeFilter'] }> {
  if (o.sql || (!o.spl && !looksLikeSpl(text))) return { sql: text };
  try {
    const catalog = allColumns(listFormats());
    // outputlookup may write here: the command line is the user's own.
    const lookups = new LookupCatalog(o.lookups ?? [DEFAULT_LOOKUPS_DIR], true);
    const compiled = await compileSplOn((sql, params) => store.query(sql, params, bounds).then((r) => r.rows), text, {
      catalog,
      aliases: loadAliases(catalog, o.aliases ?? []),
      macros: o.macros?.length ? loadMacros(o.macros) : undefined,
      tables: await store.datasetColumns(),
      lookups,
      // SPL compiles to the dialect of the store it runs on.
      fn: store.dialect.fn,
    });
    if (o.showSql) process.stderr.write(`${[...compiled.sql.split('\n'), `-- params: ${JSON.stringify(compiled.params)}`].map(terminalSafe).join('\n')}\n`);
    for (const w of compiled.warnings) process.stderr.write(`packettrail: note: ${w}\n`);
    return compiled;
  } catch (e) {
    // The message quotes the query, which may carry escape sequences: keep the terminal safe.
    if (e instanceof SplError || e instanceof AliasError || e instanceof MacroError) throw new CliError(`SPL: ${e.message.split('\n').map(terminalSafe).join('\n')}`, EXIT.USAGE);
    throw e;
  }
}

/** A query read from a file or stdin: past it, the input is no query (`-f /dev/zero`, a log file) and is refused. */
export const MAX_QUERY_TEXT_BYTES = 1 << 20;

/** Where the query text comes from: the argument, `-` (stdin), or --file (`-` is stdin too). */
async function queryText(arg: string | undefined, o: QueryOptions): Promise<string | undefined> {
  if (arg !== undefined && o.file !== undefined) throw new CliError('give the query as an argument or with --file, not both');
  const from = o.file ?? (arg === '-' ? '-' : undefined);
  if (from === undefined) return arg;
  const name = from === '-' ? 'stdin' : terminalSafe(from);
  let text: string;
  try {
    text = await readBounded(from);
  } catch (e) {
    if (e instanceof CliError) throw new CliError(`the query in ${name} ${e.message}`);
    throw new CliError(`cannot read the query from ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  text = text.replace(/^\uFEFF/, '');
  if (!text.trim()) throw new CliError(`the query in ${name} is empty`);
  return text;
}

/** The whole file (or stdin), refused past MAX_QUERY_TEXT_BYTES without reading further. */
async function readBounded(from: string): Promise<string> {
  const stream = from === '-' ? process.stdin : createReadStream(from);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_QUERY_TEXT_BYTES) {
      stream.destroy();
      throw new CliError(`is larger than ${MAX_QUERY_TEXT_BYTES / 2 ** 20} MiB: not a query`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Rows to print: --limit when given (0: all); else DEFAULT_ROW_LIMIT where a person reads the
 * result (table and vertical output, anywhere; json and csv on a terminal), and every row of json
 * and csv written to a pipe or a file, which are data for another program.
 */
function rowLimit(o: QueryOptions, format: ResultFormat, cmd: Command): number | undefined {
  if (cmd.getOptionValueSource('limit') === 'cli' || o.limit !== undefined) {
    const n = Number(o.limit);
    if (!/^\d+$/.test(String(o.limit).trim()) || !Number.isSafeInteger(n)) throw new CliError(`--limit must be a whole number of rows (0: all), got '${o.limit}'`);
    return n === 0 ? undefined : n;
  }
  if (format === 'table' || format === 'vertical' || process.stdout.isTTY) return DEFAULT_ROW_LIMIT;
  return undefined;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(COMMAND_INDEX.query.description)
    .argument('[query]', 'the query: SQL, or SPL (starts with |, search, index=, sourcetype= or (index=…; or give --spl); - reads it from stdin')
    .option('--db <path>', 'database file', DEFAULT_DB)
    .option('--store <url>', `the store: clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1] or a DuckDB file (default: $${STORE_ENV}, else --db); SQL on a ClickHouse store is ClickHouse SQL`)
    .option('-f, --file <file>', 'read the query from a file (- for stdin)')
    .addOption(new Option('-o, --output <format>', 'output format (table: vertical instead when wider than the terminal)').choices(['table', 'vertical', 'json', 'csv']).default('table'))
    .option('-x, --vertical', 'one block of column: value lines per row (as -o vertical)')
    .option('--limit <rows>', `rows printed (0: all); default ${DEFAULT_ROW_LIMIT} for table and vertical output, and for json and csv on a terminal`)
    .option('--schema', 'list the tables and their columns (with the ECS field each column holds)')
    .option('--spl', 'the query is SPL')
    .option('--sql', 'the query is SQL (even if it looks like SPL)')
    .option('--show-sql', 'print the SQL an SPL query compiles to, and its parameters, on stderr')
    .option('--aliases <file>', 'YAML file extending the SPL field/index alias table (rules/mappings/spl-aliases.yml); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--macros <path>', 'search macros: a macros.conf file, or a directory of macros.conf / security_content *.yml files (extends rules/mappings/spl-macros.conf); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--lookups <dir>', `folder of SPL lookup tables (CSV files with a header, <name>.yml definitions); repeatable, the first wins and receives outputlookup files (default ./${DEFAULT_LOOKUPS_DIR})`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--timeout <seconds>', 'stop the query after this long; 0: no limit', String(DEFAULT_CLI_QUERY_TIMEOUT_S))
    .option('--memory-limit <size>', 'DuckDB memory limit for the query (past it DuckDB spills to disk, then fails)', DEFAULT_CLI_MEMORY_LIMIT)
    .option('--max-result-size <size>', 'largest result held for printing; past it the query is refused', DEFAULT_CLI_MAX_RESULT_SIZE)
    .addHelpText(
      'after',
      `
Examples:
  packettrail query "SELECT aws_cloudfront_edge_location AS edge, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC"
  packettrail query -o json "SELECT timestamp, source_ip, url_path, http_response_status_code FROM events WHERE http_request_id = 'SOX4x…=='"
  packettrail query -x --limit 3 "SELECT * FROM events WHERE event_dataset = 'aws.waf'"
  packettrail query -f hunt.sql -o csv > hunt.csv
  packettrail query --schema
  packettrail query 'index=cloudfront status>=500 | stats count values(edge_location) by url | sort -count | head 20'
  packettrail query --show-sql 'index=panfw action=deny | top limit=5 dest_port'

Rows: table and vertical output show the first ${DEFAULT_ROW_LIMIT} rows and say how many more there are; json and csv
do too on a terminal, and write every row to a pipe or a file. --limit N changes the cap, --limit 0 lifts it.
The cap is applied while DuckDB streams the result: rows past it are counted, never built.
Output: json is one JSON object per row (NDJSON); csv quotes as RFC 4180 and ends lines in LF; timestamps are
RFC 3339 UTC (2026-11-20T08:00:16.363Z) in every format. The table switches to the vertical layout when it is
wider than the terminal (-o table keeps the table); vertical leaves out the columns that are NULL in a row.
Ctrl-C interrupts the running query (exit 130); a second Ctrl-C exits at once.
On a ClickHouse store (--store clickhouse://…) SQL is ClickHouse SQL, run as it is written (its $name
placeholders are not bound from the command line), and --memory-limit does not apply.
${EXIT_CODES_HELP}`,
    )
    .action(async (arg: string | undefined, o: QueryOptions, cmd: Command) => {
      const text = await queryText(arg, o);
      if (!o.schema && !text) throw new CliError('give a SQL or SPL query (an argument, - for stdin, or --file), or --schema');
      if (o.spl && o.sql) throw new CliError('give --spl or --sql, not both');
      if (o.vertical && cmd.getOptionValueSource('output') === 'cli' && o.output !== 'vertical') throw new CliError(`give -x or -o ${o.output}, not both`);
      const format: ResultFormat = o.vertical ? 'vertical' : o.output;
      const maxRows = o.schema ? undefined : rowLimit(o, format, cmd);
      const limits = limitsOf(o);
      const store = await openExistingStore(commandStoreLocation(o, cmd), true, { memoryLimit: limits.memoryLimit });
      const control = querySignal(limits.timeoutMs);
      try {
        const bounds: QueryBounds = { signal: control.signal, maxResultBytes: limits.maxResultBytes };
        let result: PrintedResult;
        let q: Awaited<ReturnType<typeof toSql>> | undefined;
        try {
          q = text ? await toSql(text, o, store, bounds) : undefined;
          result = o.schema ? await schemaResult(store) : await store.query(q!.sql, q!.params, { ...bounds, rfc3339Timestamps: true, ...(maxRows !== undefined && !q?.output ? { maxRows } : {}) });
          if (result.more) result.totalRows = await countRows(store, q!, control.signal);
          // earliest=/latest= that miss the data (a day ingested last week, -24h): say where it is.
          const note = q?.timeFilter ? await timeFilterNote(store, q.timeFilter, bounds) : undefined;
          if (note) process.stderr.write(`packettrail: note: ${terminalSafe(note)}\n`);
        } catch (e) {
          throw failure(e, limits, control.interrupted());
        }
        if (q?.output) {
          let written: number;
          try {
            written = writeLookup(q.output, result.columns, result.rows);
          } catch (e) {
            throw new CliError(`outputlookup: cannot write ${q.output.file}: ${(e as Error).message}`, EXIT.FATAL);
          }
          process.stderr.write(`packettrail: outputlookup wrote ${written} row${written === 1 ? '' : 's'} to ${terminalSafe(q.output.file)}\n`);
        }
        // The default table gives way to the vertical layout when too wide for the terminal.
        const auto = format === 'table' && cmd.getOptionValueSource('output') !== 'cli' && process.stdout.isTTY;
        process.stdout.write(auto ? renderTableOrVertical(result, process.stdout.columns).text : renderResult(result, o.schema ? 'table' : format));
        // json and csv carry no footer: say on stderr that rows were left out.
        if ((format === 'json' || format === 'csv') && result.more) process.stderr.write(`packettrail: ${rowsFooter(result).slice(1, -1)}\n`);
      } finally {
        control.done();
        await store.close();
      }
    });
}

/**
 * The row count of a capped result: DuckDB counts over the query, reading only the columns it needs
 * (streaming the rest of `SELECT * FROM events` to count it took 40 times as long). Undefined when
 * the statement cannot be counted so (PRAGMA, several statements) or not within ROW_COUNT_TIME_LIMIT_MS
 * (or --timeout): the rows are shown all the same.
 */
async function countRows(store: EventStore, q: { sql: string; params?: Record<string, string | number | boolean | null> }, signal: AbortSignal): Promise<number | undefined> {
  // A final `;` (and comments after it) would end the statement inside the parentheses.
  const sql = q.sql.trim().replace(/;(\s|--[^\n]*)*$/, '');
  const limit = deadline(ROW_COUNT_TIME_LIMIT_MS, 'row count', signal);
  try {
    // On its own lines: a trailing -- comment does not swallow the parenthesis.
    const r = await store.query(`SELECT count(*) FROM (\n${sql}\n) AS counted`, q.params, { signal: limit.signal });
    return Number(r.rows[0]![0]);
  } catch (e) {
    // Ctrl-C stops the command; anything else (the time limit, a statement that cannot be counted) only the count.
    if (signal.reason instanceof QueryCancelledError) throw signal.reason;
    return undefined;
  } finally {
    limit.done();
  }
}

async function schemaResult(store: EventStore): Promise<QueryResult> {
  const described = new Map(allColumns(listFormats()).map((c) => [c.name, c]));
  const result = await store.query(
    store.dialect.name === 'clickhouse'
      ? `SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND NOT endsWith(table, '_local') ORDER BY table`
      : `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
  );
  return {
    columns: [
      { name: 'table', type: 'VARCHAR' }, { name: 'column', type: 'VARCHAR' }, { name: 'type', type: 'VARCHAR' },
      { name: 'ecs_field', type: 'VARCHAR' }, { name: 'description', type: 'VARCHAR' },
    ],
    rows: result.rows.map(([table, column, type]) => {
      const c = table === 'events' ? described.get(String(column)) : undefined;
      return [table, column, type, c?.path ?? '', c?.description ?? ''];
    }),
  };
}
