/**
 * Advanced-hunting columns → ECS, as data. Each table's map is compiled once from shared column
 * groups (device, initiating process, account …) plus its own columns; columns that no map names are
 * kept under `microsoft.defender.<snake_case>` so nothing is lost.
 *
 * Kinds: `s` string · `list` one-string array · `lower` lower-cased string · `int` · `pid`/`port` (0 = absent) · `ip` · `date`
 * · `bool` · `hash` (lower-cased hex) · `json` (a JSON string or value, kept parsed) · `transport`
 * (Tcp/TcpV4/Udp… → tcp/udp/icmp) · `image` (a process file name that may be written as a path, even a device
 * path `\Device\HarddiskVolume3\…\smss.exe`: the name goes to the path, the whole to its sibling `executable`)
 * · `special` (read by to-ecs.ts itself, never copied).
 */
export type Kind = 's' | 'list' | 'lower' | 'int' | 'pid' | 'port' | 'ip' | 'date' | 'bool' | 'hash' | 'json' | 'transport' | 'image' | 'special';
type Column = readonly [column: string, path: string, kind: Kind];

const V = 'microsoft.defender.';

/** Columns every table may carry. */
const COMMON: Column[] = [
  ['Timestamp', '', 'special'],
  ['TimeGenerated', '', 'special'],
  ['Type', '', 'special'],
  ['Table', '', 'special'],
  ['$table', '', 'special'],
  ['TenantId', `${V}tenant_id`, 's'],
  ['DeviceId', 'host.id', 's'],
  ['DeviceName', '', 'special'],
  ['ActionType', 'event.action', 's'],
  ['ReportId', `${V}report_id`, 's'],
  ['MachineGroup', `${V}machine_group`, 's'],
  ['AppGuardContainerId', `${V}app_guard_container_id`, 's'],
  ['AdditionalFields', '', 'special'],
  // Identity columns are combined by to-ecs.ts (UPN, name, domain, SID, object id).
  ...['AccountUpn', 'AccountName', 'AccountDomain', 'AccountSid', 'AccountObjectId', 'AccountDisplayName'].map((c) => [c, '', 'special'] as Column),
  ...['InitiatingProcessAccountUpn', 'InitiatingProcessAccountName', 'InitiatingProcessAccountDomain', 'InitiatingProcessAccountSid', 'InitiatingProcessAccountObjectId'].map(
    (c) => [c, '', 'special'] as Column,
  ),
  ['RemoteUrl', '', 'special'],
  ['Url', '', 'special'],
  ['LocalIP', 'source.ip', 'ip'],
  ['LocalPort', 'source.port', 'port'],
  ['RemoteIP', 'destination.ip', 'ip'],
  ['RemotePort', 'destination.port', 'port'],
  ['LocalIPType', `${V}local_ip_type`, 's'],
  ['RemoteIPType', `${V}remote_ip_type`, 's'],
  ['Protocol', 'network.transport', 'transport'],
];

