import { listFormats } from '../../formats/registry.js';
import { ConfigReader, describe, isMapping } from '../config-reader.js';
import type { CollectInput, InputType, StreamIntake } from '../intake.js';
import { KeyFormats } from '../../sources/s3-key-formats.js';
import type { S3SqsInput, S3SqsSettings } from './input.js';

const URL_PATTERN = /^https?:\/\/[^\s/]+/;

/** `type: s3-sqs` in the collect config (documented option by option in docs/collect.md). */
export const s3SqsInputType: InputType = {
  type: 's3-sqs',
  description: 'S3 objects announced by S3 event notifications on an SQS queue (plain, via SNS, or EventBridge)',
  create(raw, at, issues) {
    const before = issues.length;
    const r = new ConfigReader(raw, at, issues).accept('type');
    const formats = new Set(['auto', ...listFormats().map((f) => f.id)]);
    const formatExpected = `auto or a format id (${[...formats].join(', ')})`;
    const name = r.string('name', { required: true })!;
    const queueUrl = r.string('queue_url', { required: true, pattern: URL_PATTERN, expected: 'the queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)' });
    const region = r.string('region', { pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/, expected: 'an AWS region like eu-west-1' });
    const sqsEndpoint = r.string('sqs_endpoint', { pattern: URL_PATTERN, expected: 'an http(s) URL of an SQS-compatible service' });
    const s3Endpoint = r.string('s3_endpoint', { pattern: URL_PATTERN, expected: 'an http(s) URL of an S3-compatible service' });
    const forcePathStyle = r.has('force_path_style') ? r.boolean('force_path_style', false) : undefined;
    const receivers = r.integer('receivers', { min: 1, max: 32, default: 2 });
    const waitSeconds = r.integer('wait_seconds', { min: 0, max: 20, default: 20, unit: 'long-poll seconds' });
    const visibilityTimeout = r.integer('visibility_timeout', { min: 10, max: 43_200, default: 300, unit: 'seconds' });
    const maxObjects = r.integer('max_objects', { min: 1, max: 64, default: 4 });
    const maxMessages = r.integer('max_messages', { min: 1, max: 1000, default: Math.max(10, maxObjects * 3) });
    const maxReceives = r.integer('max_receives', { min: 1, max: 1000, default: 10 });
    const retrySeconds = r.integer('retry_seconds', { min: 0, max: 900, default: 10, unit: 'first retry delay, doubled per delivery' });
    const format = r.string('format', { default: 'auto', expected: formatExpected })!;
    if (!formats.has(format)) r.issue('format', `expected ${formatExpected}, got ${describe(format)}`);
    const buckets = r.strings('buckets');
    const formatOptions: Record<string, string> = {};
    const fo = r.section('format_options');
    if (fo) {
      for (const key of ['fields', 'timezone', 'mapping']) {
        const v = fo.string(key);
        if (v !== undefined) formatOptions[key] = v;
      }
      fo.finish();
    }
    const overrides: { pattern: string; format: string }[] = [];
    if (r.has('key_formats')) {
      const list = raw.key_formats;
      if (!Array.isArray(list)) r.issue('key_formats', `expected a list of {key: <glob>, format: <id>}, got ${describe(list)}`);
      else {
        list.forEach((item, i) => {
          const path = `key_formats[${i}]`;
          if (!isMapping(item)) {
            r.issue(path, `expected {key: <glob>, format: <id>}, got ${describe(item)}`);
            return;
          }
          const e = new ConfigReader(item, r.path(path), issues);
          const key = e.string('key', { required: true, pattern: /^[^\n]{1,512}$/, expected: 'a key glob like AWSLogs/*/CloudTrail' });
          const id = e.string('format', { required: true, expected: formatExpected });
          if (id !== undefined && !formats.has(id)) e.issue('format', `expected ${formatExpected}, got ${describe(id)}`);
          e.finish();
          if (key && id) overrides.push({ pattern: key, format: id });
        });
      }
    }
    r.finish();
    if (issues.length > before || !queueUrl) return undefined;
    return new LazyS3SqsInput({
      name, queueUrl, sqs: { region, endpoint: sqsEndpoint }, s3: { region, endpoint: s3Endpoint, forcePathStyle },
      receivers, waitSeconds, visibilityTimeout, maxObjects, maxMessages, maxReceives, retrySeconds,
      format, keyFormats: new KeyFormats(overrides), formatOptions, buckets,
    });
  },
};

/** Loads the AWS SDK (a quarter of a second) only when the input starts, not for every command. */
export class LazyS3SqsInput implements CollectInput {
  input: S3SqsInput | undefined;

  constructor(readonly settings: S3SqsSettings) {}

  get name(): string {
    return this.settings.name;
  }

  async start(intake: StreamIntake): Promise<void> {
    const { S3SqsInput } = await import('./input.js');
    this.input = new S3SqsInput(this.settings);
    await this.input.start(intake);
  }

  async stop(): Promise<void> {
    await this.input?.stop();
  }
}
