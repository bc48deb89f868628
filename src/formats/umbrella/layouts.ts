import { canonicalIp } from '../../ecs/ip.js';

/**
 * Umbrella S3 export layouts, as data. Each log type has one ordered column list; newer log format
 * versions only append columns (Cisco, "Log Formats and Versioning"), so a row with N cells uses the
 * first N names and anything past the list is kept as unmapped. An empty name marks a column whose
 * meaning is not documented well enough to map; its value is kept as unmapped too.
 */
export type UmbrellaType = 'dns' | 'proxy' | 'firewall' | 'ip' | 'intrusion' | 'dlp' | 'audit';

export interface Layout {
  type: UmbrellaType;
  /** What the layout is, for rejection reasons. */
  title: string;
  columns: readonly string[];
  /** Fewest cells a row of this layout may have (the oldest documented version). */
  min: number;
  index: ReadonlyMap<string, number>;
}

function layout(type: UmbrellaType, title: string, columns: readonly string[], min: number): Layout {
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (c) index.set(c, i);
  });
  return { type, title, columns, min, index };
}

// 10 columns (v1-2), 12 (v3: identity types), 13 (v4+: blocked categories).
export const DNS = layout('dns', 'Umbrella DNS log', [
  'timestamp', 'policy_identity', 'identities', 'internal_ip', 'external_ip', 'action', 'query_type', 'response_code',
  'domain', 'categories', 'policy_identity_type', 'identity_types', 'blocked_categories',
], 10);

// The documented web (proxy) log layout. Each schema version appends columns and no version → count
// table is published: rows of 21 (through AMP score, the shortest Microsoft Sentinel's parser takes),
// 32, 35, 37 and 49 columns are seen; every row from 21 columns on is read by position.
export const PROXY = layout('proxy', 'Umbrella proxy (SWG) log', [
  'timestamp', 'policy_identity', 'internal_ip', 'external_ip', 'destination_ip', 'content_type', 'action', 'url',
  'referer', 'user_agent', 'status_code', 'request_size', 'response_size', 'response_body_size', 'sha256',
  'categories', 'av_detections', 'puas', 'amp_disposition', 'amp_malware_name', 'amp_score', 'policy_identity_type',
  'blocked_categories', 'identities', 'identity_types', 'request_method', 'dlp_status', 'certificate_errors',
  'file_name', 'ruleset_id', 'rule_id', 'destination_list_ids', 'isolate_action', 'file_action', 'warn_status',
  'forwarding_method', 'producer', 'msp_organization_id', 'blocked_destination_countries', 'application_ids',
  'hostname', 'data_center', 'egress', 'server_name', 'time_based_rule', 'security_overridden',
  'detected_response_file_type', 'warn_categories', 'organization_id',
], 21);

// An early 24-column proxy layout (Elastic's proxy sample_event): the identities list sits right after
// the policy identity instead of after the blocked categories.
export const PROXY_LEGACY = layout('proxy', 'Umbrella proxy log (early 24-column layout)', [
  'timestamp', 'policy_identity', 'identities', 'internal_ip', 'external_ip', 'destination_ip', 'content_type',
  'action', 'url', 'referer', 'user_agent', 'status_code', 'request_size', 'response_size', 'response_body_size',
  'sha256', 'categories', 'av_detections', 'puas', 'amp_disposition', 'amp_malware_name', 'amp_score',
  'policy_identity_type', 'blocked_categories',
], 24);

export const FIREWALL = layout('firewall', 'Umbrella cloud firewall log', [
  'timestamp', 'origin_ids', 'identity', 'identity_type', 'direction', 'ip_protocol', 'packet_size', 'source_ip',
  'source_port', 'destination_ip', 'destination_port', 'data_center', 'rule_id', 'verdict',
], 14);

export const IP = layout('ip', 'Umbrella IP log', [
  'timestamp', 'identity', 'source_ip', 'source_port', 'destination_ip', 'destination_port', 'categories',
], 7);

export const INTRUSION = layout('intrusion', 'Umbrella IPS (intrusion) log', [
  'timestamp', 'identity', 'identity_type', 'generator_id', 'signature_id', 'signature', 'signature_list_id',
  'severity', 'classification', 'cve', 'protocol', 'session_id', 'source_ip', 'source_port', 'destination_ip',
  'destination_port', 'action',
], 17);

// Column 6 and several appended ones are undocumented in the material at hand: kept as unmapped.
export const DLP = layout('dlp', 'Umbrella DLP log', [
  'timestamp', 'event_type', 'event_id', 'severity', 'identity', '', 'file_name', 'application', 'url', 'action',
  'rule_name', 'classification', 'classifiers', 'content_type', 'file_size', 'sha256', '', '', '', '', '',
  'protocol', 'destination_ip', 'destination_port',
], 16);

