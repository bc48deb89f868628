import type { EcsEvent, EcsObject, EcsValue } from '../ecs/event.js';
import type { Column } from './schema.js';
import { EXTRA_COLUMN } from './schema.js';

const NEEDS_QUOTES = /[\t\n\r"\\]/;

/**
 * Turns events into tab-separated rows in a fixed column order, the staging form every store loads in
 * bulk (DuckDB's CSV reader takes about a million lines a second, far faster than row-by-row appends).
 * An empty cell is NULL; an empty string is written `""`; values with tabs, newlines or quotes are
 * quoted with doubled quotes. Lists and JSON columns are written as JSON text. Leaves without a column
 * go to `extra` as `{ "dotted.path": value }`.
 */
export class RowEncoder {
  private readonly index = new Map<string, number>();
  private readonly kinds: Column['type'][];
  private readonly extraIndex: number;
  readonly columns: readonly Column[];

  constructor(columns: readonly Column[]) {
    this.columns = columns;
    this.kinds = columns.map((c) => c.type);
    columns.forEach((c, i) => {
      if (c !== EXTRA_COLUMN) this.index.set(c.path, i);
    });
    this.extraIndex = columns.indexOf(EXTRA_COLUMN);
  }

  encode(event: EcsEvent): string {
    const cells: string[] = new Array(this.columns.length).fill('');
    const extra: Record<string, EcsValue> = {};
    let hasExtra = false;
    const walk = (obj: EcsObject, prefix: string): void => {
      for (const key in obj) {
        const v = obj[key];
        if (v === undefined || v === null) continue;
        const path = prefix ? `${prefix}.${key}` : key;
        const i = this.index.get(path);
        if (i !== undefined) {
          cells[i] = this.cell(this.kinds[i]!, v);
        } else if (typeof v === 'object' && !Array.isArray(v)) {
          walk(v, path);
        } else {
          extra[path] = v;
          hasExtra = true;
        }
      }
    };
    walk(event, '');
    if (hasExtra && this.extraIndex >= 0) cells[this.extraIndex] = quote(JSON.stringify(extra));
    return cells.join('\t');
  }

  private cell(kind: Column['type'], v: EcsValue): string {
    if (kind === 'keyword[]') return quote(JSON.stringify(Array.isArray(v) ? v.map(String) : [String(v)]));
    if (kind === 'json') return quote(JSON.stringify(v));
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return quote(JSON.stringify(v));
  }
}

function quote(s: string): string {
  if (s === '') return '""';
  if (!NEEDS_QUOTES.test(s)) return s;
  return `"${s.replace(/"/g, '""')}"`;
}
