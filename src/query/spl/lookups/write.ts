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
export function writeLookup(out: LookupOutput, columns: readonly string[], rows: readonly unknown[][]): number {
  const kept = out.max === null ? rows : rows.slice(0, out.max);
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