/** Initiating-process columns, written under `process` (or `process.parent` for process events). */
function initiating(p: string, parentOfParent: string): Column[] {
  return [
    ['InitiatingProcessFileName', `${p}.name`, 's'],
    ['InitiatingProcessFolderPath', `${p}.executable`, 's'],
    ['InitiatingProcessCommandLine', `${p}.command_line`, 's'],
    ['InitiatingProcessId', `${p}.pid`, 'pid'],
    ['InitiatingProcessCreationTime', `${p}.start`, 'date'],
    ['InitiatingProcessSHA1', `${p}.hash.sha1`, 'hash'],
    ['InitiatingProcessSHA256', `${p}.hash.sha256`, 'hash'],
    ['InitiatingProcessMD5', `${p}.hash.md5`, 'hash'],
    ['InitiatingProcessVersionInfoCompanyName', `${p}.pe.company`, 's'],
    ['InitiatingProcessVersionInfoProductName', `${p}.pe.product`, 's'],
    ['InitiatingProcessVersionInfoProductVersion', `${p}.pe.file_version`, 's'],
    ['InitiatingProcessVersionInfoOriginalFileName', `${p}.pe.original_file_name`, 's'],
    ['InitiatingProcessVersionInfoFileDescription', `${p}.pe.description`, 's'],
    ['InitiatingProcessVersionInfoInternalFileName', `${V}initiating_process.internal_file_name`, 's'],
    ['InitiatingProcessFileSize', `${V}initiating_process.file_size`, 'int'],
    ['InitiatingProcessIntegrityLevel', `${V}initiating_process.integrity_level`, 's'],
    ['InitiatingProcessTokenElevation', `${V}initiating_process.token_elevation`, 's'],
    ['InitiatingProcessLogonId', `${V}initiating_process.logon_id`, 's'],
    ['InitiatingProcessSignatureStatus', `${V}initiating_process.signature_status`, 's'],
    ['InitiatingProcessSignerType', `${V}initiating_process.signer_type`, 's'],
    ['InitiatingProcessSessionId', `${V}initiating_process.session_id`, 's'],
    ['InitiatingProcessRemoteSessionDeviceName', `${V}initiating_process.remote_session_device_name`, 's'],
    ['InitiatingProcessRemoteSessionIP', `${V}initiating_process.remote_session_ip`, 'ip'],
    ['IsInitiatingProcessRemoteSession', `${V}initiating_process.is_remote_session`, 'bool'],
    ['InitiatingProcessParentFileName', `${parentOfParent}.name`, 'image'],
    ['InitiatingProcessParentId', `${parentOfParent}.pid`, 'pid'],
    ['InitiatingProcessParentCreationTime', `${parentOfParent}.start`, 'date'],
  ];
}

const FILE: Column[] = [
  ['FileName', 'file.name', 's'],
  ['FolderPath', 'file.path', 's'],
  ['FileSize', 'file.size', 'int'],
  ['SHA1', 'file.hash.sha1', 'hash'],
  ['SHA256', 'file.hash.sha256', 'hash'],
  ['MD5', 'file.hash.md5', 'hash'],
  ['FileOriginUrl', `${V}file_origin_url`, 's'],
  ['FileOriginReferrerUrl', `${V}file_origin_referrer_url`, 's'],
  ['FileOriginIP', `${V}file_origin_ip`, 'ip'],
  ['PreviousFileName', `${V}previous_file_name`, 's'],
  ['PreviousFolderPath', `${V}previous_folder_path`, 's'],
  ['RequestSourceIP', 'source.ip', 'ip'],
  ['RequestSourcePort', 'source.port', 'port'],
  ['RequestProtocol', 'network.protocol', 'lower'],
];

const REGISTRY: Column[] = [
  ['RegistryKey', 'registry.key', 's'],
  ['RegistryValueName', 'registry.value', 's'],
  ['RegistryValueData', 'registry.data.strings', 'list'],
  ['RegistryValueType', 'registry.data.type', 's'],
  ['PreviousRegistryKey', `${V}previous_registry_key`, 's'],
  ['PreviousRegistryValueName', `${V}previous_registry_value_name`, 's'],
  ['PreviousRegistryValueData', `${V}previous_registry_value_data`, 's'],
];

