import type { HopKind } from './types.js';
import type { Row } from './rows.js';

/**
 * A station is one log source's view of one hop: the hop it belongs to, the dataset it is stored in,
 * and which of that dataset's events are its (Defender logs both the endpoint's connections and its
 * DNS lookups). Joins connect stations; hops group them.
 */
export type StationId =
  | 'endpoint' | 'endpoint-protection'
  | 'dns-umbrella' | 'dns-defender' | 'dns-route53' | 'dns-zscaler'
  | 'proxy-zscaler' | 'proxy-umbrella'
  | 'firewall' | 'firewall-session'
  | 'edge' | 'waf'
  | 'origin-app' | 'origin-alb' | 'origin-flow';

export interface Station {
  id: StationId;
  hop: HopKind;
  dataset: string;
  /** Only rows whose column holds one of these values belong to the station. */
  filter?: { column: string; values: readonly string[] };
  /** Read for supporting evidence only: never an anchor, never a join source. */
  supporting?: boolean;
}

/** Defender network events that are the laptop's own connection attempt. */
export const CONNECTION_ACTIONS = [
  'ConnectionSuccess', 'ConnectionFailed', 'ConnectionRequest', 'ConnectionAttempt', 'ConnectionFound', 'HttpConnectionInspected', 'SslConnectionInspected',
  'FirewallOutboundConnectionBlocked',
] as const;
/** SmartScreen and Network Protection verdicts on a URL (the endpoint's own control). */
export const PROTECTION_ACTIONS = [
  'SmartScreenUrlWarning', 'SmartScreenUserOverride', 'SmartScreenExploitWarning', 'ExploitGuardNetworkProtectionBlocked',
  'ExploitGuardNetworkProtectionAudited', 'NetworkProtectionUserBypassEvent',
] as const;
const DNS_ACTIONS = ['DnsConnectionInspected', 'DnsQueryResponse'] as const;

export const STATIONS: readonly Station[] = [
  { id: 'endpoint', hop: 'endpoint', dataset: 'microsoft.defender', filter: { column: 'event_action', values: CONNECTION_ACTIONS } },
  { id: 'endpoint-protection', hop: 'endpoint', dataset: 'microsoft.defender', filter: { column: 'event_action', values: PROTECTION_ACTIONS } },
  { id: 'dns-umbrella', hop: 'dns', dataset: 'cisco.umbrella', filter: { column: 'umbrella_log_type', values: ['dns'] } },
  { id: 'dns-defender', hop: 'dns', dataset: 'microsoft.defender', filter: { column: 'event_action', values: DNS_ACTIONS } },
  { id: 'dns-route53', hop: 'dns', dataset: 'aws.route53resolver' },
  { id: 'dns-zscaler', hop: 'dns', dataset: 'zscaler.zia', filter: { column: 'zscaler_feed', values: ['dns'] } },
  { id: 'proxy-zscaler', hop: 'proxy', dataset: 'zscaler.zia', filter: { column: 'zscaler_feed', values: ['web'] } },
  { id: 'proxy-umbrella', hop: 'proxy', dataset: 'cisco.umbrella', filter: { column: 'umbrella_log_type', values: ['proxy'] } },
  { id: 'firewall', hop: 'firewall', dataset: 'panw.panos', filter: { column: 'panw_panos_type', values: ['TRAFFIC', 'THREAT', 'DECRYPTION'] } },
  { id: 'firewall-session', hop: 'firewall', dataset: 'panw.panos', supporting: true },
  { id: 'edge', hop: 'edge', dataset: 'aws.cloudfront' },
  { id: 'waf', hop: 'waf', dataset: 'aws.waf' },
  { id: 'origin-app', hop: 'origin', dataset: 'app.json' },
  { id: 'origin-alb', hop: 'origin', dataset: 'aws.alb' },
  { id: 'origin-flow', hop: 'origin', dataset: 'aws.vpcflow' },
];

const BY_ID = new Map(STATIONS.map((s) => [s.id, s]));

export function station(id: StationId): Station {
  return BY_ID.get(id)!;
}

/** The stations a stored event can stand for (the anchor), in table order. */
export function stationsOf(row: Row): Station[] {
  return STATIONS.filter((s) => !s.supporting && s.dataset === row.event_dataset && (!s.filter || s.filter.values.includes(String(row[s.filter.column] ?? ''))));
}
