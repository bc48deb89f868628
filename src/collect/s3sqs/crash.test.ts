import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { S3TestServer } from '../../testing/s3-server.js';
import { SqsTestServer } from '../../testing/sqs-server.js';
import { cloudFrontGzip } from '../../testing/cloudfront-lines.js';
import { tempDir } from '../../testing/tmp.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const BUCKET = 'crash';
const SMALL = 3_000;
const LARGE = 20_000;

let s3: S3TestServer;
let sqs: SqsTestServer;
let dir: string;

function notification(key: string): string {
  return JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: { key, size: 1 } } }] });
}

/** Starts `packettrail collect`; resolves once its input is receiving. */
async function startCollect(config: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'collect', '--config', config, '--status-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 15_000;
  while (!/receiving from/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`collect did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

before(async () => {
  dir = tempDir('packettrail-crash-');
  [s3, sqs] = await Promise.all([S3TestServer.start(join(dir, 's3'), [BUCKET]), SqsTestServer.start()]);
});

after(async () => {
  await Promise.all([s3?.close(), sqs?.close()]);
});

describe('collect survives kill -9', () => {
  it('loses nothing and stores nothing twice when killed in the middle of a large object and started again', async () => {
    const queue = sqs.createQueue('crash');
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-10.small001.gz', cloudFrontGzip(SMALL, { seed: 100 }));
    await s3.put(BUCKET, 'cf/E2EXAMPLE.2026-11-20-11.large001.gz', cloudFrontGzip(LARGE, { seed: 101, startMs: Date.UTC(2026, 10, 21) }));
    sqs.send('crash', notification('cf/E2EXAMPLE.2026-11-20-10.small001.gz'));
    sqs.send('crash', notification('cf/E2EXAMPLE.2026-11-20-11.large001.gz'));
    const db = join(dir, 'crash.duckdb');
    const config = join(dir, 'collect.yml');
    writeFileSync(
      config,
      `db: ${db}\nthreads: 1\nmax_concurrent: 1\nstore_batch_rows: 5000\ndetection: {builtin_rules: false}\ninputs:\n  - type: s3-sqs\n    queue_url: ${queue}\n` +
        `    sqs_endpoint: ${sqs.endpoint}\n    s3_endpoint: ${s3.endpoint}\n    receivers: 1\n    wait_seconds: 1\n    visibility_timeout: 30\n    max_objects: 1\n    retry_seconds: 0\n`,
    );

    const first = await startCollect(config);
    try {
      // Kill once the small object is done (its message deleted) and a part of the large one is
      // stored. DuckDB writes a load's rows to its write-ahead log as it goes (about 800 bytes per
      // CloudFront row) and commits at the end: once the log has grown by 7 MB, the first load of
      // the large object (about 6,600 rows: whole 1 MiB chunks up to store_batch_rows) is committed
      // and the second is under way. A checkpoint empties the log: then something was committed too.
      const wal = () => statSync(`${db}.wal`, { throwIfNoEntry: false })?.size ?? -1;
      const end = Date.now() + 40_000;
      const waitFor = async (what: string, ok: () => boolean) => {
        while (!ok()) {
          assert.ok(Date.now() < end && first.child.exitCode === null, `collect did not get to ${what}:\n${first.output()}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await waitFor('the large object', () => sqs.counts('crash').total === 1 && sqs.counts('crash').inFlight === 1);
      const walBefore = wal();
      await waitFor('a stored part of the large object', () => wal() > walBefore + 7_000_000 || (walBefore > 0 && wal() >= 0 && wal() < walBefore));
    } finally {
      first.child.kill('SIGKILL');
    }
    if (first.child.exitCode === null) await once(first.child, 'exit');
    assert.equal(sqs.counts('crash').total, 1, 'killed while the large object was being read (its message not deleted)');

    // The message reappears when its visibility timeout ends: here at once.
    sqs.expireVisibility('crash');
    const second = await startCollect(config);
    let code: number | null;
    try {
      const end2 = Date.now() + 60_000;
      while (sqs.counts('crash').total !== 0) {
        assert.ok(Date.now() < end2 && second.child.exitCode === null, `the restarted collect did not finish (queue ${JSON.stringify(sqs.counts('crash'))}):\n${second.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      second.child.kill('SIGTERM');
      [code] = (await once(second.child, 'exit')) as [number];
    }
    assert.equal(code, 0, second.output());
    const duplicates = Number(/(\d+) duplicates/.exec(second.output())?.[1]);
    assert.ok(duplicates > 0 && duplicates < LARGE, `the restart found part of the large object already stored (${duplicates} duplicates):\n${second.output()}`);

    const store = await DuckDbStore.open(db, { readOnly: true });
    try {
      const { rows } = await store.query('SELECT count(*), count(DISTINCT event_id), count(DISTINCT http_request_id) FROM events');
      assert.deepEqual(rows[0], [SMALL + LARGE, SMALL + LARGE, SMALL + LARGE], 'every record stored exactly once');
    } finally {
      await store.close();
    }
  });
});
