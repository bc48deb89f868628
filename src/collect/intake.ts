/**
 * The contract between collect inputs (S3+SQS, Firehose, syslog, HTTP intake, watched folders) and
 * the pipeline they feed (normalize → detect → store). An input hands over a Delivery and
 * acknowledges its origin (deletes the SQS message, answers the HTTP request, advances the file
 * checkpoint) only after `deliver` resolved: the events are then stored. Event ids are deterministic
 * and storage is idempotent, so a delivery repeated after a crash stores nothing twice.
 */

export interface Delivery {
  /** Where the data came from, for dead letters and counts: `s3://bucket/key`, `syslog+tcp://10.0.0.5:51234`, `http:/intake/aws.waf`, a file path. */
  source: string;
  /** A format id, or `auto` to detect it from the data. */
  format: string;
  formatOptions?: Record<string, string>;
  /** Records, one per element (one log line, or one JSON document). */
  lines: string[];
  /** Line number of lines[0] within the source (1-based), so dead letters point at the right line. */
  firstLine?: number;
  /** Header lines of the source (`#Fields: …`, a CSV header) that apply to these lines when they are not the first part of it. */
  header?: string[];
}

export interface DeliveryResult {
  records: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Records appended to a durable queue (the NATS intake stream) for workers to store: acknowledged, not yet stored. */
  queued?: number;
}

export interface Intake {
  /** Normalizes, detects and stores the delivery; resolves once the events are stored (or dead-lettered). */
  deliver(delivery: Delivery): Promise<DeliveryResult>;
  /** True while the pipeline has more work queued than it should accept: inputs back off (HTTP answers 429). */
  readonly saturated: boolean;
  /**
   * Dead-letters records an input could not hand to any format (a syslog message no route takes, a
   * frame too large to read), with reason and origin, beside the pipeline's own rejections. Optional:
   * inputs report on stderr when the intake has none.
   */
  deadLetter?(source: string, format: string, records: { line: number; reason: string; record: string }[]): Promise<void>;
}

/** One configured input of `packettrail collect`. */
export interface CollectInput {
  /** The name from the config, used in logs and counts. */
  readonly name: string;
  /** Starts receiving; resolves when the input is listening/polling. */
  start(intake: StreamIntake): Promise<void>;
  /** Stops taking new work, finishes or hands back in-flight work (SQS visibility reset), then resolves. */
  stop(): Promise<void>;
  /**
   * The input's own counts, one line, for the status lines and the final summary: what never reached
   * the pipeline (datagrams the kernel dropped, refused connections, requests answered with an error).
   */
  summary?(): string;
}

/** A whole object or file handed over as bytes (gzip is detected by its magic), read in line-aligned chunks with header replay, like `ingest` reads files. */
export interface StreamDelivery {
  source: string;
  format: string;
  formatOptions?: Record<string, string>;
  /** Size in bytes when known (progress, memory planning). */
  size?: number;
  open(): Promise<NodeJS.ReadableStream>;
}

export interface StreamIntake extends Intake {
  deliverStream(delivery: StreamDelivery): Promise<DeliveryResult>;
}

/** A problem in the collect config, located by its path (`inputs[2].port`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * One kind of input (`type: s3-sqs`, `syslog`, `http`, `firehose`, `tail`): validates its section
 * of the config and builds the input. Listed in `src/collect/input-types.ts`.
 */
export interface InputType {
  type: string;
  description: string;
  /** Returns undefined when the section has issues (pushed onto `issues`, with `at` as the path prefix). */
  create(raw: Record<string, unknown>, at: string, issues: ConfigIssue[]): CollectInput | undefined;
}

/** The running totals an input keeps of its deliveries (`records` only where the input counts them). */
export interface DeliveryTotals {
  records?: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

/** Adds one delivery's result to an input's running totals. */
export function addDeliveryResult(totals: DeliveryTotals, result: DeliveryResult): void {
  if (totals.records !== undefined) totals.records += result.records;
  totals.events += result.events;
  totals.stored += result.stored;
  totals.duplicates += result.duplicates;
  totals.rejected += result.rejected;
}
