import { ConfigReader } from '../config-reader.js';
import type { InputType } from '../intake.js';
import { SyslogInput, type SyslogSettings } from './input.js';
import { readRouter } from './routes.js';
import { tlsFileProblems } from './tls-files.js';

/** TCP and TLS connections one syslog input holds at once. */
export const SYSLOG_MAX_CONNECTIONS = 1000;
/**
 * … of which one address may hold (a relay opens a few; behind a load balancer that hides client
 * addresses every connection has its address: raise it to max_connections there).
 */
export const SYSLOG_MAX_CONNECTIONS_PER_ADDRESS = 100;
/**
 * A connection without a byte for this long is closed. Generous: rsyslog and syslog-ng keep one
 * connection open for days and a quiet host may log nothing for minutes; a sender whose connection
 * was closed reconnects, but may lose the message that finds the connection gone (RFC 6587 has no
 * acknowledgement), so closing should be rare. 0 = never.
 */
export const SYSLOG_IDLE_TIMEOUT_SECONDS = 600;
/** A TLS client must finish its handshake within this; one that never starts holds a slot meanwhile. */
export const SYSLOG_TLS_HANDSHAKE_TIMEOUT_SECONDS = 10;

/**
 * `type: syslog` in the collect config:
 * ```yaml
 * - type: syslog
 *   name: edge
 *   host: 0.0.0.0            # default 127.0.0.1
 *   udp: 5514                # or { port: 5514, recv_buffer_bytes: 8388608 }
 *   tcp: 5514
 *   tls: { port: 6514, cert: server.pem, key: server.key, ca: clients.pem, client_certificates: require, handshake_timeout_seconds: 10 }
 *   framing: auto            # octet-counting | newline
 *   max_connections: 1000    # TCP + TLS; max_connections_per_address: 100; idle_timeout_seconds: 600
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
    const tls = listener(r, 'tls', ['cert', 'key', 'ca', 'client_certificates', 'handshake_timeout_seconds']);
    if (!udp && !tcp && !tls && issues.length === before) r.issue('tcp', 'no listener: give at least one of udp, tcp, tls');
    const settings: Omit<SyslogSettings, 'router'> = {
      name,
      host,
      framing: r.oneOf('framing', ['auto', 'octet-counting', 'newline'], 'auto'),
      maxMessageBytes: r.integer('max_message_bytes', { min: 480, max: 16 << 20, default: 64 << 10, unit: 'bytes' }),
      maxConnections: r.integer('max_connections', { min: 1, max: 100_000, default: SYSLOG_MAX_CONNECTIONS, unit: 'TCP and TLS connections' }),
      maxConnectionsPerAddress: 0,
      idleTimeoutMs: r.integer('idle_timeout_seconds', { min: 0, max: 7 * 86_400, default: SYSLOG_IDLE_TIMEOUT_SECONDS, unit: 'seconds, 0 = never' }) * 1000,
      batchLines: r.integer('batch_lines', { min: 1, max: 100_000, default: 1000 }),
      batchMs: r.integer('batch_ms', { min: 1, max: 60_000, default: 200, unit: 'milliseconds' }),
      maxInFlight: r.integer('max_in_flight', { min: 1, max: 64, default: 4, unit: 'deliveries' }),
      maxQueuedUdp: r.integer('max_queued_udp', { min: 1000, max: 10_000_000, default: 100_000, unit: 'messages' }),
    };
    settings.maxConnectionsPerAddress = r.integer('max_connections_per_address', {
      min: 1, max: 100_000, default: Math.min(SYSLOG_MAX_CONNECTIONS_PER_ADDRESS, settings.maxConnections), unit: 'connections from one address',
    });
    if (settings.maxConnectionsPerAddress > settings.maxConnections) r.issue('max_connections_per_address', `must not exceed max_connections (${settings.maxConnections})`);
    if (udp) settings.udp = { port: udp.port, ...(udp.extra.recv_buffer_bytes ? { recvBufferBytes: Number(udp.extra.recv_buffer_bytes) } : {}) };
    if (tcp) settings.tcp = { port: tcp.port };
    if (tls) {
      const cert = tls.extra.cert;
      const key = tls.extra.key;
      if (cert === undefined || key === undefined) issues.push({ path: `${at}.tls`, message: 'a TLS listener needs cert and key (PEM file paths)' });
      else {
        const handshakeSeconds = Number(tls.extra.handshake_timeout_seconds ?? SYSLOG_TLS_HANDSHAKE_TIMEOUT_SECONDS);
        settings.tls = { port: tls.port, cert, key, clientCertificates: (tls.extra.client_certificates ?? 'none') as 'none' | 'request' | 'require', handshakeTimeoutMs: handshakeSeconds * 1000 };
        if (tls.extra.ca) settings.tls.ca = tls.extra.ca;
        for (const p of tlsFileProblems({ cert, key, ca: tls.extra.ca })) issues.push({ path: `${at}.tls.${p.key}`, message: p.message });
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
    } else if (name === 'handshake_timeout_seconds') {
      if (s.has(name)) extra[name] = String(s.integer(name, { min: 1, max: 300, default: SYSLOG_TLS_HANDSHAKE_TIMEOUT_SECONDS, unit: 'seconds' }));
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
