import { ConfigReader } from '../config-reader.js';
import type { InputType } from '../intake.js';
import { SyslogInput, type SyslogSettings } from './input.js';
import { readRouter } from './routes.js';

/**
 * `type: syslog` in the collect config:
 * ```yaml
 * - type: syslog
 *   name: edge
 *   host: 0.0.0.0            # default 127.0.0.1
 *   udp: 5514                # or { port: 5514, recv_buffer_bytes: 8388608 }
 *   tcp: 5514
 *   tls: { port: 6514, cert: server.pem, key: server.key, ca: clients.pem, client_certificates: require }
 *   framing: auto            # octet-counting | newline
 *   routes:
 *     - { app_name: [panos], format: panw.panos }
 *     - { hostname: 'nss-*', format: zscaler.zia }
 *     - { body: '^\d+,\d{4}/', format: panw.panos, options: { timezone: Europe/Paris } }
 *   default: panw.panos      # or { format: …, options: …, header: strip }; none: unrouted → dead letters
 * ```
 */
export const syslogInputType: InputType = {
  type: 'syslog',
  description: 'Syslog over UDP, TCP and TLS (RFC 3164/5424, RFC 6587 framing), routed to formats by app-name, hostname or body',
  create(raw, at, issues) {
    const r = new ConfigReader(raw, at, issues).accept('type');
    const before = issues.length;
    const name = r.string('name', { required: true })!;
    const host = r.string('host', { default: '127.0.0.1', expected: 'an address to listen on' })!;
    const udp = listener(r, 'udp', ['recv_buffer_bytes']);
    const tcp = listener(r, 'tcp', []);
    const tls = listener(r, 'tls', ['cert', 'key', 'ca', 'client_certificates']);
    if (!udp && !tcp && !tls && issues.length === before) r.issue('tcp', 'no listener: give at least one of udp, tcp, tls');
    const settings: Omit<SyslogSettings, 'router'> = {
      name,
      host,
      framing: r.oneOf('framing', ['auto', 'octet-counting', 'newline'], 'auto'),
      maxMessageBytes: r.integer('max_message_bytes', { min: 480, max: 16 << 20, default: 64 << 10, unit: 'bytes' }),
      maxConnections: r.integer('max_connections', { min: 1, max: 100_000, default: 1000 }),
      batchLines: r.integer('batch_lines', { min: 1, max: 100_000, default: 1000 }),
      batchMs: r.integer('batch_ms', { min: 1, max: 60_000, default: 200, unit: 'milliseconds' }),
      maxInFlight: r.integer('max_in_flight', { min: 1, max: 64, default: 4, unit: 'deliveries' }),
      maxQueuedUdp: r.integer('max_queued_udp', { min: 1000, max: 10_000_000, default: 100_000, unit: 'messages' }),
    };
    if (udp) settings.udp = { port: udp.port, ...(udp.extra.recv_buffer_bytes ? { recvBufferBytes: Number(udp.extra.recv_buffer_bytes) } : {}) };
    if (tcp) settings.tcp = { port: tcp.port };
    if (tls) {
      const cert = tls.extra.cert;
      const key = tls.extra.key;
      if (cert === undefined || key === undefined) issues.push({ path: `${at}.tls`, message: 'a TLS listener needs cert and key (PEM file paths)' });
      else {
        settings.tls = { port: tls.port, cert, key, clientCertificates: (tls.extra.client_certificates ?? 'none') as 'none' | 'request' | 'require' };
        if (tls.extra.ca) settings.tls.ca = tls.extra.ca;
      }
    }
    const router = readRouter(r);
    r.finish();
    if (issues.length !== before || !router) return undefined;
    return new SyslogInput({ ...settings, router });
  },
};

/** `udp: 5514` or `udp: { port: 5514, … }`; `extra` holds the listener's other settings, checked. */
function listener(r: ConfigReader, key: string, extras: string[]): { port: number; extra: Record<string, string> } | undefined {
  if (!r.has(key)) return undefined;
  const v = r.raw[key];
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 65535) return { port: v, extra: {} };
    r.issue(key, `expected a port from 0 to 65535, got ${v}`);
    return undefined;
  }
  const s = r.section(key);
  if (!s) return undefined;
  const port = s.integer('port', { min: 0, max: 65535, default: -1, unit: 'port, 0 = any free port' });
  if (port < 0 && !s.has('port')) s.issue('port', 'required');
  const extra: Record<string, string> = {};
  for (const name of extras) {
    if (name === 'recv_buffer_bytes') {
      if (s.has(name)) extra[name] = String(s.integer(name, { min: 4096, max: 1 << 30, default: 0, unit: 'bytes' }));
    } else if (name === 'client_certificates') {
      extra[name] = s.oneOf(name, ['none', 'request', 'require'], 'none');
    } else {
      const value = s.string(name, { expected: 'a PEM file path' });
      if (value !== undefined) extra[name] = value;
    }
  }
  s.finish();
  return port < 0 ? undefined : { port, extra };
}
