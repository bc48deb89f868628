/** IPv4 in SQL and in JS, for cidrmatch and CIDR lookups. IPv6 is not handled here (callers refuse it). */

/** IPv4 text → its number (BIGINT), or NULL when the value is not four decimal octets up to 255. */
export function ipv4Number(x: string): string {
  const v = `CAST(${x} AS VARCHAR)`;
  const octet = (i: number) => `CAST(TRY_CAST(string_split(${v}, '.')[${i}] AS UTINYINT) AS BIGINT)`;
  return `CASE WHEN regexp_full_match(${v}, '\\d{1,3}(\\.\\d{1,3}){3}') THEN ${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)} END`;
}

/** `a.b.c.d/n` (or one address) → its first and last address as numbers; null if it is not one. */
export function ipv4Range(text: string): [number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const low = Math.floor(base / size) * size;
  return [low, low + size - 1];
}
