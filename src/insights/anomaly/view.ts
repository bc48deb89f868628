import { alertId, buildAlert } from '../../detect/alerts/build.js';
import type { Alert } from '../../detect/types.js';
import type { EventStore } from '../../store/store.js';
import type { Finding, InsightReport, ReportSection } from '../report.js';
import { timeRange } from '../time-range.js';
import { rangeMissesData } from '../stored-span.js';
import type { IngestAnalysis, InsightView } from '../views.js';
import { contributorText, type Anomaly } from './anomaly.js';
import { ANOMALY_DEFAULTS, anomalyContext, type AnomalyContext, type AnomalyOptions } from './context.js';
import { sampleEvents } from './events.js';
import { firstSeenAnomalies } from './first-seen.js';
import { rateAnomalies, scannerAnomalies } from './rates.js';
import { errorAnomalies, volumeAnomalies } from './volume.js';

/** Every CloudFront anomaly rule over the store, in a fixed order (volume, errors, sources, first-seen, scanners). */
export async function findAnomalies(store: EventStore, o: AnomalyOptions): Promise<{ ctx: AnomalyContext | undefined; anomalies: Anomaly[] }> {
  const ctx = await anomalyContext(store, o);
  if (!ctx) return { ctx, anomalies: [] };
  const anomalies: Anomaly[] = [];
  for (const detect of [volumeAnomalies, errorAnomalies, (c: AnomalyContext) => rateAnomalies(c, false), (c: AnomalyContext) => rateAnomalies(c, true), firstSeenAnomalies, scannerAnomalies]) {
    anomalies.push(...(await detect(ctx)));
  }
  // A total order: the rules' own order follows the rows the store returned.
  anomalies.sort((a, b) => a.at.localeCompare(b.at) || a.rule.title.localeCompare(b.rule.title) || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { ctx, anomalies };
}

export function anomalyFinding(a: Anomaly): Finding {
  return {
    severity: a.severity, title: a.title, detail: a.detail, at: a.at,
    facts: {
      rule: a.rule.title, distribution: a.distribution, observed: a.observed, baseline: a.baseline, ...(a.baselineKind ? { baseline_kind: a.baselineKind } : {}),
      top_contributors: a.contributors.map(contributorText), ...a.facts,
    },
  };
}

/**
 * One alert per anomaly with a sample of the events behind it. The id derives from the rule and the
 * key only (distribution + bucket or entity), not from the events: late data that adds events to an
 * anomaly already reported must not report it again.
 */
export async function anomalyAlerts(ctx: AnomalyContext, anomalies: readonly Anomaly[]): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const a of anomalies) {
    const events = await sampleEvents(ctx, a.distribution, a.events, ANOMALY_DEFAULTS.sampleEvents);
    const alert = buildAlert({
      rule: a.rule, events, key: a.key,
      details: { title: a.title, detail: a.detail, observed: a.observed, baseline: a.baseline, baseline_kind: a.baselineKind, top_contributors: a.contributors, ...a.facts },
    });
    alert.event.id = alertId(a.rule.id, a.key, []);
    if (!events.length) alert['@timestamp'] = a.at;
    alerts.push(alert);
  }
  return alerts;
}

export async function anomaliesReport(store: EventStore, o: AnomalyOptions): Promise<InsightReport> {
  const started = Date.now();
  const range = timeRange(o);
  const { ctx, anomalies } = await findAnomalies(store, o);
  const findings = anomalies.map(anomalyFinding);
  if (!findings.length && !o.distribution) {
    const missed = await rangeMissesData(store, range, ['aws.cloudfront'], 'CloudFront requests');
    if (missed) findings.push(missed);
  }
  const sections: ReportSection[] = [{ kind: 'findings', id: 'anomalies', title: 'CloudFront anomalies', findings }];
  if (ctx) {
    const counts = new Map<string, number>();
    for (const a of anomalies) counts.set(a.rule.title, (counts.get(a.rule.title) ?? 0) + 1);
    sections.push({
      kind: 'table', id: 'rules', title: `Rules (buckets are final ${Math.round(ctx.graceMs / 60000)} min after they end; data up to ${new Date(ctx.horizonMs).toISOString().replace('.000Z', 'Z')})`,
      columns: [{ name: 'rule', type: 'string' }, { name: 'anomalies', type: 'number' }],
      rows: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => [t, n]),
    });
  }
  const n = anomalies.length;
  return {
    view: 'anomalies', title: ctx ? `CloudFront anomalies — ${n} found` : 'CloudFront anomalies — no CloudFront events in the store',
    range: { since: range.since, until: range.until }, sections, tookMs: Date.now() - started,
  };
}

export const ANOMALIES_VIEW: InsightView = {
  id: 'anomalies',
  title: 'CloudFront anomalies',
  description: 'Request-volume spikes and drops against a seasonal baseline, 5xx spikes, per-address and per-ASN rate outliers, new edge metros and viewer countries, scanner-like requests — each with its baseline, the observed value and the top contributors.',
  run: anomaliesReport,
};

export const ANOMALY_ANALYSIS: IngestAnalysis = {
  id: 'cloudfront-anomalies',
  run: async (store, o) => {
    const { ctx, anomalies } = await findAnomalies(store, o);
    return ctx ? anomalyAlerts(ctx, anomalies) : [];
  },
};
