import type { IntelIndex } from './intel-index.js';
import { classify, typeHint } from './values.js';

const VALUE_COLUMNS = ['value', 'indicator', 'ioc', 'observable', 'ioc_value', 'indicator_value', 'data'];
const TYPE_COLUMNS = ['type', 'indicator_type', 'ioc_type', 'kind', 'observable_type'];
const CONFIDENCE_COLUMNS = ['confidence', 'score', 'confidence_level'];
const REFERENCE_COLUMNS = ['id', 'reference', 'ref', 'uuid', 'event_id'];
const CONFIDENCE_WORDS: Record<string, number> = { none: 0, low: 15, medium: 50, med: 50, moderate: 50, high: 85 };

export class FeedFormatError extends Error {}

/** Splits one CSV line (RFC 4180 quoting on one line); undefined when a quote is left open. */
export function splitCsvLine(line: string, delim: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(delim);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        cell += line.slice(i, q);
        if (line[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const d = line.indexOf(delim, i);
      cell += d < 0 ? line.slice(i) : line.slice(i, d);
      i = d < 0 ? line.length + 1 : d + 1;
    } else {
      const d = line.indexOf(delim, i);
      cell = d < 0 ? line.slice(i) : line.slice(i, d);
      i = d < 0 ? line.length + 1 : d + 1;
    }
    out.push(cell);
    if (i > line.length) return out;
  }
}

function confidenceOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (!t) return undefined;
  if (t in CONFIDENCE_WORDS) return CONFIDENCE_WORDS[t];
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}

interface Layout {
  delim: string;
  value: number;
  type: number;
  confidence: number;
  reference: number;
}

function headerLayout(line: string): Layout | undefined {
  const delim = line.indexOf('\t') >= 0 ? '\t' : line.indexOf(',') >= 0 ? ',' : line.indexOf(';') >= 0 ? ';' : undefined;
  if (!delim) return undefined;
  const cells = (splitCsvLine(line.replace(/^#\s*/, ''), delim) ?? []).map((c) => c.trim().toLowerCase());
  const find = (names: string[]) => cells.findIndex((c) => names.includes(c));
  const layout = { delim, value: find(VALUE_COLUMNS), type: find(TYPE_COLUMNS), confidence: find(CONFIDENCE_COLUMNS), reference: find(REFERENCE_COLUMNS) };
  if (layout.value >= 0) return layout;
  // A header naming a type but no value column is a mistake worth a clear error, not silence.
  if (layout.type >= 0 || layout.confidence >= 0) {
    throw new FeedFormatError(`CSV header '${line.slice(0, 120)}' has no value column (expected one of: ${VALUE_COLUMNS.join(', ')})`);
  }
  return undefined;
}

/**
 * Indexes a CSV feed with a header (value column required; type, confidence and reference columns
 * optional) or a plain list (one indicator per line, first token; `#` starts a comment). Values
 * are classified by shape unless a type column says what they are.
 */
export function loadCsv(text: string, index: IntelIndex, feed: number): void {
  const lines = text.split('\n');
  let layout: Layout | undefined;
  let first = true;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (first) {
      first = false;
      layout = headerLayout(trimmed);
      if (layout) continue;
    }
    if (trimmed.charCodeAt(0) === 35 /* # */) continue;
    let value: string;
    let hint;
    let confidence: number | undefined;
    let reference: string | undefined;
    if (layout) {
      const cells = splitCsvLine(line, layout.delim);
      if (!cells) {
        index.skip(feed, 'unterminated quote', `line ${n + 1}`);
        continue;
      }
      if (cells.length <= layout.value) {
        index.skip(feed, 'row has no value column', `line ${n + 1}`);
        continue;
      }
      value = cells[layout.value]!;
      if (layout.type >= 0) {
        const declared = cells[layout.type]?.trim();
        hint = typeHint(declared);
        if (declared && !hint) {
          index.skip(feed, `type ${declared.slice(0, 40)}`, `line ${n + 1}`);
          continue;
        }
      }
      confidence = layout.confidence >= 0 ? confidenceOf(cells[layout.confidence]) : undefined;
      reference = layout.reference >= 0 ? cells[layout.reference]?.trim() || undefined : undefined;
    } else {
      const space = trimmed.search(/[\s,]/);
      value = space < 0 ? trimmed : trimmed.slice(0, space);
    }
    const c = classify(value, hint);
    if (c) index.add(c, feed, confidence, reference);
    else index.skip(feed, hint ? `value is not a valid ${hint}` : 'not an IP, CIDR, domain, URL or hash', `line ${n + 1}: ${value}`);
  }
}