export const AUDIT = layout('audit', 'Umbrella admin audit log', [
  'id', 'timestamp', 'email', 'user', 'type', 'action', 'ip', 'before', 'after',
], 7);

export const LAYOUTS: Record<UmbrellaType, Layout> = {
  dns: DNS, proxy: PROXY, firewall: FIREWALL, ip: IP, intrusion: INTRUSION, dlp: DLP, audit: AUDIT,
};

/** S3 export sub-folders (and Elastic's test names) → log type. */
const FOLDER_TYPES: Record<string, UmbrellaType> = {
  dnslogs: 'dns', proxylogs: 'proxy', firewalllogs: 'firewall', cloudfirewalllogs: 'firewall', iplogs: 'ip',
  intrusionlogs: 'intrusion', auditlogs: 'audit', dlplogs: 'dlp',
};
// A folder name bounded by anything but a letter: `dnslogs/2023-…`, `/test/path/dnslogs`, `umbrella-iplogs.csv`.
const FOLDER = /(?:^|[^a-z])(dnslogs|proxylogs|cloudfirewalllogs|firewalllogs|iplogs|intrusionlogs|auditlogs|dlplogs)(?![a-z])/i;

/** The log type named by an S3 key or path, if any. */
export function typeFromPath(path: string): UmbrellaType | undefined {
  const m = FOLDER.exec(path);
  return m ? FOLDER_TYPES[m[1]!.toLowerCase()] : undefined;
}

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const QUERY_TYPE = /^\d+ \([A-Za-z0-9*-]+\)$/;
// `Other` (a query type Umbrella does not name) says less alone: a DNS response code must follow it.
const OTHER_QUERY_TYPE = /^Other$/i;
// DNS response codes (RFC 1035, 2136, 6891) as Umbrella writes them.
const RESPONSE_CODE = /^(?:NOERROR|FORMERR|SERVFAIL|NXDOMAIN|NOTIMP|REFUSED|YXDOMAIN|YXRRSET|NXRRSET|NOTAUTH|NOTZONE|BADVERS|BADSIG|BADKEY|BADTIME)$/i;
const URLISH = /^[a-z][a-z0-9+.-]*:\/\//i;
const ORIGIN_IDS = /^\[[\d,\s]*\]$/;
const DIGITS = /^\d+$/;
const SHA256 = /^[0-9a-f]{64}$/i;
const isIp = (v: string | undefined): boolean => v !== undefined && canonicalIp(v) !== undefined;

/**
 * How a row without a typed path is recognized: the first predicate that holds wins. Ordered from the
 * most distinctive shape (audit: numeric id before the timestamp) to the least (IP logs: two IPs).
 */
const CONTENT_RULES: [UmbrellaType, (c: string[]) => boolean][] = [
  ['audit', (c) => DIGITS.test(c[0]!) && TIMESTAMP.test(c[1] ?? '')],
  ['dns', (c) => c.length >= DNS.min && (QUERY_TYPE.test(c[6]!) || (OTHER_QUERY_TYPE.test(c[6]!) && RESPONSE_CODE.test(c[7]!)))],
  ['firewall', (c) => c.length >= FIREWALL.min && (ORIGIN_IDS.test(c[1]!) || /^(INBOUND|OUTBOUND)$/i.test(c[4]!))],
  ['proxy', (c) => c.length >= PROXY.min && (URLISH.test(c[7]!) || (c.length === PROXY_LEGACY.columns.length && URLISH.test(c[8]!)))],
  ['intrusion', (c) => c.length >= INTRUSION.min && DIGITS.test(c[3]!) && DIGITS.test(c[4]!) && isIp(c[12])],
  ['dlp', (c) => c.length >= DLP.min && SHA256.test(c[15]!)],
  ['ip', (c) => c.length >= IP.min && isIp(c[2]) && isIp(c[4]) && DIGITS.test(c[3]!)],
];

/** The log type a row's shape says, when the path says nothing. */
export function typeFromContent(cells: string[]): UmbrellaType | undefined {
  if (cells.length < IP.min) return undefined;
  for (const [type, test] of CONTENT_RULES) if (test(cells)) return type;
  return undefined;
}

/** The layout for a row of a known type (proxy rows may use the early 24-column layout). */
export function layoutFor(type: UmbrellaType, cells: string[]): Layout {
  if (type === 'proxy' && cells.length === PROXY_LEGACY.columns.length) {
    // Early layout: cell 3 is the identities list (not an IP) and cell 4 the internal IP.
    const third = cells[2]!;
    if (third !== '' && !isIp(third) && isIp(cells[3])) return PROXY_LEGACY;
  }
  return LAYOUTS[type];
}
