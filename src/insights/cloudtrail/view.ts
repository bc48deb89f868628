import type { EventStore } from '../../store/store.js';
import type { Finding, InsightOptions, InsightReport, ReportSection } from '../report.js';
import { bucketSeconds, bucketStarts, isoSeconds, limitOf, timeRange } from '../time-range.js';
import { nothingInRange } from '../stored-span.js';
import type { InsightView } from '../views.js';
import { CHANGE_RULES, LOG_BUCKET_NAME, TARGET_PARAMS, type ChangeRule } from './changes.js';
import { alertsOn, firstSeenFrom, knownLogBuckets, readChanges, trailSpan, trailTable, type ChangeEvent } from './read.js';

const SEVERITIES: Finding['severity'][] = ['info', 'low', 'medium', 'high', 'critical'];
/** Newest changes listed in the timeline table (all of them are in the findings and the series). */
const TIMELINE_ROWS = 200;

interface Classified {
  change: ChangeEvent;
  rule: ChangeRule;
  severity: Finding['severity'] | undefined;
  why: string;
  target: string;
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function who(c: ChangeEvent): string {
  return c.user ?? c.arn ?? c.accessKey ?? 'unknown identity';
}

function targetOf(c: ChangeEvent): string {
  const p = c.params;
  if (!p) return '';
  for (const k of TARGET_PARAMS) {
    const v = p[k];
    if (typeof v === 'string' && v) return v;
    if (Array.isArray(v) && v.length) return v.map(String).join(',');
  }
  return '';
}

/** The gist of a change that its target alone does not say (where a distribution now points…). */
function gist(c: ChangeEvent): string | undefined {
  const cfg = c.params?.distributionConfig as Record<string, unknown> | undefined;
  if (cfg && typeof cfg === 'object') {
    const items = (cfg.origins as { items?: { domainName?: unknown }[] } | undefined)?.items ?? [];
    const origins = items.map((o) => o?.domainName).filter((d): d is string => typeof d === 'string');
    const parts = [];
    if (origins.length) parts.push(`origins now ${origins.join(', ')}`);
    if (typeof cfg.webACLId === 'string') parts.push(cfg.webACLId ? `web ACL ${cfg.webACLId}` : 'no web ACL');
    const logging = cfg.logging as { enabled?: unknown } | undefined;
    if (logging && logging.enabled === false) parts.push('access logging off');
    return parts.length ? parts.join('; ') : undefined;
  }
  return undefined;
}

function bucketOf(c: ChangeEvent): string | undefined {
  const b = c.params?.bucketName;
  return typeof b === 'string' ? b : undefined;
}

function lower(s: Finding['severity']): Finding['severity'] {
  return SEVERITIES[Math.max(0, SEVERITIES.indexOf(s) - 1)]!;
}

function classify(changes: readonly ChangeEvent[], logBuckets: ReadonlySet<string>): Classified[] {
  const out: Classified[] = [];
  for (const change of changes) {
    const rule = CHANGE_RULES[change.source]?.[change.name];
    if (!rule) continue;
    if (rule.logBucketsOnly) {
      const bucket = bucketOf(change);
      if (!bucket || !(logBuckets.has(bucket) || LOG_BUCKET_NAME.test(bucket))) continue;
    }
    let severity = rule.severity;
    let why = rule.why;
    if (rule.worse?.test(change.params, change.paramsText)) {
      severity = SEVERITIES.indexOf(severity ?? 'info') >= SEVERITIES.indexOf('high') ? severity : 'high';
      why = `${why}: ${rule.worse.why}`;
    }
    // A refused call changed nothing, but someone tried: keep it one step lower.
    if (severity && change.outcome === 'failure') severity = lower(severity);
    out.push({ change, rule, severity, why, target: targetOf(change) });
  }
  return out;
}

function where(c: ChangeEvent): string {
  return [c.sourceIp ? `from ${c.sourceIp}` : undefined, c.region ? `in ${c.region}` : undefined].filter(Boolean).join(' ');
}

function buildFindings(items: readonly Classified[], firstSeen: ReadonlyMap<string, number>, alerts: ReadonlyMap<string, string[]>): Finding[] {
  // Identical calls (who, what, on what, outcome) are one finding with a count.
  const groups = new Map<string, Classified[]>();
  for (const it of items) {
    if (!it.severity) continue;
    const c = it.change;
    const key = [c.arn ?? who(c), c.source, c.name, it.target, c.outcome, it.severity].join('\u0000');
    const g = groups.get(key) ?? [];
    g.push(it);
    groups.set(key, g);
  }
  const findings: Finding[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const c = last.change;
    const failed = c.outcome === 'failure';
    const api = `${c.source.replace('.amazonaws.com', '')}:${c.name}`;
    const target = first.target ? ` on ${clip(first.target, 120)}` : '';
    const count = g.length > 1 ? ` (${g.length} times, ${first.change.time} → ${last.change.time})` : '';
    const facts: Record<string, unknown> = {
      who: c.arn ?? who(c),
      'identity type': c.identityType,
      'access key': c.accessKey,
      'source ip': c.sourceIp,
      region: c.region,
      'user agent': c.userAgent ? clip(c.userAgent, 160) : undefined,
      parameters: c.paramsText ? clip(c.paramsText, 300) : undefined,
    };
    const gistText = gist(c);
    if (gistText) facts.change = gistText;
    if (c.arn && c.sourceIp) {
      const seen = firstSeen.get(`${c.arn}\u0000${c.sourceIp}`);
      if (seen !== undefined && seen >= first.change.ms) facts['first call by this identity from this address'] = isoSeconds(seen);
    }
    const raised = [...new Set(g.flatMap((x) => alerts.get(x.change.eventId) ?? []))];
    if (raised.length) facts.alerts = raised.join('; ');
    if (c.errorCode) facts.error = c.errorCode;
    findings.push({
      severity: first.severity!,
      title: `${failed ? 'Attempted ' : ''}${api}${target} by ${who(c)}`,
      detail: `${failed ? `Refused (${c.errorCode ?? 'failure'}): ${first.why}` : first.why.charAt(0).toUpperCase() + first.why.slice(1)}${count}. Called by ${c.arn ?? who(c)}${c.identityType ? ` (${c.identityType}${c.accessKey ? `, key ${c.accessKey}` : ''})` : ''} ${where(c)}${c.userAgent ? ` with ${clip(c.userAgent, 60)}` : ''}.`,
      ...(first.rule.fix && !failed ? { fix: first.rule.fix } : {}),
      facts: Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)),
      at: first.change.time,
    });
  }
  findings.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.at ?? '').localeCompare(b.at ?? ''));
  return findings;
}

