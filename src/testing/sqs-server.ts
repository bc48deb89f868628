import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small SQS for tests, on loopback: the JSON protocol the AWS SDK v3 speaks (`X-Amz-Target:
 * AmazonSQS.<Action>`), with MD5 digests of bodies, visibility timeouts, long polling, receive
 * counts, ChangeMessageVisibility(Batch) and DeleteMessage(Batch). A receipt handle is valid only
 * for the latest receive of its message, like SQS after a redelivery. Faults can be injected.
 */
export class SqsTestServer {
  private server: Server | undefined;
  private readonly queues = new Map<string, Map<string, StoredMessage>>();
  private readonly faults = new Map<string, number>();
  private closing = false;
  /** Calls per action, for assertions (`ReceiveMessage`, `ChangeMessageVisibility` …). */
  readonly calls = new Map<string, number>();
  /**
   * Messages deleted per client, by the app id in its user agent (`AWS_SDK_UA_APP_ID` in a collector's
   * environment; `?` without one): which process acknowledged what, when several share a queue.
   */
  readonly deletedBy = new Map<string, number>();
  endpoint = '';

  static async start(): Promise<SqsTestServer> {
    const s = new SqsTestServer();
    s.server = createServer((req, res) => void s.handle(req, res));
    s.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => s.server!.listen(0, '127.0.0.1', resolve));
    s.endpoint = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  createQueue(name: string): string {
    if (!this.queues.has(name)) this.queues.set(name, new Map());
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/000000000000/${name}`;
  }

  send(queue: string, body: string): string {
    const q = this.queue(queue);
    const id = randomUUID();
    q.set(id, { id, body, visibleAt: 0, receives: 0, receipt: undefined, sent: Date.now() });
    return id;
  }

  /** Messages not deleted, split by state. */
  counts(queue: string): { visible: number; inFlight: number; total: number; maxReceives: number } {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let maxReceives = 0;
    for (const m of this.queue(queue).values()) {
      if (m.visibleAt > now) inFlight++;
      else visible++;
      maxReceives = Math.max(maxReceives, m.receives);
    }
    return { visible, inFlight, total: visible + inFlight, maxReceives };
  }

  /** Makes every in-flight message visible now, as if its visibility timeout had ended. */
  expireVisibility(queue: string): void {
    for (const m of this.queue(queue).values()) m.visibleAt = 0;
  }

  /** The next `times` calls of `action` answer 500 InternalError. */
  fail(action: string, times: number): void {
    this.faults.set(action, times);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private queue(name: string): Map<string, StoredMessage> {
    const q = this.queues.get(name);
    if (!q) throw new SqsError(400, 'AWS.SimpleQueueService.NonExistentQueue', `queue ${name} does not exist`);
    return q;
  }

  private queueOf(url: unknown): Map<string, StoredMessage> {
    if (typeof url !== 'string') throw new SqsError(400, 'MissingParameter', 'QueueUrl is required');
    return this.queue(url.replace(/\/+$/, '').split('/').pop()!);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    this.calls.set(action, (this.calls.get(action) ?? 0) + 1);
    try {
      if (!action) throw new SqsError(400, 'InvalidAction', 'expected an X-Amz-Target: AmazonSQS.<Action> header');
      const fault = this.faults.get(action);
      if (fault) {
        this.faults.set(action, fault - 1);
        throw new SqsError(500, 'InternalError', 'injected fault');
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const agent = `${req.headers['x-amz-user-agent'] ?? ''} ${req.headers['user-agent'] ?? ''}`;
      const out = await this.dispatch(action, input, /(?:^|\s)app\/([\w.-]+)/.exec(agent)?.[1] ?? '?');
      reply(res, 200, out);
    } catch (e) {
      const err = e instanceof SqsError ? e : new SqsError(400, 'InvalidParameterValue', (e as Error).message);
      res.setHeader('x-amzn-query-error', `${err.code};Sender`);
      reply(res, err.status, { __type: `com.amazonaws.sqs#${err.code}`, message: err.message });
    }
  }

  /** The app id of the client that received the in-flight message whose body contains `text` (undefined: none in flight). */
  holder(queue: string, text: string): string | undefined {
    const now = Date.now();
    for (const m of this.queue(queue).values()) if (m.visibleAt > now && m.body.includes(text)) return m.receiver;
    return undefined;
  }

  private async dispatch(action: string, input: Record<string, unknown>, client: string): Promise<unknown> {
    switch (action) {
      case 'CreateQueue':
        return { QueueUrl: this.createQueue(String(input.QueueName)) };
      case 'GetQueueUrl':
        this.queue(String(input.QueueName));
        return { QueueUrl: this.queueUrl(String(input.QueueName)) };
      case 'SendMessage': {
        const q = this.queueOf(input.QueueUrl);
        const body = String(input.MessageBody ?? '');
        const id = randomUUID();
        q.set(id, { id, body, visibleAt: Date.now() + Number(input.DelaySeconds ?? 0) * 1000, receives: 0, receipt: undefined, sent: Date.now() });
        return { MessageId: id, MD5OfMessageBody: md5(body) };
      }
      case 'ReceiveMessage':
        return this.receive(input, client);
      case 'DeleteMessage':
        this.remove(this.queueOf(input.QueueUrl), String(input.ReceiptHandle), client);
        return {};
      case 'DeleteMessageBatch':
        return this.batch(input, (q, entry) => this.remove(q, String(entry.ReceiptHandle), client));
      case 'ChangeMessageVisibility':
        this.changeVisibility(this.queueOf(input.QueueUrl), String(input.ReceiptHandle), Number(input.VisibilityTimeout));
        return {};
      case 'ChangeMessageVisibilityBatch':
        return this.batch(input, (q, entry) => this.changeVisibility(q, String(entry.ReceiptHandle), Number(entry.VisibilityTimeout)));
      case 'GetQueueAttributes': {
        const q = this.queueOf(input.QueueUrl);
        const name = String(input.QueueUrl).split('/').pop()!;
        const c = this.counts(name);
        return { Attributes: { ApproximateNumberOfMessages: String(c.visible), ApproximateNumberOfMessagesNotVisible: String(c.inFlight), VisibilityTimeout: '30', QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`, _size: String(q.size) } };
      }
      case 'PurgeQueue':
        this.queueOf(input.QueueUrl).clear();
        return {};
      default:
        throw new SqsError(400, 'InvalidAction', `action ${action} is not supported by the test server`);
    }
  }

  private async receive(input: Record<string, unknown>, client: string): Promise<unknown> {
    const q = this.queueOf(input.QueueUrl);
    const max = Number(input.MaxNumberOfMessages ?? 1);
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new SqsError(400, 'InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10');
    const visibility = Number(input.VisibilityTimeout ?? 30);
    const deadline = Date.now() + Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
    const wanted = [...asStrings(input.AttributeNames), ...asStrings(input.MessageSystemAttributeNames)];
    for (;;) {
      const now = Date.now();
      const picked: StoredMessage[] = [];
      for (const m of q.values()) {
        if (picked.length >= max) break;
        if (m.visibleAt <= now) picked.push(m);
      }
      if (picked.length || now >= deadline || this.closing) {
        return {
          Messages: picked.map((m) => {
            m.receives++;
            m.receiver = client;
            m.receipt = `${m.id}:${randomUUID()}`;
            m.visibleAt = now + visibility * 1000;
            const attributes: Record<string, string> = {};
            if (wanted.includes('All') || wanted.includes('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(m.receives);
            if (wanted.includes('All') || wanted.includes('SentTimestamp')) attributes.SentTimestamp = String(m.sent);
            return { MessageId: m.id, ReceiptHandle: m.receipt, MD5OfBody: md5(m.body), Body: m.body, ...(Object.keys(attributes).length ? { Attributes: attributes } : {}) };
          }),
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private owned(q: Map<string, StoredMessage>, receipt: string): StoredMessage {
    const m = q.get(receipt.split(':')[0] ?? '');
    if (!m || m.receipt !== receipt) throw new SqsError(400, 'ReceiptHandleIsInvalid', `receipt handle ${receipt.slice(0, 20)}… is not the message's latest`);
    return m;
  }

  private remove(q: Map<string, StoredMessage>, receipt: string, client: string): void {
    const m = this.owned(q, receipt);
    q.delete(m.id);
    this.deletedBy.set(client, (this.deletedBy.get(client) ?? 0) + 1);
  }

  private changeVisibility(q: Map<string, StoredMessage>, receipt: string, seconds: number): void {
    const m = this.owned(q, receipt);
    if (m.visibleAt <= Date.now()) throw new SqsError(400, 'MessageNotInflight', 'the message is not in flight');
    m.visibleAt = Date.now() + seconds * 1000;
  }

  private batch(input: Record<string, unknown>, fn: (q: Map<string, StoredMessage>, entry: Record<string, unknown>) => void): unknown {
    const q = this.queueOf(input.QueueUrl);
    const entries = (input.Entries ?? []) as Record<string, unknown>[];
    if (!entries.length || entries.length > 10) throw new SqsError(400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'expected 1 to 10 entries');
    const Successful: { Id: unknown }[] = [];
    const Failed: { Id: unknown; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const entry of entries) {
      try {
        fn(q, entry);
        Successful.push({ Id: entry.Id });
      } catch (e) {
        const err = e instanceof SqsError ? e : new SqsError(400, 'InvalidParameterValue', (e as Error).message);
        Failed.push({ Id: entry.Id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }
}

interface StoredMessage {
  id: string;
  body: string;
  visibleAt: number;
  receives: number;
  receipt: string | undefined;
  sent: number;
  /** The app id of the client of the latest receive. */
  receiver?: string | undefined;
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}