/** Columns of the Alert*, Identity*, Email* and CloudApp* tables (and any unknown table). */
const GENERIC: Column[] = [
  ['IPAddress', 'source.ip', 'ip'],
  ['Port', 'source.port', 'port'],
  ['DestinationIPAddress', 'destination.ip', 'ip'],
  ['DestinationPort', 'destination.port', 'port'],
  ['DestinationDeviceName', 'destination.domain', 'lower'],
  ['Title', 'rule.name', 's'],
  ['AlertId', `${V}alert_id`, 's'],
  ['Severity', '', 'special'],
  ['Category', `${V}category`, 's'],
  ['AttackTechniques', `${V}attack_techniques`, 'json'],
  ['ServiceSource', `${V}service_source`, 's'],
  ['DetectionSource', `${V}detection_source`, 's'],
  ['EntityType', `${V}entity_type`, 's'],
  ['EvidenceRole', `${V}evidence_role`, 's'],
  ['FileName', 'file.name', 's'],
  ['FolderPath', 'file.path', 's'],
  ['FileSize', 'file.size', 'int'],
  ['SHA1', 'file.hash.sha1', 'hash'],
  ['SHA256', 'file.hash.sha256', 'hash'],
  ['MD5', 'file.hash.md5', 'hash'],
  ['ProcessCommandLine', 'process.command_line', 's'],
  ['SenderFromAddress', 'email.from.address', 'lower'],
  ['SenderMailFromAddress', 'email.sender.address', 'lower'],
  ['SenderDisplayName', `${V}sender_display_name`, 's'],
  ['RecipientEmailAddress', 'email.to.address', 'lower'],
  ['Subject', 'email.subject', 's'],
  ['InternetMessageId', 'email.message_id', 's'],
  ['NetworkMessageId', `${V}network_message_id`, 's'],
  ['EmailDirection', 'email.direction', 'lower'],
  ['SenderIPv4', 'source.ip', 'ip'],
  ['SenderIPv6', 'source.ip', 'ip'],
  ['AttachmentCount', 'email.attachments_count', 'int'],
  ['DeliveryAction', `${V}delivery_action`, 's'],
  ['DeliveryLocation', `${V}delivery_location`, 's'],
  ['ThreatTypes', `${V}threat_types`, 's'],
  ['ThreatNames', `${V}threat_names`, 's'],
  ['Application', `${V}application`, 's'],
  ['ApplicationId', `${V}application_id`, 's'],
  ['ActivityType', `${V}activity_type`, 's'],
  ['ObjectName', `${V}object_name`, 's'],
  ['ObjectType', `${V}object_type`, 's'],
  ['UserAgent', '', 'special'],
  ['ISP', 'source.as.organization.name', 's'],
  ['CountryCode', 'source.geo.country_iso_code', 's'],
  ['City', 'source.geo.city_name', 's'],
  ['Location', `${V}location`, 's'],
  ['LogonType', `${V}logon_type`, 's'],
  ['FailureReason', 'event.reason', 's'],
  ['QueryType', 'dns.question.type', 's'],
  ['QueryTarget', `${V}query_target`, 's'],
  ['TargetAccountUpn', '', 'special'],
  ['TargetAccountDisplayName', 'user.target.full_name', 's'],
  ['TargetDeviceName', `${V}target_device_name`, 'lower'],
  ['Department', `${V}department`, 's'],
  ['JobTitle', `${V}job_title`, 's'],
  ['IsAdminOperation', `${V}is_admin_operation`, 'bool'],
  ['RemoteDeviceName', `${V}remote_device_name`, 'lower'],
  ['LogonId', `${V}logon_id`, 's'],
  ['IsLocalAdmin', `${V}is_local_admin`, 'bool'],
  ['RawEventData', `${V}raw_event_data`, 'json'],
];

/** Logons: the remote side is where the logon came from. */
const LOGON: Column[] = [
  ['RemoteIP', 'source.ip', 'ip'],
  ['RemotePort', 'source.port', 'port'],
  ['RemoteDeviceName', 'source.domain', 'lower'],
  ['Protocol', `${V}logon_protocol`, 's'],
];

const PROCESS: Column[] = [
  ['FileName', 'process.name', 's'],
  ['FolderPath', 'process.executable', 's'],
  ['ProcessCommandLine', 'process.command_line', 's'],
  ['ProcessId', 'process.pid', 'pid'],
  ['ProcessCreationTime', 'process.start', 'date'],
  ['SHA1', 'process.hash.sha1', 'hash'],
  ['SHA256', 'process.hash.sha256', 'hash'],
  ['MD5', 'process.hash.md5', 'hash'],
  ['FileSize', `${V}process.file_size`, 'int'],
  ['ProcessVersionInfoCompanyName', 'process.pe.company', 's'],
  ['ProcessVersionInfoProductName', 'process.pe.product', 's'],
  ['ProcessVersionInfoProductVersion', 'process.pe.file_version', 's'],
  ['ProcessVersionInfoOriginalFileName', 'process.pe.original_file_name', 's'],
  ['ProcessVersionInfoFileDescription', 'process.pe.description', 's'],
  ['ProcessVersionInfoInternalFileName', `${V}process.internal_file_name`, 's'],
  ['ProcessIntegrityLevel', `${V}process.integrity_level`, 's'],
  ['ProcessTokenElevation', `${V}process.token_elevation`, 's'],
  ['ProcessRemoteSessionDeviceName', `${V}process.remote_session_device_name`, 's'],
  ['ProcessRemoteSessionIP', `${V}process.remote_session_ip`, 'ip'],
];

