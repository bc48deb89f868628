import { Option, type Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable } from '../cli/text.js';
import { listFormats } from '../formats/registry.js';
import { deadline, isOutOfMemory, QueryCancelledError, QueryTimeoutError, ResultTooLargeError, type QueryBounds } from '../store/bounds.js';
import { megabytes } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import type { EventStore, QueryResult } from '../store/store.js';
import { AliasError, compileSplOn, loadAliases, looksLikeSpl, SplError } from '../query/spl/index.js';
import { terminalSafe } from '../cli/text.js';
import { DEFAULT_DB, openExistingStore } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface QueryOptions {
  db: string;
  output: 'table' | 'json' | 'csv';
  schema?: boolean;
  spl?: boolean;
  sql?: boolean;
  showSql?: boolean;
  aliases?: string[];
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

/** A query failure as the CLI reports it: the limit named with its option. */
function failure(e: unknown, limits: CliLimits): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof QueryTimeoutError || e instanceof QueryCancelledError) return new CliError(`query stopped: ${e.message}`, EXIT.FATAL);
  if (e instanceof ResultTooLargeError) return new CliError(`query refused: ${e.message} (--max-result-size; or write it with COPY … TO)`, EXIT.FATAL);
  if (isOutOfMemory(e)) return new CliError(`query failed: it needs more memory than ${limits.memoryLimit} (--memory-limit): ${(e as Error).message.split('\n')[0]}`, EXIT.FATAL);
  return new CliError(`query failed: ${(e as Error).message}`, EXIT.FATAL);
}

/**
 * A signal for the query: its time limit, and Ctrl-C (SIGINT), which interrupts the DuckDB statement;
 * a second Ctrl-C exits at once.
 */
function querySignal(timeoutMs: number): { signal: AbortSignal; done(): void } {
  const interrupted = new AbortController();
  const onSigint = () => {
    process.once('SIGINT', () => process.exit(EXIT.FATAL));
    interrupted.abort(new QueryCancelledError('interrupted (Ctrl-C)'));
  };
  process.once('SIGINT', onSigint);
  const limit = deadline(timeoutMs, '--timeout', interrupted.signal);
  return {
    signal: limit.signal,
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
async function toSql(text: string, o: QueryOptions, store: EventStore, bounds: QueryBounds): Promise<{ sql: string; params?: Record<string, string | number | boolean | null> }> {
  if (o.sql || (!o.spl && !looksLikeSpl(text))) return { sql: text };
  try {
    const catalog = allColumns(listFormats());
    const compiled = await compileSplOn((sql, params) => store.query(sql, params, bounds).then((r) => r.rows), text, { catalog, aliases: loadAliases(catalog, o.aliases ?? []) });
    if (o.showSql) process.stderr.write(`${[...compiled.sql.split('\n'), `-- params: ${JSON.stringify(compiled.params)}`].map(terminalSafe).join('\n')}\n`);
    for (const w of compiled.warnings) process.stderr.write(`packettrail: note: ${w}\n`);
    return compiled;
  } catch (e) {
    // The message quotes the query, which may carry escape sequences: keep the terminal safe.
    if (e instanceof SplError || e instanceof AliasError) throw new CliError(`SPL: ${e.message.split('\n').map(terminalSafe).join('\n')}`, EXIT.USAGE);
    throw e;
  }
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(COMMAND_INDEX.query.description)
    .argument('[query]', 'the query: SQL, or SPL (starts with |, search, index=, sourcetype= or (index=…; or give --spl)')
    .option('--db <path>', 'database file', DEFAULT_DB)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--schema', 'list the tables and their columns (with the ECS field each column holds)')
    .option('--spl', 'the query is SPL')
    .option('--sql', 'the query is SQL (even if it looks like SPL)')
    .option('--show-sql', 'print the SQL an SPL query compiles to, and its parameters, on stderr')
    .option('--aliases <file>', 'YAML file extending the SPL field/index alias table (rules/mappings/spl-aliases.yml); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--timeout <seconds>', 'stop the query after this long; 0: no limit', String(DEFAULT_CLI_QUERY_TIMEOUT_S))
    .option('--memory-limit <size>', 'DuckDB memory limit for the query (past it DuckDB spills to disk, then fails)', DEFAULT_CLI_MEMORY_LIMIT)
    .option('--max-result-size <size>', 'largest result held for printing; past it the query is refused', DEFAULT_CLI_MAX_RESULT_SIZE)
    .addHelpText(
      'after',
      `
Examples:
  packettrail query "SELECT aws_cloudfront_edge_location AS edge, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC"
  packettrail query -o json "SELECT timestamp, source_ip, url_path, http_response_status_code FROM events WHERE http_request_id = 'SOX4x…=='"
  packettrail query --schema
  packettrail query 'index=cloudfront status>=500 | stats count values(edge_location) by url | sort -count | head 20'
  packettrail query --show-sql 'index=panfw action=deny | top limit=5 dest_port'

json output is one JSON object per row (NDJSON); csv output follows RFC 4180.
Ctrl-C interrupts the running query; a second Ctrl-C exits at once.
${EXIT_CODES_HELP}`,
    )
    .action(async (text: string | undefined, o: QueryOptions) => {
      if (!o.schema && !text) throw new CliError('give a SQL or SPL query, or --schema');
      if (o.spl && o.sql) throw new CliError('give --spl or --sql, not both');
      const limits = limitsOf(o);
      const store = await openExistingStore(o.db, true, { memoryLimit: limits.memoryLimit });
      const control = querySignal(limits.timeoutMs);
      try {
        const bounds: QueryBounds = { signal: control.signal, maxResultBytes: limits.maxResultBytes };
        let result: QueryResult;
        try {
          const q = text ? await toSql(text, o, store, bounds) : undefined;
          result = o.schema ? await schemaResult(store) : await store.query(q!.sql, q!.params, bounds);
        } catch (e) {
          throw failure(e, limits);
        }
        process.stdout.write(renderResult(result, o.schema ? 'table' : o.output));
      } finally {
        control.done();
        await store.close();
      }
    });
}

async function schemaResult(store: EventStore): Promise<QueryResult> {
  const described = new Map(allColumns(listFormats()).map((c) => [c.name, c]));
  const result = await store.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
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

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function renderResult(result: QueryResult, output: QueryOptions['output']): string {
  const names = result.columns.map((c) => c.name);
  if (output === 'json') {
    return result.rows.map((r) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i] ?? null])))).join('\n') + (result.rows.length ? '\n' : '');
  }
  if (output === 'csv') {
    const esc = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [names.map(esc).join(','), ...result.rows.map((r) => r.map((v) => esc(cellText(v))).join(','))].join('\r\n') + '\r\n';
  }
  const table = renderTable(names, result.rows.map((r) => r.map(cellText)));
  return `${table}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`;
}
