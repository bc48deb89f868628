import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { collectLog } from '../log.js';
import type { CollectInput, StreamIntake } from '../intake.js';
import { ThrottledWarning } from '../throttled-warning.js';
import { ConnectionLimiter } from '../../util/connection-limits.js';
import { Batcher, type BatcherCounts } from './batcher.js';
import { SyslogFramer, type Framing } from './framing.js';
import { parseSyslog } from './header.js';
import { InputRejects } from './rejects.js';
import type { SyslogRouter } from './routes.js';
import { receiveBufferOutcome, UdpKernelDrops } from './udp-drops.js';

export interface SyslogSettings {
  name: string;
  /** Address the listeners bind (127.0.0.1 unless configured). */
  host: string;
  udp?: { port: number; recvBufferBytes?: number };
  tcp?: { port: number };
  tls?: { port: number; cert: string; key: string; ca?: string; clientCertificates: 'none' | 'request' | 'require'; handshakeTimeoutMs: number };
  framing: Framing;
  maxMessageBytes: number;
  /** TCP and TLS connections open at once, all peers together. */
  maxConnections: number;
  /** … and from one address (IPv6: one /64), so one peer cannot take every slot. */
  maxConnectionsPerAddress: number;
  /** A TCP/TLS connection that sends nothing for this long is closed (0: never). */
  idleTimeoutMs: number;
  batchLines: number;
  batchMs: number;
  maxInFlight: number;
  /** UDP messages held while the pipeline is busy, at most; beyond that they are dropped and counted. */
  maxQueuedUdp: number;
  router: SyslogRouter;
  log?: (message: string) => void;
}

export interface SyslogCounts extends BatcherCounts {
  received: number;
  unrouted: number;
  malformed: number;
  /** UDP messages dropped because the pipeline was saturated (UDP cannot push back). */
  dropped: number;
  /** UDP datagrams the kernel dropped because the receive buffer was full; undefined where it cannot be read (no /proc). */
  kernelDrops: number | undefined;
  /** The UDP receive buffer the kernel gave (bytes, as it reports it: Linux counts twice what it was asked for). */
  recvBufferBytes: number | undefined;
  connections: number;
  /** Connections refused at once: max_connections or max_connections_per_address reached. */
  refusedConnections: number;
  /** Connections closed after idle_timeout_seconds without a byte. */
  idleClosed: number;
  /** TLS handshakes that failed or did not finish within the handshake timeout. */
  handshakeFailures: number;
}

/** Message numbers per origin and route, so dead letters and rejections name `message N` of a connection. */
class Origin {
  private readonly numbers = new Map<string, number>();
  received = 0;
  constructor(readonly source: string) {}
  next(route: string): number {
    const n = (this.numbers.get(route) ?? 0) + 1;
    this.numbers.set(route, n);
    return n;
  }
}

const MAX_UDP_ORIGINS = 10_000;
const RESUME_POLL_MS = 20;
/** How often the kernel's UDP drop counter is read, and a rise warned about. */
export const UDP_DROP_CHECK_MS = 10_000;

/**
 * Receives syslog over UDP, TCP and TLS (any of them, one router for all), parses each message's
 * header, routes it to a format and hands batches to the pipeline. TCP/TLS connections are paused
 * while the pipeline is saturated, so senders buffer instead of the collector dropping.
 */
