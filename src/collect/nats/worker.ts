import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, JetStreamApiError, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Delivery, DeliveryResult, Intake } from '../intake.js';
import { decodeDelivery } from './codec.js';
import { clusterSize, connectNats } from './connection.js';
import { intakeSubjectPrefix, workerConsumer } from './names.js';
import { defaultStreamSettings, ensureIntakeStream } from './stream.js';

/** Batches (stream messages) a worker pulls at once when --batch is not given. */
export const DEFAULT_WORKER_BATCH = 16;
/** How long a pulled batch may stay unacknowledged before JetStream hands it to another worker (--ack-wait); in-progress signals extend it. */
export const DEFAULT_ACK_WAIT_S = 60;
/** Unacknowledged messages the consumer allows across all its workers (the sum of their --batch must stay below). */
export const CONSUMER_MAX_ACK_PENDING = 1_000;
/** How long one pull waits for messages before asking again (so a stop is noticed). */
export const FETCH_EXPIRES_MS = 5_000;
/** Redelivery delay after a failed store: doubled per delivery attempt, capped. */
export const NAK_FIRST_DELAY_MS = 1_000;
export const NAK_MAX_DELAY_MS = 60_000;
/** Wait after a pull failed (NATS node lost, consumer leader being elected) before the next one; doubled up to the cap. */
export const PULL_RETRY_FIRST_WAIT_MS = 250;
export const PULL_RETRY_MAX_WAIT_MS = 5_000;
/** How long a stopping worker lets deliveries in flight finish before it hands them back (nak). */
export const WORKER_STOP_GRACE_MS = 8_000;
/** How long the worker waits for the stream to confirm an acknowledgement. */
export const ACK_CONFIRM_TIMEOUT_MS = 5_000;
/** A stream message that is not a delivery is dead-lettered with at most this much of its body. */
const UNREADABLE_RECORD_CHARS = 4_096;

/** What a worker did, for its summary and for `/metrics`. */
export interface WorkerStats {
  /** Stream messages (batches) pulled. */
  received: number;
  /** Events stored (new to the store). */
  stored: number;
  /** Events the store already had (a batch delivered again after a crash stores nothing twice). */
  duplicates: number;
  /** Records dead-lettered (by the formats, or a message that is not a delivery). */
  rejected: number;
  acked: number;
  /** Messages handed back for redelivery (store failed, or in flight when the worker stopped). */
  naked: number;
  /** Messages pulled that JetStream had delivered before (to this or another worker). */
  redelivered: number;
  errors: number;
  lastError: string | undefined;
}

/** What a worker stores into: the collect pipeline (normalize → detect → store). */
export type WorkerIntake = Pick<Intake, 'deliver' | 'deadLetter'>;

export interface NatsWorkerOptions {
  url: string;
  stream: string;
  batch?: number;
  ackWaitSeconds?: number;
  clientName?: string;
  /**
   * The store-side correlation hook (n2's correlation pass): called once a delivery is stored and
   * before it is acknowledged, so a failure here hands the batch back like a store failure. Workers
   * run the stateless rules; correlations, suppression and the analyses read the store.
   */
  correlationPass?: (delivery: Delivery, result: DeliveryResult) => Promise<void>;
  /** Lines for the operator. */
  say?: (line: string) => void;
}

/**
 * `packettrail worker`: pulls batches from the intake stream's durable consumer (every worker of a
 * stream shares it: each batch goes to one), hands each to the pipeline, and acknowledges only once
 * it is stored; a failure naks it with a growing delay. Storage is idempotent (event ids), so a
 * batch delivered again after a crash or a lost acknowledgement stores nothing twice.
 */
