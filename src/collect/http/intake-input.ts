import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectInput, Delivery, DeliveryResult, StreamIntake } from '../intake.js';
import { collectLog } from '../log.js';
import type { AccessKeys } from './keys.js';
import type { HttpConnectionLimits } from './limits.js';
import { bodyBytes, clientHost, connectionSummary, createApp, HttpFailure, listen, refusedSummary, type HttpConnectionCounts } from './server.js';

export interface IntakeSettings {
  name: string;
  host: string;
  port: number;
  keys: AccessKeys;
  maxBodyBytes: number;
  /** Formats that may be posted to (`auto` included when allowed). */
  formats: ReadonlySet<string>;
  formatOptions: Record<string, Record<string, string>>;
  retryAfterSeconds: number;
  limits: HttpConnectionLimits;
}

export interface IntakeCounts {
  requests: number;
  refused: Record<number, number>;
  records: number;
  stored: number;
  rejected: number;
}

/**
 * `POST /intake/<format>`: NDJSON, raw log lines or a JSON array, each line or element one record.
 * Order of checks: the key (401, before the body is read), saturation (429 + Retry-After), the
 * format (404), the size (413); the answer (200 with counts) comes once the events are stored, so a
 * client that got 200 can forget the data and one that got anything else sends it again.
 */
export class HttpIntakeInput implements CollectInput {
  readonly name: string;
  private app: FastifyInstance | undefined;
  address: AddressInfo | undefined;
  readonly counts: IntakeCounts = { requests: 0, refused: {}, records: 0, stored: 0, rejected: 0 };
  connections: HttpConnectionCounts | undefined;

  constructor(private readonly s: IntakeSettings) {
    this.name = s.name;
  }

  async start(intake: StreamIntake): Promise<void> {
    const s = this.s;
    const { app, connections } = createApp(s.maxBodyBytes, s.limits, (res, f) => {
      this.counts.refused[f.status] = (this.counts.refused[f.status] ?? 0) + 1;
      if (f.retryAfterSeconds !== undefined) void res.header('Retry-After', String(f.retryAfterSeconds));
      if (f.status === 401) void res.header('WWW-Authenticate', 'Bearer realm="packettrail intake"');
      return res.code(f.status).send({ error: f.message });
    }, (m) => collectLog.error(s.name, m));
    this.connections = connections;
    app.addHook('onRequest', async (req) => {
      this.counts.requests++;
      if (!s.keys.check(presentedKey(req))) throw new HttpFailure(401, 'missing or wrong intake key (Authorization: Bearer <key> or X-Packettrail-Key)');
      if (intake.saturated) throw new HttpFailure(429, 'the pipeline is saturated; retry later', s.retryAfterSeconds);
    });
    app.post<{ Params: { format: string } }>('/intake/:format', async (req) => {
      const format = req.params.format;
      if (!s.formats.has(format)) throw new HttpFailure(404, `unknown format '${format.slice(0, 60)}' (accepted here: ${[...s.formats].join(', ')})`);
      const text = (await bodyBytes(req.body, req.headers['content-encoding'], s.maxBodyBytes)).toString('utf8');
      const lines = records(text);
      if (!lines.length) return { records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0 };
      const delivery: Delivery = { source: `intake+http://${clientHost(req.ip)}/intake/${format}`, format, lines, firstLine: 1 };
      const options = s.formatOptions[format];
      if (options) delivery.formatOptions = options;
      let result: DeliveryResult;
      try {
        result = await intake.deliver(delivery);
      } catch (e) {
        // Refused because the queue is full (the NATS stream at its limit): the same answer as before reading the body.
        if (intake.saturated) throw new HttpFailure(429, `the pipeline is saturated; retry later (${(e as Error).message})`, s.retryAfterSeconds);
        throw new HttpFailure(503, `the pipeline could not store this request: ${(e as Error).message}`, s.retryAfterSeconds);
      }
      this.counts.records += result.records;
      this.counts.stored += result.stored;
      this.counts.rejected += result.rejected;
      return result;
    });
    this.address = await listen(app, s.port, s.host);
    this.app = app;
    collectLog.info(s.name, `HTTP intake listening on http://${this.address.address}:${this.address.port}/intake/<format>`);
  }

  summary(): string {
    const c = this.counts;
    return [`${c.requests} requests, ${c.records} records, ${c.stored} stored, ${c.rejected} rejected`, refusedSummary(c.refused), this.connections ? connectionSummary(this.connections) : ''].filter(Boolean).join('; ');
  }

  async stop(): Promise<void> {
    // fastify's close waits for requests in flight, whose deliveries then resolve.
    await this.app?.close();
    this.app = undefined;
  }
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice(7).trim();
  const key = req.headers['x-packettrail-key'];
  return typeof key === 'string' ? key : undefined;
}

/** NDJSON or raw lines, or the elements of a JSON array. */
function records(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) {
    try {
      const value: unknown = JSON.parse(t);
      if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    } catch {
      // not one JSON array: read as lines, the format reports what is wrong with each
    }
  }
  // Blank lines stay (formats skip them) so dead letters keep the body's line numbers.
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}