/** DeviceEvents: a process acting on a target process, file, registry value or connection. */
const DEVICE_EVENTS: Column[] = [
  ['ProcessId', `${V}target_process.pid`, 'pid'],
  ['ProcessCommandLine', `${V}target_process.command_line`, 's'],
  ['ProcessCreationTime', `${V}target_process.start`, 'date'],
  ['ProcessTokenElevation', `${V}target_process.token_elevation`, 's'],
];

const DEVICE_INFO: Column[] = [
  ['PublicIP', `${V}public_ip`, 'ip'],
  ['OSPlatform', 'host.os.name', 's'],
  ['OSVersion', 'host.os.version', 's'],
  ['OSBuild', 'host.os.build', 's'],
  ['OSArchitecture', 'host.architecture', 's'],
  ['DeviceType', 'host.type', 's'],
  ['MacAddress', '', 'special'],
  ['IPAddresses', '', 'special'],
  ['LoggedOnUsers', `${V}logged_on_users`, 'json'],
  ['ConnectedNetworks', `${V}connected_networks`, 'json'],
  ['DefaultGateways', `${V}default_gateways`, 'json'],
  ['DnsAddresses', `${V}dns_addresses`, 'json'],
  ['MergedDeviceIds', `${V}merged_device_ids`, 'json'],
];

type Group = 'device' | 'alert' | 'identity' | 'email' | 'cloudapp' | 'other';

export interface TableSpec {
  name: string;
  group: Group;
  /** Default `event.category` / `event.type` (ActionType rules in actions.ts refine them). */
  category: string[];
  type: string[];
  kind?: string;
  columns: Column[][];
}

const DEVICE_BASE = [COMMON];
const AS_PROCESS = initiating('process', 'process.parent');
const AS_PARENT = initiating('process.parent', `${V}initiating_process.parent`);