export class NatsWorker {
  private readonly counts: WorkerStats = { received: 0, stored: 0, duplicates: 0, rejected: 0, acked: 0, naked: 0, redelivered: 0, errors: 0, lastError: undefined };
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Map<JsMsg, Promise<void>>();
  private readonly handedBack = new Set<JsMsg>();
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly consumer: Consumer,
    private readonly intake: WorkerIntake,
    private readonly o: NatsWorkerOptions,
  ) {}

  /** Connects, makes sure the stream (with default limits when absent) and the shared consumer exist. */
  static async open(intake: WorkerIntake, o: NatsWorkerOptions): Promise<NatsWorker> {
    const nc = await connectNats(o.url, o.clientName ?? 'packettrail worker');
    try {
      const jsm = await jetstreamManager(nc);
      await ensureIntakeStream(jsm, defaultStreamSettings(o.stream), clusterSize(nc), false);
      const durable = workerConsumer(o.stream);
      const ackWait = (o.ackWaitSeconds ?? DEFAULT_ACK_WAIT_S) * 1e9;
      try {
        const info = await jsm.consumers.info(o.stream, durable);
        if (info.config.ack_policy !== AckPolicy.Explicit) throw new Error(`the consumer ${durable} of stream ${o.stream} acknowledges ${info.config.ack_policy}, expected explicit: delete it, workers create it again`);
        if (info.config.ack_wait !== ackWait) await jsm.consumers.update(o.stream, durable, { ack_wait: ackWait });
      } catch (e) {
        if (!(e instanceof JetStreamApiError) || e.code !== 10014) throw e;
        await jsm.consumers.add(o.stream, {
          durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: ackWait, max_ack_pending: CONSUMER_MAX_ACK_PENDING,
          deliver_policy: DeliverPolicy.All, filter_subject: `${intakeSubjectPrefix(o.stream)}.>`, max_deliver: -1,
        }).catch(async (err: Error) => {
          // Another worker created it at the same moment.
          if (!/already in use|exists/i.test(err.message)) throw err;
        });
      }
      const consumer = await jetstream(nc).consumers.get(o.stream, durable);
      return new NatsWorker(nc, jsm, consumer, intake, o);
    } catch (e) {
      await nc.close().catch(() => {});
      throw new Error(`cannot use the NATS stream ${o.stream}: ${(e as Error).message}`);
    }
  }

  /** A copy of the counts so far (for the summary, the status lines and `/metrics`). */
  stats(): WorkerStats {
    return { ...this.counts };
  }

  /** The consumer's lag: messages not yet delivered to any worker, and delivered but not acknowledged. */
  async lag(): Promise<{ pending: number; ackPending: number; redelivered: number }> {
    const info = await this.jsm.consumers.info(this.o.stream, workerConsumer(this.o.stream));
    return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
  }

  /** Pulls and processes until `stop`. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    const batch = this.o.batch ?? DEFAULT_WORKER_BATCH;
    let wait = PULL_RETRY_FIRST_WAIT_MS;
    while (!this.stopping) {
      // Pull only what there is room for: the batch is the most a worker holds unacknowledged.
      const room = batch - this.inFlight.size;
      if (room <= 0) {
        await Promise.race([...this.inFlight.values(), new Promise<void>((r) => { this.wake = r; })]);
        continue;
      }
      try {
        this.messages = await this.consumer.fetch({ max_messages: room, expires: FETCH_EXPIRES_MS });
        for await (const m of this.messages) this.take(m);
        wait = PULL_RETRY_FIRST_WAIT_MS;
      } catch (e) {
        if (this.stopping) break;
        this.fail(`pulling from ${this.o.stream}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, PULL_RETRY_MAX_WAIT_MS);
      } finally {
        this.messages = undefined;
      }
    }
  }

  private take(m: JsMsg): void {
    if (this.stopping) {
      this.nak(m, 0);
      return;
    }
    const work = this.handle(m).finally(() => {
      this.inFlight.delete(m);
      this.wake?.();
    });
    this.inFlight.set(m, work);
  }

  private async handle(m: JsMsg): Promise<void> {
    const s = this.counts;
    s.received++;
    if (m.redelivered) s.redelivered++;
    let delivery: Delivery;
    try {
      delivery = decodeDelivery(m.data);
    } catch (e) {
      await this.unreadable(m, (e as Error).message);
      return;
    }
    const ackWaitMs = (this.o.ackWaitSeconds ?? DEFAULT_ACK_WAIT_S) * 1000;
    // In progress: a long store (ClickHouse retrying) must not let JetStream hand the batch to another worker.
    const heartbeat = setInterval(() => { if (!this.handedBack.has(m)) m.working(); }, Math.max(1000, ackWaitMs / 3));
    try {
      const result = await this.intake.deliver(delivery);
      await this.o.correlationPass?.(delivery, result);
      s.stored += result.stored;
      s.duplicates += result.duplicates;
      s.rejected += result.rejected;
      clearInterval(heartbeat);
      if (this.handedBack.has(m)) return;
      await this.ack(m);
    } catch (e) {
      clearInterval(heartbeat);
      this.fail(`${delivery.source} (stream sequence ${m.seq}): ${(e as Error).message}`);
      if (!this.handedBack.has(m)) this.nak(m, Math.min(NAK_FIRST_DELAY_MS * 2 ** Math.max(0, m.info.deliveryCount - 1), NAK_MAX_DELAY_MS));
    }
  }

  /** A message that is not a delivery: dead-lettered with what is wrong, then acknowledged (it would fail the same way again). */
  private async unreadable(m: JsMsg, why: string): Promise<void> {
    const text = Buffer.from(m.data).toString('utf8');
    try {
      if (!this.intake.deadLetter) throw new Error('no dead-letter output');
      await this.intake.deadLetter(`nats://${this.o.stream}/${m.seq}`, 'unknown', [{ line: 1, reason: `stream message ${m.seq} on ${m.subject} is not a packettrail delivery: ${why}`, record: text.slice(0, UNREADABLE_RECORD_CHARS) }]);
    } catch (e) {
      this.fail(`cannot dead-letter stream message ${m.seq}: ${(e as Error).message}`);
      this.nak(m, NAK_MAX_DELAY_MS);
      return;
    }
    this.counts.rejected++;
    await this.ack(m);
  }

  private async ack(m: JsMsg): Promise<void> {
    try {
      // Confirmed: until the stream says so, the batch may come back (and is then stored once).
      const ok = await m.ackAck({ timeout: ACK_CONFIRM_TIMEOUT_MS });
      if (ok) this.counts.acked++;
      else this.fail(`acknowledgement of stream message ${m.seq} not confirmed: it will be delivered again (and stored once)`);
    } catch (e) {
      this.fail(`acknowledging stream message ${m.seq}: ${(e as Error).message}; it will be delivered again (and stored once)`);
    }
  }

  private nak(m: JsMsg, delayMs: number): void {
    this.handedBack.add(m);
    m.nak(delayMs);
    this.counts.naked++;
  }

  private fail(message: string): void {
    this.counts.errors++;
    this.counts.lastError = message;
    this.o.say?.(`error: ${message}`);
  }

  /**
   * Stops pulling; deliveries in flight get `graceMs` to be stored and acknowledged, the rest are
   * handed back (nak) for another worker. Then closes the connection.
   */
  async stop(graceMs = WORKER_STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), graceMs); });
    const outcome = await Promise.race([Promise.allSettled(this.inFlight.values()).then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') for (const m of this.inFlight.keys()) if (!this.handedBack.has(m)) this.nak(m, 0);
    await this.running?.catch(() => {});
    await this.nc.flush().catch(() => {});
    await this.nc.drain().catch(() => {});
  }
}

/** The summary line of a worker's counts. */
export function workerCountsLine(s: WorkerStats): string {
  return `${s.received} batches received (${s.redelivered} redelivered), ${s.stored} events stored, ${s.duplicates} duplicates, ${s.rejected} rejected, ${s.acked} acked, ${s.naked} handed back, ${s.errors} errors${s.lastError ? ` (last: ${s.lastError})` : ''}`;
}
