import { FIELD_COUNT, F, fieldId, type Rec } from './layouts.js';
import { lookup } from './mappings.js';

/**
 * Key tables for the self-describing forms (CEF, LEEF, Strata Logging Service JSON): their key →
 * canonical field name. Keys are compared lower-cased without `_`, `-`, `/`, spaces or a `PanOS`
 * prefix, and a key that is a canonical name (`sessionid`, `natsrc`, `receive_time`) needs no entry.
 */
export type AliasTable = Map<string, number>;

export function squash(key: string): string {
  return key.toLowerCase().replace(/^panos/, '').replace(/[\s_/.-]/g, '');
}

const CANONICAL: AliasTable = new Map();
for (const name of Object.keys(F)) CANONICAL.set(squash(name), fieldId(name)!);

function table(entries: Record<string, string>): AliasTable {
  const map = new Map(CANONICAL);
  for (const [key, name] of Object.entries(entries)) {
    const id = fieldId(name);
    if (id === undefined) throw new Error(`alias ${key}: unknown field ${name}`);
    map.set(squash(key), id);
  }
  return map;
}

// PAN-OS extras that CEF, LEEF and JSON all spell alike.
const SHARED: Record<string, string> = {
  DGl1: 'dg_hier_level_1', DGl2: 'dg_hier_level_2', DGl3: 'dg_hier_level_3', DGl4: 'dg_hier_level_4',
  DeviceGroupHierarchyL1: 'dg_hier_level_1', DeviceGroupHierarchyL2: 'dg_hier_level_2',
  DeviceGroupHierarchyL3: 'dg_hier_level_3', DeviceGroupHierarchyL4: 'dg_hier_level_4',
  VsysName: 'vsys_name', vSrcName: 'vsys_name', DeviceName: 'device_name', ActionFlags: 'actionflags',
  SourceLocation: 'srcloc', DestinationLocation: 'dstloc', PacketsSent: 'pkts_sent', PacketsReceived: 'pkts_received',
  SessionEndReason: 'session_end_reason', ActionSource: 'action_source', SrcUUID: 'src_uuid', DstUUID: 'dst_uuid',
  TunnelID: 'imsi', MonitorTag: 'imei', ParentSessionID: 'parent_session_id', ParentStartTime: 'parent_start_time',
  TunnelType: 'tunnel', RuleUUID: 'rule_uuid', ThreatCategory: 'thr_category', ContentVer: 'contentver',
  ContentVersion: 'contentver', XForwardedFor: 'xff', XFFAddress: 'xff_ip', Referer: 'referer', HTTPMethod: 'http_method',
  DynamicUserGroupName: 'dynusergroup_name', SourceDeviceHost: 'src_host', SourceDeviceMac: 'src_mac',
  DestinationDeviceHost: 'dst_host', DestinationDeviceMac: 'dst_mac', HighResolutionTimestamp: 'high_res_timestamp',
  TimeGeneratedHighResolution: 'high_res_timestamp', ThreatID: 'threatid', URLCategory: 'category',
  ContentType: 'contenttype', FileDigest: 'filedigest', FileType: 'filetype', ReportID: 'reportid',
  Direction: 'direction', Severity: 'severity', UserAgent: 'user_agent', SessionID: 'sessionid',
  HTTP2Connection: 'http2_connection', ClusterName: 'cluster_name', SNI: 'sni', TLSVersion: 'tls_version',
};

/**
 * Strata Logging Service (ex Cortex Data Lake) field names, as Palo Alto documents them for the JSON
 * (HTTPS/email/HEC) forwarding format — PascalCase (`SourceAddress`, `NATDestinationPort`). SLS's CEF
 * and LEEF forwarding use the same names for their custom keys (`PanOSSourceDeviceHost` …).
 * Where a name means a different field in one log type (`EventName` is a CONFIG command), see
 * TYPE_RENAMES.
 */