export class SyslogInput implements CollectInput {
  readonly name: string;
  private batcher: Batcher | undefined;
  private rejects: InputRejects | undefined;
  private udp: UdpSocket | undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly paused = new Set<Socket>();
  private readonly udpOrigins = new Map<string, Origin>();
  private resumeTimer: NodeJS.Timeout | undefined;
  private lastDropWarning = 0;
  private readonly counters = { received: 0, unrouted: 0, malformed: 0, dropped: 0, connections: 0, idleClosed: 0, handshakeFailures: 0 };
  private readonly limiter: ConnectionLimiter;
  private kernelDrops: UdpKernelDrops | undefined;
  /** Last reading of the kernel's drop counter (kept once the socket is closed). */
  private kernelDropCount: number | undefined;
  /** The reading the last drop warning was judged against (status lines read the counter too). */
  private kernelDropsChecked: number | undefined;
  private dropCheck: NodeJS.Timeout | undefined;
  private recvBufferBytes: number | undefined;
  /** Bound addresses once started (port 0 in the config → the OS-chosen port). */
  readonly addresses: { udp?: AddressInfo; tcp?: AddressInfo; tls?: AddressInfo } = {};
  private readonly log: (message: string) => void;

  constructor(private readonly s: SyslogSettings) {
    this.name = s.name;
    this.log = s.log ?? ((m) => collectLog.error(s.name, m));
    const refusals = new ThrottledWarning(this.log);
    this.limiter = new ConnectionLimiter({ maxConnections: s.maxConnections, maxPerAddress: s.maxConnectionsPerAddress }, (address, reason) =>
      refusals.note((n) => `refused ${n} connection(s) (latest from ${address}): ${this.limiter.capSetting(reason)} reached`),
    );
  }

  get counts(): SyslogCounts {
    const b = this.batcher?.counts ?? { deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, retries: 0, lost: 0 };
    if (this.udp && this.kernelDrops) this.kernelDropCount = this.kernelDrops.read() ?? this.kernelDropCount;
    const refusedConnections = this.limiter.refused.total + this.limiter.refused['per-address'];
    return { ...b, ...this.counters, kernelDrops: this.kernelDropCount, recvBufferBytes: this.recvBufferBytes, refusedConnections };
  }

  /** One line for the collector's status and summary: what arrived, and what was lost or refused before the pipeline. */
  summary(): string {
    const c = this.counts;
    const parts = [`${c.received} messages, ${c.unrouted} unrouted, ${c.malformed} malformed`];
    if (this.s.udp) {
      const kernel = c.kernelDrops === undefined ? 'unknown (no /proc/net/udp)' : String(c.kernelDrops);
      parts.push(`UDP: ${kernel} dropped by the kernel (receive buffer full), ${c.dropped} dropped (pipeline saturated)`);
    }
    if (this.s.tcp || this.s.tls) {
      parts.push(`TCP/TLS: ${c.connections} connections, ${c.refusedConnections} refused (connection caps), ${c.idleClosed} closed idle${this.s.tls ? `, ${c.handshakeFailures} failed TLS handshakes` : ''}`);
    }
    return parts.join('; ');
  }

  async start(intake: StreamIntake): Promise<void> {
    const s = this.s;
    this.batcher = new Batcher(intake, { maxLines: s.batchLines, maxDelayMs: s.batchMs, maxInFlight: s.maxInFlight, log: this.log });
    this.batcher.onSettled = () => this.resumeIfFree();
    this.rejects = new InputRejects(intake, s.batchMs, this.log);
    if (s.udp) await this.listenUdp(s.udp.port, s.udp.recvBufferBytes);
    if (s.tcp) this.addresses.tcp = await this.listen(createServer(), s.tcp.port, 'connection', 'tcp');
    if (s.tls) {
      const t = s.tls;
      const server = createTlsServer({
        cert: readConfigFile(t.cert, 'tls.cert'),
        key: readConfigFile(t.key, 'tls.key'),
        ...(t.ca ? { ca: readConfigFile(t.ca, 'tls.ca') } : {}),
        requestCert: t.clientCertificates !== 'none',
        rejectUnauthorized: t.clientCertificates === 'require',
        handshakeTimeout: t.handshakeTimeoutMs,
      });
      const failures = new ThrottledWarning(this.log);
      server.on('tlsClientError', (e, socket) => {
        // With a listener here Node leaves the socket to us, also on a handshake timeout: close it.
        socket.destroy();
        this.counters.handshakeFailures++;
        failures.note((n) => `${n} TLS handshake(s) failed (latest from ${hostPort(socket.remoteAddress)}: ${e.message})`);
      });
      this.addresses.tls = await this.listen(server, t.port, 'secureConnection', 'tls');
    }
    const where = Object.entries(this.addresses).map(([proto, a]) => `${proto} ${a.address}:${a.port}`);
    const buffer = this.recvBufferBytes === undefined ? '' : ` (UDP receive buffer ${this.recvBufferBytes} bytes)`;
    collectLog.info(s.name, `syslog listening on ${where.join(', ')}${buffer}`);
  }

