/**
 * PAN-OS syslog field orders of the non-session logs (10.x/11.x "Syslog Field Descriptions"), as
 * data, named with the syslog field variables. Positions 1–7 are common to every log type.
 */

const HEAD = ['future_use', 'receive_time', 'serial', 'type', 'subtype', 'future_use', 'time_generated'] as const;
const DG_HIERARCHY = ['dg_hier_level_1', 'dg_hier_level_2', 'dg_hier_level_3', 'dg_hier_level_4'] as const;

export const COMMON_FIELDS = HEAD;

export const SYSTEM_FIELDS = [
  ...HEAD, 'vsys', 'eventid', 'object', 'future_use', 'future_use', 'module', 'severity', 'opaque', 'seqno',
  'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'future_use', 'future_use', 'high_res_timestamp',
] as const;

/** CONFIG as the format line documents it: Before/After Change Detail at 15–16 (custom formats). */
export const CONFIG_FIELDS = [
  ...HEAD, 'host', 'vsys', 'cmd', 'admin', 'client', 'result', 'path', 'before_change_detail',
  'after_change_detail', 'seqno', 'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'dg_id', 'comment',
  'future_use', 'high_res_timestamp',
] as const;

/**
 * CONFIG as the default format writes it: no change details after the path (they trail after the
 * High Resolution Timestamp when present) — reference §3.3, Elastic's config fixture.
 */
export const CONFIG_DEFAULT_FIELDS = [
  ...HEAD, 'host', 'vsys', 'cmd', 'admin', 'client', 'result', 'path', 'seqno', 'actionflags', ...DG_HIERARCHY,
  'vsys_name', 'device_name', 'dg_id', 'comment', 'future_use', 'high_res_timestamp', 'before_change_detail',
  'after_change_detail',
] as const;

export const USERID_FIELDS = [
  ...HEAD, 'vsys', 'ip', 'user', 'datasourcename', 'eventid', 'repeatcnt', 'timeout', 'beginport', 'endport',
  'datasource', 'datasourcetype', 'seqno', 'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'vsys_id',
  'factortype', 'factorcompletiontime', 'factorno', 'ugflags', 'userbysource', 'tag_name', 'high_res_timestamp',
  'origindatasource', 'future_use', 'cluster_name',
] as const;

export const GLOBALPROTECT_FIELDS = [
  ...HEAD, 'vsys', 'eventid', 'stage', 'auth_method', 'tunnel_type', 'srcuser', 'srcregion', 'machinename',
  'public_ip', 'public_ipv6', 'private_ip', 'private_ipv6', 'hostid', 'serialnumber', 'client_ver', 'client_os',
  'client_os_ver', 'repeatcnt', 'reason', 'error', 'opaque', 'status', 'location', 'login_duration',
  'connect_method', 'error_code', 'portal', 'seqno', 'actionflags', 'high_res_timestamp', 'selection_type',
  'response_time', 'priority', 'attempted_gateways', 'gateway', ...DG_HIERARCHY, 'vsys_name', 'device_name',
  'vsys_id', 'cluster_name',
] as const;

export const HIPMATCH_FIELDS = [
  ...HEAD, 'srcuser', 'vsys', 'machinename', 'os', 'src', 'matchname', 'repeatcnt', 'matchtype', 'future_use',
  'future_use', 'seqno', 'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'vsys_id', 'srcipv6',
  'hostid', 'serialnumber', 'mac', 'high_res_timestamp', 'cluster_name',
] as const;

export const AUTHENTICATION_FIELDS = [
  ...HEAD, 'vsys', 'ip', 'user', 'normalize_user', 'object', 'authpolicy', 'repeatcnt', 'authid', 'vendor',
  'logset', 'serverprofile', 'desc', 'clienttype', 'event', 'factorno', 'seqno', 'actionflags', ...DG_HIERARCHY,
  'vsys_name', 'device_name', 'vsys_id', 'authproto', 'rule_uuid', 'high_res_timestamp', 'src_category',
  'src_profile', 'src_model', 'src_vendor', 'src_osfamily', 'src_osversion', 'src_host', 'src_mac', 'region',
  'future_use', 'user_agent', 'sessionid', 'cluster_name',
] as const;
