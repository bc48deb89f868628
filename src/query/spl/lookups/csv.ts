/**
 * CSV as Splunk's lookup table files: RFC 4180 (quoted fields, doubled quotes, line breaks inside
 * quotes, CRLF or LF), a header row naming the columns. Errors name the line.
 */
export class CsvError extends Error {}

export interface CsvTable {
  header: string[];
  /** One array per data row, as long as the header; an empty cell is ''. */
  rows: string[][];
}

export function parseCsv(text: string, file: string): CsvTable {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    // A blank line is no record.
    if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: start });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += ch;
  }
  if (quoted) throw new CsvError(`${file}:${start}: a quoted value is not closed`);
  if (cell !== '' || cells.length) endRecord();
  const [head, ...data] = records;
  if (!head) throw new CsvError(`${file}: expected a header row naming the columns, found an empty file`);
  const header = head.cells.map((h) => h.trim());
  const blank = header.findIndex((h) => !h);
  if (blank >= 0) throw new CsvError(`${file}:${head.line}: column ${blank + 1} of the header has no name`);
  const dup = header.find((h, k) => header.indexOf(h) !== k);
  if (dup) throw new CsvError(`${file}:${head.line}: the header names '${dup}' twice`);
  const rows = data.map((r) => {
    if (r.cells.length > header.length) throw new CsvError(`${file}:${r.line}: expected ${header.length} values as the header has, got ${r.cells.length}`);
    // Short rows: the missing values are empty, as Splunk reads them.
    return header.map((_, k) => r.cells[k] ?? '');
  });
  return { header, rows };
}

/** A CSV row (RFC 4180: quoted where needed); null and undefined are empty. */
export function csvLine(values: readonly unknown[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
