import { dirname, resolve } from 'node:path';

/**
 * What console SQL may name, judged on DuckDB's own parse of it (json_serialize_sql). DuckDB's file
 * access is off where the console's statements run, but it still lets them read the database's own
 * files (read_blob of the store, its WAL) and its catalog shows where they are (duckdb_databases(),
 * pragma_database_list, duckdb_settings(), current_setting('temp_directory')). So, deny by default:
 * a table function must be on the allow-list, a table must not be a file path or a system view that
 * shows files or settings, and setting-reading scalar functions are refused.
 */

/** Table functions a console query may call: they compute rows, they read nothing. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Scalar functions that read settings (paths among them). */
export const REFUSED_SCALAR_FUNCTIONS: ReadonlySet<string> = new Set(['current_setting', 'getvariable']);

/** System views that show the database's file, other files or the settings (views of the refused functions). */
const REFUSED_VIEW = /^(duckdb_|pragma_)|^pg_settings$/i;

/** A table name DuckDB would read as a file (a replacement scan: `FROM 'x.csv'`, `FROM '/path'`). */
const FILE_LIKE = /[./\\:~]/;

export class SqlGuardError extends Error {}

function tableFunctionName(node: Record<string, unknown>): string {
  const fn = node.function as Record<string, unknown> | undefined;
  return String(fn?.function_name ?? '').toLowerCase();
}

/** Walks the parse tree; throws SqlGuardError for the first name a console query may not use. */
function check(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) check(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (n.type === 'TABLE_FUNCTION') {
    const name = tableFunctionName(n);
    if (!ALLOWED_TABLE_FUNCTIONS.has(name)) {
      throw new SqlGuardError(`the table function ${name}() is not available in the console (allowed: ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')}): queries read the database's tables`);
    }
  } else if (n.type === 'BASE_TABLE' || n.type === 'SHOW_REF') {
    const table = String(n.table_name ?? '');
    if (n.type === 'BASE_TABLE' && FILE_LIKE.test(table)) throw new SqlGuardError(`'${table.slice(0, 100)}' reads a file: console queries read the database's tables only`);
    if (REFUSED_VIEW.test(table.replace(/^"|"$/g, ''))) throw new SqlGuardError(`${table.slice(0, 100)} is not available in the console: it shows the server's files and settings`);
  } else if (n.class === 'FUNCTION' && typeof n.function_name === 'string' && REFUSED_SCALAR_FUNCTIONS.has(n.function_name.toLowerCase())) {
    throw new SqlGuardError(`${n.function_name}() is not available in the console: it shows the server's settings`);
  }
  for (const v of Object.values(n)) check(v);
}

/** Checks the statements of a json_serialize_sql result (already known to be exactly one SELECT). */
export function guardParsedSql(parsed: { statements?: unknown[] }): void {
  check(parsed.statements ?? []);
}

/**
 * Error text as the console shows it: DuckDB names files in some of its messages (an I/O error on
 * the database, a spill file): each spelling of the database's path, then of its directory, is
 * replaced by a label.
 */
export function withoutPaths(message: string, paths: readonly (readonly [path: string, label: string])[]): string {
  let out = message;
  for (const [p, label] of paths) if (p.length > 1) out = out.split(p).join(label);
  return out;
}

/** The spellings of the database's path and directory to take out of messages, longest first. */
export function pathsOf(db: string, real: (p: string) => string): [string, string][] {
  const spell = (p: string) => [...new Set([p, resolveSafe(p, real)])];
  const { dir, abs } = splitDb(db);
  return [
    ...spell(abs).map((p) => [p, '<database>'] as [string, string]),
    [db, '<database>'] as [string, string],
    ...spell(dir).map((p) => [p, '<database directory>'] as [string, string]),
  ].sort((a, b) => b[0].length - a[0].length);
}

function resolveSafe(p: string, real: (p: string) => string): string {
  try {
    return real(p);
  } catch {
    return p;
  }
}

function splitDb(db: string): { dir: string; abs: string } {
  const abs = resolve(db);
  return { dir: dirname(abs), abs };
}
