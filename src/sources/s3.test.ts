import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingest } from '../pipeline/ingest.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { S3TestServer } from '../testing/s3-server.js';
import { cloudFrontGzip } from '../testing/cloudfront-lines.js';
import { tempDir } from '../testing/tmp.js';
import { vpcFlowParquet } from '../testing/vpcflow-parquet.js';
import { listS3Objects } from './s3.js';

let s3: S3TestServer;
let dir: string;

const trail = {
  Records: [1, 2, 3].map((i) => ({
    eventVersion: '1.09', eventTime: `2026-11-20T10:00:0${i}Z`, eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7', userAgent: 'aws-cli/2.15.0', eventID: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`, eventType: 'AwsApiCall',
    recipientAccountId: '123456789012', userIdentity: { type: 'IAMUser', userName: 'lee.cole', accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/lee.cole' },
  })),
};

before(async () => {
  dir = tempDir('packettrail-s3-ingest-');
  s3 = await S3TestServer.start(join(dir, 's3'), ['logs', 'flows']);
  await s3.put('logs', 'cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz', cloudFrontGzip(1200, { seed: 1 }));
  await s3.put('logs', 'cf/E2EXAMPLE.2026-11-20-11.bbbb2222.gz', cloudFrontGzip(300, { seed: 2 }));
  await s3.put('logs', 'AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/123456789012_CloudTrail_eu-west-1_20261120T1000Z_x.json.gz', gzipSync(JSON.stringify(trail)));
  await s3.put('logs', 'cf/empty-folder/', '');
});

after(async () => {
  await s3?.close();
});

describe('s3:// inputs', () => {
  it('lists every object under a prefix, page by page', async () => {
    const keys: string[] = [];
    for await (const o of listS3Objects(s3.client, { bucket: 'logs', prefix: 'cf/' }, 1)) keys.push(o.key);
    assert.deepEqual(keys, ['cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz', 'cf/E2EXAMPLE.2026-11-20-11.bbbb2222.gz']);
  });

  it('ingests objects like files, choosing formats by key, and re-ingests nothing twice', async () => {
    const db = join(dir, 'i.duckdb');
    const run = () => ingest({ inputs: ['s3://logs/', 's3://logs/nothing-here/'], db, format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead.ndjson'), s3: { endpoint: s3.endpoint } });
    const first = await run();
    const sources = first.summary.sources.map((s) => [s.source, s.format, s.stored]);
    assert.deepEqual(sources, [
      ['s3://logs/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20/123456789012_CloudTrail_eu-west-1_20261120T1000Z_x.json.gz', 'aws.cloudtrail', 3],
      ['s3://logs/cf/E2EXAMPLE.2026-11-20-10.aaaa1111.gz', 'aws.cloudfront', 1200],
      ['s3://logs/cf/E2EXAMPLE.2026-11-20-11.bbbb2222.gz', 'aws.cloudfront', 300],
    ]);
    assert.deepEqual(first.summary.missing, [{ arg: 's3://logs/nothing-here/', reason: 'no object under this prefix' }]);
    const second = await run();
    assert.deepEqual(second.summary.sources.map((s) => [s.stored, s.duplicates]), [[0, 3], [0, 1200], [0, 300]]);
    const store = await DuckDbStore.open(db, { readOnly: true });
    try {
      const { rows } = await store.query(`SELECT user_name FROM events WHERE event_dataset = 'aws.cloudtrail' LIMIT 1`);
      assert.deepEqual(rows, [['lee.cole']]);
    } finally {
      await store.close();
    }
  });

  it('reports a bucket that does not exist and a malformed URL', async () => {
    const r = await ingest({ inputs: ['s3://no-such-bucket/x', 's3://A_B/'], db: join(dir, 'm.duckdb'), format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead2.ndjson'), s3: { endpoint: s3.endpoint } });
    assert.match(r.summary.missing[0]!.reason, /cannot list objects: NoSuchBucket/);
    assert.match(r.summary.missing[1]!.reason, /expected s3:\/\/<bucket>\/<prefix>/);
  });

  it('reads VPC flow logs delivered as Parquet objects, stored once however often they are read', async () => {
    const key = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-0abc_20261122T0800Z_1a2b3c4d.log.parquet';
    await s3.put('flows', key, vpcFlowParquet(1500));
    const db = join(dir, 'flows.duckdb');
    const run = () => ingest({ inputs: ['s3://flows/AWSLogs/'], db, format: 'auto', threads: 0, deadLetterPath: join(dir, 'dead3.ndjson'), s3: { endpoint: s3.endpoint } });
    const first = await run();
    assert.deepEqual(first.summary.sources.map((s) => [s.source, s.format, s.records, s.stored, s.rejected]), [[`s3://flows/${key}`, 'aws.vpcflow', 1500, 1500, 0]]);
    const second = await run();
    assert.deepEqual(second.summary.sources.map((s) => [s.stored, s.duplicates]), [[0, 1500]]);
    const store = await DuckDbStore.open(db, { readOnly: true });
    try {
      const { rows } = await store.query(`SELECT count(*) FILTER (WHERE event_action = 'reject'), min(source_ip), max(destination_port), any_value(cloud_account_id) FROM events_aws_vpcflow`);
      assert.deepEqual(rows, [[150, '10.0.1.0', 443, '123456789012']]);
    } finally {
      await store.close();
    }
  });
});
