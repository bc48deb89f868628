/**
 * CloudFront field names, as data. Every delivery form is read into one canonical record keyed by the
 * standard-log (W3C) names below, so one mapping turns all of them into ECS.
 */

/** The 33 standard (legacy) access-log fields, in file order (formats.md §1). */
export const STANDARD_FIELDS = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status',
  'cs(Referer)', 'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id',
  'x-host-header', 'cs-protocol', 'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher',
  'x-edge-response-result-type', 'cs-protocol-version', 'fle-status', 'fle-encrypted-fields', 'c-port',
  'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type', 'sc-content-len', 'sc-range-start',
  'sc-range-end',
] as const;

/** Real-time log fields in AWS's canonical order: the default when no `--fields` list is given (formats.md §3). */
export const REALTIME_FIELDS = [
  'timestamp', 'c-ip', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'cs-method', 'cs-protocol', 'cs-host',
  'cs-uri-stem', 'cs-bytes', 'x-edge-location', 'x-edge-request-id', 'x-host-header', 'time-taken',
  'cs-protocol-version', 'c-ip-version', 'cs-user-agent', 'cs-referer', 'cs-cookie', 'cs-uri-query',
  'x-edge-response-result-type', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-result-type',
  'fle-encrypted-fields', 'fle-status', 'sc-content-type', 'sc-content-len', 'sc-range-start', 'sc-range-end',
  'c-port', 'x-edge-detailed-result-type', 'c-country', 'cs-accept-encoding', 'cs-accept',
  'cache-behavior-path-pattern', 'cs-headers', 'cs-header-names', 'cs-headers-count', 'primary-distribution-id',
  'primary-distribution-dns-name', 'origin-fbl', 'origin-lbl', 'asn',
] as const;

/**
 * Names that mean the same field in other delivery forms: real-time names (`cs-host`), v2 JSON keys
 * (lower-case `cs(host)`) and Parquet column names (`cs_user_agent`). Keys are compared after
 * lower-casing and turning `_` into `-`.
 */
const ALIASES: Record<string, string> = {
  'cs-host': 'cs(Host)',
  'cs(host)': 'cs(Host)',
  'cs-user-agent': 'cs(User-Agent)',
  'cs(user-agent)': 'cs(User-Agent)',
  'cs-referer': 'cs(Referer)',
  'cs(referer)': 'cs(Referer)',
  'cs-cookie': 'cs(Cookie)',
  'cs(cookie)': 'cs(Cookie)',
};

const CANONICAL = new Map<string, string>();
for (const name of [...STANDARD_FIELDS, ...REALTIME_FIELDS]) CANONICAL.set(name.toLowerCase(), name);
for (const [alias, name] of Object.entries(ALIASES)) CANONICAL.set(alias, name);
// Fields of the seed's JSON form (a repeated-request record with a count).
for (const name of ['start_time', 'end_time', 'count', 'distribution-id', 'distributionid']) CANONICAL.set(name, name);

/** The canonical name of a field as written by any delivery form, or the lower-cased name when unknown. */
export function canonicalField(name: string): string {
  const key = name.trim().toLowerCase();
  return CANONICAL.get(key) ?? CANONICAL.get(key.replace(/_/g, '-')) ?? key;
}
