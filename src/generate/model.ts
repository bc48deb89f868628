import type { Edge, User, World } from './world.js';

/** How a request leaves the enterprise: through Zscaler, straight through the PAN-OS NAT, or not at all (internet viewers). */
export type Route = 'zscaler' | 'direct' | 'internet';

export interface WafVerdict {
  action: 'ALLOW' | 'BLOCK' | 'COUNT';
  ruleId: string;
  ruleType: 'REGULAR' | 'MANAGED_RULE_GROUP' | 'RATE_BASED';
  conditionType?: string;
  location?: string;
  matchedData?: string[];
  country: string;
  asn?: number;
}

export interface OriginHop {
  traceId: string;
  albNode: string;
  albPort: number;
  target: string;
  targetPort: number;
  /** Seconds spent at the target. */
  targetSeconds: number;
  status: number;
}

/**
 * One web request carrying every identifier every hop logs; each writer renders its own line from it,
 * so the hops line up by construction.
 */
export interface WebRequest {
  /** True time (epoch ms) the viewer sent the request. */
  t: number;
  user?: User;
  route: Route;
  host: string;
  method: string;
  path: string;
  /** Raw query string without `?`, '' when none. */
  query: string;
  ua: string;
  referer: string;
  status: number;
  srcIp: string;
  srcPort: number;
  /** The address:port the server side sees (NAT, Zscaler egress or the internet client). */
  viewerIp: string;
  viewerPort: number;
  /** The server the client connects to (a CloudFront edge for the app). */
  serverIp: string;
  edge?: Edge;
  cf?: { id: string; result: 'Hit' | 'Miss' | 'Error' | 'RefreshHit'; late: boolean };
  waf?: WafVerdict;
  origin?: OriginHop;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  contentType: string;
  /** X-Forwarded-For the viewer sent (Zscaler inserts the laptop's address). */
  xff?: string;
  incident?: string;
}

export interface DnsQuery {
  t: number;
  user: User;
  name: string;
  type: 'A' | 'AAAA' | 'TXT';
  /** CNAME chain then addresses; empty for NXDOMAIN. */
  answers: { type: 'CNAME' | 'A' | 'AAAA' | 'TXT'; data: string }[];
  rcode: 'NOERROR' | 'NXDOMAIN';
  blocked: boolean;
  incident?: string;
}

/** A Route 53 Resolver query from a workload inside the VPC. */
export interface VpcDnsQuery {
  t: number;
  srcIp: string;
  instance: string;
  name: string;
  answers: { type: 'CNAME' | 'A'; data: string }[];
}

export interface Flow {
  start: number;
  end: number;
  eni: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  packets: number;
  bytes: number;
  action: 'ACCEPT' | 'REJECT';
  tcpFlags: number;
  direction: 'ingress' | 'egress';
  incident?: string;
}

/** A CloudTrail record as JSON (rendered verbatim). */
export type TrailRecord = Record<string, unknown> & { eventTime: string; eventID: string };

/** Identifies events of an incident in the normalized data: every `match` field (ECS path) must equal its value. */
export interface EventRef {
  dataset: string;
  match: Record<string, string | number>;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  start: string;
  end: string;
  events: EventRef[];
  /** Built-in rules that should fire on it (ids and titles). */
  detections: { id: string; title: string }[];
}

export interface Scenario {
  world: World;
  start: number;
  end: number;
  requests: WebRequest[];
  dns: DnsQuery[];
  vpcDns: VpcDnsQuery[];
  flows: Flow[];
  trail: TrailRecord[];
  incidents: Incident[];
}
