import type { QueryResult } from '../store/store.js';
import { counted, formatCount, renderTable, terminalSafe } from './text.js';

/** How `query` prints a result: an aligned table, one block per row (psql's \x), NDJSON or CSV. */
export type ResultFormat = 'table' | 'vertical' | 'json' | 'csv';

/** Rows shown by default where a person reads them (see README "query output"): `--limit` changes it, 0 shows all. */
export const DEFAULT_ROW_LIMIT = 100;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A result as `query` prints it: with a cap, how many rows the whole result has (undefined: not counted). */
export interface PrintedResult extends QueryResult {
  totalRows?: number | undefined;
}

/**
 * `(3 rows)`; when the result was capped, `(100 of 1,234 rows; 1,134 more: …)`, or without a total
 * when it could not be counted in time.
 */
export function rowsFooter(result: PrintedResult): string {
  const shown = result.rows.length;
  if (!result.more) return `(${counted(shown, 'row')})`;
  const how = '--limit N shows more, --limit 0 all';
  const total = result.totalRows;
  if (total === undefined || total <= shown) return `(first ${counted(shown, 'row')}; more not counted: ${how})`;
  return `(${formatCount(shown)} of ${counted(total, 'row')}; ${formatCount(total - shown)} more: ${how})`;
}

/** The aligned table, cells terminal-safe and cut to 60 characters. */
export function renderTableResult(result: PrintedResult): string {
  const table = renderTable(result.columns.map((c) => c.name), result.rows.map((r) => r.map(cellText)));
  return `${table}\n${rowsFooter(result)}\n`;
}

/**
 * One block per row, `column: value` a line, values whole (terminal-safe): for rows too wide for a
 * table. Columns that are NULL in a row are left out of its block (the events view has hundreds,
 * most of them empty for any one event) and counted.
 */
export function renderVerticalResult(result: PrintedResult): string {
  const names = result.columns.map((c) => terminalSafe(c.name));
  const out: string[] = [];
  result.rows.forEach((row, i) => {
    const shown = row.flatMap((v, c) => (v === null || v === undefined ? [] : [c]));
    // Aligned on the names shown in this block: one long name elsewhere in the view does not push every value right.
    const width = Math.max(0, ...shown.map((c) => names[c]!.length)) + 1;
    out.push(`-[ row ${formatCount(i + 1)} ]${'-'.repeat(Math.max(3, width - 6))}`);
    for (const c of shown) out.push(`${`${names[c]}:`.padEnd(width)} ${terminalSafe(cellText(row[c]))}`);
    const nulls = row.length - shown.length;
    if (nulls) out.push(`(${counted(nulls, 'NULL column')} not shown)`);
  });
  out.push(rowsFooter(result));
  return out.join('\n') + '\n';
}

/** One JSON object per row (NDJSON). */
export function renderJsonResult(result: PrintedResult): string {
  const names = result.columns.map((c) => c.name);
  return result.rows.map((r) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i] ?? null])))).join('\n') + (result.rows.length ? '\n' : '');
}

/** CSV as RFC 4180 quotes it, lines ending in LF (what Unix tools and spreadsheets read alike). */
export function renderCsvResult(result: PrintedResult): string {
  const esc = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [result.columns.map((c) => esc(c.name)).join(','), ...result.rows.map((r) => r.map((v) => esc(cellText(v))).join(','))].join('\n') + '\n';
}

export function renderResult(result: PrintedResult, format: ResultFormat): string {
  switch (format) {
    case 'json':
      return renderJsonResult(result);
    case 'csv':
      return renderCsvResult(result);
    case 'vertical':
      return renderVerticalResult(result);
    case 'table':
      return renderTableResult(result);
  }
}

/** The widest line of a rendered text, in characters. */
export function widestLine(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, line.length);
  return widest;
}

/**
 * Table output, or the vertical layout when the table would be wider than the terminal (`columns`;
 * undefined when stdout is no terminal: then always the table).
 */
export function renderTableOrVertical(result: PrintedResult, columns: number | undefined): { text: string; format: 'table' | 'vertical' } {
  const table = renderTableResult(result);
  if (columns === undefined || widestLine(table) <= columns) return { text: table, format: 'table' };
  return { text: renderVerticalResult(result), format: 'vertical' };
}
