import type { RunSummary } from '../pipeline/stats.js';
import { totals } from '../pipeline/stats.js';
import { formatCount, renderTable, terminalSafe } from './text.js';

const MAX_SOURCE_ROWS = 25;

/** The end-of-run summary: per source (or per format when there are many), totals, dead letters. */
export function renderSummary(summary: RunSummary, storing: boolean): string {
  const lines: string[] = [];
  const head = ['source', 'format', 'records', 'events', ...(storing ? ['stored', 'duplicates'] : []), 'rejected', 'notes'];
  const row = (name: string, format: string, s: { records: number; events: number; stored?: number; duplicates?: number; rejected: number }, notes: string) => [
    name, format, formatCount(s.records), formatCount(s.events),
    ...(storing ? [formatCount(s.stored ?? 0), formatCount(s.duplicates ?? 0)] : []),
    formatCount(s.rejected), notes,
  ];
  const rows: string[][] = [];
  if (summary.sources.length <= MAX_SOURCE_ROWS) {
    for (const s of summary.sources) rows.push(row(s.source, s.format, s, [...s.errors, ...s.warnings].join('; ')));
  } else {
    const byFormat = new Map<string, { records: number; events: number; stored: number; duplicates: number; rejected: number; files: number; problems: number }>();
    for (const s of summary.sources) {
      const g = byFormat.get(s.format) ?? { records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, files: 0, problems: 0 };
      g.records += s.records; g.events += s.events; g.stored += s.stored ?? 0; g.duplicates += s.duplicates ?? 0; g.rejected += s.rejected; g.files++;
      g.problems += s.errors.length;
      byFormat.set(s.format, g);
    }
    for (const [format, g] of byFormat) rows.push(row(`${formatCount(g.files)} files`, format, g, g.problems ? `${g.problems} source errors` : ''));
  }
  for (const m of summary.missing) rows.push([m.arg, '-', '0', '0', ...(storing ? ['0', '0'] : []), '0', m.reason]);
  const t = totals(summary);
  lines.push(renderTable(head, rows, 70));
  const rate = summary.seconds > 0 ? Math.round(t.records / summary.seconds) : 0;
  lines.push(
    `total: ${formatCount(t.records)} records, ${formatCount(t.events)} events` +
      (storing ? `, ${formatCount(t.stored)} stored, ${formatCount(t.duplicates)} already stored` : '') +
      `, ${formatCount(t.rejected)} rejected, ${formatCount(t.errors)} source errors in ${summary.seconds.toFixed(2)} s (${formatCount(rate)} records/s)`,
  );
  if (summary.deadLetters) lines.push(`dead letters: ${formatCount(summary.deadLetters)} written to ${terminalSafe(summary.deadLetterPath ?? '(not written)')}`);
  return lines.join('\n');
}