export const TABLES: TableSpec[] = [
  { name: 'DeviceNetworkEvents', group: 'device', category: ['network'], type: ['connection'], columns: [...DEVICE_BASE, AS_PROCESS] },
  { name: 'DeviceProcessEvents', group: 'device', category: ['process'], type: ['start'], columns: [...DEVICE_BASE, AS_PARENT, PROCESS] },
  { name: 'DeviceFileEvents', group: 'device', category: ['file'], type: ['info'], columns: [...DEVICE_BASE, AS_PROCESS, FILE] },
  { name: 'DeviceRegistryEvents', group: 'device', category: ['registry'], type: ['change'], columns: [...DEVICE_BASE, AS_PROCESS, REGISTRY] },
  { name: 'DeviceImageLoadEvents', group: 'device', category: ['library'], type: ['start'], columns: [...DEVICE_BASE, AS_PROCESS, FILE] },
  { name: 'DeviceLogonEvents', group: 'device', category: ['authentication'], type: ['start'], columns: [...DEVICE_BASE, AS_PROCESS, GENERIC, LOGON] },
  { name: 'DeviceEvents', group: 'device', category: ['host'], type: ['info'], columns: [...DEVICE_BASE, AS_PROCESS, GENERIC, FILE, REGISTRY, DEVICE_EVENTS] },
  // Not a Defender table, but the name the follow-the-packet story uses for endpoint DNS.
  { name: 'DeviceDnsEvents', group: 'device', category: ['network'], type: ['protocol'], columns: [...DEVICE_BASE, AS_PROCESS, GENERIC] },
  { name: 'DeviceInfo', group: 'device', category: ['host'], type: ['info'], columns: [...DEVICE_BASE, DEVICE_INFO] },
  { name: 'DeviceNetworkInfo', group: 'device', category: ['host', 'network'], type: ['info'], columns: [...DEVICE_BASE, DEVICE_INFO] },
  { name: 'DeviceFileCertificateInfo', group: 'device', category: ['file'], type: ['info'], columns: [...DEVICE_BASE, FILE] },
  { name: 'AlertInfo', group: 'alert', kind: 'alert', category: ['threat'], type: ['indicator'], columns: [COMMON, GENERIC] },
  { name: 'AlertEvidence', group: 'alert', kind: 'alert', category: ['threat'], type: ['indicator'], columns: [COMMON, AS_PROCESS, GENERIC] },
  { name: 'IdentityLogonEvents', group: 'identity', category: ['authentication'], type: ['start'], columns: [COMMON, GENERIC, LOGON] },
  { name: 'IdentityQueryEvents', group: 'identity', category: ['network'], type: ['protocol'], columns: [COMMON, GENERIC] },
  { name: 'IdentityDirectoryEvents', group: 'identity', category: ['iam'], type: ['change'], columns: [COMMON, GENERIC] },
  { name: 'IdentityInfo', group: 'identity', kind: 'state', category: ['iam'], type: ['user', 'info'], columns: [COMMON, GENERIC] },
  { name: 'EmailEvents', group: 'email', category: ['email'], type: ['info'], columns: [COMMON, GENERIC] },
  { name: 'EmailAttachmentInfo', group: 'email', category: ['email'], type: ['info'], columns: [COMMON, GENERIC] },
  { name: 'EmailUrlInfo', group: 'email', category: ['email'], type: ['info'], columns: [COMMON, GENERIC] },
  { name: 'EmailPostDeliveryEvents', group: 'email', category: ['email'], type: ['change'], columns: [COMMON, GENERIC] },
  { name: 'UrlClickEvents', group: 'email', category: ['email', 'web'], type: ['access'], columns: [COMMON, GENERIC] },
  { name: 'CloudAppEvents', group: 'cloudapp', category: ['web'], type: ['info'], columns: [COMMON, GENERIC] },
];

/** For tables not listed above (new Defender tables appear regularly): a sound generic mapping. */
export const UNKNOWN_TABLE: TableSpec = { name: 'Unknown', group: 'other', category: ['host'], type: ['info'], columns: [COMMON, AS_PROCESS, GENERIC] };

export const OBSERVER_PRODUCT: Record<Group, string> = {
  device: 'Microsoft Defender for Endpoint',
  alert: 'Microsoft Defender XDR',
  identity: 'Microsoft Defender for Identity',
  email: 'Microsoft Defender for Office 365',
  cloudapp: 'Microsoft Defender for Cloud Apps',
  other: 'Microsoft Defender XDR',
};

/** A compiled column: the ECS path split once, plus how to convert the value. */
export interface Setter {
  path: string[];
  kind: Kind;
  /** `image` columns: where a value written as a path goes whole (`….executable`). */
  executable?: string[];
}

export interface CompiledTable {
  spec: TableSpec;
  columns: Map<string, Setter>;
}

function compile(spec: TableSpec): CompiledTable {
  const columns = new Map<string, Setter>();
  // Later groups override earlier ones: the table's own meaning of FileName wins over GENERIC's.
  for (const group of spec.columns) {
    for (const [column, path, kind] of group) {
      const parts = path ? path.split('.') : [];
      columns.set(column, kind === 'image' ? { path: parts, kind, executable: [...parts.slice(0, -1), 'executable'] } : { path: parts, kind });
    }
  }
  return { spec, columns };
}

const COMPILED = new Map<string, CompiledTable>(TABLES.map((t) => [t.name.toLowerCase(), compile(t)]));
const COMPILED_UNKNOWN = compile(UNKNOWN_TABLE);

/** The compiled map for a table name (case-insensitive); unknown names share the generic map. */
export function compiledTable(name: string | undefined): CompiledTable {
  return (name && COMPILED.get(name.toLowerCase())) || COMPILED_UNKNOWN;
}

export const TABLE_NAMES: readonly string[] = TABLES.map((t) => t.name);
