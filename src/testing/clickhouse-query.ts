import type { SqlDialect } from '../store/dialect.js';
import type { EventStore, QueryResult } from '../store/store.js';
import { clickhouseExpressions, clickhouseTimeValue } from '../store/clickhouse/expressions.js';

/**
 * For tests that run engine-neutral SQL on a ClickHouse node before the ClickHouse store exists:
 * `$name` parameters substituted as literals, and results rendered as the DuckDB store renders them
 * (safe 64-bit integers as numbers, Decimal(18, 3) times as DuckDB's TIMESTAMP text). Test SQL only:
 * the substitution does not skip string literals.
 */
export type TestParams = Record<string, string | number | boolean | null>;

function literal(v: string | number | boolean | null | undefined, name: string): string {
  if (v === undefined) throw new Error(`no value for $${name}`);
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`$${name} is not finite`);
    return String(v);
  }
  return clickhouseExpressions.literal(v);
}

export function substitute(sql: string, params: TestParams = {}): string {
  return sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => literal(params[name], name));
}

/** DuckDB's text of a TIMESTAMP with milliseconds: `2026-11-20 08:00:16.36` (fraction without trailing zeros). */
export function duckdbTimestampText(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}`;
}

function render(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  const inner = /^Nullable\((.*)\)$/.exec(type)?.[1] ?? type;
  const array = /^Array\((.*)\)$/.exec(inner)?.[1];
  if (array !== undefined && Array.isArray(value)) return value.map((v) => render(v, array));
  if (inner === 'Decimal(18, 3)') {
    const [s, f = ''] = String(value).split('.');
    const negative = String(value).startsWith('-');
    const ms = Number(s) * 1000 + (negative ? -1 : 1) * Number(f.padEnd(3, '0').slice(0, 3));
    return duckdbTimestampText(ms);
  }
  if (/^U?Int(8|16|32|64)$/.test(inner) && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
}

export async function clickhouseQuery(http: string, sql: string, params?: TestParams): Promise<QueryResult> {
  const text = substitute(sql, params);
  const res = await fetch(`${http}/?default_format=JSONCompact&join_use_nulls=1`, { method: 'POST', body: text });
  const body = await res.text();
  if (!res.ok) throw new Error(`ClickHouse: ${body.trim()}\n${text}`);
  const json = JSON.parse(body) as { meta: { name: string; type: string }[]; data: unknown[][] };
  return {
    columns: json.meta.map((m) => ({ name: m.name, type: m.type })),
    rows: json.data.map((row) => json.meta.map((m, i) => render(row[i], m.type))),
  };
}

/** Runs a statement that returns nothing (DDL, INSERT … FORMAT JSONEachRow with its rows). */
export async function clickhouseExec(http: string, sql: string): Promise<void> {
  const res = await fetch(`${http}/`, { method: 'POST', body: sql });
  if (!res.ok) throw new Error(`ClickHouse: ${(await res.text()).trim()}\n${sql.slice(0, 2000)}`);
}

/** DuckDB column types → the ClickHouse types of the design (time: Decimal64(3) epoch seconds). */
const CLICKHOUSE_TYPES: Record<string, string> = {
  VARCHAR: 'Nullable(String)', JSON: 'Nullable(String)', BIGINT: 'Nullable(Int64)', INTEGER: 'Nullable(Int32)', DOUBLE: 'Nullable(Float64)',
  BOOLEAN: 'Nullable(UInt8)', TIMESTAMP: 'Nullable(Decimal64(3))', 'VARCHAR[]': 'Array(String)',
};

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (DuckDB's text, UTC) → epoch ms, microseconds refused (ClickHouse keeps ms). */
function duckdbTextMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`not a DuckDB timestamp: ${text}`);
  const fraction = (m[3] ?? '').padEnd(6, '0');
  if (!fraction.endsWith('000')) throw new Error(`${text} has microseconds: ClickHouse keeps milliseconds`);
  return Date.parse(`${m[1]}T${m[2]}Z`) + Number(fraction.slice(0, 3));
}

/**
 * Copies tables of a DuckDB store into a ClickHouse node (MergeTree, the design's types), row for
 * row: what the ClickHouse store's loading will do, for tests that compare whole queries before it
 * exists. Returns the columns of each table and the boolean columns.
 */
export interface CopiedTables {
  columns: Map<string, Set<string>>;
  booleans: Set<string>;
  lists: Set<string>;
}

export async function copyTables(duck: EventStore, http: string, tables: readonly string[]): Promise<CopiedTables> {
  const columns = new Map<string, Set<string>>();
  const booleans = new Set<string>();
  const lists = new Set<string>();
  for (const table of tables) {
    const info = await duck.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $t ORDER BY ordinal_position`, { t: table });
    const cols = info.rows.map(([name, type]) => ({ name: String(name), type: String(type) }));
    for (const c of cols) {
      if (!CLICKHOUSE_TYPES[c.type]) throw new Error(`${table}.${c.name}: no ClickHouse type for ${c.type}`);
      if (c.type === 'BOOLEAN') booleans.add(c.name);
      if (c.type === 'VARCHAR[]') lists.add(c.name);
    }
    columns.set(table, new Set(cols.map((c) => c.name)));
    await clickhouseExec(http, `CREATE TABLE "${table}" (${cols.map((c) => `"${c.name}" ${CLICKHOUSE_TYPES[c.type]}`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
    const data = await duck.query(`SELECT * FROM "${table}"`);
    if (!data.rows.length) continue;
    const lines = data.rows.map((row) => {
      const obj: Record<string, unknown> = {};
      cols.forEach((c, i) => {
        const v = row[i];
        if (v === null || v === undefined) obj[c.name] = c.type === 'VARCHAR[]' ? [] : null;
        else if (c.type === 'TIMESTAMP') obj[c.name] = `\u0000${clickhouseTimeValue(duckdbTextMs(String(v)))}`;
        else if (c.type === 'BOOLEAN') obj[c.name] = v ? 1 : 0;
        else if (c.type === 'JSON') obj[c.name] = typeof v === 'string' ? v : JSON.stringify(v);
        else obj[c.name] = v;
      });
      // 18.16 reads a Decimal from a JSON number only: times go in unquoted.
      return JSON.stringify(obj).replace(/"\\u0000(-?\d+\.\d{3})"/g, '$1');
    });
    await clickhouseExec(http, `INSERT INTO "${table}" FORMAT JSONEachRow\n${lines.join('\n')}\n`);
  }
  return { columns, booleans, lists };
}

const readOnly = (what: string) => () => Promise.reject(new Error(`the ClickHouse test store reads only (${what})`));

/**
 * An EventStore reading a ClickHouse node through the engine-neutral expressions, for tests. It
 * renders what ClickHouse types cannot tell apart as the DuckDB store gives it: boolean columns
 * (UInt8) as booleans, and an empty list column as NULL (Array cannot be NULL; packettrail never
 * stores an empty list, so DuckDB holds NULL there).
 */
export class ClickHouseTestStore implements EventStore {
  readonly dialect: SqlDialect = {
    name: 'clickhouse',
    fn: clickhouseExpressions,
    quoteIdent: (name) => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    columnType: () => { throw new Error('test store: no DDL'); },
    createTable: () => { throw new Error('test store: no DDL'); },
    addColumn: () => { throw new Error('test store: no DDL'); },
    loadStaged: () => { throw new Error('test store: no loading'); },
    createView: () => { throw new Error('test store: no DDL'); },
  };
  readonly path: string;
  ensureSchema = readOnly('ensureSchema');
  loadStaged = readOnly('loadStaged');
  recordFile = readOnly('recordFile');
  recordDeadLetters = readOnly('recordDeadLetters');
  /** Queries run, with their parameters (tests look at what was asked). */
  readonly log: string[] = [];

  private readonly tables: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(readonly http: string, private readonly copied: CopiedTables) {
    this.path = http;
    this.tables = new Map([...copied.columns].filter(([t]) => t.startsWith('events_')));
  }

  async query(sql: string, params?: TestParams): Promise<QueryResult> {
    this.log.push(sql);
    const r = await clickhouseQuery(this.http, sql, params);
    const kinds = r.columns.map((c) => (this.copied.booleans.has(c.name) && /UInt8/.test(c.type) ? 'boolean' : this.copied.lists.has(c.name) && c.type === 'Array(String)' ? 'list' : undefined));
    if (kinds.some(Boolean)) {
      r.rows = r.rows.map((row) => row.map((v, i) => (kinds[i] === 'boolean' && v !== null ? v === 1 || v === '1' : kinds[i] === 'list' && Array.isArray(v) && !v.length ? null : v)));
    }
    return r;
  }

  async datasetColumns(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.tables;
  }

  async close(): Promise<void> {}
}
