import type { EcsEvent, EcsObject, EcsValue } from '../ecs/event.js';
import type { Column } from './schema.js';
import { EXTRA_COLUMN } from './schema.js';

const NEEDS_QUOTES = /[\t\n\r"\\]/;

/** A node of the column tree: a column index for leaves, nested nodes for objects. */
interface TreeNode {
  [key: string]: TreeNode | number;
}

/**
 * Turns events into tab-separated rows in a fixed column order, the staging form every store loads in
 * bulk (DuckDB's CSV reader takes about a million lines a second, far faster than row-by-row appends).
 * An empty cell is NULL; an empty string is written `""`; values with tabs, newlines or quotes are
 * quoted with doubled quotes. Lists are written as `['a', 'b']` literals, JSON columns as JSON text. Leaves without a column
 * go to `extra` as `{ "dotted.path": value }`.
 *
 * The walk follows a tree built from the column paths, so the common case (every field has a
 * column) does no string building and no map lookups.
 */
export class RowEncoder {
  private readonly tree: TreeNode = Object.create(null) as TreeNode;
  private readonly kinds: Column['type'][];
  private readonly extraIndex: number;
  private readonly width: number;
  /** Which columns received a value since the last `takeUsed()`: tables only get columns that are used. */
  private used: Uint8Array;
  readonly columns: readonly Column[];

  constructor(columns: readonly Column[]) {
    this.columns = columns;
    this.width = columns.length;
    this.used = new Uint8Array(columns.length);
    this.kinds = columns.map((c) => c.type);
    columns.forEach((c, i) => {
      if (c === EXTRA_COLUMN) return;
      const parts = c.path.split('.');
      let node = this.tree;
      for (let p = 0; p < parts.length - 1; p++) {
        const existing = node[parts[p]!];
        if (typeof existing === 'number') throw new Error(`column path ${c.path} nests under the leaf column ${parts.slice(0, p + 1).join('.')}`);
        node = existing ?? (node[parts[p]!] = Object.create(null) as TreeNode);
      }
      node[parts[parts.length - 1]!] = i;
    });
    this.extraIndex = columns.indexOf(EXTRA_COLUMN);
  }

  encode(event: EcsEvent): string {
    // A holey array: join() writes nothing for the (many) columns left unset.
    const cells: string[] = new Array<string>(this.width);
    const extra: Record<string, EcsValue> = {};
    const hasExtra = this.walk(event, this.tree, '', cells, extra);
    if (hasExtra && this.extraIndex >= 0) {
      cells[this.extraIndex] = quote(jsonText(extra));
      this.used[this.extraIndex] = 1;
    }
    return cells.join('\t');
  }

  /** Indexes of the columns used since the last call, and a reset. */
  takeUsed(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.width; i++) if (this.used[i]) out.push(i);
    this.used.fill(0);
    return out;
  }

  private walk(obj: EcsObject, node: TreeNode | undefined, prefix: string, cells: string[], extra: Record<string, EcsValue>): boolean {
    let hasExtra = false;
    for (const key in obj) {
      const v = obj[key];
      if (v === undefined || v === null) continue;
      const slot = node?.[key];
      if (typeof slot === 'number') {
        cells[slot] = this.cell(this.kinds[slot]!, v);
        this.used[slot] = 1;
      } else if (typeof v === 'object' && !Array.isArray(v)) {
        if (this.walk(v, slot, prefix ? `${prefix}.${key}` : key, cells, extra)) hasExtra = true;
      } else {
        extra[prefix ? `${prefix}.${key}` : key] = v;
        hasExtra = true;
      }
    }
    return hasExtra;
  }

  private cell(kind: Column['type'], v: EcsValue): string {
    if (kind === 'keyword[]') return quote(listLiteral(Array.isArray(v) ? v : [v]));
    if (kind === 'json') return quote(jsonText(v));
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return quote(jsonText(v));
  }
}

/** A `\uD800`–`\uDFFF` escape in JSON.stringify's output: it writes paired surrogates as characters, lone ones escaped. */
const SURROGATE_ESCAPE = /\\ud[89a-f]/i;
/** Half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * JSON text for a JSON column (or `extra`). A lone surrogate (damaged input: half of a UTF-16 pair,
 * or a `\udc00` escape in a JSON log) is written by JSON.stringify as a `\udc00` escape, which
 * DuckDB's JSON refuses — for the whole load, failing the run (found by fuzzing: one Windows event
 * with "Message":"Process \udc00x" stopped an ingest). It becomes U+FFFD, as it does in text columns,
 * where encoding the row as UTF-8 replaces it.
 */
function jsonText(v: unknown): string {
  const text = JSON.stringify(v);
  return SURROGATE_ESCAPE.test(text) ? JSON.stringify(wellFormed(v)) : text;
}

function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  // defineProperty: a key named __proto__ stays a key.
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k.replace(LONE_SURROGATE, '\ufffd'), { value: wellFormed(x), enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * A list as a `['a', 'b']` literal with backslash escapes: what DuckDB's CSV reader casts straight to
 * VARCHAR[] (several times cheaper than casting JSON text) and what ClickHouse reads as an Array in TSV.
 */
function listLiteral(values: readonly EcsValue[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    out += `${i ? ', ' : ''}'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  return out + ']';
}

function quote(s: string): string {
  if (s === '') return '""';
  if (!NEEDS_QUOTES.test(s)) return s;
  return `"${s.replace(/"/g, '""')}"`;
}
