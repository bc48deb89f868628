import { Option, type Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable } from '../cli/text.js';
import { listFormats } from '../formats/registry.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import type { QueryResult } from '../store/store.js';
import { AliasError, compileSplOn, loadAliases, looksLikeSpl, SplError } from '../query/spl/index.js';
import { terminalSafe } from '../cli/text.js';
import { DEFAULT_DB, openStoreForReading } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface QueryOptions {
  db: string;
  output: 'table' | 'json' | 'csv';
  schema?: boolean;
  spl?: boolean;
  sql?: boolean;
  showSql?: boolean;
  aliases?: string[];
}

/**
 * SQL text and parameters to run: SPL compiles to SQL (reading `timechart … by` series from the
 * store first); SQL passes through.
 */
async function toSql(text: string, o: QueryOptions, store: DuckDbStore): Promise<{ sql: string; params?: Record<string, string | number | boolean | null> }> {
  if (o.sql || (!o.spl && !looksLikeSpl(text))) return { sql: text };
  try {
    const catalog = allColumns(listFormats());
    const compiled = await compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), text, { catalog, aliases: loadAliases(catalog, o.aliases ?? []) });
    if (o.showSql) process.stderr.write(`${[...compiled.sql.split('\n'), `-- params: ${JSON.stringify(compiled.params)}`].map(terminalSafe).join('\n')}\n`);
    return compiled;
  } catch (e) {
    // The message quotes the query, which may carry escape sequences: keep the terminal safe.
    if (e instanceof SplError || e instanceof AliasError) throw new CliError(`SPL: ${e.message.split('\n').map(terminalSafe).join('\n')}`, EXIT.USAGE);
    throw new CliError(`query failed: ${(e as Error).message}`, EXIT.FATAL);
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
${EXIT_CODES_HELP}`,
    )
    .action(async (text: string | undefined, o: QueryOptions) => {
      if (!o.schema && !text) throw new CliError('give a SQL or SPL query, or --schema');
      if (o.spl && o.sql) throw new CliError('give --spl or --sql, not both');
      const store = await openStoreForReading(o.db);
      try {
        const q = text ? await toSql(text, o, store) : undefined;
        const result = o.schema ? await schemaResult(store) : await store.query(q!.sql, q!.params).catch((e: Error) => {
          throw new CliError(`query failed: ${e.message}`, EXIT.FATAL);
        });
        process.stdout.write(renderResult(result, o.schema ? 'table' : o.output));
      } finally {
        await store.close();
      }
    });
}

async function schemaResult(store: DuckDbStore): Promise<QueryResult> {
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
