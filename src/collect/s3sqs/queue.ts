import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { quietAwsSdk } from '../../sources/s3.js';

export interface SqsOptions {
  region?: string | undefined;
  /** An SQS-compatible service: `http://127.0.0.1:9324`. */
  endpoint?: string | undefined;
}

export function createSqsClient(o: SqsOptions, queueUrl: string): SQSClient {
  quietAwsSdk();
  const config: SQSClientConfig = { maxAttempts: 3 };
  const region = o.region ?? regionOfQueue(queueUrl);
  if (region) config.region = region;
  else if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) config.region = 'us-east-1';
  if (o.endpoint) config.endpoint = o.endpoint;
  return new SQSClient(config);
}

/** `https://sqs.eu-west-1.amazonaws.com/123/q` → `eu-west-1`. */
export function regionOfQueue(queueUrl: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//.exec(queueUrl)?.[1];
}

/** The last path segment of the queue URL: names the queue in logs and dead letters. */
export function queueName(queueUrl: string): string {
  return queueUrl.replace(/\/+$/, '').split('/').pop() || queueUrl;
}

/** A received message while this process owns it. */
export interface InFlightMessage {
  id: string;
  receipt: string;
  /** When its visibility runs out (ms since epoch), as far as we know. */
  visibleAt: number;
}

/**
 * Keeps in-flight messages invisible while their objects are read: every message whose visibility
 * has less than half of the timeout left is extended by another timeout. A large object that
 * takes longer than the queue's visibility timeout is therefore never handed to a second reader.
 */
export class VisibilityExtender {
  private readonly messages = new Map<string, InFlightMessage>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  failures = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly timeoutSeconds: number,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    const every = Math.max(200, Math.min(5000, (this.timeoutSeconds * 1000) / 6));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  track(m: InFlightMessage): void {
    this.messages.set(m.id, m);
  }

  untrack(id: string): void {
    this.messages.delete(id);
  }

  get size(): number {
    return this.messages.size;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.extendDue();
    } finally {
      this.ticking = false;
    }
  }

  private async extendDue(): Promise<void> {
    const now = Date.now();
    const half = (this.timeoutSeconds * 1000) / 2;
    for (const m of this.messages.values()) {
      if (m.visibleAt - now > half) continue;
      try {
        await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.receipt, VisibilityTimeout: this.timeoutSeconds }));
        m.visibleAt = Date.now() + this.timeoutSeconds * 1000;
      } catch (e) {
        this.failures++;
        // Another receiver owns it now (our receipt is stale): nothing more to extend.
        if (/ReceiptHandleIsInvalid|MessageNotInflight/.test((e as Error).name)) this.messages.delete(m.id);
        this.onError(`cannot extend the visibility of message ${m.id}: ${(e as Error).message}`);
      }
    }
  }
}

/** Makes a message visible again after `seconds` (0: at once), for a retry or a hand-back. */
export async function releaseMessage(sqs: SQSClient, queueUrl: string, receipt: string, seconds: number): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt, VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))) }));
}

/**
 * Deletes handled messages in batches of up to 10 (one request instead of ten). Each caller waits
 * for its own message's outcome.
 */
export class BatchDeleter {
  private pending: { id: string; receipt: string; resolve: (error: string | undefined) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly lingerMs = 20,
  ) {}

  /** Resolves with undefined once deleted, or with the reason it could not be. */
  delete(id: string, receipt: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.pending.push({ id, receipt, resolve });
      if (this.pending.length >= 10) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.lingerMs);
    });
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length) {
      const batch = this.pending.splice(0, 10);
      // Entry ids must be unique within a batch and match [A-Za-z0-9_-]{1,80}.
      const entries = batch.map((b, i) => ({ Id: `m${i}`, ReceiptHandle: b.receipt }));
      try {
        const out = await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code ?? 'error'}: ${f.Message ?? ''}`]));
        batch.forEach((b, i) => b.resolve(failed.get(`m${i}`)));
      } catch (e) {
        for (const b of batch) b.resolve((e as Error).message);
      }
    }
  }
}
