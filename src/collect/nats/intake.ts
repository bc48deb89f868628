import type { NatsConnection } from '@nats-io/transport-node';
import { ClosedConnectionError, DrainingConnectionError } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Delivery, DeliveryResult, Intake } from '../intake.js';
import { encodeDelivery, type EncodedPart } from './codec.js';
import { clusterSize, connectNats } from './connection.js';
import { ensureIntakeStream, type StreamSettings } from './stream.js';

/** How long one publish waits for the stream's acknowledgement before it is tried again. */
export const PUBLISH_TIMEOUT_MS = 5_000;
/** How long a batch is retried (no responders while a stream leader is elected, timeouts, a node restarting) before the sender gets an error. */
export const PUBLISH_RETRY_FOR_MS = 30_000;
/** First wait between publish attempts; doubled each time up to PUBLISH_RETRY_MAX_WAIT_MS. */
export const PUBLISH_RETRY_FIRST_WAIT_MS = 100;
export const PUBLISH_RETRY_MAX_WAIT_MS = 2_000;
/** How often the stream's fill is read: `saturated` follows it (and turns on at once when a publish is refused as full). */
export const STREAM_FILL_POLL_MS = 1_000;
/** Fill (of max_bytes or max_msgs) from which the intake says it is saturated, so senders back off before publishes are refused. */
export const SATURATED_FILL_RATIO = 0.95;

/** The stream refused a batch: it is at its limit (discard new). The sender is told to retry later (HTTP 429). */
export class StreamFullError extends Error {}

export interface JetStreamIntakeOptions {
  /** `nats://host:port[,host:port…]`. */
  url: string;
  stream: StreamSettings;
  /** The connection's name, shown by the server (`packettrail collect <host>`). */
  clientName?: string;
  publishTimeoutMs?: number;
  retryForMs?: number;
  /** Where records go that cannot travel through the stream (larger than a message), with reason and origin. */
  deadLetter?: Intake['deadLetter'];
}

export interface JetStreamIntakeCounts {
  deliveries: number;
  records: number;
  /** Stream messages appended (a delivery larger than one message is several). */
  messages: number;
  /** Messages the stream already had (same Nats-Msg-Id within the duplicate window): appended once. */
  duplicates: number;
  /** Records dead-lettered here (too large for one message). */
  rejected: number;
  /** Publish attempts repeated after a retryable failure. */
  retries: number;
  /** Deliveries refused because the stream was full. */
  refusedFull: number;
  /** Deliveries that failed after every retry. */
  failed: number;
  lastError: string | undefined;
}

const FULL = /maximum (bytes|messages)( per subject)? exceeded|insufficient resources/i;

/**
 * The intake side of scale-out: each delivery is appended to the JetStream stream, and `deliver`
 * resolves once the stream acknowledged every part (PubAck: stored on a quorum of its replicas), so
 * the input acknowledges its sender only then; workers (`packettrail worker`) normalize and store.
 */
