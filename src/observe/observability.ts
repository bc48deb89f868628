import type { CollectInput } from '../collect/intake.js';
import { InputMetrics } from './inputs.js';
import { MetricsRegistry } from './metrics.js';
import { addProcessMetrics } from './process-metrics.js';
import type { ProcessRegistration } from './process-registry.js';
import { metricsTokenFromEnv, startMetrics, type MetricsServer } from './server.js';

/**
 * One call wires a long-running process for observation: its metrics registry (process metrics
 * included), the `--metrics-listen` listener when asked, and its registration in NATS
 * (`--register nats://…`) when asked. Inputs then take their view of the pipeline from `inputs`.
 */

export interface ObservabilityOptions {
  /** What runs: collect, worker, serve. */
  kind: string;
  /** `--metrics-listen HOST:PORT`. */
  listen?: string | undefined;
  /** NATS servers (`nats://a:4222,nats://b:4222`) to register this process in for `cluster status`. */
  register?: string | undefined;
  stream?: string | undefined;
  say(line: string): void;
}

export interface Observability {
  metrics: MetricsRegistry;
  inputs: InputMetrics;
  /** The listener's URL, when there is one. */
  metricsUrl?: string;
  registration?: ProcessRegistration;
  stop(): Promise<void>;
}

export async function startObservability(o: ObservabilityOptions): Promise<Observability> {
  const metrics = new MetricsRegistry();
  addProcessMetrics(metrics, o.kind);
  const inputs = new InputMetrics(metrics);
  let server: MetricsServer | undefined;
  if (o.listen !== undefined) {
    server = await startMetrics({ listen: o.listen, token: metricsTokenFromEnv() }, metrics);
    o.say(`packettrail ${o.kind}: metrics on ${server.url}`);
  }
  let registration: ProcessRegistration | undefined;
  let close: (() => Promise<void>) | undefined;
  if (o.register !== undefined) {
    try {
      const { connect } = await import('@nats-io/transport-node');
      const { registerProcess } = await import('./process-registry.js');
      const nc = await connect({ servers: natsServers(o.register), name: `packettrail ${o.kind}` });
      close = () => nc.close();
      registration = await registerProcess({ nc, kind: o.kind, metrics, metricsUrl: server?.url, stream: o.stream, say: o.say });
      o.say(`packettrail ${o.kind}: registered as ${registration.id} for packettrail cluster status`);
    } catch (e) {
      await close?.();
      await server?.close();
      throw new Error(`cannot register in NATS at ${o.register}: ${(e as Error).message}`);
    }
  }
  return {
    metrics, inputs, ...(server ? { metricsUrl: server.url } : {}), ...(registration ? { registration } : {}),
    async stop() {
      inputs.stop();
      await registration?.stop();
      await close?.();
      await server?.close();
    },
  };
}

/** `nats://a:4222,nats://b:4222` (or without the scheme) → the servers, each `host:port`. */
export function natsServers(text: string): string[] {
  const servers = text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/^nats:\/\//, ''));
  if (!servers.length || servers.some((s) => !/^[^\s/]+(:\d{1,5})?$/.test(s))) throw new Error(`expected nats://HOST:PORT[,nats://HOST:PORT…], got '${text.slice(0, 200)}'`);
  return servers;
}

/**
 * Starts watching what an input knows beyond its deliveries: for an S3+SQS input, the queue's depth
 * and messages in flight (GetQueueAttributes every QUEUE_DEPTH_EVERY_MS) and its receive and delete
 * errors. Other inputs have nothing more.
 */
export async function watchInput(inputs: InputMetrics, input: CollectInput): Promise<void> {
  const { S3SqsInput } = await import('../collect/s3sqs/input.js');
  if (!(input instanceof S3SqsInput)) return;
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const { createSqsClient } = await import('../collect/s3sqs/queue.js');
  const s = input.settings;
  const sqs = createSqsClient(s.sqs, s.queueUrl);
  let errorsSeen = 0;
  inputs.watchQueue(input.name, async () => {
    const errors = input.counts.receiveErrors + input.counts.deleteErrors;
    inputs.failed(input.name, errors - errorsSeen);
    errorsSeen = errors;
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: s.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const visible = Number(out.Attributes?.ApproximateNumberOfMessages);
    const inFlight = Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
    if (!Number.isFinite(visible) || !Number.isFinite(inFlight)) throw new Error('GetQueueAttributes answered without the message counts');
    return { visible, inFlight };
  }, undefined, () => sqs.destroy());
}
