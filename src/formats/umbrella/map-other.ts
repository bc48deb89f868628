import type { EcsEvent } from '../../ecs/event.js';
import { parseUrl } from '../../ecs/url.js';
import { ipVersion } from '../../ecs/ip.js';
import { normalizeIdentity, identityToEcs } from '../../ecs/identity.js';
import type { ParserContext } from '../format.js';
import { identityKind, resolveIdentities, splitList } from './identities.js';
import { Row, applyAction, applyIdentities, baseEvent, copyColumns, endpoint, vendor, type CopySpec, put } from './row.js';

/** IANA protocol numbers Umbrella's firewall logs carry → ECS network.transport. */
const TRANSPORTS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '50': 'esp', '51': 'ah', '58': 'ipv6-icmp', '132': 'sctp' };

function single(event: EcsEvent, value: string | undefined, type: string | undefined): void {
  if (!value) return;
  applyIdentities(event, resolveIdentities(value, type, undefined, undefined));
  vendor(event, 'identities', [value]);
  if (type) vendor(event, 'identity_types', [type]);
}

function networkType(event: EcsEvent): void {
  const ip = (event.source?.ip ?? event.destination?.ip) as string | undefined;
  if (ip) put(event, 'network.type', ipVersion(ip));
}

export function firewallToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'event', category: ['network'], type: ['connection'], observerType: 'firewall' }, ctx);
  applyAction(event, row.get('verdict'));
  single(event, row.get('identity'), row.get('identity_type'));
  endpoint(event, 'source', row.ip('source_ip'), row.port('source_port'));
  endpoint(event, 'destination', row.ip('destination_ip'), row.port('destination_port'));
  networkType(event);
  const direction = row.get('direction');
  if (direction) put(event, 'network.direction', direction.toLowerCase());
  const proto = row.get('ip_protocol');
  if (proto) {
    put(event, 'network.iana_number', proto);
    // Own entries only: a protocol column of `constructor` must not find Object's members.
    put(event, 'network.transport', (Object.hasOwn(TRANSPORTS, proto) ? TRANSPORTS[proto] : undefined) ?? proto.toLowerCase());
  }
  const origins = row.get('origin_ids');
  if (origins) vendor(event, 'origin_ids', splitList(origins.replace(/^\[|\]$/g, '')));
  const rule = row.get('rule_id');
  if (rule) put(event, 'rule.id', rule);
  copyColumns(event, row, [
    ['packet_size', 'packet_size', 'long'],
    ['data_center', 'data_center', 'keyword'],
  ]);
  return event;
}

export function ipToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'event', category: ['network'], type: ['connection'], observerType: 'firewall' }, ctx);
  event.event!.outcome = 'unknown';
  single(event, row.get('identity'), undefined);
  endpoint(event, 'source', row.ip('source_ip'), row.port('source_port'));
  endpoint(event, 'destination', row.ip('destination_ip'), row.port('destination_port'));
  networkType(event);
  copyColumns(event, row, [['categories', 'categories', 'list']]);
  return event;
}

export function intrusionToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'alert', category: ['intrusion_detection', 'network'], type: ['info'], observerType: 'ids' }, ctx);
  applyAction(event, row.get('action'));
  single(event, row.get('identity'), row.get('identity_type'));
  endpoint(event, 'source', row.ip('source_ip'), row.port('source_port'));
  endpoint(event, 'destination', row.ip('destination_ip'), row.port('destination_port'));
  networkType(event);
  const proto = row.get('protocol');
  if (proto) put(event, 'network.transport', proto.toLowerCase());
  const sid = row.get('signature_id');
  if (sid) put(event, 'rule.id', sid);
  const signature = row.get('signature');
  if (signature) {
    put(event, 'rule.name', signature);
    event.message = signature;
  }
  const classification = row.get('classification');
  if (classification) put(event, 'rule.category', classification);
  const cve = row.get('cve');
  if (cve) put(event, 'vulnerability.id', cve.toUpperCase());
  copyColumns(event, row, INTRUSION_COPY);
  return event;
}

const INTRUSION_COPY: readonly CopySpec[] = [
  ['generator_id', 'generator_id', 'keyword'],
  ['signature_list_id', 'signature_list_id', 'keyword'],
  ['severity', 'severity', 'keyword'],
  ['session_id', 'session_id', 'keyword'],
];

export function dlpToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'alert', category: ['network', 'file'], type: ['info'], observerType: 'dlp' }, ctx);
  applyAction(event, row.get('action'));
  single(event, row.get('identity'), undefined);
  endpoint(event, 'destination', row.ip('destination_ip'), row.port('destination_port'));
  networkType(event);
  const url = row.get('url');
  if (url) event.url = parseUrl(url);
  const protocol = row.get('protocol');
  // As for proxy URLs: HTTPS is HTTP in network.protocol (TLS is a layer below).
  if (protocol) put(event, 'network.protocol', protocol.toLowerCase() === 'https' ? 'http' : protocol.toLowerCase());
  const app = row.get('application');
  if (app) put(event, 'network.application', app.toLowerCase());
  const rule = row.get('rule_name');
  if (rule) put(event, 'rule.name', rule);
  const name = row.get('file_name');
  if (name) put(event, 'file.name', name);
  const mime = row.get('content_type');
  if (mime) put(event, 'file.mime_type', mime);
  const size = row.long('file_size');
  if (size !== undefined) put(event, 'file.size', size);
  const sha = row.get('sha256');
  if (sha) put(event, 'file.hash.sha256', sha.toLowerCase());
  copyColumns(event, row, DLP_COPY);
  return event;
}

const DLP_COPY: readonly CopySpec[] = [
  ['event_type', 'dlp.event_type', 'keyword'],
  ['event_id', 'dlp.event_id', 'keyword'],
  ['severity', 'severity', 'keyword'],
  ['application', 'dlp.application', 'keyword'],
  ['classification', 'dlp.classification', 'keyword'],
  ['classifiers', 'dlp.classifiers', 'list'],
];

const AUDIT_TYPES: Record<string, string> = { create: 'creation', update: 'change', delete: 'deletion' };

export function auditToEcs(row: Row, ms: number, ctx: ParserContext): EcsEvent {
  const event = baseEvent(row, ms, { kind: 'event', category: ['configuration'], type: [], observerType: 'api' }, ctx);
  const action = row.get('action')?.toLowerCase();
  if (action) event.event!.action = action;
  event.event!.type = [(action && Object.hasOwn(AUDIT_TYPES, action) ? AUDIT_TYPES[action] : undefined) ?? 'info'];
  event.event!.outcome = 'success';
  const email = row.get('email');
  const name = row.get('user');
  const id = normalizeIdentity(email) ?? (name && identityKind(undefined, name) === 'user' ? normalizeIdentity(name) : undefined);
  if (id) {
    // The user column holds the admin's display name ("Firstname Surname") when it is not the login.
    if (name && !id.full_name && name.indexOf(' ') > 0) id.full_name = name;
    event.user = identityToEcs(id);
  } else if (name) put(event, 'user.full_name', name);
  endpoint(event, 'source', row.ip('ip'));
  networkType(event);
  copyColumns(event, row, [
    ['id', 'audit.id', 'keyword'],
    ['type', 'audit.type', 'keyword'],
    ['before', 'audit.before', 'keyword'],
    ['after', 'audit.after', 'keyword'],
  ]);
  return event;
}
