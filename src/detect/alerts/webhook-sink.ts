import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from '../types.js';
import { AlertSink } from './sink.js';

export interface WebhookOptions {
  /** Per request. */
  timeoutMs?: number;
  /** Attempts after the first one. */
  retries?: number;
  /** First backoff; doubles per attempt, with jitter, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Alerts waiting for delivery; beyond it new alerts are dropped and counted as failed. */
  queueSize?: number;
  /** How long close() waits for the queue to empty before counting the rest as failed. */
  drainTimeoutMs?: number;
}

const DEFAULTS: Required<WebhookOptions> = { timeoutMs: 10_000, retries: 5, baseDelayMs: 500, maxDelayMs: 30_000, queueSize: 10_000, drainTimeoutMs: 60_000 };

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * POSTs each alert as JSON to a URL, one at a time in alert order. Network errors, timeouts, 408,
 * 429 and 5xx are retried with exponential backoff and full jitter (a server's `Retry-After` wins
 * when it asks for longer); other statuses fail at once. Delivery runs beside the pipeline: `write`
 * only queues, so a slow or dead endpoint never stalls or crashes the run.
 */
export class WebhookAlertSink extends AlertSink {
  readonly name: string;
  private readonly opts: Required<WebhookOptions>;
  private readonly queue: Alert[] = [];
  private running: Promise<void> | undefined;
  private abandon = false;
  /** Cuts short the backoff sleep and the request in flight when close() gives up. */
  private readonly stop = new AbortController();

  constructor(
    private readonly url: string,
    options: WebhookOptions = {},
  ) {
    super();
    this.opts = { ...DEFAULTS, ...options };
    this.name = `webhook ${new URL(url).origin}`;
  }

  async write(alert: Alert): Promise<void> {
    if (this.queue.length >= this.opts.queueSize) {
      this.fail(`queue full (${this.opts.queueSize} alerts waiting); alert dropped`);
      return;
    }
    this.queue.push(alert);
    this.running ??= this.drain();
  }

  override async close(): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.drainTimeoutMs)));
    await Promise.race([this.running, deadline]);
    clearTimeout(timer);
    if (this.queue.length) {
      this.abandon = true;
      this.stop.abort();
      this.fail(`gave up after ${this.opts.drainTimeoutMs} ms waiting for the endpoint`, this.queue.length);
      this.queue.length = 0;
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.abandon) {
      const alert = this.queue[0]!;
      await this.deliver(alert);
      this.queue.shift();
    }
    this.running = undefined;
  }

  private async deliver(alert: Alert): Promise<void> {
    const body = JSON.stringify(alert);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(body);
        this.delivered++;
        return;
      } catch (e) {
        if (this.abandon) return; // close() counted it with the rest of the queue
        const retryable = e instanceof Retryable;
        if (!retryable || attempt >= this.opts.retries) {
          this.fail(retryable ? `${(e as Error).message} (after ${attempt + 1} attempts)` : (e as Error).message);
          return;
        }
        const backoff = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        const wait = Math.max(backoff, Math.min((e as Retryable).retryAfterMs ?? 0, this.opts.maxDelayMs));
        await sleep(wait, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
  }

  private async post(body: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.stop.signal]) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      throw new Retryable(`POST ${this.url} failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
    }
    // The body is read so the connection can be reused; its content does not matter.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    const reason = `POST ${this.url}: HTTP ${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Retryable(reason, retryAfterMs(res.headers.get('retry-after')));
    throw new Error(reason);
  }
}