  async stop(): Promise<void> {
    for (const server of this.servers) server.close();
    clearInterval(this.dropCheck);
    if (this.udp) this.checkKernelDrops();
    this.udp?.close();
    this.udp = undefined;
    clearTimeout(this.resumeTimer);
    // Read what the sockets already handed over, then close them; partial frames are lost with them.
    for (const socket of this.sockets) socket.destroy();
    await this.batcher?.flush(true);
    await this.rejects?.flush();
  }

  private async listen(server: Server, port: number, event: 'connection' | 'secureConnection', proto: 'tcp' | 'tls'): Promise<AddressInfo> {
    server.on(event, (socket: Socket | TLSSocket) => this.accept(socket, proto));
    // Counted as TCP connections, before any TLS handshake: a connection that never handshakes holds a slot too.
    this.limiter.guard(server);
    server.on('error', (e) => this.log(`${proto} listener: ${e.message}`));
    server.listen(port, this.s.host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
    this.servers.push(server);
    return server.address() as AddressInfo;
  }

  private accept(socket: Socket, proto: 'tcp' | 'tls'): void {
    this.counters.connections++;
    this.sockets.add(socket);
    const origin = new Origin(`syslog+${proto}://${hostPort(socket.remoteAddress, socket.remotePort)}`);
    const framer = new SyslogFramer(this.s.framing, this.s.maxMessageBytes, {
      message: (text) => this.handle(origin, text),
      malformed: (reason, record) => {
        this.counters.malformed++;
        this.rejects!.add(origin.source, origin.received + 1, reason, record);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      if (this.batcher!.full && !this.paused.has(socket)) {
        socket.pause();
        this.paused.add(socket);
        this.scheduleResume();
      }
    });
    socket.on('end', () => framer.end());
    if (this.s.idleTimeoutMs > 0) {
      socket.setTimeout(this.s.idleTimeoutMs);
      socket.on('timeout', () => {
        // A connection we stopped reading (backpressure) is quiet because of us.
        if (this.paused.has(socket)) socket.setTimeout(this.s.idleTimeoutMs);
        else {
          this.counters.idleClosed++;
          socket.destroy();
        }
      });
    }
    socket.on('error', (e) => this.log(`${origin.source}: ${e.message}`));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.paused.delete(socket);
    });
  }

  private async listenUdp(port: number, recvBufferBytes: number | undefined): Promise<void> {
    const family = this.s.host.includes(':') ? 'udp6' : 'udp4';
    const udp = createSocket({ type: family, ...(recvBufferBytes ? { recvBufferSize: recvBufferBytes } : {}) });
    udp.on('message', (msg, rinfo) => this.datagram(msg, rinfo.address));
    udp.on('error', (e) => this.log(`udp listener: ${e.message}`));
    udp.bind(port, this.s.host);
    await Promise.race([once(udp, 'listening'), once(udp, 'error').then(([e]) => Promise.reject(e as Error))]);
    this.udp = udp;
    this.addresses.udp = udp.address();
    this.recvBufferBytes = udp.getRecvBufferSize();
    if (recvBufferBytes) {
      const { clamped, rmemMax } = receiveBufferOutcome(recvBufferBytes, this.recvBufferBytes);
      if (clamped) {
        const raise = rmemMax === undefined ? 'raise the system limit' : `net.core.rmem_max is ${rmemMax}: raise it (sysctl -w net.core.rmem_max=${recvBufferBytes})`;
        this.log(`UDP receive buffer: asked for ${recvBufferBytes} bytes, the kernel gave ${this.recvBufferBytes} (as it counts them); ${raise}`);
      }
    }
    this.kernelDrops = UdpKernelDrops.locate(this.addresses.udp.port);
    this.kernelDropCount = this.kernelDropsChecked = this.kernelDrops?.read();
    this.dropCheck = setInterval(() => this.checkKernelDrops(), UDP_DROP_CHECK_MS).unref();
  }

