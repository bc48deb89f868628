/**
 * Where a dashboard's rows and findings lead: a search of the view's events filtered on the value.
 * Which column (or finding fact) is which event field is data, per view; a column not listed here
 * is plain text.
 */
import { splQuote } from '../format.ts';
import { href } from '../router.ts';

interface ViewSearch {
  /** The SPL that selects the view's events. */
  base: string;
  /** Table column name (or `section.column` when sections differ) → event field it filters on; '' for none. */
  fields: Record<string, string>;
  /** Finding fact name → event field, when a fact of that name differs from the column (default: fields). */
  facts?: Record<string, string>;
  /** Only rows whose column (first) holds this value (second) are about such events. */
  onlyWhere?: [string, string];
}

export const VIEW_SEARCHES: Record<string, ViewSearch> = {
  cloudfront: {
    base: 'index=cloudfront',
    fields: {
      distribution: 'aws_cloudfront_distribution_id', URI: 'url_path', 'user agent': 'user_agent_original', referrer: 'http_request_referrer',
      'edge location': 'aws_cloudfront_edge_location', 'result type': 'aws_cloudfront_edge_result_type', client: 'source_ip',
    },
  },
  vpc: { base: 'index=vpcflow', fields: { source: 'source_ip', destination: 'destination_ip', 'top source': 'source_ip' } },
  cloudtrail: {
    base: 'index=cloudtrail',
    // The timeline's identity is the type and access key; by-identity's is the ARN.
    fields: { who: 'user_name', identity: 'aws_cloudtrail_user_identity_arn', 'timeline.identity': '', 'source ip': 'source_ip' },
    facts: { who: 'aws_cloudtrail_user_identity_arn', 'source ip': 'source_ip' },
  },
  coverage: { base: '', fields: { source: 'event_dataset' }, onlyWhere: ['level', 'dataset'] },
  anomalies: { base: 'index=cloudfront', fields: { distribution: 'aws_cloudfront_distribution_id' } },
};

/** Views that take a CloudFront distribution filter; the others ignore it, so the form does not offer it. */
export const DISTRIBUTION_VIEWS: ReadonlySet<string> = new Set(['cloudfront', 'cloudtrail', 'coverage', 'anomalies']);

/** A finding's events: from this long before its time to this long after (ms). */
const FINDING_BEFORE_MS = 15 * 60_000;
const FINDING_AFTER_MS = 30 * 60_000;

function searchHref(spl: string): string {
  return href('/search', { q: spl.trim() });
}

/** The event field a table cell's value is of, and the SPL of the view's events; undefined when the column is not an event field. */
export function cellField(view: string, section: string, column: string, value: string | number | null, row: Record<string, unknown>): { field: string; base: string } | undefined {
  const v = VIEW_SEARCHES[view];
  const field = v?.fields[`${section}.${column}`] ?? v?.fields[column];
  if (!v || !field || value === null || value === '') return undefined;
  if (v.onlyWhere && row[v.onlyWhere[0]] !== v.onlyWhere[1]) return undefined;
  return { field, base: v.base };
}

/** The search for the events behind one table cell, or undefined when the column is not an event field. */
export function cellSearch(view: string, section: string, column: string, value: string | number | null, row: Record<string, unknown>): string | undefined {
  const c = cellField(view, section, column, value, row);
  return c && searchHref(`${c.base} ${c.field}=${splQuote(String(value))}`);
}

/**
 * The search for a finding's events: the view's events around its time, filtered on the first fact
 * that names an event field.
 */
export function findingSearch(view: string, finding: { at?: string; facts?: Record<string, unknown> }): string | undefined {
  const v = VIEW_SEARCHES[view];
  if (!v) return undefined;
  const parts = [v.base];
  const facts = v.facts ?? v.fields;
  const fact = Object.entries(finding.facts ?? {}).find(([k, val]) => facts[k] && (typeof val === 'string' || typeof val === 'number'));
  if (fact) parts.push(`${facts[fact[0]]}=${splQuote(String(fact[1]))}`);
  const at = finding.at ? Date.parse(finding.at) : NaN;
  if (Number.isFinite(at)) {
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
    parts.push(`earliest=${iso(at - FINDING_BEFORE_MS)} latest=${iso(at + FINDING_AFTER_MS)}`);
  }
  return parts.length > 1 ? searchHref(parts.join(' ')) : undefined;
}
