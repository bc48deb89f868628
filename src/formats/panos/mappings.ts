/** Value tables of the PAN-OS → ECS mapping (data, following Elastic's panw.panos pipeline where it has a choice). */

/**
 * A lookup table without a prototype: values come from log content, and `constructor` or
 * `__proto__` in a record must find nothing rather than Object's own members.
 */
export function lookup<T>(entries: Record<string, T>): Readonly<Record<string, T | undefined>> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Log subtype → `event.action`. */
export const SUBTYPE_ACTION: Record<string, string | undefined> = lookup({
  start: 'flow_started', end: 'flow_terminated', drop: 'flow_dropped', deny: 'flow_denied',
  url: 'url_filtering', virus: 'virus_detected', spyware: 'spyware_detected', vulnerability: 'vulnerability_detected',
  file: 'file_match', scan: 'scan_detected', flood: 'flood_detected', packet: 'packet_attack',
  resource: 'resource_limit', data: 'data_match', wildfire: 'wildfire_verdict', 'wildfire-virus': 'wildfire_virus_detected',
  'ml-virus': 'virus_detected',
});

/** Firewall action → allowed (`success`) or denied (`failure`). */
export const ACTION_CLASS: Record<string, 'allowed' | 'denied' | undefined> = lookup({
  allow: 'allowed', alert: 'allowed', continue: 'allowed', override: 'allowed', 'wildfire-upload-success': 'allowed',
  'wildfire-upload-skip': 'allowed', 'forward': 'allowed',
  deny: 'denied', drop: 'denied', 'drop-icmp': 'denied', 'drop-all-packets': 'denied', 'reset-client': 'denied',
  'reset-server': 'denied', 'reset-both': 'denied', 'block-url': 'denied', 'block-ip': 'denied', 'block-override': 'denied',
  'block-continue': 'denied', 'override-lockout': 'denied', 'random-drop': 'denied', sinkhole: 'denied', block: 'denied',
  'block-all': 'denied', 'sinkhole-dns': 'denied',
});

/** Severity words → `event.severity` (Elastic's numbering: lower is worse). */
export const SEVERITY: Record<string, number | undefined> = lookup({ critical: 1, high: 2, medium: 3, low: 4, informational: 5 });

/** IP protocol name → IANA number (`network.iana_number`). */
export const IANA: Record<string, string | undefined> = lookup({
  icmp: '1', igmp: '2', tcp: '6', udp: '17', gre: '47', esp: '50', ah: '51', 'ipv6-icmp': '58', icmp6: '58', sctp: '132', ospf: '89',
});

/** THREAT subtypes that are detections (`event.kind: alert`); url/wildfire/file depend on the verdict. */
export const THREAT_ALERT_SUBTYPES = new Set(['virus', 'spyware', 'vulnerability', 'wildfire-virus', 'ml-virus', 'flood', 'scan', 'packet', 'data']);

/** URL categories and WildFire verdicts that make a url/wildfire/file record an alert. */
export const MALICIOUS_VERDICTS = new Set([
  'malware', 'phishing', 'grayware', 'command-and-control', 'malicious', 'ransomware', 'scanning-activity',
  'dynamic-dns', 'newly-registered-domain', 'high-risk', 'proxy-avoidance-and-anonymizers',
]);

/** THREAT subtypes whose URL/Filename field holds a file name rather than a URL. */
export const FILE_SUBTYPES = new Set(['file', 'virus', 'wildfire', 'wildfire-virus', 'ml-virus', 'data']);

/** THREAT Direction → `network.direction`, as Elastic maps it. */
export const DIRECTION: Record<string, string | undefined> = lookup({
  'client-to-server': 'inbound', '0': 'inbound', 'server-to-client': 'outbound', '1': 'outbound',
});

/** `event.category` of the non-session log types, by type then subtype (`*` = any subtype). */
export const LOG_CATEGORY = lookup<Readonly<Record<string, string[] | undefined>>>({
  SYSTEM: lookup({ auth: ['authentication'], globalprotect: ['authentication', 'network'], userid: ['iam'], vpn: ['network'], '*': ['host'] }),
  CONFIG: lookup({ '*': ['configuration'] }),
  USERID: lookup({ '*': ['iam', 'authentication'] }),
  GLOBALPROTECT: lookup({ '*': ['authentication', 'session', 'network'] }),
  HIPMATCH: lookup({ '*': ['host'] }),
  AUTHENTICATION: lookup({ '*': ['authentication'] }),
  CORRELATION: lookup({ '*': ['threat'] }),
  IPTAG: lookup({ '*': ['iam'] }),
});

/** Words in status/result/event text → `event.outcome`, tried in order. */
export const OUTCOME_WORDS: [RegExp, 'success' | 'failure'][] = [
  [/fail|deni|deny|reject|error|invalid|timeout|timed out|block/i, 'failure'],
  [/succe|succ\b|allow|ok\b|submitted|connected|login|logout|logged (?:in|out)/i, 'success'],
];