const SLS_NAMES: Record<string, string> = {
  TimeReceived: 'receive_time', TimeGenerated: 'time_generated', DeviceSN: 'serial', LogSourceID: 'serial',
  LogSourceName: 'device_name', LogType: 'type', SubType: 'subtype', ConfigVersion: 'sender_sw_version',
  SourceAddress: 'src', DestinationAddress: 'dst', NATSource: 'natsrc', NATDestination: 'natdst',
  SourcePort: 'sport', DestinationPort: 'dport', NATSourcePort: 'natsport', NATDestinationPort: 'natdport',
  SourceUser: 'srcuser', SourceUserName: 'srcuser', DestinationUser: 'dstuser', DestinationUserName: 'dstuser',
  Application: 'app', VirtualLocation: 'vsys', VirtualSystemName: 'vsys_name', FromZone: 'from', ToZone: 'to',
  InboundInterface: 'inbound_if', OutboundInterface: 'outbound_if', LogSetting: 'logset', RepeatCount: 'repeatcnt',
  CountOfRepeats: 'repeatcnt', Protocol: 'proto', Bytes: 'bytes', BytesSent: 'bytes_sent', BytesReceived: 'bytes_received',
  PacketsTotal: 'packets', SessionStartTime: 'start', SessionDuration: 'elapsed', SequenceNo: 'seqno',
  DGHierarchyLevel1: 'dg_hier_level_1', DGHierarchyLevel2: 'dg_hier_level_2', DGHierarchyLevel3: 'dg_hier_level_3',
  DGHierarchyLevel4: 'dg_hier_level_4', SourceUUID: 'src_uuid', DestinationUUID: 'dst_uuid', IMSI: 'imsi', IMEI: 'imei',
  ParentStarttime: 'parent_start_time', Tunnel: 'tunnel', XForwardedForIP: 'xff_ip', FlowType: 'flow_type',
  URL: 'misc', FileName: 'misc', ThreatName: 'threat_name', VendorSeverity: 'severity', DirectionOfAttack: 'direction',
  URLCounter: 'url_idx', HTTPHeaders: 'http_headers', URLCategoryList: 'url_category_list', FileHash: 'filedigest',
  SenderEmail: 'sender', EmailSubject: 'subject', RecipientEmail: 'recipient', CloudReportID: 'cloud_reportid',
  EventName: 'eventid', EventIDValue: 'eventid', EventDescription: 'opaque', Description: 'opaque',
  AdminUserName: 'admin', EventResult: 'result', EventPath: 'path', NormalizeUser: 'normalize_user',
  AuthenticationPolicy: 'authpolicy', MFAAuthenticationID: 'authid', MFAVendor: 'vendor', AuthServerProfile: 'serverprofile',
  AuthenticationDescription: 'desc', ClientType: 'clienttype', AuthEvent: 'event', AuthFactorNo: 'factorno',
  AuthenticationProtocol: 'authproto', RuleMatchedUUID: 'rule_uuid', AuthMethod: 'auth_method', SourceRegion: 'srcregion',
  EndpointDeviceName: 'machinename', PublicIPv4: 'public_ip', PublicIPv6: 'public_ipv6', PrivateIPv4: 'private_ip',
  PrivateIPv6: 'private_ipv6', HostID: 'hostid', EndpointSerialNumber: 'serialnumber', EventStatus: 'status',
  LoginDuration: 'login_duration', EndpointOSType: 'client_os', EndpointOSVersion: 'client_os_ver',
  GlobalProtectClientVersion: 'client_ver', ConnectionMethod: 'connect_method', HipMatchName: 'matchname',
  HipMatchType: 'matchtype', SourceIPv6: 'srcipv6', MacAddress: 'mac', TagName: 'tag_name',
};

/** Fields an SLS name fills that belong elsewhere in one log type: type → canonical field → its field there. */
export const TYPE_RENAMES = lookup<Readonly<Record<string, string | undefined>>>({
  // SLS config logs carry the command as EventName; GlobalProtect's TunnelType is its own column.
  CONFIG: lookup({ eventid: 'cmd' }),
  GLOBALPROTECT: lookup({ tunnel: 'tunnel_type' }),
  HIPMATCH: lookup({ client_os: 'os' }),
  // Authentication and User-ID call their client address `ip` and their user `user`; keyed forms write
  // them as the source (src=$ip, LEEF usrName).
  AUTHENTICATION: lookup({ src: 'ip', srcuser: 'user' }),
  USERID: lookup({ src: 'ip', srcuser: 'user' }),
});

/**
 * The firewall's CEF templates (PAN-OS CEF Configuration Guide) reuse standard CEF keys for other
 * fields in some log types (`cat=$eventid`, `duser=$admin`, `act=$cmd`, `fname=$object`): per type,
 * the field the generic key table filled → the field the template meant.
 */
