/** Builds PAN-OS CSV records for tests from the field tables, so positions come from the same data the parser reads. */
export function csvRecord(names: readonly string[], values: Record<string, string | number>, opts: { length?: number } = {}): string {
  const seen = new Set<string>();
  const out = names.map((name) => {
    if (name === 'future_use' || seen.has(name)) return name === 'future_use' ? '' : '';
    seen.add(name);
    const v = values[name];
    return v === undefined ? '' : quote(String(v));
  });
  out[0] = '1';
  return (opts.length ? out.slice(0, opts.length) : out).join(',');
}

export function quote(v: string): string {
  return /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
