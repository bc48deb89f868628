import { RecordError } from '../format.js';

const QUOTE = 34;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;

/**
 * Splits one Umbrella CSV record into trimmed cells.
 *
 * Hand-written instead of a CSV library because Umbrella records are always single lines and carry
 * quirks a generic parser handles badly or slowly: `", "` separators (space before the next quote),
 * fully unquoted rows (cloud firewall samples), `""` escapes and commas inside quoted cells. One
 * forward pass with `indexOf` jumps, no regular expressions, and a malformed line says which cell
 * broke instead of silently shifting every later column.
 */
export function splitCsv(line: string): string[] {
  const cells: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB)) i++;
    if (i < n && line.charCodeAt(i) === QUOTE) {
      i++;
      let value = '';
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new RecordError(`cell ${cells.length + 1}: quoted value is never closed (expected a closing '"')`);
        if (line.charCodeAt(q + 1) === QUOTE) {
          value += line.slice(i, q + 1);
          i = q + 2;
          continue;
        }
        value += line.slice(i, q);
        i = q + 1;
        break;
      }
      cells.push(value.trim());
      while (i < n && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB)) i++;
      if (i >= n) return cells;
      if (line.charCodeAt(i) !== COMMA) {
        throw new RecordError(`cell ${cells.length}: expected a comma after the closing quote, found '${line[i]}'`);
      }
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      const value = line.slice(i, end).trim();
      if (value.indexOf('"') >= 0) throw new RecordError(`cell ${cells.length + 1}: stray '"' inside an unquoted value`);
      cells.push(value);
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}