  /** Reads the kernel's drop counter and warns when it rose: those datagrams never reached us. */
  private checkKernelDrops(): void {
    const now = this.kernelDrops?.read();
    if (now === undefined) return;
    const before = this.kernelDropsChecked;
    this.kernelDropCount = this.kernelDropsChecked = now;
    if (before !== undefined && now > before) {
      this.log(`the kernel dropped ${now - before} UDP datagrams (${now} in total): the receive buffer (${this.recvBufferBytes} bytes) was full; raise recv_buffer_bytes (and net.core.rmem_max) or send over TCP`);
    }
  }

  /** One datagram: one message, or several lines some relays pack together. */
  private datagram(msg: Buffer, address: string): void {
    let origin = this.udpOrigins.get(address);
    if (!origin) {
      if (this.udpOrigins.size >= MAX_UDP_ORIGINS) this.udpOrigins.clear();
      origin = new Origin(`syslog+udp://${hostPort(address)}`);
      this.udpOrigins.set(address, origin);
    }
    const text = msg.toString('utf8');
    for (const line of text.indexOf('\n') < 0 ? [text] : text.split('\n')) {
      const m = line.replace(/[\r\0]+$/, '');
      if (!m) continue;
      if (this.batcher!.queuedLines >= this.s.maxQueuedUdp) {
        this.counters.dropped++;
        const now = Date.now();
        if (now - this.lastDropWarning > 10_000) {
          this.lastDropWarning = now;
          this.log(`pipeline saturated: dropping UDP messages (${this.counters.dropped} so far); UDP syslog is at-most-once`);
        }
        continue;
      }
      if (Buffer.byteLength(m) > this.s.maxMessageBytes) {
        this.counters.malformed++;
        this.rejects!.add(origin.source, origin.received + 1, `datagram message exceeds maxMessageBytes (${this.s.maxMessageBytes})`, m);
        continue;
      }
      this.handle(origin, m);
    }
  }

  private handle(origin: Origin, text: string): void {
    this.counters.received++;
    origin.received++;
    try {
      this.route(origin, text);
    } catch (e) {
      // Never expected; a message must not take the listener down, nor vanish.
      this.counters.malformed++;
      this.rejects!.add(origin.source, origin.received, `syslog input failure: ${(e as Error).message}`, text);
    }
  }

  private route(origin: Origin, text: string): void {
    const msg = parseSyslog(text);
    const target = this.s.router.route(msg);
    if (!target) {
      this.counters.unrouted++;
      this.rejects!.add(origin.source, origin.received, this.s.router.unroutedReason(msg), text);
      return;
    }
    this.batcher!.add(origin.source, target, target.keepHeader ? text : msg.body, origin.next(target.label));
  }

  private scheduleResume(): void {
    this.resumeTimer ??= setTimeout(() => {
      this.resumeTimer = undefined;
      this.resumeIfFree();
    }, RESUME_POLL_MS);
  }

  /** Resumes paused connections once the pipeline takes work again (polled: saturation is the pipeline's). */
  private resumeIfFree(): void {
    if (!this.paused.size) return;
    if (this.batcher!.full) {
      this.scheduleResume();
      return;
    }
    for (const socket of this.paused) socket.resume();
    this.paused.clear();
  }
}

function hostPort(address: string | undefined, port?: number): string {
  const host = address === undefined ? 'unknown' : address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

function readConfigFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`syslog ${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}
