/**
 * Terminal-safe text: log content is hostile, and a value carrying escape sequences must not be able
 * to rewrite the analyst's terminal. Control characters are shown as `\xNN`.
 */
export function terminalSafe(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 event`, `2 events`: a count and its noun, plural unless the count is one. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : plural}`;
}

/**
 * Text cut to `max` characters with an ellipsis, at a word boundary when there is one in its second
 * half: `Could not load credentials…`, not `Could not load credent…`. A single long token (an id, a
 * URL) is cut where it must be.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const space = head.search(/\s+\S*$/);
  const cut = space >= max / 2 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,;:.(-]+$/, '')}…`;
}

/**
 * A plain aligned table; cells are made terminal-safe and cut to `maxWidth` (at a word boundary).
 * With `wholeLast`, the last column (notes, errors: read, not scanned) is never cut: it pads nothing.
 */
export function renderTable(headers: string[], rows: string[][], maxWidth = 60, wholeLast = false): string {
  const cut = (s: string, i: number) => {
    const safe = terminalSafe(s);
    return wholeLast && i === headers.length - 1 ? safe : clip(safe, maxWidth);
  };
  const cells = rows.map((r) => r.map(cut));
  const heads = headers.map(cut);
  const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(heads), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A word for a POSIX shell: as is when it needs no quoting, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
