import type { EventRef, Incident } from './model.js';

/** What scoring needs of an alert: its rule and the events behind it. */
export interface ScoredAlert {
  rule: { id: string; title: string };
  events: Record<string, unknown>[];
}

export interface RuleScore {
  id: string;
  title: string;
  alerts: number;
  truePositives: number;
  falsePositives: number;
}

export interface Score {
  rules: RuleScore[];
  alerts: number;
  truePositives: number;
  /** Expected (incident, rule) pairs and how many at least one true-positive alert covered. */
  expected: number;
  detected: number;
  missed: { incident: string; rule: string }[];
  precision: number;
  recall: number;
}

function valueAt(event: Record<string, unknown>, path: string): unknown {
  if (path in event) return event[path];
  let cur: unknown = event;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function refMatches(ref: EventRef, event: Record<string, unknown>): boolean {
  if (valueAt(event, 'event.dataset') !== ref.dataset) return false;
  return Object.entries(ref.match).every(([path, want]) => {
    const got = valueAt(event, path);
    return Array.isArray(got) ? got.map(String).includes(String(want)) : got !== undefined && String(got) === String(want);
  });
}

const sameRule = (a: { id: string; title: string }, b: { id: string; title: string }) => a.id === b.id || a.title === b.title;

/**
 * Scores alerts against `truth.json`: an alert is a true positive when an incident expects its rule
 * (by id or title) and one of the alert's events is one of that incident's events.
 */
export function scoreAlerts(alerts: readonly ScoredAlert[], incidents: readonly Incident[]): Score {
  const perRule = new Map<string, RuleScore>();
  const covered = new Set<string>();
  let tp = 0;
  for (const alert of alerts) {
    const row = perRule.get(alert.rule.id) ?? { id: alert.rule.id, title: alert.rule.title, alerts: 0, truePositives: 0, falsePositives: 0 };
    perRule.set(alert.rule.id, row);
    row.alerts++;
    const hits = incidents.filter((inc) => inc.detections.some((d) => sameRule(d, alert.rule)) && alert.events.some((e) => inc.events.some((ref) => refMatches(ref, e))));
    if (hits.length) {
      row.truePositives++;
      tp++;
      for (const inc of hits) covered.add(`${inc.id}\u0000${inc.detections.find((d) => sameRule(d, alert.rule))!.id}`);
    } else row.falsePositives++;
  }
  const missed: Score['missed'] = [];
  let expected = 0;
  for (const inc of incidents) {
    for (const d of inc.detections) {
      expected++;
      if (!covered.has(`${inc.id}\u0000${d.id}`)) missed.push({ incident: inc.id, rule: d.title });
    }
  }
  const detected = expected - missed.length;
  return {
    rules: [...perRule.values()].sort((a, b) => a.title.localeCompare(b.title)), alerts: alerts.length, truePositives: tp, expected, detected, missed,
    precision: alerts.length ? tp / alerts.length : 1, recall: expected ? detected / expected : 1,
  };
}
