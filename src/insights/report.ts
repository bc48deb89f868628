import type { GeoLookup } from '../enrich/geo/index.js';
/**
 * What every insights view returns: a titled list of sections that the CLI prints as tables and
 * sparklines and the console draws as tables and charts. Plain JSON-serializable data.
 */

export interface TableSection {
  kind: 'table';
  id: string;
  title: string;
  columns: { name: string; type: 'string' | 'number' | 'time' | 'percent' | 'bytes' }[];
  rows: (string | number | null)[][];
}

/** A time series: one or more named series over the same buckets. */
export interface SeriesSection {
  kind: 'series';
  id: string;
  title: string;
  /** Bucket starts, RFC 3339 UTC. */
  buckets: string[];
  /** `additive: false` for rates and percentiles: their sum means nothing, so no total is shown. */
  series: { name: string; values: (number | null)[]; additive?: false }[];
}

/** Findings: anomalies, posture issues, coverage gaps. */
export interface FindingsSection {
  kind: 'findings';
  id: string;
  title: string;
  findings: Finding[];
}

export interface Finding {
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  title: string;
  /** What was observed, and against what (baseline, expectation). */
  detail: string;
  /** How to fix it, when there is a fix. */
  fix?: string;
  /** Supporting facts: baseline, observed value, top contributors, last event… */
  facts?: Record<string, unknown>;
  /** The bucket or time it concerns. */
  at?: string;
}

export type ReportSection = TableSection | SeriesSection | FindingsSection;

export interface InsightReport {
  view: string;
  title: string;
  /** The time range the report covers (UTC). */
  range: { since: string | null; until: string | null };
  sections: ReportSection[];
  tookMs: number;
}

export interface InsightOptions {
  since?: string;
  until?: string;
  distribution?: string;
  /** Bucket width in seconds for time series (views pick a default from the range). */
  bucketSeconds?: number;
  /** Rows per top-N table (default 10). */
  limit?: number;
  /** IP → country/ASN for viewers; default: the shipped databases without overrides (`--networks` adds them). */
  geo?: GeoLookup;
}
