import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createGzip, gzipSync } from 'node:zlib';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { pipeline as pipe } from 'node:stream/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { S3TestServer } from '../../testing/s3-server.js';
import { SqsTestServer } from '../../testing/sqs-server.js';
import { cloudFrontGzip, cloudFrontLog } from '../../testing/cloudfront-lines.js';
import { tempDir } from '../../testing/tmp.js';
import { vpcFlowParquet } from '../../testing/vpcflow-parquet.js';
import { KeyFormats } from '../../sources/s3-key-formats.js';
import { CollectPipeline } from '../pipeline.js';
import { collectLog } from '../log.js';
import type { StreamDelivery, StreamIntake } from '../intake.js';
import { S3SqsInput, type S3SqsSettings } from './input.js';

const BUCKET = 'logs';
let s3: S3TestServer;
let sqs: SqsTestServer;
let dir: string;

function s3Event(key: string, eventName = 'ObjectCreated:Put', bucket = BUCKET): string {
  const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return JSON.stringify({ Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName, s3: { bucket: { name: bucket }, object: { key: encoded, size: 1 } } }] });
}

function snsWrapped(body: string): string {
  return JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: body });
}

function eventBridge(key: string): string {
  return JSON.stringify({ version: '0', 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: BUCKET }, object: { key, size: 1 } } });
}