export class JetStreamIntake implements Intake {
  readonly counts: JetStreamIntakeCounts = { deliveries: 0, records: 0, messages: 0, duplicates: 0, rejected: 0, retries: 0, refusedFull: 0, failed: 0, lastError: undefined };
  private full = false;
  private refusedSincePoll = false;
  private poll: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  readonly deadLetter: Intake['deadLetter'];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly o: JetStreamIntakeOptions,
  ) {
    this.deadLetter = o.deadLetter;
  }

  /** Connects, creates or checks the stream (its limits set to the options'), and starts following its fill. */
  static async open(o: JetStreamIntakeOptions): Promise<JetStreamIntake> {
    const nc = await connectNats(o.url, o.clientName ?? 'packettrail intake');
    try {
      const jsm = await jetstreamManager(nc);
      await ensureIntakeStream(jsm, o.stream, clusterSize(nc), true);
      const intake = new JetStreamIntake(nc, jetstream(nc), jsm, o);
      await intake.readFill();
      intake.poll = setInterval(() => void intake.readFill(), STREAM_FILL_POLL_MS);
      intake.poll.unref();
      return intake;
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
  }

  get stream(): string {
    return this.o.stream.name;
  }

  /** The stream is (nearly) full: inputs refuse new work (HTTP 429, syslog stops reading) until workers make room. */
  get saturated(): boolean {
    return this.full || this.refusedSincePoll;
  }

  private async readFill(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const info = await this.jsm.streams.info(this.o.stream.name);
      const { bytes, messages } = info.state;
      const { max_bytes: maxBytes, max_msgs: maxMsgs } = info.config;
      this.full = (maxBytes > 0 && bytes >= maxBytes * SATURATED_FILL_RATIO) || (maxMsgs > 0 && messages >= maxMsgs * SATURATED_FILL_RATIO);
      this.refusedSincePoll = false;
    } catch {
      // The stream's state is unknown for a moment (leader election): keep the last reading.
    } finally {
      this.polling = false;
    }
  }

  async deliver(delivery: Delivery): Promise<DeliveryResult> {
    if (this.closed) throw new Error('the NATS intake is closed');
    const { parts, tooLarge } = encodeDelivery(this.o.stream.name, delivery, this.nc.info?.max_payload ?? 1024 * 1024);
    if (tooLarge.length) {
      if (!this.deadLetter) throw new Error(`${tooLarge.length} record(s) exceed what one NATS message carries and there is no dead-letter output`);
      await this.deadLetter(delivery.source, delivery.format, tooLarge);
      this.counts.rejected += tooLarge.length;
    }
    // In order, one at a time: a failure leaves a prefix appended, and the sender's retry appends the rest (the prefix's ids are duplicates).
    let duplicates = 0;
    for (const part of parts) if (await this.publish(part)) duplicates++;
    this.counts.deliveries++;
    this.counts.records += delivery.lines.length;
    this.counts.messages += parts.length - duplicates;
    this.counts.duplicates += duplicates;
    const queued = delivery.lines.length - tooLarge.length;
    return { records: delivery.lines.length, events: 0, stored: 0, duplicates: 0, rejected: tooLarge.length, queued };
  }

  /** Publishes one part, retrying what a cluster recovers from; resolves true when the stream already had it. */
  private async publish(part: EncodedPart): Promise<boolean> {
    const retryFor = this.o.retryForMs ?? PUBLISH_RETRY_FOR_MS;
    const deadline = Date.now() + retryFor;
    let wait = PUBLISH_RETRY_FIRST_WAIT_MS;
    for (;;) {
      try {
        const ack = await this.js.publish(part.subject, part.data, { msgID: part.msgId, timeout: this.o.publishTimeoutMs ?? PUBLISH_TIMEOUT_MS });
        return ack.duplicate;
      } catch (e) {
        const err = e as Error;
        this.counts.lastError = err.message;
        if (isStreamFull(err)) {
          this.refusedSincePoll = true;
          this.counts.refusedFull++;
          throw new StreamFullError(`the stream ${this.o.stream.name} is full (${err.message}); retry later`);
        }
        if (!isRetryable(err) || this.closed || Date.now() + wait > deadline) {
          this.counts.failed++;
          throw new Error(`cannot append to the stream ${this.o.stream.name}${isRetryable(err) ? ` within ${retryFor / 1000} s` : ''}: ${err.message}`);
        }
        this.counts.retries++;
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, PUBLISH_RETRY_MAX_WAIT_MS);
      }
    }
  }

  /** Stops following the stream and closes the connection once what is in flight is sent. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    await this.nc.drain().catch(() => {});
  }
}

function isStreamFull(e: Error): boolean {
  return e instanceof JetStreamApiError ? FULL.test(e.message) : false;
}

/** What a cluster recovers from by itself: no responders (no stream leader yet), timeouts, a server restarting, JetStream busy. */
function isRetryable(e: Error): boolean {
  if (e instanceof ClosedConnectionError || e instanceof DrainingConnectionError) return false;
  if (e instanceof JetStreamApiError) return e.status === 503 || e.code === 10008;
  return true;
}
