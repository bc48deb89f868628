import type { EcsEvent } from '../ecs/event.js';

/**
 * The contract between the two halves of detection:
 * - worker side (per event, stateless, runs on parser threads): an EventMatcher turns an event into
 *   zero or more Matches (Sigma single-event rules, threat-intel indicators);
 * - orchestrator side (stateful, main thread): correlation rules, duplicate suppression and alert
 *   sinks turn Matches into Alerts.
 * Both sides are built from the same loaded RuleSet, so a Match only carries the rule id.
 */
export type RuleLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface RuleMeta {
  id: string;
  title: string;
  level: RuleLevel;
  description?: string;
  /** DRL 1.1: alerts from SigmaHQ rules must keep the author and a link. */
  author?: string;
  references?: string[];
  /** Link to the rule itself (e.g. its SigmaHQ URL) and its licence, when known. */
  link?: string;
  license?: string;
  tags?: string[];
  status?: string;
  falsepositives?: string[];
  /** Where the rule comes from. */
  kind: 'sigma' | 'builtin' | 'intel' | 'anomaly' | 'search';
  /** File the rule was loaded from. */
  path?: string;
}

export interface Match {
  ruleId: string;
  event: EcsEvent;
  /** What makes two matches of the rule the same finding (for intel: the indicator); drives duplicate suppression. */
  key?: Record<string, string>;
  /** Extra facts about the match (for intel: the indicator, its feed and confidence). */
  details?: Record<string, unknown>;
}

/** Worker side: stateless, called once per event. */
export interface EventMatcher {
  match(event: EcsEvent): Match[];
}

/** An ECS-shaped alert document (stored in the `alerts` table, printed by `detect`, POSTed to webhooks). */
export interface Alert {
  '@timestamp': string;
  event: {
    kind: 'alert';
    id: string;
    created: string;
    dataset: 'packettrail.alert';
    severity: number;
    /** Events behind the alert (all of them for correlations). */
    reference_ids: string[];
  };
  rule: RuleMeta;
  /** Group-by values of a correlation, the indicator of an intel match… */
  key?: Record<string, string>;
  details?: Record<string, unknown>;
  /** The matching events themselves. */
  events: EcsEvent[];
}

export const LEVEL_SEVERITY: Record<RuleLevel, number> = { informational: 21, low: 47, medium: 73, high: 85, critical: 99 };
