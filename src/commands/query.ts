import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable } from '../cli/text.js';
import { listFormats } from '../formats/registry.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import type { QueryResult } from '../store/store.js';
import { DEFAULT_DB } from './common.js';

interface QueryOptions {
  db: string;
  output: 'table' | 'json' | 'csv';
  schema?: boolean;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('Run SQL over the stored events (table "events"; one column per ECS field, dots as underscores).')
    .argument('[sql]', 'the query')
    .option('--db <path>', 'database file', DEFAULT_DB)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--schema', 'list the tables and their columns (with the ECS field each column holds)')
    .addHelpText(
      'after',
      `
Examples:
  packettrail query "SELECT aws_cloudfront_edge_location AS edge, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC"
  packettrail query -o json "SELECT timestamp, source_ip, url_path, http_response_status_code FROM events WHERE http_request_id = 'SOX4x…=='"
  packettrail query --schema

json output is one JSON object per row (NDJSON); csv output follows RFC 4180.
${EXIT_CODES_HELP}`,
    )
    .action(async (sql: string | undefined, o: QueryOptions) => {
      if (!o.schema && !sql) throw new CliError('give a SQL query, or --schema');
      if (!existsSync(o.db)) throw new CliError(`database ${o.db} does not exist (create it with packettrail ingest)`, EXIT.FATAL);
      let store: DuckDbStore;
      try {
        store = await DuckDbStore.open(o.db, { readOnly: true });
      } catch (e) {
        throw new CliError(`cannot open database ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
      }
      try {
        const result = o.schema ? await schemaResult(store) : await store.query(sql!).catch((e: Error) => {
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
