import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { IntelIndex, type FeedFormat } from './intel-index.js';
import { loadCsv } from './csv.js';
import { loadMisp, mispEvents } from './misp.js';
import { loadStix, looksLikeStix } from './stix.js';

/** A feed file that cannot be used at all (unreadable, not JSON where JSON starts, binary…). */
export class IntelLoadError extends Error {}

/**
 * Loads intel feeds into one index. The format is recognized from the content: JSON that is a STIX
 * bundle (or STIX objects) or a MISP event export, otherwise a CSV with a header or a plain list.
 * Whole-file problems throw IntelLoadError naming the file; bad entries are counted per feed.
 */
export function loadIntel(paths: readonly string[]): IntelIndex {
  const index = new IntelIndex();
  const names = new Set<string>();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new IntelLoadError(`intel feed ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let name = basename(path);
    for (let i = 2; names.has(name); i++) name = `${basename(path)}#${i}`;
    names.add(name);
    loadText(index, text, path, name);
  }
  return index;
}

function loadText(index: IntelIndex, raw: string, path: string, name: string): void {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.indexOf('\u0000') >= 0) throw new IntelLoadError(`intel feed ${path}: binary data (NUL bytes); expected a STIX or MISP JSON document or a CSV/plain list`);
  const start = text.search(/\S/);
  const json = start >= 0 && (text[start] === '{' || text[start] === '[');
  let format: FeedFormat = 'csv';
  let doc: unknown;
  if (json) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new IntelLoadError(`intel feed ${path}: not valid JSON (${(e as Error).message}); expected a STIX 2.1 bundle or a MISP event export`);
    }
    if (looksLikeStix(doc)) format = 'stix';
    else if (mispEvents(doc)) format = 'misp';
    else throw new IntelLoadError(`intel feed ${path}: JSON is neither a STIX 2.1 bundle (type "bundle") nor a MISP event export ({"Event": …} or {"response": [...]})`);
  }
  const feed = index.addFeed({ name, path, format });
  try {
    if (format === 'stix') loadStix(doc, index, feed);
    else if (format === 'misp') loadMisp(mispEvents(doc)!, index, feed);
    else loadCsv(text, index, feed);
  } catch (e) {
    // FeedFormatError and anything a hostile document could provoke: one clear error naming the file.
    throw new IntelLoadError(`intel feed ${path}: ${(e as Error).message}`);
  }
}
