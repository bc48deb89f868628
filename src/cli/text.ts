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

/** A plain aligned table; cells are made terminal-safe and cut to `maxWidth`. */
export function renderTable(headers: string[], rows: string[][], maxWidth = 60): string {
  const cut = (s: string) => {
    const safe = terminalSafe(s);
    return safe.length > maxWidth ? `${safe.slice(0, maxWidth - 1)}…` : safe;
  };
  const cells = rows.map((r) => r.map(cut));
  const heads = headers.map(cut);
  const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(heads), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
