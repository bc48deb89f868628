import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, isPermanentS3Error, openS3Object, s3Url, type S3Options } from '../../sources/s3.js';
import type { CollectInput, StreamIntake } from '../intake.js';
import { addDeliveryResult } from '../intake.js';
import { collectLog } from '../log.js';
import { Backoff, delayFor, sleep } from './backoff.js';
import { KeyFormats } from '../../sources/s3-key-formats.js';
import { parseNotification, type ObjectNotice } from './notifications.js';
import { BatchDeleter, createSqsClient, queueName, releaseMessage, VisibilityExtender, type InFlightMessage } from './queue.js';

export interface S3SqsSettings {
  name: string;
  queueUrl: string;
  sqs: { region?: string | undefined; endpoint?: string | undefined };
  s3: S3Options;
  /** Concurrent long-polling receivers. */
  receivers: number;
  waitSeconds: number;
  /** Visibility timeout asked for on receive and renewed while an object is read (seconds). */
  visibilityTimeout: number;
  /** Objects this input reads at the same time. */
  maxObjects: number;
  /** Messages held in flight at most (received, not yet deleted or handed back). */
  maxMessages: number;
  /** Deliveries of one message that failed before it is dead-lettered and deleted. */
  maxReceives: number;
  /** First retry delay of a failed message (seconds); doubles per delivery, capped at 15 minutes. */
  retrySeconds: number;
  /** A format id, or `auto`: from the key table, then from the content. */
  format: string;
  keyFormats: KeyFormats;
  formatOptions: Record<string, string>;
  /** Only objects in these buckets are read (empty: any). */
  buckets: string[];
}

export interface S3SqsCounts {
  messages: number;
  objects: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Messages acknowledged without reading anything (s3:TestEvent, removals). */
  skipped: number;
  /** Messages or objects dead-lettered (not a notification, object gone, too many failures). */
  deadLettered: number;
  /** Messages made visible again to be retried later. */
  retried: number;
  /** Messages handed back unread at shutdown. */
  handedBack: number;
  receiveErrors: number;
  deleteErrors: number;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'hand-back' };

const MAX_RETRY_SECONDS = 900;

/**
 * `type: s3-sqs`: S3 event notifications on an SQS queue announce new objects; several receivers
 * long-poll the queue in batches of 10, each object is streamed from S3 (gunzipped as it arrives)
 * into the pipeline, the message stays invisible while its objects are read, and it is deleted only
 * once their events are stored. Failures make the message visible again after an exponential
 * backoff; after `maxReceives` deliveries it is dead-lettered and deleted.
 */
export class S3SqsInput implements CollectInput {
  readonly counts: S3SqsCounts = { messages: 0, objects: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, skipped: 0, deadLettered: 0, retried: 0, handedBack: 0, receiveErrors: 0, deleteErrors: 0 };
  private sqs!: SQSClient;
  private s3!: S3Client;
  private intake!: StreamIntake;
  private extender!: VisibilityExtender;
  private deleter!: BatchDeleter;
  /** Cuts short the waits between receives (not the receives themselves) when stopping. */
  private readonly abort = new AbortController();
  private stopping = false;
  private reserved = 0;
  private readonly handling = new Set<Promise<void>>();
  private receivers: Promise<void>[] = [];
  private objectSlots: number;
  private readonly objectWaiters: (() => void)[] = [];
  private readonly queue: string;

  constructor(readonly settings: S3SqsSettings) {
    this.objectSlots = settings.maxObjects;
    this.queue = queueName(settings.queueUrl);
  }

  get name(): string {
    return this.settings.name;
  }

  async start(intake: StreamIntake): Promise<void> {
    const s = this.settings;
    this.intake = intake;
    this.sqs = createSqsClient(s.sqs, s.queueUrl);
    this.s3 = createS3Client(s.s3);
    this.extender = new VisibilityExtender(this.sqs, s.queueUrl, s.visibilityTimeout, (m) => collectLog.error(this.name, m));
    this.deleter = new BatchDeleter(this.sqs, s.queueUrl);
    this.extender.start();
    this.receivers = Array.from({ length: s.receivers }, () => this.receive());
    collectLog.info(this.name, `receiving from ${this.queue} with ${s.receivers} receiver(s), up to ${s.maxObjects} object(s) at once`);
  }

