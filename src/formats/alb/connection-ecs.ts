import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { canonicalIp, ipVersion } from '../../ecs/ip.js';
import { isoFromMillis, millisFromIso, nanosFrom } from '../../ecs/time.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import { awsEvent, clip, decimalField, intField, tlsFields } from '../shared/aws-text.js';
import { endpointField, instantField, nanosBetween, portField, type Row } from './layouts.js';
import { DATASET, cloudFromArns, type ObjectOrigin } from './to-ecs.js';

const OBSERVER = { vendor: 'AWS', product: 'Elastic Load Balancing', type: 'load-balancer' } as const;

// NLB vendor fields copied as logged: [layout field, aws.alb.* key].
const NLB_STRINGS: [string, string][] = [
  ['elb', 'name'],
  ['listener', 'listener_id'],
  ['version', 'log_version'],
  ['incoming_tls_alert', 'incoming_tls_alert'],
  ['chosen_cert_arn', 'chosen_cert_arn'],
  ['chosen_cert_serial', 'chosen_cert_serial'],
  ['tls_named_group', 'tls_named_group'],
  ['alpn_fe_protocol', 'alpn_fe_protocol'],
  ['alpn_be_protocol', 'alpn_be_protocol'],
];
// ALPN preference lists are logged `"h2","http/1.1"`; some writers escape the quotes.
const ALPN_QUOTES = /[\\"]/g;

/** NLB access log lines (TLS listeners: one TLS connection each) to ECS. */
export function nlbToEcs(row: Row, raw: string, origin: ObjectOrigin, ctx: ParserContext): EcsEvent {
  const end = instantField('time', row.get('time'));
  if (!end) throw new RecordError('time is missing (expected an ISO 8601 UTC time)');
  const client = endpointField('client:port', row.get('client:port'));
  if (!client) throw new RecordError("client:port is missing (expected the client's ip:port)");
  const destination = endpointField('destination:port', row.get('destination:port'));
  const connectionMs = intField('connection_time', row.get('connection_time'));
  const handshakeMs = intField('tls_handshake_time', row.get('tls_handshake_time'));
  const received = intField('received_bytes', row.get('received_bytes'));
  const sent = intField('sent_bytes', row.get('sent_bytes'));
  const start = instantField('tls_connection_creation_time', row.get('tls_connection_creation_time'));
  const alert = row.get('incoming_tls_alert');

  const out = awsEvent(
    { dataset: DATASET, raw, ms: end.ms, category: ['network'], type: ['connection'], service: 'elasticloadbalancing', observer: { ...OBSERVER } },
    ctx,
  );
  const event = out.event!;
  // A TLS alert from the client or a missing handshake time means the handshake did not complete.
  event.outcome = alert ? 'failure' : handshakeMs !== undefined ? 'success' : 'unknown';
  if (alert) event.reason = `client sent TLS alert ${alert}`;
  event.end = isoFromMillis(end.ms);
  if (start) event.start = isoFromMillis(start.ms);
  if (connectionMs !== undefined) {
    const d = nanosFrom(connectionMs, 1e6);
    if (d !== undefined) event.duration = d;
  } else if (start) {
    const d = nanosBetween(start, end);
    if (d !== undefined) event.duration = d;
  }
  const name = row.get('elb');
  if (name) (out.observer as EcsObject).name = name;
  cloudFromArns(out.cloud as EcsObject, origin, row.get('chosen_cert_arn'));

  out.source = { address: client.ip, ip: client.ip };
  if (client.port !== undefined) out.source.port = client.port;
  if (received !== undefined) out.source.bytes = received;
  if (destination) {
    out.destination = { address: destination.ip, ip: destination.ip };
    if (destination.port !== undefined) out.destination.port = destination.port;
  }
  if (sent !== undefined) (out.destination ??= {}).bytes = sent;
  out.network = { type: ipVersion(client.ip), transport: 'tcp', protocol: 'tls' };
  if (received !== undefined && sent !== undefined) out.network.bytes = received + sent;

  const tls = tlsFields(row.get('tls_protocol_version'), row.get('tls_cipher')) ?? {};
  const sni = row.get('domain_name');
  if (sni) tls.client = { server_name: sni };
  const alpn = row.get('alpn_fe_protocol');
  if (alpn) tls.next_protocol = alpn;
  if (Object.keys(tls).length) out.tls = tls;

  const alb: EcsObject = { log_type: row.layout.type };
  for (const [field, key] of NLB_STRINGS) {
    const v = row.get(field);
    if (v) alb[key] = v;
  }
  if (connectionMs !== undefined) alb.connection_time = connectionMs;
  if (handshakeMs !== undefined) alb.tls_handshake_time = handshakeMs;
  const preference = row.get('alpn_client_preference_list');
  if (preference) {
    const protocols = preference.split(',').map((p) => p.replace(ALPN_QUOTES, '')).filter(Boolean);
    if (protocols.length) alb.alpn_client_preference_list = protocols;
  }
  const extra = row.extra();
  if (extra) alb.extra_fields = extra;
  out.aws = { alb };
  fillRelated(out);
  return out;
}

const VALIDITY = /^NotBefore=([^;]+);NotAfter=(.+)$/;

/** ALB connection log lines (one client connection and its TLS / mTLS handshake) to ECS. */
export function connectionToEcs(row: Row, raw: string, origin: ObjectOrigin, ctx: ParserContext): EcsEvent {
  const time = instantField('time', row.get('time'));
  if (!time) throw new RecordError('time is missing (expected an ISO 8601 UTC time)');
  const clientText = row.get('client_ip');
  const clientIp = canonicalIp(clientText);
  if (!clientIp) throw new RecordError(`client_ip '${clip(clientText ?? '-')}' is not an IP address`);
  const clientPort = portField('client_port', row.get('client_port'));
  const listenerPort = portField('listener_port', row.get('listener_port'));
  const latency = decimalField('tls_handshake_latency', row.get('tls_handshake_latency'));
  const verify = row.get('tls_verify_status');

  const out = awsEvent(
    { dataset: DATASET, raw, ms: time.ms, category: ['network'], type: ['connection', 'start'], service: 'elasticloadbalancing', observer: { ...OBSERVER } },
    ctx,
  );
  const event = out.event!;
  if (verify === undefined) event.outcome = latency !== undefined ? 'success' : 'unknown';
  else if (verify === 'Success') event.outcome = 'success';
  else {
    event.outcome = 'failure';
    event.reason = verify.startsWith('Failed:') ? verify.slice(7) : verify;
  }
  cloudFromArns(out.cloud as EcsObject, origin);

  out.source = { address: clientIp, ip: clientIp };
  if (clientPort !== undefined) out.source.port = clientPort;
  if (listenerPort !== undefined) out.destination = { port: listenerPort };
  out.network = { type: ipVersion(clientIp), transport: 'tcp', protocol: 'tls' };

  const tls = tlsFields(row.get('tls_protocol'), row.get('tls_cipher')) ?? {};
  const client: EcsObject = {};
  const subject = row.get('leaf_client_cert_subject');
  if (subject) client.subject = subject;
  const validity = VALIDITY.exec(row.get('leaf_client_cert_validity') ?? '');
  if (validity) {
    const notBefore = millisFromIso(validity[1]!);
    const notAfter = millisFromIso(validity[2]!);
    if (notBefore !== undefined) client.not_before = isoFromMillis(notBefore);
    if (notAfter !== undefined) client.not_after = isoFromMillis(notAfter);
  }
  const serial = row.get('leaf_client_cert_serial_number');
  if (serial) client.x509 = { serial_number: serial };
  if (Object.keys(client).length) tls.client = client;
  if (Object.keys(tls).length) out.tls = tls;

  const alb: EcsObject = { log_type: row.layout.type };
  if (latency !== undefined) alb.tls_handshake_latency = latency;
  if (verify) alb.tls_verify_status = verify;
  const validityText = row.get('leaf_client_cert_validity');
  if (validityText && !validity) alb.leaf_client_cert_validity = validityText;
  const connTrace = row.get('conn_trace_id');
  if (connTrace) alb.conn_trace_id = connTrace;
  const extra = row.extra();
  if (extra) alb.extra_fields = extra;
  out.aws = { alb };
  fillRelated(out);
  return out;
}
