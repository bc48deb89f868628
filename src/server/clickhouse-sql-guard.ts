import { SqlGuardError } from './sql-guard.js';

/**
 * What console SQL may name on a ClickHouse store. The server already runs it as one statement (its
 * HTTP interface refuses several) with readonly=2 (no writes, no DDL); what readonly=2 still allows on
 * 18.16 is reading elsewhere through table functions (file, url, remote, mysql …) and the server's
 * own tables (system.*: settings, other users' queries and their literals). So: a table function
 * must be on the allow-list, wherever it appears, and the system databases are refused. ClickHouse
 * has no parser to ask from here: names are read by a tokenizer that skips string literals and
 * comments, and a quoted name counts as the name.
 */

/** Table functions a console query may call: they compute rows, they read nothing. */
export const CLICKHOUSE_ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['numbers', 'zeros', 'values']);

/**
 * ClickHouse's table functions (current releases too): refused wherever they are called, since a
 * comma join (`FROM events, file(…)`) puts one anywhere in a FROM clause. Names that are also
 * ordinary functions (format) are left out.
 */
const TABLE_FUNCTIONS = new Set([
  'file', 'filecluster', 'url', 'urlcluster', 'remote', 'remotesecure', 'cluster', 'clusterallreplicas', 'mysql', 'postgresql', 'jdbc',
  'odbc', 'hdfs', 'hdfscluster', 's3', 's3cluster', 'gcs', 'azureblobstorage', 'azureblobstoragecluster', 'input', 'executable', 'dictionary',
  'merge', 'sqlite', 'mongodb', 'redis', 'iceberg', 'deltalake', 'hudi', 'generaterandom', 'loop', 'view', 'viewifpermitted', 'null',
  'numbers_mt', 'zeros_mt', 'fuzzjson', 'hive', 'meilisearch', 'mergetreeindex', 'remotesecure',
]);

/** Databases of the server itself, not of the store. */
const REFUSED_DATABASES = new Set(['system', 'information_schema']);

interface Token {
  kind: 'name' | 'punct';
  text: string;
}

/** Names (bare or quoted) and punctuation, without string literals, numbers and comments. */
function tokens(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) i++;
    else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      let text = '';
      while (j < sql.length) {
        const c = sql[j]!;
        if (c === '\\') {
          text += sql[j + 1] ?? '';
          j += 2;
        } else if (c === ch) {
          if (sql[j + 1] === ch) {
            text += ch;
            j += 2;
          } else break;
        } else {
          text += c;
          j++;
        }
      }
      // A string literal is a value; a quoted identifier is a name.
      if (ch !== "'") out.push({ kind: 'name', text });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ kind: 'name', text: sql.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[0-9A-Za-z_.]/.test(sql[j]!)) j++;
      i = j;
    } else {
      out.push({ kind: 'punct', text: ch });
      i++;
    }
  }
  return out;
}

/** Throws SqlGuardError for the first name a console query on ClickHouse may not use. */
export function guardClickHouseSql(sql: string): void {
  const t = tokens(sql);
  for (let k = 0; k < t.length; k++) {
    const tok = t[k]!;
    if (tok.kind !== 'name') continue;
    const name = tok.text.toLowerCase();
    const next = t[k + 1];
    const previous = t[k - 1];
    if (next?.text === '.' && REFUSED_DATABASES.has(name)) {
      throw new SqlGuardError(`${tok.text}.… is not available in the console: it shows the server's settings, users and queries; queries read the store's tables`);
    }
    if (next?.text !== '(' || previous?.text === '.') continue;
    const afterFrom = previous?.kind === 'name' && /^(from|join)$/i.test(previous.text);
    if (TABLE_FUNCTIONS.has(name) || (afterFrom && !CLICKHOUSE_ALLOWED_TABLE_FUNCTIONS.has(name))) {
      throw new SqlGuardError(`the table function ${tok.text}() is not available in the console (allowed: ${[...CLICKHOUSE_ALLOWED_TABLE_FUNCTIONS].join(', ')}): queries read the store's tables`);
    }
  }
}
