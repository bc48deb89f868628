import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { collectLog } from '../log.js';
import type { CollectInput, StreamIntake } from '../intake.js';
import { Batcher, type BatcherCounts } from './batcher.js';
import { SyslogFramer, type Framing } from './framing.js';
import { parseSyslog } from './header.js';
import { InputRejects } from './rejects.js';
import type { SyslogRouter } from './routes.js';

export interface SyslogSettings {
  name: string;
  /** Address the listeners bind (127.0.0.1 unless configured). */
  host: string;
  udp?: { port: number; recvBufferBytes?: number };
  tcp?: { port: number };
  tls?: { port: number; cert: string; key: string; ca?: string; clientCertificates: 'none' | 'request' | 'require' };
  framing: Framing;
  maxMessageBytes: number;
  maxConnections: number;
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
  connections: number;
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
  private readonly counters = { received: 0, unrouted: 0, malformed: 0, dropped: 0, connections: 0 };
  /** Bound addresses once started (port 0 in the config → the OS-chosen port). */
  readonly addresses: { udp?: AddressInfo; tcp?: AddressInfo; tls?: AddressInfo } = {};
  private readonly log: (message: string) => void;

  constructor(private readonly s: SyslogSettings) {
    this.name = s.name;
    this.log = s.log ?? ((m) => collectLog.error(s.name, m));
  }

  get counts(): SyslogCounts {
    const b = this.batcher?.counts ?? { deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, retries: 0, lost: 0 };
    return { ...b, ...this.counters };
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
      });
      server.on('tlsClientError', (e) => this.log(`TLS handshake failed: ${e.message}`));
      this.addresses.tls = await this.listen(server, t.port, 'secureConnection', 'tls');
    }
    const where = Object.entries(this.addresses).map(([proto, a]) => `${proto} ${a.address}:${a.port}`);
    collectLog.info(s.name, `syslog listening on ${where.join(', ')}`);
  }

  async stop(): Promise<void> {
    for (const server of this.servers) server.close();
    this.udp?.close();
    this.udp = undefined;
    clearTimeout(this.resumeTimer);
    // Read what the sockets already handed over, then close them; partial frames are lost with them.
    for (const socket of this.sockets) socket.destroy();
    await this.batcher?.flush(true);
    await this.rejects?.flush();
  }

  private async listen(server: Server, port: number, event: 'connection' | 'secureConnection', proto: 'tcp' | 'tls'): Promise<AddressInfo> {
    server.maxConnections = this.s.maxConnections;
    server.on(event, (socket: Socket | TLSSocket) => this.accept(socket, proto));
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
