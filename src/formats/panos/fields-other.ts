/**
 * PAN-OS syslog field orders of the Tunnel Inspection (Type `START`/`END`), SCTP, IP-Tag and
 * Correlated Events logs (11.1+ "Syslog Field Descriptions", reference §9.10–9.13), as data.
 */

const HEAD = ['future_use', 'receive_time', 'serial', 'type', 'subtype', 'future_use', 'time_generated'] as const;
const DG_HIERARCHY = ['dg_hier_level_1', 'dg_hier_level_2', 'dg_hier_level_3', 'dg_hier_level_4'] as const;

/** Tunnel Inspection: the session head of TRAFFIC (1–31), then the tunnel's own counters. */
export const TUNNEL_FIELDS = [
  ...HEAD, 'src', 'dst', 'natsrc', 'natdst', 'rule', 'srcuser', 'dstuser', 'app', 'vsys', 'from', 'to', 'inbound_if',
  'outbound_if', 'logset', 'future_use', 'sessionid', 'repeatcnt', 'sport', 'dport', 'natsport', 'natdport', 'flags', 'proto',
  'action', 'severity', 'seqno', 'actionflags', 'srcloc', 'dstloc', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'imsi', 'imei',
  'parent_session_id', 'parent_start_time', 'tunnel', 'bytes', 'bytes_sent', 'bytes_received', 'packets', 'pkts_sent',
  'pkts_received', 'max_encap', 'unknown_proto', 'strict_check', 'tunnel_fragment', 'sessions_created', 'sessions_closed',
  'session_end_reason', 'action_source', 'start', 'elapsed', 'tunnel_insp_rule', 'remote_user_ip', 'remote_user_id',
  'rule_uuid', 'pcap_id', 'dynusergroup_name', 'src_edl', 'dst_edl', 'high_res_timestamp', 'nssai_sd', 'nssai_sst',
  'pdu_session_id', 'subcategory_of_app', 'category_of_app', 'technology_of_app', 'risk_of_app', 'characteristic_of_app',
  'container_of_app', 'is_saas_of_app', 'sanctioned_state_of_app', 'cluster_name',
] as const;

/** SCTP: placeholders where the session logs have NAT and users; the protocol at 31, the action at 32. */
export const SCTP_FIELDS = [
  'future_use', 'receive_time', 'serial', 'type', 'future_use', 'future_use', 'time_generated', 'src', 'dst', 'future_use',
  'future_use', 'rule', 'future_use', 'future_use', 'future_use', 'vsys', 'from', 'to', 'inbound_if', 'outbound_if', 'logset',
  'future_use', 'sessionid', 'repeatcnt', 'sport', 'dport', 'future_use', 'future_use', 'future_use', 'future_use', 'proto',
  'action', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'seqno', 'future_use', 'assoc_id', 'ppid', 'severity',
  'sctp_chunk_type', 'future_use', 'verif_tag_1', 'verif_tag_2', 'sctp_cause_code', 'diam_app_id', 'diam_cmd_code',
  'diam_avp_code', 'stream_id', 'assoc_end_reason', 'op_code', 'sccp_calling_ssn', 'sccp_calling_gt', 'sctp_filter', 'chunks',
  'chunks_sent', 'chunks_received', 'packets', 'pkts_sent', 'pkts_received', 'rule_uuid', 'high_res_timestamp',
] as const;

export const IPTAG_FIELDS = [
  ...HEAD, 'vsys', 'src', 'tag_name', 'eventid', 'repeatcnt', 'timeout', 'datasourcename', 'datasource_type',
  'datasource_subtype', 'seqno', 'actionflags', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'vsys_id', 'high_res_timestamp',
  'cluster_name',
] as const;

/** Correlated Events (the doc's "Source Address. Source User" is two fields, 8 and 9). */
export const CORRELATION_FIELDS = [
  ...HEAD, 'src', 'srcuser', 'vsys', 'category', 'severity', ...DG_HIERARCHY, 'vsys_name', 'device_name', 'vsys_id',
  'objectname', 'object_id', 'evidence',
] as const;
