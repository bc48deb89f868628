import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { CollectInput, Delivery, DeliveryResult, StreamIntake } from '../intake.js';
import { collectLog } from '../log.js';
import type { AccessKeys } from './keys.js';
import type { HttpConnectionLimits } from './limits.js';
import { bodyBytes, connectionSummary, createApp, HttpFailure, listen, refusedSummary, type HttpConnectionCounts } from './server.js';

export interface FirehoseSettings {
  name: string;
  host: string;
  port: number;
  path: string;
  accessKey: AccessKeys;
  maxBodyBytes: number;
  format: string;
  formatOptions: Record<string, string>;
  limits: HttpConnectionLimits;
}

export interface FirehoseCounts {
  requests: number;
  refused: Record<number, number>;
  records: number;
  stored: number;
  rejected: number;
}

/**
 * Amazon Data Firehose HTTP endpoint destination. Firehose POSTs
 * `{"requestId","timestamp","records":[{"data":"<base64>"}]}` (optionally gzip'd) with the
 * `X-Amz-Firehose-Access-Key` and `X-Amz-Firehose-Request-Id` headers and expects
 * `{"requestId","timestamp"}` with 200 once the data is safe, or an `errorMessage` and an error
 * status, on which it retries (at-least-once). Records are opened by the shared envelope reader
 * (src/formats/envelopes/): CloudWatch Logs subscription payloads (gzip, DATA_MESSAGE; CONTROL_MESSAGE
 * skipped) carrying VPC flow logs, CloudTrail …, or plain text records (CloudFront real-time logs).
 */
export class FirehoseInput implements CollectInput {
  readonly name: string;
  private app: FastifyInstance | undefined;
  address: AddressInfo | undefined;
  readonly counts: FirehoseCounts = { requests: 0, refused: {}, records: 0, stored: 0, rejected: 0 };
  connections: HttpConnectionCounts | undefined;

  constructor(private readonly s: FirehoseSettings) {
    this.name = s.name;
  }

  async start(intake: StreamIntake): Promise<void> {
    const s = this.s;
    const { app, connections } = createApp(s.maxBodyBytes, s.limits, (res, f) => {
      this.counts.refused[f.status] = (this.counts.refused[f.status] ?? 0) + 1;
      const header = res.request.headers['x-amz-firehose-request-id'];
      const requestId = typeof header === 'string' ? header.slice(0, 128) : '';
      if (f.retryAfterSeconds !== undefined) void res.header('Retry-After', String(f.retryAfterSeconds));
      return res.code(f.status).header('content-type', 'application/json').send({ requestId, timestamp: Date.now(), errorMessage: f.message });
    }, (m) => collectLog.error(s.name, m));
    this.connections = connections;
    app.addHook('onRequest', async (req) => {
      this.counts.requests++;
      const key = req.headers['x-amz-firehose-access-key'];
      if (!s.accessKey.check(typeof key === 'string' ? key : undefined)) throw new HttpFailure(401, 'missing or wrong X-Amz-Firehose-Access-Key');
      // Firehose backs off and retries on 429; answering before reading the body saves the transfer.
      if (intake.saturated) throw new HttpFailure(429, 'the pipeline is saturated; retry later', 5);
    });
    app.post(s.path, async (req, res) => {
      const headerId = req.headers['x-amz-firehose-request-id'];
      const bytes = await bodyBytes(req.body, req.headers['content-encoding'], s.maxBodyBytes);
      const batch = readBatch(bytes);
      if (typeof headerId === 'string' && headerId !== batch.requestId) {
        throw new HttpFailure(400, `X-Amz-Firehose-Request-Id '${headerId.slice(0, 64)}' differs from the body's requestId`);
      }
      if (batch.records.length) {
        // One line per record, in the Firehose batch form the envelope reader opens: its errors name
        // the record, and the line number is the record's position (1-based) in the request.
        const delivery: Delivery = {
          source: `firehose://${s.name}/${batch.requestId.replace(/[^\w.:-]/g, '_')}`,
          format: s.format,
          lines: batch.records.map((data) => `{"records":[{"data":${JSON.stringify(data)}}]}`),
          firstLine: 1,
        };
        if (Object.keys(s.formatOptions).length) delivery.formatOptions = s.formatOptions;
        let result: DeliveryResult;
        try {
          result = await intake.deliver(delivery);
        } catch (e) {
          throw new HttpFailure(500, `the pipeline could not store this batch: ${(e as Error).message}`);
        }
        this.counts.records += result.records;
        this.counts.stored += result.stored;
        this.counts.rejected += result.rejected;
      }
      return res.code(200).header('content-type', 'application/json').send({ requestId: batch.requestId, timestamp: Date.now() });
    });
    this.address = await listen(app, s.port, s.host);
    this.app = app;
    collectLog.info(s.name, `Firehose endpoint listening on http://${this.address.address}:${this.address.port}${s.path} (terminate HTTPS in front)`);
  }

  summary(): string {
    const c = this.counts;
    return [`${c.requests} requests, ${c.records} records, ${c.stored} stored, ${c.rejected} rejected`, refusedSummary(c.refused), this.connections ? connectionSummary(this.connections) : ''].filter(Boolean).join('; ');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}

/** The request body: `requestId` and the records' `data` strings, or a 400 saying what is wrong. */
export function readBatch(bytes: Buffer): { requestId: string; records: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new HttpFailure(400, `body is not JSON: ${(e as Error).message.slice(0, 120)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpFailure(400, 'expected a JSON object {requestId, timestamp, records}');
  const o = value as Record<string, unknown>;
  if (typeof o.requestId !== 'string' || o.requestId === '' || o.requestId.length > 128) throw new HttpFailure(400, 'expected a requestId string (at most 128 characters)');
  if (!Array.isArray(o.records)) throw new HttpFailure(400, 'expected a records list');
  const records: string[] = [];
  o.records.forEach((r, k) => {
    const data = r !== null && typeof r === 'object' ? (r as { data?: unknown }).data : undefined;
    if (typeof data !== 'string') throw new HttpFailure(400, `records[${k}] has no data string`);
    records.push(data);
  });
  return { requestId: o.requestId, records };
}
