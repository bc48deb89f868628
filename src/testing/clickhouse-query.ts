import type { QueryResult } from '../store/store.js';
import { clickhouseExpressions } from '../store/clickhouse/expressions.js';

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