function timeline(items: readonly Classified[]): ReportSection {
  const shown = items.slice(-TIMELINE_ROWS);
  return {
    kind: 'table',
    id: 'timeline',
    title: items.length > shown.length ? `Change timeline (latest ${shown.length} of ${items.length})` : 'Change timeline',
    columns: [
      { name: 'time', type: 'time' }, { name: 'who', type: 'string' }, { name: 'identity', type: 'string' }, { name: 'api', type: 'string' },
      { name: 'target', type: 'string' }, { name: 'change', type: 'string' }, { name: 'region', type: 'string' }, { name: 'source ip', type: 'string' },
      { name: 'user agent', type: 'string' }, { name: 'outcome', type: 'string' }, { name: 'severity', type: 'string' },
    ],
    rows: shown.map(({ change: c, target, severity }) => [
      c.time, who(c), [c.identityType, c.accessKey].filter(Boolean).join(' '), `${c.source.replace('.amazonaws.com', '')}:${c.name}`, target,
      gist(c) ?? clip(c.paramsText, 160), c.region ?? null, c.sourceIp ?? null, c.userAgent ? clip(c.userAgent, 60) : null,
      c.outcome === 'failure' ? `failure ${c.errorCode ?? ''}`.trim() : c.outcome, severity ?? '',
    ]),
  };
}

function byIdentity(items: readonly Classified[], limit: number): ReportSection {
  const m = new Map<string, { changes: number; failed: number; apis: Map<string, number>; ips: Set<string>; first: string; last: string }>();
  for (const { change: c } of items) {
    const k = c.arn ?? who(c);
    const row = m.get(k) ?? { changes: 0, failed: 0, apis: new Map(), ips: new Set(), first: c.time, last: c.time };
    m.set(k, row);
    row.changes++;
    if (c.outcome === 'failure') row.failed++;
    row.apis.set(c.name, (row.apis.get(c.name) ?? 0) + 1);
    if (c.sourceIp) row.ips.add(c.sourceIp);
    row.last = c.time;
  }
  const rows = [...m.entries()].sort((a, b) => b[1].changes - a[1].changes).slice(0, limit);
  return {
    kind: 'table',
    id: 'by-identity',
    title: 'Who changed what',
    columns: [
      { name: 'identity', type: 'string' }, { name: 'changes', type: 'number' }, { name: 'refused', type: 'number' }, { name: 'apis', type: 'string' },
      { name: 'source ips', type: 'string' }, { name: 'first', type: 'time' }, { name: 'last', type: 'time' },
    ],
    rows: rows.map(([k, r]) => [
      k, r.changes, r.failed, [...r.apis.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, c]) => (c > 1 ? `${n}×${c}` : n)).join(', '),
      [...r.ips].slice(0, 5).join(', '), r.first, r.last,
    ]),
  };
}

