import type { RunSummary } from '../pipeline/stats.js';
import { totals } from '../pipeline/stats.js';
import { counted, formatCount, renderTable, terminalSafe } from './text.js';
import type { DetectionStats } from '../detect/stage.js';
import type { FeedInfo } from '../detect/intel/intel-index.js';

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
    for (const s of summary.sources) rows.push(row(s.source, s.format, s, [...s.errors, ...s.warnings, ...droppedNote(s.fieldsDropped)].join('; ')));
  } else {
    const byFormat = new Map<string, { records: number; events: number; stored: number; duplicates: number; rejected: number; files: number; problems: number; fieldsDropped: number }>();
    for (const s of summary.sources) {
      const g = byFormat.get(s.format) ?? { records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, files: 0, problems: 0, fieldsDropped: 0 };
      g.records += s.records; g.events += s.events; g.stored += s.stored ?? 0; g.duplicates += s.duplicates ?? 0; g.rejected += s.rejected; g.files++;
      g.problems += s.errors.length;
      g.fieldsDropped += s.fieldsDropped ?? 0;
      byFormat.set(s.format, g);
    }
    for (const [format, g] of byFormat) rows.push(row(counted(g.files, 'file'), format, g, [...(g.problems ? [counted(g.problems, 'source error')] : []), ...droppedNote(g.fieldsDropped)].join('; ')));
  }
  for (const m of summary.missing) rows.push([m.arg, '-', '0', '0', ...(storing ? ['0', '0'] : []), '0', m.reason]);
  const t = totals(summary);
  // Notes are errors and warnings: whole, never cut mid-word.
  lines.push(renderTable(head, rows, 70, true));
  const rate = summary.seconds > 0 ? Math.round(t.records / summary.seconds) : 0;
  lines.push(
    `total: ${counted(t.records, 'record')}, ${counted(t.events, 'event')}` +
      (storing ? `, ${formatCount(t.stored)} stored, ${formatCount(t.duplicates)} already stored` : '') +
      `, ${formatCount(t.rejected)} rejected` +
      (t.fieldsDropped ? `, ${formatCount(t.fieldsDropped)} kept with a field left out (tags=_field_dropped)` : '') +
      `, ${counted(t.errors, 'source error')} in ${summary.seconds.toFixed(2)} s (${formatCount(rate)} records/s)`,
  );
  if (summary.deadLetters) lines.push(`dead letters: ${formatCount(summary.deadLetters)} written to ${terminalSafe(summary.deadLetterPath ?? '(not written)')}`);
  return lines.join('\n');
}

/** The note for events kept without a malformed field: they are found by their tag. */
function droppedNote(n: number | undefined): string[] {
  return n ? [`${formatCount(n)} event${n === 1 ? '' : 's'} with a malformed field left out (tags=_field_dropped)`] : [];
}

/** Detection part of the summary: feeds loaded, matches, alerts, suppressed duplicates, per rule, per sink. */
export function renderDetectionSummary(d: DetectionStats, feeds: readonly FeedInfo[] = []): string {
  const lines: string[] = [];
  for (const f of feeds) {
    const skipped = Object.entries(f.skipped);
    const total = skipped.reduce((a, [, n]) => a + n, 0);
    lines.push(
      `intel feed ${terminalSafe(f.name)} (${f.format}): ${formatCount(f.indicators)} indicators` +
        (total ? `, ${formatCount(total)} entries skipped (${skipped.map(([r, n]) => `${terminalSafe(r)}: ${formatCount(n)}`).join('; ')})` : ''),
    );
  }
  const rows = [...d.perRule.entries()]
    .sort((a, b) => b[1].alerts - a[1].alerts || b[1].matches - a[1].matches)
    .slice(0, MAX_SOURCE_ROWS)
    .map(([, c]) => [terminalSafe(c.title), formatCount(c.matches), formatCount(c.alerts), formatCount(c.suppressed)]);
  if (rows.length) lines.push(renderTable(['rule', 'matches', 'alerts', 'suppressed'], rows, 70));
  lines.push(`alerts: ${formatCount(d.alerts)} from ${formatCount(d.matches)} matches, ${formatCount(d.suppressed)} duplicates suppressed`);
  for (const s of d.sinks) {
    const extra = s.duplicates ? `, ${formatCount(s.duplicates)} already there` : '';
    const failed = s.failed ? `, ${formatCount(s.failed)} failed (${s.errors.map(terminalSafe).join('; ')})` : '';
    lines.push(`  ${terminalSafe(s.name)}: ${formatCount(s.delivered)} delivered${extra}${failed}`);
  }
  return lines.join('\n');
}
