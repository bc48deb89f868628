/**
 * PAN-OS syslog field orders for the session logs, as data: one entry per CSV position, named with
 * the syslog field variables of the PAN-OS 10.x/11.x "Syslog Field Descriptions" (`$natsrc` …).
 * `future_use` marks placeholders. Older releases (8.x: TRAFFIC 65, THREAT 75–76 fields) write a
 * prefix of the same order; newer releases append, so records are read by position up to what is there.
 */

/** Positions 1–30, shared by TRAFFIC, THREAT and (up to 31) DECRYPTION. */
const SESSION_HEAD = [
  'future_use', 'receive_time', 'serial', 'type', 'subtype', 'future_use', 'time_generated', 'src', 'dst',
  'natsrc', 'natdst', 'rule', 'srcuser', 'dstuser', 'app', 'vsys', 'from', 'to', 'inbound_if', 'outbound_if',
  'logset', 'future_use', 'sessionid', 'repeatcnt', 'sport', 'dport', 'natsport', 'natdport', 'flags', 'proto',
  'action',
] as const;

const DEVICE_ID = [
  'src_category', 'src_profile', 'src_model', 'src_vendor', 'src_osfamily', 'src_osversion', 'src_host', 'src_mac',
  'dst_category', 'dst_profile', 'dst_model', 'dst_vendor', 'dst_osfamily', 'dst_osversion', 'dst_host', 'dst_mac',
] as const;

const DG_HIERARCHY = ['dg_hier_level_1', 'dg_hier_level_2', 'dg_hier_level_3', 'dg_hier_level_4'] as const;

const APP_CHARACTERISTICS = [
  'subcategory_of_app', 'category_of_app', 'technology_of_app', 'risk_of_app', 'characteristic_of_app',
  'container_of_app', 'tunneled_app', 'is_saas_of_app', 'sanctioned_state_of_app',
] as const;

/** TRAFFIC, PAN-OS 10.1–11.x (formats.md §10): 103 = High Resolution Timestamp. */
export const TRAFFIC_FIELDS = [
  ...SESSION_HEAD,
  'bytes', 'bytes_sent', 'bytes_received', 'packets', 'start', 'elapsed', 'category', 'future_use', 'seqno',
  'actionflags', 'srcloc', 'dstloc', 'future_use', 'pkts_sent', 'pkts_received', 'session_end_reason',
  ...DG_HIERARCHY, 'vsys_name', 'device_name', 'action_source', 'src_uuid', 'dst_uuid', 'imsi', 'imei',
  'parent_session_id', 'parent_start_time', 'tunnel', 'assoc_id', 'chunks', 'chunks_sent', 'chunks_received',
  'rule_uuid', 'http2_connection', 'link_change_count', 'policy_id', 'link_switches', 'sdwan_cluster',
  'sdwan_device_type', 'sdwan_cluster_type', 'sdwan_site', 'dynusergroup_name', 'xff_ip', ...DEVICE_ID,
  'container_id', 'pod_namespace', 'pod_name', 'src_edl', 'dst_edl', 'hostid', 'serialnumber', 'src_dag',
  'dst_dag', 'session_owner', 'high_res_timestamp', 'nssai_sst', 'nssai_sd', ...APP_CHARACTERISTICS,
  'offloaded', 'flow_type', 'cluster_name',
] as const;

/** THREAT (url, file, virus, spyware, vulnerability, wildfire, data, flood, scan, packet …), 10.x/11.x. */
export const THREAT_FIELDS = [
  ...SESSION_HEAD,
  'misc', 'threatid', 'category', 'severity', 'direction', 'seqno', 'actionflags', 'srcloc', 'dstloc',
  'future_use', 'contenttype', 'pcap_id', 'filedigest', 'cloud', 'url_idx', 'user_agent', 'filetype', 'xff',
  'referer', 'sender', 'subject', 'recipient', 'reportid', ...DG_HIERARCHY, 'vsys_name', 'device_name',
  'future_use', 'src_uuid', 'dst_uuid', 'http_method', 'imsi', 'imei', 'parent_session_id', 'parent_start_time',
  'tunnel', 'thr_category', 'contentver', 'future_use', 'assoc_id', 'ppid', 'http_headers', 'url_category_list',
  'rule_uuid', 'http2_connection', 'dynusergroup_name', 'xff_ip', ...DEVICE_ID, 'container_id', 'pod_namespace',
  'pod_name', 'src_edl', 'dst_edl', 'hostid', 'serialnumber', 'domain_edl', 'src_dag', 'dst_dag', 'partial_hash',
  'high_res_timestamp', 'reason', 'justification', 'nssai_sst', ...APP_CHARACTERISTICS, 'cloud_reportid',
  'cluster_name', 'flow_type',
] as const;

/** DECRYPTION, PAN-OS 10.0+. */
export const DECRYPTION_FIELDS = [
  ...SESSION_HEAD,
  'tunnel', 'future_use', 'future_use', 'src_uuid', 'dst_uuid', 'rule_uuid', 'hs_stage_c2f', 'hs_stage_f2s',
  'tls_version', 'tls_keyxchg', 'tls_enc', 'tls_auth', 'policy_name', 'ec_curve', 'err_index', 'root_status',
  'chain_status', 'proxy_type', 'cert_serial', 'fingerprint', 'notbefore', 'notafter', 'cert_ver', 'cert_size',
  'cn_len', 'issuer_len', 'rootcn_len', 'sni_len', 'cert_flags', 'cn', 'issuer_cn', 'root_cn', 'sni', 'error',
  'container_id', 'pod_namespace', 'pod_name', 'src_edl', 'dst_edl', 'src_dag', 'dst_dag', 'high_res_timestamp',
  ...DEVICE_ID, 'seqno', 'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'vsys_id',
  // DECRYPTION has no Tunneled Application column among its application characteristics.
  ...APP_CHARACTERISTICS.filter((name) => name !== 'tunneled_app'), 'cluster_name',
] as const;
