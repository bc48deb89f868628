import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { cloudFrontLog } from '../testing/cloudfront-lines.js';
import { tempDir } from '../testing/tmp.js';
import { CollectPipeline } from './pipeline.js';

async function rows(db: string, sql: string): Promise<unknown[][]> {
  const store = await DuckDbStore.open(db, { readOnly: true });
  try {
    return (await store.query(sql)).rows;
  } finally {
    await store.close();
  }
}

describe('collect pipeline', () => {
  it('stores pushed records with their header, numbers rejected lines within the origin, and stores a repeat once', async () => {
    const dir = tempDir('packettrail-collect-pipeline-');
    const db = join(dir, 'p.duckdb');
    const pipeline = await CollectPipeline.open({ db, deadLetterPath: join(dir, 'dead.ndjson'), threads: 0, maxConcurrent: 2 });
    const [version, fields, ...records] = cloudFrontLog(40).trimEnd().split('\n');
    records.splice(5, 0, 'this is not a CloudFront line');
    const delivery = { source: 'syslog+tcp://10.0.0.5:51234', format: 'aws.cloudfront', lines: records, firstLine: 101, header: [version!, fields!] };
    const first = await pipeline.deliver(delivery);
    assert.deepEqual(first, { records: 41, events: 40, stored: 40, duplicates: 0, rejected: 1 });
    const again = await pipeline.deliver(delivery);
    assert.deepEqual(again, { records: 41, events: 40, stored: 0, duplicates: 40, rejected: 1 });
    await pipeline.deadLetter('http:/intake/aws.waf', 'unknown', [{ line: 0, reason: 'request body is not records', record: '<html>' }]);
    await pipeline.close();
    assert.deepEqual(pipeline.counts, { deliveries: 2, records: 82, events: 80, stored: 40, duplicates: 40, rejected: 2, failedSources: 0 });
    const letters = await rows(db, 'SELECT source, line, reason FROM dead_letters ORDER BY rejected_at, line');
    assert.equal(letters.length, 3);
    assert.deepEqual(letters[0]!.slice(0, 2), ['syslog+tcp://10.0.0.5:51234', 106]);
    assert.deepEqual(letters[2], ['http:/intake/aws.waf', 0, 'request body is not records']);
  });

  it('reads streamed objects (gzip by magic) and reports saturation while deliveries wait', async () => {
    const dir = tempDir('packettrail-collect-pipeline-');
    const db = join(dir, 'p.duckdb');
    const pipeline = await CollectPipeline.open({ db, deadLetterPath: undefined, threads: 1, maxConcurrent: 1 });
    const objects = [1, 2, 3].map((seed) => gzipSync(cloudFrontLog(500, { seed })));
    const pending = objects.map((gz, i) => pipeline.deliverStream({ source: `s3://b/E2EXAMPLE.2026-11-20-1${i}.x.gz`, format: 'auto', size: gz.length, open: async () => Readable.from([gz]) }));
    assert.equal(pipeline.saturated, true, 'one running and two waiting with max_concurrent 1');
    const results = await Promise.all(pending);
    assert.equal(pipeline.saturated, false);
    assert.deepEqual(results.map((r) => r.stored), [500, 500, 500]);
    await pipeline.close();
    const files = await rows(db, 'SELECT path, dataset, stored FROM ingested_files ORDER BY path');
    assert.deepEqual(files[0], ['s3://b/E2EXAMPLE.2026-11-20-10.x.gz', 'aws.cloudfront', 500]);
    await assert.rejects(pipeline.deliver({ source: 'x', format: 'auto', lines: ['a'] }), /closed/);
  });

  it('keeps a pretty-printed JSON document pushed as one record together', async () => {
    const dir = tempDir('packettrail-collect-pipeline-');
    const pipeline = await CollectPipeline.open({ db: join(dir, 'p.duckdb'), deadLetterPath: undefined, threads: 0, maxConcurrent: 1 });
    const doc = JSON.stringify({ '@timestamp': '2026-11-20T10:00:00Z', level: 'info', message: 'login ok', user: 'lee.cole' }, null, 2);
    const result = await pipeline.deliver({ source: 'http:/intake/app.json', format: 'app.json', lines: [doc] });
    await pipeline.close();
    assert.deepEqual([result.records, result.events, result.rejected], [1, 1, 0]);
  });
});
