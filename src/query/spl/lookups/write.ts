import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LookupOutput } from './catalog.js';
import { csvLine, parseCsv } from './csv.js';

/**
 * Writes a search's results for `outputlookup`, as Splunk: the file replaced (or appended to, keeping
 * the existing header's columns), through a temporary file so a reader never sees half of it. No
 * results: the header alone (create_empty=true), or the existing file left (override_if_empty=false).
 * Returns the rows written.
 */
export function writeLookup(out: LookupOutput, resultColumns: readonly (string | { name: string; type: string })[], rows: readonly unknown[][]): number {
  const columns = resultColumns.map((c) => (typeof c === 'string' ? c : c.name));
  // A time is written as Splunk writes _time and min(_time): epoch seconds (firstTimeSeen > relative_time(…) reads it back as a number).
  const times = resultColumns.map((c) => typeof c !== 'string' && /^TIMESTAMP|^DATE$/i.test(c.type));
  const asWritten = (r: readonly unknown[]) => (times.some(Boolean) ? r.map((v, i) => (times[i] ? epochSeconds(v) : v)) : r);
  const kept = (out.max === null ? rows : rows.slice(0, out.max)).map(asWritten);
  const exists = existsSync(out.file);
  if (!kept.length && exists && !out.overrideIfEmpty) return 0;
  if (!kept.length && !out.createEmpty) {
    if (exists) rmSync(out.file);
    return 0;
  }
  let header = [...columns];
  let prefix = '';
  if (out.append && exists) {
    const text = readFileSync(out.file, 'utf8');
    header = parseCsv(text, out.file).header;
    prefix = text.endsWith('\n') || !text ? text : `${text}\n`;
  }
  const index = header.map((h) => columns.indexOf(h));
  const lines = kept.map((r) => csvLine(index.map((i) => (i < 0 ? null : r[i]))));
  const body = prefix || `${csvLine(header)}\n`;
  mkdirSync(dirname(out.file), { recursive: true });
  const tmp = `${out.file}.${process.pid}.tmp`;
  writeFileSync(tmp, body + lines.map((l) => `${l}\n`).join(''));
  renameSync(tmp, out.file);
  return kept.length;
}

/** A time value (a Date, or its text) as epoch seconds, whole when it has no fraction. */
function epochSeconds(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  const ms = v instanceof Date ? v.getTime() : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(String(v)) ? String(v) : `${String(v).replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) return v;
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
}
