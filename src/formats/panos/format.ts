import type { Format, FieldSpec } from '../format.js';
import { PanosParser } from './parser.js';
import { detectPanos } from './detect.js';
import { DATASET } from './to-ecs.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';

// Columns beyond the core ECS set (src/ecs/fields.ts). Other formats may declare the same ECS paths.
const fields: FieldSpec[] = (
  [
    ['event.created', 'date', 'PAN-OS Receive Time.'],
    ['observer.serial_number', 'keyword'],
    ['observer.version', 'keyword'],
    ['observer.ingress.zone', 'keyword'],
    ['observer.egress.zone', 'keyword'],
    ['observer.egress.interface.name', 'keyword'],
    ['rule.uuid', 'keyword'],
    ['source.mac', 'keyword'],
    ['destination.mac', 'keyword'],
    ['source.user.domain', 'keyword'],
    ['source.user.email', 'keyword'],
    ['destination.user.domain', 'keyword'],
    ['destination.geo.name', 'keyword'],
    ['file.name', 'keyword'],
    ['file.hash.sha256', 'keyword'],
    ['tls.client.server_name', 'keyword'],
    ['tls.curve', 'keyword'],
    ['host.os.name', 'keyword'],
    ['error.message', 'text'],
    ['panw.panos.type', 'keyword', 'Log type: TRAFFIC, THREAT, SYSTEM, CONFIG, USERID, GLOBALPROTECT, HIPMATCH, AUTHENTICATION, DECRYPTION …'],
    ['panw.panos.sub_type', 'keyword'],
    ['panw.panos.session_id', 'keyword', 'Session ID: with the serial number, joins TRAFFIC to THREAT records.'],
    ['panw.panos.flow_id', 'keyword', 'Session ID, under the name Elastic uses.'],
    ['panw.panos.serial_number', 'keyword', 'Firewall serial number.'],
    ['panw.panos.action', 'keyword', 'The firewall action as logged (allow, deny, alert, block-url …).'],
    ['panw.panos.action_source', 'keyword'],
    ['panw.panos.action_flags', 'keyword'],
    ['panw.panos.flags', 'keyword', 'Session flags (hexadecimal), as logged.'],
    ['panw.panos.app_category', 'keyword', 'App-ID category of the application (networking, general-internet …).'],
    ['panw.panos.app_subcategory', 'keyword'],
    ['panw.panos.app_risk', 'keyword', 'App-ID risk of the application, 1 (lowest) to 5.'],
    ['panw.panos.threat.id', 'keyword'],
    ['panw.panos.threat.name', 'keyword'],
    ['panw.panos.threat_category', 'keyword'],
    ['panw.panos.url.category', 'keyword'],
    ['panw.panos.direction', 'keyword'],
    ['panw.panos.repeat_count', 'long'],
    ['panw.panos.sequence_number', 'keyword'],
    ['panw.panos.virtual_sys', 'keyword'],
    ['panw.panos.log_profile', 'keyword'],
    ['panw.panos.x_forwarded_for', 'keyword'],
    ['panw.panos.content_version', 'keyword'],
    ['panw.panos.generated_time', 'date'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec).concat(FIELD_ERROR_FIELDS);

export const panos: Format = {
  id: DATASET,
  title: 'Palo Alto Networks PAN-OS',
  description:
    'PAN-OS syslog in CSV (TRAFFIC, THREAT, DECRYPTION, SYSTEM, CONFIG, USERID, GLOBALPROTECT, HIP-MATCH, AUTHENTICATION ' +
    '(also written AUTH); 8.x to 11.x field orders, extra trailing fields tolerated) with an RFC 3164 or RFC 5424 header or ' +
    'none, the CEF (firewall templates and Strata Logging Service forwarding) and LEEF forms, and Strata Logging Service / ' +
    'Cortex Data Lake JSON (documented PascalCase names and older snake_case exports). SYSTEM authentication events yield ' +
    'the user and client address from their description. Record times carry no zone: give the firewall\'s with ' +
    '--timezone (default UTC); the 10.x High Resolution Timestamp, which has an offset, wins when present. A malformed ' +
    'optional field is left out and noted (tags: _field_dropped).',
  framing: 'json-or-lines',
  options: [{ name: 'timezone', description: 'Time zone of the firewall clock (+02:00 or Europe/Paris); default UTC.' }],
  detect: detectPanos,
  createParser: (ctx) => new PanosParser(ctx),
  fields,
};
