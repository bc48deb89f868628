import { buildAlert } from '../../detect/alerts/build.js';
import type { Alert, RuleMeta } from '../../detect/types.js';
import type { EcsEvent } from '../../ecs/event.js';
import type { EventStore } from '../../store/store.js';
import type { Finding, InsightReport, ReportSection } from '../report.js';
import { bucketSeconds, isoSeconds } from '../time-range.js';
import { rangeMissesData } from '../stored-span.js';
import type { IngestAnalysis, InsightView } from '../views.js';
import { eventAt } from './read.js';
import { findSilences, sourceName, type CoverageOptions, type CoverageResult, type Silence } from './silence.js';

/** The coverage rule: alerts from the post-ingest analysis carry it (and the demo's truth.json names it). */
export const SILENT_SOURCE_RULE: RuleMeta = {
  id: '0c6f3f0e-5d1b-4f7e-9a55-6a8f1e2c7b41',
  title: 'Log Source Went Silent',
  level: 'medium',
  kind: 'anomaly',
  author: 'packettrail',
  description: 'A log source (dataset, account, CloudFront distribution or VPC network interface) stopped delivering events for longer than its usual cadence: logging was turned off, delivery broke, or the resource is gone.',
  falsepositives: ['A resource that was decommissioned', 'Ingest that has not caught up with one source yet'],
  tags: ['attack.defense-impairment', 'attack.t1562.008'],
};

/** Silence of the audit trail itself is worse than silence of one interface. */
const HIGH_DATASETS = new Set(['aws.cloudtrail']);

