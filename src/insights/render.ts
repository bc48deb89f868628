import { formatCount, renderTable, terminalSafe } from '../cli/text.js';
import type { Finding, FindingsSection, InsightReport, SeriesSection, TableSection } from './report.js';

/**
 * InsightReport → terminal text: tables, one sparkline per series, findings with severity, detail
 * and fix. Every value from the report (log content) goes through terminalSafe.
 *
 * Cell types: `number` is printed with thousands separators, `bytes` in KiB/MiB/GiB, `percent` is a
 * fraction (0.25 → 25.0%), `time` and `string` as they are.
 */

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const SEVERITY_ORDER: Finding['severity'][] = ['critical', 'high', 'medium', 'low', 'info'];

export interface RenderOptions {
  /** Widest sparkline in characters (longer series are averaged into this many columns). */
  sparkWidth?: number;
  /** Widest table cell. */
  cellWidth?: number;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function cell(value: string | number | null, type: TableSection['columns'][number]['type']): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'number') return String(value);
  switch (type) {
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return `${(value * 100).toFixed(1)}%`;
    case 'number':
      return Number.isInteger(value) ? formatCount(value) : value.toFixed(2);
    default:
      return String(value);
  }
}

function renderTableSection(s: TableSection, o: RenderOptions): string {
  if (!s.rows.length) return `${terminalSafe(s.title)}\n  (none)`;
  const rows = s.rows.map((r) => s.columns.map((c, i) => cell(r[i] ?? null, c.type)));
  const table = renderTable(s.columns.map((c) => c.name), rows, o.cellWidth ?? 60);
  return `${terminalSafe(s.title)}\n${table}`;
}

/** Averages `values` into at most `width` columns (nulls are skipped; an all-null column stays null). */
export function squeeze(values: readonly (number | null)[], width: number): (number | null)[] {
  if (values.length <= width) return [...values];
  const out: (number | null)[] = [];
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * values.length) / width);
    const to = Math.floor(((c + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v === 'number' && Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n ? sum / n : null);
  }
  return out;
}

/** One character per value, scaled from the series' minimum (or 0) to its maximum; gaps are spaces. */
export function sparkline(values: readonly (number | null)[]): string {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!finite.length) return '';
  const min = Math.min(0, ...finite);
  const max = Math.max(...finite);
  return values
    .map((v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return ' ';
      if (max === min) return v === 0 ? SPARKS[0] : SPARKS[SPARKS.length - 1];
      return SPARKS[Math.min(SPARKS.length - 1, Math.round(((v - min) / (max - min)) * (SPARKS.length - 1)))];
    })
    .join('');
}

function shortNumber(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : n.toFixed(2);
}

function renderSeriesSection(s: SeriesSection, o: RenderOptions): string {
  const lines = [terminalSafe(s.title)];
  if (!s.buckets.length) return `${lines[0]}\n  (no data)`;
  const width = o.sparkWidth ?? 72;
  const nameWidth = Math.max(...s.series.map((x) => terminalSafe(x.name).length));
  for (const x of s.series) {
    const finite = x.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const total = x.additive === false ? '' : `  total ${shortNumber(finite.reduce((a, b) => a + b, 0))}`;
    const stats = finite.length ? `min ${shortNumber(Math.min(...finite))}  max ${shortNumber(Math.max(...finite))}${total}` : 'no values';
    lines.push(`  ${terminalSafe(x.name).padEnd(nameWidth)}  ${sparkline(squeeze(x.values, width))}  ${stats}`);
  }
  lines.push(`  ${' '.repeat(nameWidth)}  ${terminalSafe(s.buckets[0]!)} … ${terminalSafe(s.buckets[s.buckets.length - 1]!)} (${s.buckets.length} buckets)`);
  return lines.join('\n');
}

function factText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return shortNumber(v);
  const text = JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function renderFinding(f: Finding): string {
  const lines = [`[${f.severity.toUpperCase()}] ${terminalSafe(f.title)}${f.at ? `  (${terminalSafe(f.at)})` : ''}`];
  lines.push(`    ${terminalSafe(f.detail)}`);
  if (f.fix) lines.push(`    fix: ${terminalSafe(f.fix)}`);
  for (const [k, v] of Object.entries(f.facts ?? {})) {
    const text = factText(v);
    if (text) lines.push(`    ${terminalSafe(k)}: ${terminalSafe(text)}`);
  }
  return lines.join('\n');
}

function renderFindingsSection(s: FindingsSection): string {
  if (!s.findings.length) return `${terminalSafe(s.title)}\n  No findings.`;
  const sorted = [...s.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  return `${terminalSafe(s.title)} (${s.findings.length})\n${sorted.map(renderFinding).join('\n')}`;
}

export function renderReport(report: InsightReport, o: RenderOptions = {}): string {
  const range = `${report.range.since ?? 'start of data'} → ${report.range.until ?? 'end of data'}`;
  const out = [`${terminalSafe(report.title)}  [${terminalSafe(range)}, ${report.tookMs} ms]`];
  for (const s of report.sections) {
    if (s.kind === 'table') out.push(renderTableSection(s, o));
    else if (s.kind === 'series') out.push(renderSeriesSection(s, o));
    else out.push(renderFindingsSection(s));
  }
  return out.join('\n\n') + '\n';
}
