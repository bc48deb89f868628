/** Display helpers. Everything here returns plain strings: Preact renders them as text, never as markup. */

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** `2026-11-20 08:00:04.123` or RFC 3339 → `2026-11-20 08:00:04Z`. */
export function timeText(v: unknown): string {
  if (typeof v !== 'string') return cellText(v);
  return v.replace('T', ' ').replace(/\.\d+/, '').replace(/Z?$/, 'Z');
}

/** A nested document as dotted paths and values, in document order. */
export function flatten(doc: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, Array.isArray(doc) ? doc.map(cellText).join(', ') : cellText(doc)]);
  }
  return out;
}

export function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Only http(s) links become anchors: a rule's `link` could be `javascript:…`. */
export const safeUrl = (v: unknown): string | undefined => (typeof v === 'string' && /^https?:\/\//i.test(v) ? v : undefined);

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function toCsv(columns: string[], rows: unknown[][]): string {
  const esc = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  // A cell starting with = + - @ would be a formula in a spreadsheet: prefix it so it stays text.
  const safe = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  return [columns.map(esc).join(','), ...rows.map((r) => r.map((v) => esc(typeof v === 'string' ? safe(v) : cellText(v))).join(','))].join('\r\n') + '\r\n';
}