  /**
   * Stops receiving, finishes the objects being read, hands back messages not started yet. A long
   * poll in progress is not cut off: SQS would still hand its messages to the closed connection and
   * they would stay in flight until their timeout; its messages are handed back instead.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    for (const w of this.objectWaiters.splice(0)) w();
    await Promise.allSettled(this.receivers);
    while (this.handling.size) await Promise.allSettled([...this.handling]);
    await this.deleter?.flush();
    this.extender?.stop();
    const c = this.counts;
    collectLog.info(this.name, `stopped: ${c.messages} messages, ${c.objects} objects, ${c.events} events, ${c.stored} stored, ${c.duplicates} duplicates, ${c.rejected} rejected, ` +
      `${c.skipped} skipped, ${c.deadLettered} dead-lettered, ${c.retried} retried, ${c.handedBack} handed back`);
    this.sqs?.destroy();
    this.s3?.destroy();
  }

  /** One receiver: long-polls while there is room for more messages and the pipeline keeps up. */
  private async receive(): Promise<void> {
    const s = this.settings;
    const backoff = new Backoff(500, 60_000);
    while (!this.stopping) {
      const room = s.maxMessages - this.handling.size - this.reserved;
      if (room <= 0 || this.intake.saturated) {
        await sleep(50, this.abort.signal);
        continue;
      }
      const want = Math.min(10, room);
      this.reserved += want;
      let messages: Message[];
      try {
        const out = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: s.queueUrl, MaxNumberOfMessages: want, WaitTimeSeconds: s.waitSeconds, VisibilityTimeout: s.visibilityTimeout,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        messages = out.Messages ?? [];
        backoff.reset();
      } catch (e) {
        this.reserved -= want;
        if (this.stopping) break;
        this.counts.receiveErrors++;
        const wait = backoff.next();
        collectLog.error(this.name, `receive from ${this.queue} failed (${(e as Error).message}); retrying in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, this.abort.signal);
        continue;
      }
      this.reserved -= want;
      for (const m of messages) {
        const work = this.handle(m);
        this.handling.add(work);
        const forget = () => this.handling.delete(work);
        work.then(forget, forget);
      }
    }
  }

  private async handle(m: Message): Promise<void> {
    const s = this.settings;
    if (!m.ReceiptHandle) return;
    const msg: InFlightMessage = { id: m.MessageId ?? '?', receipt: m.ReceiptHandle, visibleAt: Date.now() + s.visibilityTimeout * 1000 };
    const origin = `sqs://${this.queue}/${msg.id}`;
    const receives = Number(m.Attributes?.ApproximateReceiveCount ?? 1) || 1;
    this.counts.messages++;
    this.extender.track(msg);
    try {
      const parsed = parseNotification(m.Body ?? '');
      if (parsed.kind === 'invalid') {
        await this.deadLetter(origin, parsed.reason, m.Body ?? '');
        return await this.acknowledge(msg);
      }
      if (parsed.kind === 'skip') {
        this.counts.skipped++;
        return await this.acknowledge(msg);
      }
      let outcome: Outcome = { kind: 'done' };
      for (const object of parsed.objects) {
        outcome = await this.readObject(object);
        if (outcome.kind !== 'done') break;
      }
      if (outcome.kind === 'done') return await this.acknowledge(msg);
      if (outcome.kind === 'hand-back') {
        this.counts.handedBack++;
        return await this.release(msg, 0);
      }
      if (receives >= s.maxReceives) {
        await this.deadLetter(origin, `gave up after ${receives} deliveries of the message: ${outcome.reason}`, m.Body ?? '');
        return await this.acknowledge(msg);
      }
      const delay = delayFor(receives, s.retrySeconds * 1000, MAX_RETRY_SECONDS * 1000) / 1000;
      collectLog.error(this.name, `${outcome.reason}; message ${msg.id} retried in ${delay.toFixed(0)} s (delivery ${receives} of ${s.maxReceives})`);
      this.counts.retried++;
      await this.release(msg, delay);
    } finally {
      this.extender.untrack(msg.id);
    }
  }

  /** Reads one announced object into the pipeline; `done` once its events are stored or it is dead-lettered. */
  private async readObject(o: ObjectNotice): Promise<Outcome> {
    const s = this.settings;
    const source = s3Url(o.bucket, o.key);
    if (s.buckets.length && !s.buckets.includes(o.bucket)) {
      await this.deadLetter(source, `bucket ${o.bucket} is not in this input's buckets (${s.buckets.join(', ')})`, '');
      return { kind: 'done' };
    }
    await this.objectSlot();
    try {
      if (this.stopping) return { kind: 'hand-back' };
      let opened: Awaited<ReturnType<typeof openS3Object>>;
      let key = o.key;
      try {
        opened = await openS3Object(this.s3, o.bucket, key).catch(async (e) => {
          if (!isPermanentS3Error(e) || o.rawKey === o.key) throw e;
          key = o.rawKey;
          return openS3Object(this.s3, o.bucket, key);
        });
      } catch (e) {
        const reason = `cannot read the object: ${(e as Error).name}: ${(e as Error).message}`;
        if (!isPermanentS3Error(e)) return { kind: 'retry', reason: `${source}: ${reason}` };
        await this.deadLetter(source, `${reason} (the object no longer exists or is not readable)`, '');
        return { kind: 'done' };
      }
      let bodyError: Error | undefined;
      opened.body.once('error', (e: Error) => (bodyError = e));
      const format = s.format === 'auto' ? s.keyFormats.formatFor(key) : s.format;
      let result: Awaited<ReturnType<StreamIntake['deliverStream']>>;
      try {
        result = await this.intake.deliverStream({
          source: s3Url(o.bucket, key), format, formatOptions: s.formatOptions, size: opened.size ?? o.size, open: async () => opened.body,
        });
      } finally {
        // A delivery that failed before reading to the end must not keep the connection open.
        opened.body.destroy();
      }
      // The connection broke mid-object: what was read is stored; the retry reads it all again (stored once).
      if (bodyError) return { kind: 'retry', reason: `${source}: download interrupted (${bodyError.message})` };
      const c = this.counts;
      c.objects++;
      addDeliveryResult(c, result);
      return { kind: 'done' };
    } catch (e) {
      return { kind: 'retry', reason: `${source}: ${(e as Error).message}` };
    } finally {
      this.releaseObjectSlot();
    }
  }

  private async acknowledge(msg: InFlightMessage): Promise<void> {
    this.extender.untrack(msg.id);
    const error = await this.deleter.delete(msg.id, msg.receipt);
    if (error) {
      this.counts.deleteErrors++;
      collectLog.error(this.name, `cannot delete message ${msg.id} (${error}); it will be delivered again and its events found already stored`);
    }
  }

  private async release(msg: InFlightMessage, seconds: number): Promise<void> {
    this.extender.untrack(msg.id);
    try {
      await releaseMessage(this.sqs, this.settings.queueUrl, msg.receipt, seconds);
    } catch (e) {
      collectLog.error(this.name, `cannot release message ${msg.id} (${(e as Error).message}); it returns when its visibility timeout ends`);
    }
  }

  private async deadLetter(source: string, reason: string, record: string): Promise<void> {
    this.counts.deadLettered++;
    if (this.intake.deadLetter) await this.intake.deadLetter(source, 'unknown', [{ line: 0, reason, record }]);
    else collectLog.error(this.name, `${source}: ${reason}`);
  }

  private async objectSlot(): Promise<void> {
    if (this.objectSlots > 0) {
      this.objectSlots--;
      return;
    }
    await new Promise<void>((resolve) => this.objectWaiters.push(resolve));
  }

  private releaseObjectSlot(): void {
    const next = this.objectWaiters.shift();
    if (next) next();
    else this.objectSlots++;
  }
}
