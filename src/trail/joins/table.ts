import type { Row } from '../rows.js';
import type { StationId } from '../stations.js';

/**
 * The join strategies, strongest first, as data. A join finds the `to` station's event from a found
 * `from` event: every key pair must be equal (`@name` reads a trail fact instead of a from column),
 * the event must fall in the window around the from event (its [start, end] when it has one), and
 * candidates are ranked by the `prefer` pairs they share, then by time. The builder always runs the
 * strongest join it can, so an exact id wins over anything inferred.
 */
export interface JoinSpec {
  method: string;
  from: StationId;
  to: StationId;
  confidence: number;
  keys: readonly (readonly [string, string])[];
  /** ms before the from event's start and after its end. */
  window: readonly [number, number];
  prefer?: readonly (readonly [string, string])[];
  /** Only from events for which this holds. */
  when?: (from: Row) => boolean;
  /**
   * Only from the anchor: a lookup precedes many connections, so going from a DNS answer to "the"
   * connection is a guess worth making only when the trail starts at the lookup.
   */
  anchorOnly?: boolean;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;

type Pairs = readonly (readonly [string, string])[];
const swap = (pairs: Pairs | undefined): Pairs | undefined => pairs?.map(([a, b]) => [b, a] as const);

/** A join usable both ways: the reverse swaps the key pairs and the window. */
function both(method: string, a: StationId, b: StationId, confidence: number, keys: Pairs, window: readonly [number, number], prefer?: Pairs): JoinSpec[] {
  const forward: JoinSpec = { method, from: a, to: b, confidence, keys, window, ...(prefer ? { prefer } : {}) };
  const reverse: JoinSpec = { method, from: b, to: a, confidence, keys: swap(keys)!, window: [window[1], window[0]], ...(prefer ? { prefer: swap(prefer)! } : {}) };
  return [forward, reverse];
}

function one(method: string, from: StationId, to: StationId, confidence: number, keys: Pairs, window: readonly [number, number], prefer?: Pairs): JoinSpec {
  return { method, from, to, confidence, keys, window, ...(prefer ? { prefer } : {}) };
}

const REQUEST_ID: Pairs = [['http_request_id', 'http_request_id']];
const SOCKET: Pairs = [['source_ip', 'source_ip'], ['source_port', 'source_port']];
const SAME_REQUEST: Pairs = [['url_path', 'url_path'], ['http_request_method', 'http_request_method'], ['user_agent_original', 'user_agent_original']];
const DNS_STATIONS: readonly StationId[] = ['dns-umbrella', 'dns-defender', 'dns-route53', 'dns-zscaler'];
// A lookup precedes the connections that use its answer by up to its TTL (browsers cache for minutes).
const DNS_BEFORE: readonly [number, number] = [H, 30 * S];

export const JOINS: readonly JoinSpec[] = [
  // Exact identifiers: x-edge-request-id = WAF requestId = X-Amz-Cf-Id; ALB trace id; PAN-OS session id.
  ...both('request-id', 'edge', 'waf', 1, REQUEST_ID, [10 * M, 10 * M]),
  ...both('request-id', 'edge', 'origin-app', 1, REQUEST_ID, [10 * M, 10 * M]),
  ...both('request-id', 'waf', 'origin-app', 1, REQUEST_ID, [10 * M, 10 * M]),
  ...both('trace-id', 'origin-app', 'origin-alb', 1, [['trace_id', 'trace_id']], [10 * M, 10 * M]),
  one('session-id', 'firewall', 'firewall-session', 1, [['panw_panos_session_id', 'panw_panos_session_id'], ['observer_serial_number', 'observer_serial_number']], [H, H]),
  // NAT address and port (or the client's own address and port where nothing is translated, as with IPv6) + time.
  ...both('nat-ip-port-time', 'firewall', 'edge', 0.9, [['source_nat_ip', 'source_ip'], ['source_nat_port', 'source_port']], [2 * M, 2 * M], [['user_agent_original', 'user_agent_original']]),
  ...both('client-ip-port-time', 'firewall', 'edge', 0.9, SOCKET, [2 * M, 2 * M]),
  // Real-time logs without c-port: only the NAT address and time, so every session behind it competes.
  // Ranked by the user the app (or another hop) names, when one does.
  {
    ...one('nat-ip-time', 'edge', 'firewall', 0.5, [['source_ip', 'source_nat_ip']], [2 * M, 2 * M], [['@user', 'user_name']]),
    when: (r) => r.source_port === null || r.source_port === undefined,
  },
  // The laptop's socket (internal address and port) as the endpoint, the proxy and the firewall log it.
  ...both('internal-ip-port-time', 'endpoint', 'proxy-zscaler', 0.9, SOCKET, [2 * M, 2 * M]),
  ...both('internal-ip-port-time', 'endpoint', 'proxy-umbrella', 0.9, SOCKET, [2 * M, 2 * M]),
  ...both('internal-ip-port-time', 'endpoint', 'firewall', 0.9, SOCKET, [2 * M, 2 * M]),
  // Internal address + domain + time: the proxy's client is the X-Forwarded-For CloudFront and WAF log.
  ...both('internal-ip-domain-time', 'proxy-zscaler', 'edge', 0.7, [['source_ip', 'network_forwarded_ip'], ['url_domain', 'url_domain']], [2 * M, 2 * M], SAME_REQUEST),
  ...both('internal-ip-domain-time', 'proxy-umbrella', 'edge', 0.7, [['source_ip', 'network_forwarded_ip'], ['url_domain', 'url_domain']], [2 * M, 2 * M], SAME_REQUEST),
  ...both('internal-ip-domain-time', 'endpoint', 'edge', 0.6, [['source_ip', 'network_forwarded_ip'], ['url_domain', 'url_domain']], [2 * M, 2 * M]),
  ...both('internal-ip-domain-time', 'dns-umbrella', 'dns-defender', 0.8, [['source_ip', 'source_ip'], ['dns_question_name', 'dns_question_name']], [30 * S, 30 * S]),
  ...DNS_STATIONS.flatMap((dns) => [
    one('internal-ip-domain-time', 'endpoint', dns, 0.7, [['source_ip', 'source_ip'], ['url_domain', 'dns_question_name']], DNS_BEFORE),
    one('internal-ip-domain-time', 'proxy-zscaler', dns, 0.7, [['source_ip', 'source_ip'], ['url_domain', 'dns_question_name']], DNS_BEFORE),
    one('internal-ip-domain-time', 'firewall', dns, 0.6, [['source_ip', 'source_ip'], ['@domain', 'dns_question_name']], DNS_BEFORE),
    { ...one('internal-ip-domain-time', dns, 'endpoint', 0.5, [['source_ip', 'source_ip'], ['dns_question_name', 'url_domain']], [DNS_BEFORE[1], DNS_BEFORE[0]]), anchorOnly: true },
    { ...one('internal-ip-domain-time', dns, 'proxy-zscaler', 0.5, [['source_ip', 'source_ip'], ['dns_question_name', 'url_domain']], [DNS_BEFORE[1], DNS_BEFORE[0]]), anchorOnly: true },
  ]),
  // SmartScreen / Network Protection verdicts on the same device and domain.
  ...both('device-domain-time', 'endpoint', 'endpoint-protection', 0.8, [['host_id', 'host_id'], ['url_domain', 'url_domain']], [2 * M, 2 * M]),
  ...both('device-domain-time', 'dns-defender', 'endpoint-protection', 0.7, [['host_id', 'host_id'], ['dns_question_name', 'url_domain']], [30 * S, 5 * M]),
  // Identity + URL + time: the app's authenticated user against the vendors' (normalized) user names.
  ...both('identity-url-time', 'origin-app', 'proxy-zscaler', 0.6, [['user_name', 'user_name'], ['url_domain', 'url_domain'], ['url_path', 'url_path']], [2 * M, 2 * M], SAME_REQUEST),
  ...both('identity-url-time', 'origin-app', 'endpoint', 0.5, [['user_name', 'user_name'], ['url_domain', 'url_domain']], [2 * M, 2 * M]),
  ...both('identity-nat-ip-time', 'origin-app', 'firewall', 0.5, [['user_name', 'user_name'], ['client_ip', 'source_nat_ip']], [2 * M, 2 * M]),
  // The ALB node's connection to the target, as VPC flow logs aggregate it (per minute and address pair).
  one('alb-target-flow-time', 'origin-alb', 'origin-flow', 0.8, [['@albNode', 'source_ip'], ['destination_ip', 'destination_ip'], ['destination_port', 'destination_port']], [2 * M, 2 * M]),
  one('alb-target-flow-time', 'origin-alb', 'origin-flow', 0.6, [['destination_ip', 'destination_ip'], ['destination_port', 'destination_port']], [2 * M, 2 * M]),
];
