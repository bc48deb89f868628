/** Values written as ClickHouse TabSeparated input (the store's own rows: files, dead letters, alerts). */
export type TsvValue = string | number | boolean | null | readonly string[] | { time: number };

function escape(s: string): string {
  return s.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** Milliseconds since the epoch → `1701234567.123`, the stored form of time. */
export function epochSecondsText(ms: number): string {
  const abs = Math.abs(Math.trunc(ms));
  return `${ms < 0 ? '-' : ''}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

function cell(v: TsvValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot store the number ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return escape(v);
  if (Array.isArray(v)) return `[${v.map((s) => `'${escape(s).replace(/'/g, "\\'")}'`).join(',')}]`;
  return epochSecondsText((v as { time: number }).time);
}

export function tsvRows(rows: readonly (readonly TsvValue[])[]): string {
  return rows.map((r) => r.map(cell).join('\t') + '\n').join('');
}
