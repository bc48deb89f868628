/** A value quoted in a rejection reason: long enough to recognize, short enough to read. */
export function clip(v: string, max = 60): string {
  return v.length > max ? `${v.slice(0, max)}…` : v;
}