export const CEF_TYPE_RENAMES = lookup<Readonly<Record<string, string | undefined>>>({
  SYSTEM: lookup({ threatid: 'eventid', misc: 'object' }),
  CONFIG: lookup({ dstuser: 'admin', action: 'cmd', opaque: 'path', src_host: 'host', app: 'client' }),
  AUTHENTICATION: lookup({ dstuser: 'user', opaque: 'event', misc: 'object' }),
  USERID: lookup({ dstuser: 'user', threatid: 'eventid', sport: 'beginport', dport: 'endport' }),
  HIPMATCH: lookup({ threatid: 'matchname', src_host: 'machinename' }),
});

/** What the CEF Signature ID holds for the types whose template does not put the subtype there. */
export const CEF_SIGNATURE_FIELD = lookup<string>({ CONFIG: 'result', HIPMATCH: 'matchtype' });

export const CEF_KEYS = table({
  ...SLS_NAMES,
  ...SHARED,
  rt: 'receive_time', deviceExternalId: 'serial', sourceTranslatedAddress: 'natsrc', destinationTranslatedAddress: 'natdst',
  suser: 'srcuser', duser: 'dstuser', deviceInboundInterface: 'inbound_if', deviceOutboundInterface: 'outbound_if',
  cnt: 'repeatcnt', spt: 'sport', dpt: 'dport', sourceTranslatedPort: 'natsport', destinationTranslatedPort: 'natdport',
  act: 'action', in: 'bytes_sent', out: 'bytes_received', start: 'time_generated', externalId: 'seqno',
  reason: 'session_end_reason', request: 'misc', requestClientApplication: 'user_agent', requestMethod: 'http_method',
  requestContext: 'contenttype', fileId: 'pcap_id', fileHash: 'filedigest', fileType: 'filetype', dvchost: 'device_name',
  cat: 'threatid', msg: 'opaque', shost: 'src_host', dhost: 'dst_host', smac: 'src_mac', dmac: 'dst_mac',
  suid: 'srcuser', duid: 'dstuser', fname: 'misc', deviceDirection: 'direction', deviceProcessName: 'module',
  destinationServiceName: 'app', sourceUserName: 'srcuser', destinationUserName: 'dstuser', dvc: 'host',
});

/** CEF `csN`/`cnN`/`flexStringN`/`flexNumberN` values named by their `…Label` key. */
export const CEF_LABELS = table({
  ...SLS_NAMES,
  ...SHARED,
  ServerProfile: 'serverprofile', LogAction: 'logset', FactorNumber: 'factorno', AuthenticationID: 'authid',
  FactorType: 'factortype', DataSourceName: 'datasourcename', DataSource: 'datasource', DataSourceType: 'datasourcetype',
  Timeout: 'timeout', BeforeChangeDetail: 'before_change_detail', AfterChangeDetail: 'after_change_detail',
  OperatingSystem: 'os', Vendor: 'vendor',
  Rule: 'rule', VirtualSystem: 'vsys', SourceZone: 'from', DestinationZone: 'to', LogProfile: 'logset',
  LogForwardingProfile: 'logset', Packets: 'packets', TotalPackets: 'packets', ElapsedTimeInSeconds: 'elapsed',
  ElapsedTime: 'elapsed', TotalBytes: 'bytes', Flags: 'flags', Module: 'module', Object: 'object',
  EventID: 'eventid', Command: 'cmd', Admin: 'admin', Client: 'client', Result: 'result', ConfigurationPath: 'path',
});

/**
 * The LEEF header's Event ID per log type (`TYPE` or `TYPE/subtype`): the action for session logs
 * (the firewall's QRadar format and SLS), the threat id for threats, the URL category for SLS URL
 * logs, the result for authentication; SYSTEM's goes to the event id.
 */
export const LEEF_EVENT_ID = lookup<string>({
  TRAFFIC: 'action', THREAT: 'threatid', 'THREAT/url': 'category', SYSTEM: 'eventid', AUTHENTICATION: 'event',
  GLOBALPROTECT: 'eventid', USERID: 'eventid', IPTAG: 'eventid',
});