function duration(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

function lastEventText(e: EcsEvent | undefined): string | undefined {
  if (!e) return undefined;
  const ev = (e.event ?? {}) as Record<string, unknown>;
  const parts = [e['@timestamp'], ev.action, (e.source as Record<string, unknown> | undefined)?.ip, (e.user as Record<string, unknown> | undefined)?.name].filter((x) => typeof x === 'string' && x);
  return parts.join(' ');
}

const FIX: Record<string, string> = {
  'aws.cloudtrail': 'Check the trail (aws cloudtrail get-trail-status: IsLogging, LatestDeliveryError); if someone stopped it, start-logging and review the CloudTrail audit for StopLogging/DeleteTrail; run packettrail posture on the trail configuration.',
  'aws.cloudfront': 'Check the distribution\'s standard logging (bucket, prefix, bucket ACL for the awslogsdelivery account) or real-time log configuration, and whether the distribution still serves traffic.',
  'aws.vpcflow': 'Check the flow log (aws ec2 describe-flow-logs: status, DeliverLogsErrorMessage) and whether the interface still exists.',
};

function silenceFinding(s: Silence, last: EcsEvent | undefined): Finding {
  const name = sourceName(s.level, s.dataset, s.key);
  const since = isoSeconds(s.sinceMs);
  const lastText = lastEventText(last) ?? since;
  const ongoing = s.untilMs === undefined;
  return {
    severity: HIGH_DATASETS.has(s.dataset) ? 'high' : 'medium',
    title: ongoing ? `${name} went silent` : `${name} was silent for ${duration(s.seconds)}`,
    detail: `${ongoing ? `No events for ${duration(s.seconds)}` : `No events from ${since} to ${isoSeconds(s.untilMs!)}`}; its usual gap is ${s.p95GapS === undefined ? 'unknown' : duration(s.p95GapS)} (95th percentile), alert threshold ${duration(s.thresholdS)}. Last event: ${lastText}.`,
    fix: FIX[s.dataset] ?? 'Check the source\'s delivery (agent, export, bucket permissions) and whether it still produces logs.',
    facts: {
      source: name, level: s.level, 'last event': lastText, 'last event id': (last?.event as Record<string, unknown> | undefined)?.id,
      ...(s.alsoSilent.length ? { 'same silence': s.alsoSilent.join(', ') } : {}),
    },
    at: since,
  };
}

/** Findings and alerts (one per silence, carrying the source's last event) for the silences found. */
export async function silenceAlerts(store: EventStore, result: CoverageResult): Promise<{ alerts: Alert[]; findings: Finding[] }> {
  const alerts: Alert[] = [];
  const findings: Finding[] = [];
  for (const s of result.silences) {
    const last = await eventAt(store, result.tables, s.level, s.dataset, s.key, s.sinceText);
    const finding = silenceFinding(s, last);
    findings.push(finding);
    if (!last) continue;
    const rule = { ...SILENT_SOURCE_RULE, level: finding.severity === 'high' ? ('high' as const) : SILENT_SOURCE_RULE.level };
    alerts.push(buildAlert({
      rule, events: [last], key: { level: s.level, dataset: s.dataset, source: s.key },
      details: { source: sourceName(s.level, s.dataset, s.key), silent_seconds: Math.round(s.seconds), threshold_seconds: Math.round(s.thresholdS), ongoing: s.untilMs === undefined, until: s.untilMs === undefined ? undefined : isoSeconds(s.untilMs), same_silence: s.alsoSilent },
    }));
  }
  return { alerts, findings };
}

/**
 * Log coverage: every source (dataset, account, distribution, interface) with its cadence and last
 * event; sources that stopped delivering, or did for a while, as findings.
 */
export async function coverageReport(store: EventStore, o: CoverageOptions): Promise<InsightReport> {
  const started = Date.now();
  const result = await findSilences(store, o);
  const { findings } = await silenceAlerts(store, result);
  if (!result.sources.length) {
    const missed = await rangeMissesData(store, result.range, undefined, 'events');
    if (missed) findings.push(missed);
  }
  const sections: ReportSection[] = [{ kind: 'findings', id: 'silent-sources', title: 'Silent sources', findings }];
  const horizon = result.horizonMs;
  sections.push({
    kind: 'table', id: 'sources', title: `Sources${horizon === undefined ? '' : ` (silence measured up to ${isoSeconds(horizon)})`}`,
    columns: [
      { name: 'source', type: 'string' }, { name: 'level', type: 'string' }, { name: 'events', type: 'number' }, { name: 'first', type: 'time' },
      { name: 'last', type: 'time' }, { name: 'usual gap', type: 'string' }, { name: 'silent for', type: 'string' }, { name: 'status', type: 'string' },
    ],
    rows: result.sources.map((s) => [
      sourceName(s.level, s.dataset, s.key), s.level, s.events, isoSeconds(s.firstMs), isoSeconds(s.lastMs), s.p95GapS === undefined ? null : duration(s.p95GapS),
      horizon === undefined ? null : duration(Math.max(0, (horizon - s.lastMs) / 1000)), s.status,
    ]),
  });
  // Events per dataset over time (a stopped source shows as a flat tail), from the same buckets.
  const from = result.range.sinceMs ?? Math.min(...result.sources.map((s) => s.firstMs));
  const to = result.range.untilMs ?? horizon;
  if (Number.isFinite(from) && to !== undefined) {
    const fine = result.widthS;
    const width = Math.max(1, Math.ceil(bucketSeconds(o, to - from) / fine)) * fine;
    const first = Math.floor(from / 1000 / width);
    const n = Math.min(100_000, Math.floor(to / 1000 / width) - first + 1);
    const series = [...result.datasetBuckets.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, buckets]) => {
        const values = new Array<number>(n).fill(0);
        for (const x of buckets) {
          const i = Math.floor((x.bucket * fine) / width) - first;
          if (i >= 0 && i < n) values[i]! += x.events;
        }
        return { name, values };
      });
    const starts = Array.from({ length: n }, (_, i) => isoSeconds((first + i) * width * 1000));
    sections.push({ kind: 'series', id: 'events-per-dataset', title: `Events per dataset per ${width >= 3600 ? `${width / 3600} h` : `${width / 60} min`}`, buckets: starts, series });
  }
  const silent = result.silences.length;
  return { view: 'coverage', title: `Log coverage — ${result.sources.length} sources, ${silent} silence${silent === 1 ? '' : 's'}`, range: { since: result.range.since, until: result.range.until }, sections, tookMs: Date.now() - started };
}

export const COVERAGE_VIEW: InsightView = {
  id: 'coverage',
  title: 'Log coverage',
  description: 'Every source (dataset, account, CloudFront distribution, VPC interface) with its usual cadence and last event; sources that went silent longer than usual.',
  run: coverageReport,
};

export const COVERAGE_ANALYSIS: IngestAnalysis = {
  id: 'coverage',
  run: async (store, o) => (await silenceAlerts(store, await findSilences(store, o))).alerts,
};