function series(items: readonly Classified[], span: { firstMs?: number; lastMs?: number }, o: InsightOptions, sinceMs?: number, untilMs?: number): ReportSection {
  const from = sinceMs ?? span.firstMs;
  const to = untilMs ?? span.lastMs;
  if (from === undefined || to === undefined) return { kind: 'series', id: 'changes', title: 'Changes over time', buckets: [], series: [] };
  const width = bucketSeconds(o, to - from);
  const starts = bucketStarts(from, to, width);
  const changes = starts.map(() => 0);
  const refused = starts.map(() => 0);
  const flagged = starts.map(() => 0);
  for (const { change: c, severity } of items) {
    const i = Math.floor((c.ms - starts[0]!) / (width * 1000));
    if (i < 0 || i >= starts.length) continue;
    changes[i]!++;
    if (c.outcome === 'failure') refused[i]!++;
    if (severity) flagged[i]!++;
  }
  return {
    kind: 'series', id: 'changes', title: `Changes per ${width >= 3600 ? `${width / 3600} h` : `${width / 60} min`}`, buckets: starts.map(isoSeconds),
    series: [{ name: 'changes', values: changes }, { name: 'risky', values: flagged }, { name: 'refused', values: refused }],
  };
}

/**
 * The CloudTrail change audit: every control-plane change to the edge (CloudFront, WAF), to logging
 * (CloudTrail, log buckets and groups, flow logs), to IAM and to security groups / network ACLs —
 * who, what, when, where — and the risky ones as findings with their fix.
 */
export async function cloudtrailReport(store: EventStore, o: InsightOptions): Promise<InsightReport> {
  const started = Date.now();
  const range = timeRange(o);
  const limit = limitOf(o);
  const from = await trailTable(store);
  // Independent reads side by side (several connections on a read-only store).
  const [{ changes, truncated }, span] = await Promise.all([
    from ? readChanges(store, from, range) : { changes: [], truncated: false },
    from ? trailSpan(store, from, range) : ({ events: 0 } as Awaited<ReturnType<typeof trailSpan>>),
  ]);
  // Which buckets hold logs matters only when a bucket-level call is among the changes.
  const bucketCalls = changes.some((c) => CHANGE_RULES[c.source]?.[c.name]?.logBucketsOnly);
  const logBuckets = from && bucketCalls ? await knownLogBuckets(store, from) : new Set<string>();
  let items = classify(changes, logBuckets);
  // One distribution: the changes that name it (its own API calls, and WAF/log changes that mention it).
  if (o.distribution) items = items.filter((i) => i.change.paramsText.includes(o.distribution!));
  const flagged = items.filter((i) => i.severity);
  const [firstSeen, alerts] = await Promise.all([
    from === undefined ? new Map<string, number>() : firstSeenFrom(store, from, flagged.flatMap(({ change: c }) => (c.arn && c.sourceIp ? [{ arn: c.arn, ip: c.sourceIp }] : []))),
    alertsOn(store, flagged.map((i) => i.change.eventId)),
  ]);
  const findings = buildFindings(items, firstSeen, alerts);
  const sections: ReportSection[] = [
    { kind: 'findings', id: 'risky-changes', title: 'Risky changes', findings },
    timeline(items),
    byIdentity(items, limit),
    series(items, span, o, range.sinceMs, range.untilMs),
  ];
  if (truncated) findings.push({ severity: 'info', title: 'Change list truncated', detail: `More than ${changes.length} changes in the range; narrow it with since/until.` });
  if (!span.events) findings.push(await nothingInRange(store, range, ['aws.cloudtrail'], 'No CloudTrail events', 'The store holds no aws.cloudtrail events: ingest the trail\'s S3 objects (AWSLogs/<account>/CloudTrail/…).'));
  return { view: 'cloudtrail', title: `CloudTrail change audit — ${items.length} changes in ${span.events} CloudTrail events`, range: { since: range.since, until: range.until }, sections, tookMs: Date.now() - started };
}

export const CLOUDTRAIL_VIEW: InsightView = {
  id: 'cloudtrail',
  title: 'CloudTrail change audit',
  description: 'Who changed CloudFront, WAF, CloudTrail, log buckets, IAM, security groups and network ACLs: API, parameters, time, region, source IP, user agent; risky changes with their fix.',
  run: cloudtrailReport,
};
