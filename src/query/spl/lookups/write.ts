import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LookupError, MAX_LOOKUP_FILE_BYTES, type LookupOutput, type SubsearchOutput } from './catalog.js';
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

/**
 * Rows an outputlookup inside a subsearch reads, writes and passes on (bound as one parameter):
 * more is refused, never cut, since the lookup would then hold other rows than Splunk writes.
 */
export const MAX_SUBSEARCH_LOOKUP_ROWS = 100_000;

/**
 * Writes the rows read for an outputlookup in a subsearch (per column: its type name, its value as
 * text; see commands/outputlookup.ts) as `writeLookup` does. Throws LookupError when they are over
 * the limits or cannot be written. Returns the rows written.
 */
export function writeSubsearchLookup(out: SubsearchOutput, rows: readonly unknown[][]): number {
  if (rows.length > MAX_SUBSEARCH_LOOKUP_ROWS) throw new LookupError(`outputlookup in a subsearch: more than ${MAX_SUBSEARCH_LOOKUP_ROWS} rows reach it (the limit of rows written and passed on)`);
  let chars = 0;
  for (const r of rows) for (const v of r) chars += v === null || v === undefined ? 4 : String(v).length + 3;
  if (chars > MAX_LOOKUP_FILE_BYTES) throw new LookupError(`outputlookup in a subsearch: the rows reaching it are over ${MAX_LOOKUP_FILE_BYTES} bytes (the lookup file limit)`);
  const columns = out.columns.map((name, i) => ({ name, type: String(rows[0]?.[2 * i] ?? 'VARCHAR') }));
  const values = rows.map((r) => out.columns.map((_, i) => r[2 * i + 1] ?? null));
  try {
    return writeLookup(out.lookup, columns, values);
  } catch (e) {
    throw new LookupError(`outputlookup: cannot write ${out.lookup.file}: ${(e as Error).message}`);
  }
}
