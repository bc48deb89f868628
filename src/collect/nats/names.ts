/**
 * The NATS JetStream resources packettrail's processes share (intake → stream → workers; every
 * long-running process registers itself for `packettrail cluster status`). Defaults; the stream name
 * can be chosen per deployment (`--stream`), which names the consumer and subjects after it.
 */

/** The durable stream push inputs append batches to before acknowledging their sender. */
export const DEFAULT_INTAKE_STREAM = 'PACKETTRAIL_INTAKE';

/** Subjects of a stream: `<prefix>.<format>` (the format id, dots kept), so a stream can be inspected per format. */
export function intakeSubjectPrefix(stream: string): string {
  return `packettrail.${stream.toLowerCase()}`;
}

/** The durable pull consumer every worker of a stream shares: each batch goes to one worker. */
export function workerConsumer(stream: string): string {
  return `${stream.toLowerCase()}-workers`;
}

/** The key-value bucket where intake, workers, collectors and consoles register and heartbeat. */
export const PROCESS_BUCKET = 'packettrail_processes';