function settings(queueUrl: string, over: Partial<S3SqsSettings> = {}): S3SqsSettings {
  return {
    name: 'test', queueUrl, sqs: { endpoint: sqs.endpoint }, s3: { endpoint: s3.endpoint }, receivers: 2, waitSeconds: 1, visibilityTimeout: 10,
    maxObjects: 2, maxMessages: 20, maxReceives: 3, retrySeconds: 0, format: 'auto', keyFormats: new KeyFormats(), formatOptions: {}, buckets: [], ...over,
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openPipeline(name: string, maxLineChars?: number): Promise<{ pipeline: CollectPipeline; db: string }> {
  const db = join(dir, `${name}.duckdb`);
  const pipeline = await CollectPipeline.open({ db, deadLetterPath: join(dir, `${name}.dead.ndjson`), threads: 1, maxConcurrent: 2, maxLineChars });
  return { pipeline, db };
}

async function query(db: string, sql: string): Promise<unknown[][]> {
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    return (await store.query(sql)).rows;
  } finally {
    await store.close();
  }
}

before(async () => {
  collectLog.silent = true;
  dir = tempDir('packettrail-s3sqs-');
  [s3, sqs] = await Promise.all([S3TestServer.start(join(dir, 's3'), [BUCKET]), SqsTestServer.start()]);
});

after(async () => {
  await Promise.all([s3?.close(), sqs?.close()]);
});

describe('s3-sqs input', () => {
  it('reads plain, SNS-wrapped and EventBridge notifications once each, and dead-letters bad input without leaving anything in flight', async () => {
    const queue = sqs.createQueue('main');
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz', cloudFrontGzip(3000, { seed: 1 }));
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-11.bbbb2222.gz', cloudFrontGzip(500, { seed: 2 }));
    await s3.put(BUCKET, 'cf/with space/E2EXAMPLE.2026-11-20-12.cccc3333', cloudFrontLog(200, { seed: 3 }));
    // The first 100 records of a gzip member, then garbage: the records before the damage are kept.
    const whole = cloudFrontGzip(2000, { seed: 4 });
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-13.dddd4444.gz', Buffer.concat([whole.subarray(0, whole.length >> 1), Buffer.from('not gzip at all')]));
    const oversized = cloudFrontLog(10, { seed: 5 }).replace(/\n$/, '') + '\n' + 'x'.repeat(3 << 20) + '\n' + cloudFrontLog(10, { seed: 6 }).split('\n').slice(2).join('\n');
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-14.eeee5555', oversized);
    sqs.send('main', s3Event('cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz'));
    sqs.send('main', s3Event('cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz')); // S3 delivers at least once, too
    sqs.send('main', snsWrapped(s3Event('cf/E2EXAMPLE.2026-11-20-11.bbbb2222.gz')));
    sqs.send('main', eventBridge('cf/with space/E2EXAMPLE.2026-11-20-12.cccc3333'));
    sqs.send('main', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-20T10:00:00Z', Bucket: BUCKET }));
    sqs.send('main', s3Event('cf/gone.log', 'ObjectRemoved:Delete'));
    sqs.send('main', 'hello, not json');
    sqs.send('main', JSON.stringify({ alarm: 'not an s3 event' }));
    sqs.send('main', s3Event('cf/E2EXAMPLE.2026-11-20-15.never-written.gz'));
    sqs.send('main', s3Event('cf/E2EXAMPLE.2026-11-20-13.dddd4444.gz'));
    sqs.send('main', s3Event('cf/E2EXAMPLE.2026-11-20-14.eeee5555'));

    const { pipeline, db } = await openPipeline('main', 1 << 20);
    const input = new S3SqsInput(settings(queue));
    await input.start(pipeline);
    await until('the queue to drain', () => sqs.counts('main').total === 0);
    await input.stop();
    await pipeline.close();

    assert.equal(sqs.counts('main').inFlight, 0);
    assert.equal(input.counts.messages, 11);
    assert.equal(input.counts.skipped, 2, 's3:TestEvent and the removal are acknowledged and skipped');
    assert.equal(input.counts.deadLettered, 3, 'two non-S3 messages and the missing object');
    assert.ok(sqs.calls.get('DeleteMessageBatch')! >= 1);
    const [[stored]] = (await query(db, 'SELECT count(*) FROM events_aws_cloudfront')) as [[number]];
    const [[corruptKept]] = (await query(db, `SELECT count(*) FROM events_aws_cloudfront WHERE event_id IN (SELECT event_id FROM events WHERE http_request_id LIKE 'S4R%')`)) as [[number]];
    assert.ok(corruptKept > 0 && corruptKept < 2000, `records before the gzip damage are kept (${corruptKept})`);
    assert.equal(stored, 3000 + 500 + 200 + corruptKept + 20, 'every good record stored exactly once');
    const reasons = (await query(db, 'SELECT source, reason FROM dead_letters ORDER BY source')) as [string, string][];
    const find = (re: RegExp) => reasons.find(([, r]) => re.test(r));
    assert.ok(find(/not an S3 event notification: the message body is not JSON/), JSON.stringify(reasons));
    assert.ok(find(/not an S3 event notification: expected Records/));
    assert.match(find(/no longer exists/)![0], /never-written/);
    assert.match(find(/gzip stream is truncated or corrupt/)![0], /dddd4444/);
    assert.match(find(/line longer than/)![0], /eeee5555/);
    const files = (await query(db, `SELECT path, dataset FROM ingested_files WHERE path LIKE '%aaaa1111%'`)) as [string, string][];
    assert.equal(files.length, 2, 'the object was delivered twice');
    assert.deepEqual(files[0], ['s3://logs/cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz', 'aws.cloudfront']);
  });

  it('extends the visibility of a message whose object takes longer than the timeout, and receives it once', async () => {
    const queue = sqs.createQueue('slow');
    await s3.put(BUCKET, 'slow/E2EXAMPLE.2026-11-21-10.ffff6666.gz', cloudFrontGzip(100, { seed: 7 }));
    sqs.send('slow', s3Event('slow/E2EXAMPLE.2026-11-21-10.ffff6666.gz'));
    const { pipeline } = await openPipeline('slow');
    const before = sqs.calls.get('ChangeMessageVisibility') ?? 0;
    // Holds the object 3.5 s against a 2 s visibility timeout.
    const slow: StreamIntake = Object.assign(Object.create(pipeline) as StreamIntake, {
      deliverStream: async (d: StreamDelivery) => {
        await new Promise((r) => setTimeout(r, 3500));
        return pipeline.deliverStream(d);
      },
    });
    const input = new S3SqsInput(settings(queue, { visibilityTimeout: 2 }));
    await input.start(slow);
    await until('the queue to drain', () => sqs.counts('slow').total === 0);
    await input.stop();
    await pipeline.close();
    assert.ok((sqs.calls.get('ChangeMessageVisibility') ?? 0) - before >= 2, 'visibility extended while reading');
    assert.equal(input.counts.messages, 1, 'never delivered to a second receiver');
    assert.equal(input.counts.stored, 100);
  });

  it('backs off when receiving fails and retries a message whose delivery failed', async () => {
    const queue = sqs.createQueue('flaky');
    await s3.put(BUCKET, 'flaky/E2EXAMPLE.2026-11-22-10.gggg7777.gz', cloudFrontGzip(50, { seed: 8 }));
    sqs.send('flaky', s3Event('flaky/E2EXAMPLE.2026-11-22-10.gggg7777.gz'));
    sqs.fail('ReceiveMessage', 6); // the SDK itself tries 3 times: two failed receives
    const { pipeline, db } = await openPipeline('flaky');
    let failures = 1;
    const flaky: StreamIntake = Object.assign(Object.create(pipeline) as StreamIntake, {
      deliverStream: async (d: StreamDelivery) => {
        if (failures-- > 0) throw new Error('store unavailable');
        return pipeline.deliverStream(d);
      },
    });
    const input = new S3SqsInput(settings(queue, { receivers: 1 }));
    const started = Date.now();
    await input.start(flaky);
    await until('the queue to drain', () => sqs.counts('flaky').total === 0);
    await input.stop();
    await pipeline.close();
    assert.equal(input.counts.receiveErrors, 2);
    assert.ok(Date.now() - started >= 800, 'waited between failed receives');
    assert.equal(input.counts.retried, 1);
    assert.equal(input.counts.messages, 2, 'the failed message came back');
    const [[stored]] = (await query(db, 'SELECT count(*) FROM events_aws_cloudfront')) as [[number]];
    assert.equal(stored, 50);
  });

  it('hands back messages it has not started when stopped', async () => {
    const queue = sqs.createQueue('stop');
    for (let i = 0; i < 4; i++) {
      await s3.put(BUCKET, `stop/E2EXAMPLE.2026-11-23-1${i}.hhhh888${i}.gz`, cloudFrontGzip(20, { seed: 20 + i }));
      sqs.send('stop', s3Event(`stop/E2EXAMPLE.2026-11-23-1${i}.hhhh888${i}.gz`));
    }
    const { pipeline } = await openPipeline('stop');
    let entered!: () => void;
    const first = new Promise<void>((r) => (entered = r));
    const slow: StreamIntake = Object.assign(Object.create(pipeline) as StreamIntake, {
      deliverStream: async (d: StreamDelivery) => {
        entered();
        await new Promise((r) => setTimeout(r, 500));
        return pipeline.deliverStream(d);
      },
    });
    const input = new S3SqsInput(settings(queue, { maxObjects: 1, receivers: 1 }));
    await input.start(slow);
    await first;
    await input.stop();
    await pipeline.close();
    const c = sqs.counts('stop');
    assert.equal(c.inFlight, 0, 'nothing left in flight');
    assert.equal(c.visible, 4 - input.counts.objects, 'what was not read is visible again');
    assert.ok(input.counts.handedBack >= 1);
    assert.ok(input.counts.objects >= 1);
  });
});

describe('gzip objects', () => {
  /** Puts one object, announces it on a queue of its own and runs an input until the queue is empty. */
  async function collectOne(name: string, key: string, body: Buffer): Promise<{ input: S3SqsInput; db: string }> {
    const queue = sqs.createQueue(name);
    await s3.put(BUCKET, key, body);
    sqs.send(name, s3Event(key));
    const { pipeline, db } = await openPipeline(name);
    const input = new S3SqsInput(settings(queue));
    await input.start(pipeline);
    await until('the queue to drain', () => sqs.counts(name).total === 0);
    await input.stop();
    await pipeline.close();
    return { input, db };
  }

  it('reads an object gzip-compressed whatever its name says', async () => {
    const { input } = await collectOne('named', 'named/E2EXAMPLE.2026-11-24-10.iiii9999.log', gzipSync(cloudFrontLog(30, { seed: 30 })));
    assert.equal(input.counts.stored, 30);
  });

  it('reads a Parquet object (VPC flow logs) announced on the queue', async () => {
    const key = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-0abc_20261122T0900Z_5e6f7a8b.log.parquet';
    const { input, db } = await collectOne('parquet', key, vpcFlowParquet(800));
    assert.equal(input.counts.stored, 800);
    assert.deepEqual(await query(db, `SELECT count(*), count(DISTINCT source_port) FROM events_aws_vpcflow`), [[800, 800]]);
  });

  it('streams a large object: the bytes held in memory stay bounded while the reader is slow', async () => {
    const queue = sqs.createQueue('large');
    const key = 'large/E2EXAMPLE.2026-11-25-10.jjjj0000.gz';
    const size = 48 << 20;
    // Incompressible content, stored uncompressed in the gzip member: the object itself is 48 MiB.
    // Written and uploaded from a file, a MiB at a time, so the test holds no copy of its own.
    const file = join(dir, 'large.gz');
    const gzip = createGzip({ level: 0 });
    const written = pipe(gzip, createWriteStream(file));
    for (let i = 0; i < size >> 20; i++) if (!gzip.write(randomBytes(1 << 20))) await once(gzip, 'drain');
    gzip.end();
    await written;
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: createReadStream(file), ContentLength: statSync(file).size }));
    sqs.send('large', s3Event(key));
    const { pipeline: collect } = await openPipeline('large');
    let growth: number | undefined;
    let read = 0;
    // Measured from before the object is requested: buffering it whole before the delivery counts too.
    let baseline = 0;
    const measuring: StreamIntake = Object.assign(Object.create(collect) as StreamIntake, {
      deliverStream: async (d: StreamDelivery) => {
        for await (const chunk of await d.open()) {
          read += (chunk as Buffer).length;
          // Stall after the first MiB: a body buffered whole (or read ahead without backpressure) fills memory meanwhile.
          if (growth === undefined && read >= 1 << 20) {
            await new Promise((r) => setTimeout(r, 1500));
            growth = process.memoryUsage().arrayBuffers - baseline;
          }
        }
        return { records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0 };
      },
    });
    const input = new S3SqsInput(settings(queue));
    baseline = process.memoryUsage().arrayBuffers;
    await input.start(measuring);
    await until('the queue to drain', () => sqs.counts('large').total === 0, 60_000);
    await input.stop();
    await collect.close();
    assert.ok(read > size, `the whole object was read (${read} bytes)`);
    assert.ok(growth !== undefined && growth < 16 << 20, `at most 16 MiB held while the reader stalls, got ${((growth ?? NaN) / 2 ** 20).toFixed(1)} MiB`);
  });
});
