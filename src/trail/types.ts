/**
 * The contract of "follow the packet": what `packettrail trail`, the HTTP API and the console's
 * trail view exchange. Plain JSON-serializable data.
 */

/** What to follow: exactly one of requestId, alertId or url (url may add user, at and a window). */
export interface TrailQuery {
  requestId?: string;
  alertId?: string;
  url?: string;
  user?: string;
  /** RFC 3339 time the request was made (url queries). */
  at?: string;
  /** Search window around the anchor, seconds (default 120). */
  windowSeconds?: number;
}

/** The hops of the product's path, in the order a request crosses them. */
export const HOP_KINDS = ['endpoint', 'dns', 'proxy', 'firewall', 'edge', 'waf', 'origin'] as const;
export type HopKind = (typeof HOP_KINDS)[number];

/** What the hop's control decided, or why there is nothing to show. */
export type HopVerdict = 'allowed' | 'blocked' | 'bypassed' | 'missing' | 'not-reached';

/** How a hop was connected to the rest of the trail; strongest joins first. */
export interface TrailJoin {
  /** e.g. `request-id`, `trace-id`, `session-id`, `nat-ip-port-time`, `internal-ip-domain-time`, `identity-url-time`. */
  method: string;
  /** The values that matched, ECS field → value. */
  keys: Record<string, string>;
  /** 0..1: exact ids 1.0; inferred joins lower, by how many candidates competed. */
  confidence: number;
  /** Human-readable evidence: what was compared, the time difference, competing candidates. */
  evidence: string;
  /** Dataset of the event the join started from. */
  from?: string;
  /** Dataset of the event the join found. */
  dataset?: string;
}

export interface TrailHop {
  kind: HopKind;
  /** Dataset(s) the hop's events come from, e.g. `aws.cloudfront`. */
  sources: string[];
  verdict: HopVerdict;
  /** One line: what the control decided (`WAF BLOCK by AWS-AWSManagedRulesSQLiRuleSet`). */
  summary: string;
  /** Key facts for display (edge location, cache result, rule, NAT ip:port…), field → value. */
  facts: Record<string, string>;
  /** Supporting events as stored ECS documents (nested objects). */
  events: Record<string, unknown>[];
  /** Absent for the anchor hop. */
  join?: TrailJoin;
  /** Every join that brought events into this hop, strongest first (`join` is the first). */
  joins?: TrailJoin[];
  /** Why the hop is missing or the trail breaks here (`proxy bypassed`, `no logs from zscaler.zia for this window`). */
  gap?: string;
}

export interface Trail {
  query: TrailQuery;
  /** The event the trail was built around (dataset and event.id), when found. */
  anchor?: { dataset: string; eventId: string; timestamp: string };
  hops: TrailHop[];
  /** Trail-level explanations in reading order (also present on the hops they concern). */
  gaps: string[];
  /** Remarks that are not gaps, e.g. how many other events matched a url query. */
  notes?: string[];
  /** Store queries the trail took. */
  queries?: number;
  /** Milliseconds spent building the trail. */
  tookMs: number;
}
