/**
 * ActionType → ECS categorization, as data: exact names first, then suffix patterns. Fields left out
 * keep the table's defaults (tables.ts).
 */
export interface ActionRule {
  category?: string[];
  type?: string[];
  outcome?: 'success' | 'failure' | 'unknown';
  direction?: 'inbound' | 'outbound';
  /** The action describes DNS traffic: read the query and answers from AdditionalFields. */
  dns?: boolean;
  /** `network.protocol` of inspected traffic. */
  protocol?: string;
}

const BLOCKED: ActionRule = { category: ['network', 'intrusion_detection'], type: ['denied'], outcome: 'failure' };
const ALLOWED_AFTER_WARNING: ActionRule = { category: ['network', 'intrusion_detection'], type: ['allowed'], outcome: 'success' };
const inspected = (protocol: string, extra: ActionRule = {}): ActionRule => ({ category: ['network'], type: ['protocol'], protocol, ...extra });

export const ACTIONS: Record<string, ActionRule> = {
  ConnectionSuccess: { type: ['connection', 'start'], outcome: 'success' },
  ConnectionFailed: { type: ['connection', 'start'], outcome: 'failure' },
  ConnectionRequest: { type: ['connection', 'start'] },
  ConnectionAttempt: { type: ['connection', 'start'] },
  ConnectionFound: { type: ['connection', 'info'] },
  ConnectionAcknowledged: { type: ['connection', 'info'] },
  InboundConnectionAccepted: { type: ['connection', 'start'], outcome: 'success', direction: 'inbound' },
  InboundConnectionAttempt: { type: ['connection', 'start'], direction: 'inbound' },
  ListeningConnectionCreated: { type: ['connection', 'start'], outcome: 'success', direction: 'inbound' },
  DnsConnectionInspected: inspected('dns', { dns: true }),
  HttpConnectionInspected: inspected('http'),
  SslConnectionInspected: inspected('tls'),
  SshConnectionInspected: inspected('ssh'),
  SmtpConnectionInspected: inspected('smtp'),
  FtpConnectionInspected: inspected('ftp'),
  IcmpConnectionInspected: inspected('icmp'),
  NtlmAuthenticationInspected: inspected('ntlm'),
  NetworkSignatureInspected: inspected('', { category: ['network', 'intrusion_detection'], type: ['info'] }),
  InboundInternetScanInspected: inspected('', { category: ['network', 'intrusion_detection'], type: ['info'], direction: 'inbound' }),
  DnsQueryResponse: { category: ['network'], type: ['protocol'], protocol: 'dns', dns: true },
  // SmartScreen and Network Protection: the follow-the-packet story's "blocked at the endpoint".
  SmartScreenUrlWarning: BLOCKED,
  SmartScreenAppWarning: { category: ['intrusion_detection'], type: ['denied'], outcome: 'failure' },
  SmartScreenExploitWarning: BLOCKED,
  SmartScreenUserOverride: ALLOWED_AFTER_WARNING,
  ExploitGuardNetworkProtectionBlocked: BLOCKED,
  ExploitGuardNetworkProtectionAudited: { category: ['network', 'intrusion_detection'], type: ['allowed', 'info'], outcome: 'success' },
  NetworkProtectionUserBypassEvent: ALLOWED_AFTER_WARNING,
  FirewallOutboundConnectionBlocked: { category: ['network'], type: ['connection', 'denied'], outcome: 'failure', direction: 'outbound' },
  FirewallInboundConnectionBlocked: { category: ['network'], type: ['connection', 'denied'], outcome: 'failure', direction: 'inbound' },
  AntivirusDetection: { category: ['malware'], type: ['info'] },
  ProcessCreated: { type: ['start'] },
  ImageLoaded: { type: ['start'] },
  FileCreated: { type: ['creation'] },
  FileModified: { type: ['change'] },
  FileRenamed: { type: ['change'] },
  FileDeleted: { type: ['deletion'] },
  RegistryKeyCreated: { type: ['creation'] },
  RegistryValueSet: { type: ['change'] },
  RegistryKeyRenamed: { type: ['change'] },
  RegistryKeyDeleted: { type: ['deletion'] },
  RegistryValueDeleted: { type: ['deletion'] },
  LogonSuccess: { type: ['start'], outcome: 'success' },
  LogonFailed: { type: ['start'], outcome: 'failure' },
  LogonAttempted: { type: ['start'], outcome: 'unknown' },
  LogonFailure: { type: ['start'], outcome: 'failure' },
};

/** Families of ActionTypes by suffix (ASR, Controlled Folder Access, App Control, Exploit Guard …). */
const PATTERNS: [RegExp, ActionRule][] = [
  [/Blocked$/, { category: ['intrusion_detection'], type: ['denied'], outcome: 'failure' }],
  [/Audited$/, { category: ['intrusion_detection'], type: ['info'] }],
  [/Inspected$/, { category: ['network'], type: ['protocol'] }],
];

const EXACT = new Map(Object.entries(ACTIONS));
const cache = new Map<string, ActionRule | null>();

export function actionRule(action: string): ActionRule | undefined {
  let hit = cache.get(action);
  if (hit === undefined) {
    hit = EXACT.get(action) ?? PATTERNS.find(([re]) => re.test(action))?.[1] ?? null;
    // ActionTypes are a small vocabulary; the bound only guards against hostile input.
    if (cache.size < 4096) cache.set(action, hit);
  }
  return hit ?? undefined;
}