export const LEEF_KEYS = table({
  ...SLS_NAMES,
  ...SHARED,
  cat: 'type', ReceiveTime: 'receive_time', SerialNumber: 'serial', devTime: 'time_generated', GeneratedTime: 'time_generated',
  srcPostNAT: 'natsrc', dstPostNAT: 'natdst', RuleName: 'rule', usrName: 'srcuser', SourceUser: 'srcuser',
  DestinationUser: 'dstuser', Application: 'app', VirtualSystem: 'vsys', SourceZone: 'from', DestinationZone: 'to',
  IngressInterface: 'inbound_if', EgressInterface: 'outbound_if', LogForwardingProfile: 'logset', RepeatCount: 'repeatcnt',
  srcPort: 'sport', dstPort: 'dport', srcPostNATPort: 'natsport', dstPostNATPort: 'natdport', totalBytes: 'bytes',
  dstBytes: 'bytes_received', srcBytes: 'bytes_sent', totalPackets: 'packets', StartTime: 'start', ElapsedTime: 'elapsed',
  sequence: 'seqno', dstPackets: 'pkts_received', srcPackets: 'pkts_sent', Miscellaneous: 'misc', URL: 'misc',
  sev: 'severity_number', Subtype: 'subtype', Type: 'type', Description: 'opaque', EventID: 'eventid',
  Object: 'object', Module: 'module', Admin: 'admin', Command: 'cmd', Result: 'result', ConfigurationPath: 'path',
  identSrc: 'src', identHostName: 'src_host',
});

export const SLS_KEYS = table({
  ...SLS_NAMES,
  ...SHARED,
  log_type: 'type', sub_type: 'subtype', source_ip: 'src', dest_ip: 'dst', nat_source: 'natsrc', nat_dest: 'natdst',
  nat_source_port: 'natsport', nat_dest_port: 'natdport', source_port: 'sport', dest_port: 'dport', rule_matched: 'rule',
  rule_matched_uuid: 'rule_uuid', source_user: 'srcuser', dest_user: 'dstuser', from_zone: 'from', to_zone: 'to',
  log_set: 'logset', session_id: 'sessionid', repeat_count: 'repeatcnt', protocol: 'proto', bytes_total: 'bytes',
  packets_total: 'packets', session_start_time: 'start', total_time_elapsed: 'elapsed', url_category: 'category',
  sequence_no: 'seqno', source_location: 'srcloc', dest_location: 'dstloc', device_sn: 'serial', log_source_id: 'serial',
  threat_id: 'threatid', direction_of_attack: 'direction', uri: 'misc', url: 'misc', file_name: 'misc',
  x_forwarded_for: 'xff', content_type: 'contenttype', file_sha_256: 'filedigest', file_type: 'filetype',
  threat_category: 'thr_category', content_version: 'contentver', description: 'opaque', event_id: 'eventid',
  command: 'cmd', config_path: 'path', machine_name: 'machinename', public_ipv6: 'public_ipv6', source_region: 'srcregion',
  client_os: 'client_os', client_os_version: 'client_os_ver', client_version: 'client_ver', login_duration: 'login_duration',
  source_device_host: 'src_host', dest_device_host: 'dst_host', source_device_mac: 'src_mac', dest_device_mac: 'dst_mac',
  log_source_name: 'device_name', tls_key_exchange: 'tls_keyxchg', tls_encryption: 'tls_enc', tls_auth: 'tls_auth',
  server_name_indication: 'sni', cert_subject_cn: 'cn', issuer_common_name: 'issuer_cn', action_flags: 'actionflags',
  xff_address: 'xff_ip', verdict: 'category', dynamic_user_group_name: 'dynusergroup_name', receive_time: 'receive_time',
  severity_value: 'severity_number', user: 'user', ip: 'ip', sw_version: 'sender_sw_version',
});

/** Log type spellings of the JSON form → CSV Type (and a subtype some imply). */
export const SLS_TYPES = lookup<[string, string?]>({
  traffic: ['TRAFFIC'], threat: ['THREAT'], url: ['THREAT', 'url'], file_data: ['THREAT', 'file'],
  data: ['THREAT', 'data'], wildfire: ['THREAT', 'wildfire'], system: ['SYSTEM'], config: ['CONFIG'],
  globalprotect: ['GLOBALPROTECT'], hip_match: ['HIPMATCH'], hipmatch: ['HIPMATCH'], userid: ['USERID'],
  auth: ['AUTHENTICATION'], authentication: ['AUTHENTICATION'], decryption: ['DECRYPTION'], hip_match_log: ['HIPMATCH'],
  'hip-match': ['HIPMATCH'], correlation: ['CORRELATION'], iptag: ['IPTAG'],
});

export function emptyRec(): Rec {
  return new Array<string | undefined>(FIELD_COUNT);
}

/** Stores a keyed value in a record; returns false when the key is unknown. Empty values count as absent. */
export function put(rec: Rec, keys: AliasTable, key: string, value: string): boolean {
  const id = keys.get(squash(key));
  if (id === undefined) return false;
  if (value !== '' && rec[id] === undefined) rec[id] = value;
  return true;
}
