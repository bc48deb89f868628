import type { RuleMeta } from '../../detect/types.js';
import type { Finding } from '../report.js';

/** One thing a contributor adds to an anomaly: an address, an ASN, a URI… and its share of it. */
export interface Contributor {
  kind: 'address' | 'asn' | 'country' | 'uri' | 'user agent' | 'status' | 'edge location' | 'probe kind' | 'result type';
  value: string;
  /** Requests in the anomalous bucket(s). */
  observed: number;
  /** What it usually sends in such a bucket, when that is known. */
  expected?: number;
}

/** Which events of the distribution to attach to the alert (fixed filters; values are bound). */
export interface EventFilter {
  startMs: number;
  endMs: number;
  ips?: string[];
  minStatus?: number;
  edge?: string;
  probesOnly?: boolean;
}

/** An anomaly found by one rule, before it becomes a finding and an alert. */
export interface Anomaly {
  rule: RuleMeta;
  severity: Finding['severity'];
  distribution: string;
  /** What makes it the same anomaly on every run (the alert id derives from rule + key only). */
  key: Record<string, string>;
  title: string;
  detail: string;
  /** Start of the anomalous bucket (or the first sighting), RFC 3339. */
  at: string;
  observed: number | string;
  baseline: number | string | null;
  baselineKind?: string;
  contributors: Contributor[];
  facts: Record<string, unknown>;
  events: EventFilter;
}

export const FINDING_SEVERITY: Record<RuleMeta['level'], Finding['severity']> = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/** Contributors sorted by what they add beyond their usual share, top `n`. */
export function topContributors(list: Contributor[], n = 5): Contributor[] {
  const excess = (c: Contributor) => c.observed - (c.expected ?? 0);
  return [...list].sort((a, b) => excess(b) - excess(a) || a.value.localeCompare(b.value)).slice(0, n);
}

export function contributorText(c: Contributor): string {
  const usual = c.expected === undefined ? '' : ` (usually ${c.expected < 10 ? c.expected.toFixed(1) : Math.round(c.expected)})`;
  return `${c.kind} ${c.value}: ${c.observed}${usual}`;
}
