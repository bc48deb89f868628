import type { Delivery, DeliveryResult, StreamDelivery, StreamIntake } from '../intake.js';
import type { JetStreamIntake } from './intake.js';
import type { NatsTarget } from './target.js';

/**
 * What `collect --to nats://…` gives its inputs: pushed records (syslog, HTTP intake, Firehose) go
 * to the stream for the workers; whole objects (S3+SQS, watched files) keep loading into the local
 * pipeline (the queue already spreads objects over collectors); dead letters stay local.
 */
export class NatsRoutedIntake implements StreamIntake {
  constructor(
    private readonly stream: JetStreamIntake,
    private readonly local: StreamIntake,
  ) {}

  /** The stream is full, or the local pipeline has more objects than it takes at once. */
  get saturated(): boolean {
    return this.stream.saturated || this.local.saturated;
  }

  deliver(delivery: Delivery): Promise<DeliveryResult> {
    return this.stream.deliver(delivery);
  }

  deliverStream(delivery: StreamDelivery): Promise<DeliveryResult> {
    return this.local.deliverStream(delivery);
  }

  async deadLetter(source: string, format: string, records: { line: number; reason: string; record: string }[]): Promise<void> {
    if (!this.local.deadLetter) throw new Error('no dead-letter output');
    await this.local.deadLetter(source, format, records);
  }
}

/** Opens the stream intake of `collect --to` in front of the local pipeline (imported only when --to is used). */
export async function openRoutedIntake(target: NatsTarget, local: StreamIntake): Promise<{ intake: NatsRoutedIntake; stream: JetStreamIntake }> {
  const { JetStreamIntake } = await import('./intake.js');
  const deadLetter = local.deadLetter?.bind(local);
  const stream = await JetStreamIntake.open({ url: target.url, stream: target.stream, clientName: 'packettrail collect', ...(deadLetter ? { deadLetter } : {}) });
  return { intake: new NatsRoutedIntake(stream, local), stream };
}
