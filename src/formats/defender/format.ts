import type { FieldSpec, Format } from '../format.js';
import { DefenderParser } from './parser.js';
import { detectDefender } from './detect.js';
import { DATASET } from './to-ecs.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';

const V = 'microsoft.defender';

const fields: FieldSpec[] = (
  [
    [`${V}.table`, 'keyword', 'Advanced-hunting table (DeviceNetworkEvents, …).'],
    [`${V}.report_id`, 'keyword', 'ReportId: with DeviceId and Timestamp, identifies the row.'],
    [`${V}.machine_group`, 'keyword'],
    [`${V}.tenant_id`, 'keyword'],
    [`${V}.tenant_name`, 'keyword'],
    [`${V}.account_object_id`, 'keyword', 'Entra object id of the account (joins JWT oid).'],
    [`${V}.initiating_process.account_object_id`, 'keyword', 'Entra object id of the initiating process account (joins JWT oid).'],
    [`${V}.initiating_process.integrity_level`, 'keyword'],
    [`${V}.initiating_process.token_elevation`, 'keyword'],
    [`${V}.initiating_process.file_size`, 'long'],
    [`${V}.initiating_process.logon_id`, 'keyword'],
    [`${V}.local_ip_type`, 'keyword'],
    [`${V}.remote_ip_type`, 'keyword'],
    [`${V}.file_origin_url`, 'keyword'],
    [`${V}.file_origin_ip`, 'ip'],
    [`${V}.remote_device_name`, 'keyword'],
    [`${V}.logon_type`, 'keyword'],
    [`${V}.alert_id`, 'keyword'],
    [`${V}.severity`, 'keyword'],
    [`${V}.category`, 'keyword'],
    [`${V}.network_message_id`, 'keyword'],
    [`${V}.application`, 'keyword'],
    [`${V}.public_ip`, 'ip'],
    [`${V}.additional_fields`, 'json', 'AdditionalFields, parsed.'],
    ['event.created', 'date', 'Streaming API: when Defender received the event (envelope time).'],
    ['host.domain', 'keyword'],
    ['host.mac', 'keyword[]'],
    ['host.os.name', 'keyword'],
    ['host.os.version', 'keyword'],
    ['process.start', 'date'],
    ['process.hash.md5', 'keyword'],
    ['process.hash.sha1', 'keyword'],
    ['process.hash.sha256', 'keyword'],
    ['process.pe.original_file_name', 'keyword'],
    ['process.pe.company', 'keyword'],
    ['process.pe.product', 'keyword'],
    ['process.user.name', 'keyword'],
    ['process.user.domain', 'keyword'],
    ['process.user.email', 'keyword'],
    ['process.user.id', 'keyword'],
    ['process.parent.name', 'keyword'],
    ['process.parent.executable', 'keyword'],
    ['process.parent.command_line', 'keyword'],
    ['process.parent.pid', 'long'],
    ['process.parent.start', 'date'],
    ['process.parent.hash.sha256', 'keyword'],
    ['process.parent.user.name', 'keyword'],
    ['file.name', 'keyword'],
    ['file.path', 'keyword'],
    ['file.size', 'long'],
    ['file.hash.md5', 'keyword'],
    ['file.hash.sha1', 'keyword'],
    ['file.hash.sha256', 'keyword'],
    ['registry.key', 'keyword'],
    ['registry.value', 'keyword'],
    ['registry.data.strings', 'keyword[]'],
    ['registry.data.type', 'keyword'],
    ['dns.type', 'keyword'],
    ['dns.question.registered_domain', 'keyword'],
    ['dns.answers', 'json'],
    ['dns.resolved_ip', 'keyword[]'],
    ['tls.client.server_name', 'keyword'],
    ['user.target.name', 'keyword'],
    ['user.target.email', 'keyword'],
    ['email.from.address', 'keyword'],
    ['email.to.address', 'keyword'],
    ['email.subject', 'keyword'],
    ['email.message_id', 'keyword'],
    [`${V}.account_upn`, 'keyword', 'AccountUpn as written, when it is no e-mail address (user.email holds it when it is).'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec).concat(FIELD_ERROR_FIELDS);

export const defender: Format = {
  id: DATASET,
  title: 'Microsoft Defender advanced hunting (streaming API and exported rows)',
  description:
    'Advanced-hunting records as the Defender streaming API delivers them to Event Hubs or a storage account ' +
    '({"time","tenantId","category":"AdvancedHunting-<Table>","properties":{…}}, one per line or in {"records":[…]} batches, ' +
    'compact or pretty-printed) and plain table rows exported from the portal or the API (one per line, a JSON array, or ' +
    'an API response with Results). The table comes from the category, a Table/$table/Type column, the file name or the ' +
    'columns. Device*, Alert*, Identity*, Email* and CloudApp* tables are mapped; @timestamp is the row Timestamp. Inbound ' +
    'connections put the remote side in source; a column value of the wrong kind is left out and noted (tags: _field_dropped).',
  framing: 'json-or-lines',
  detect: detectDefender,
  createParser: (ctx) => new DefenderParser(ctx),
  fields,
};
