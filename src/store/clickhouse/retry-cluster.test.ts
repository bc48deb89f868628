import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { CLI, testStoreUrl } from '../../testing/clickhouse-store.js';
import { cloudFrontGzip } from '../../testing/cloudfront-lines.js';
import { clickhouseRows } from '../../testing/s3sqs-collectors.js';
import { tempDir } from '../../testing/tmp.js';

const skip = clickhouseSkip();
let pair: ClickHouseCluster | undefined;
let dir = '';

before(async () => {
  if (skip) return;
  dir = tempDir('packettrail-ch-retry-');
  pair = await startClickHouse(2);
});
after(async () => {
  await pair?.stop();
});

function ingest(url: string, file: string, name: string) {
  return spawnSync(process.execPath, [CLI, 'ingest', '--store', url, file, '--dead-letter', join(dir, `${name}.dead.ndjson`), '-q', '--no-builtin-rules'], { encoding: 'utf8' });
}

test('a load into a two-shard cluster whose other shard is killed mid-file retries until the shard is back and stores every line once; with retry_limit=0 a writer fails at once', { skip }, async () => {
  const url = testStoreUrl(pair!, 'retry');
  const first = join(dir, 'E2EXAMPLE.2026-11-20-10.first.gz');
  const second = join(dir, 'E2EXAMPLE.2026-11-21-10.second.gz');
  const third = join(dir, 'E2EXAMPLE.2026-11-22-10.third.gz');
  writeFileSync(first, cloudFrontGzip(1_000, { seed: 1 }));
  writeFileSync(second, cloudFrontGzip(20_000, { seed: 2, startMs: Date.UTC(2026, 10, 21) }));
  writeFileSync(third, cloudFrontGzip(100, { seed: 3, startMs: Date.UTC(2026, 10, 22) }));
  // The tables exist on both nodes before the outage (a new table needs every node for its DDL).
  const setup = ingest(url, first, 'first');
  assert.equal(setup.status, 0, setup.stderr);

  // ingest() in loads of 2,000 rows (the crash test's child), through node 0.
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../testing/clickhouse-crash-child.js', import.meta.url)), url, second, join(dir, 'second.dead.ndjson')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const inRange = async () => Number((await clickhouseRows(pair!.nodes[0]!.http, `SELECT count() FROM retry.events_aws_cloudfront WHERE timestamp >= ${Date.UTC(2026, 10, 21) / 1000}`).catch(() => [['0']]))[0]![0]);
  const end = Date.now() + 120_000;
  while ((await inRange()) < 2_000) {
    assert.ok(Date.now() < end && child.exitCode === null, `the ingest got under way: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await pair!.kill(1);
  const down = Date.now();

  const failing = ingest(`${url}&retry_limit=0`, third, 'failing');
  assert.equal(failing.status, 3, `without retries a writer fails while a node is down: ${failing.stderr}`);
  assert.match(failing.stderr, /Connection refused|ECONNREFUSED|All connection tries failed/);

  await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - down))));
  await pair!.restart(1);
  const [code] = (await exited) as [number];
  assert.equal(code, 0, stderr);
  assert.match(stderr, /loading a batch into events_aws_cloudfront failed \(.*\); attempt \d+ in [\d.]+ s/, 'the load was retried');

  for (const node of pair!.nodes) {
    const [[rows, distinct]] = (await clickhouseRows(node.http, 'SELECT count(), uniqExact(event_id) FROM retry.events_aws_cloudfront')) as [[string, string]];
    assert.deepEqual([Number(rows), Number(distinct)], [21_000, 21_000], `every line once, seen from ${node.http}`);
  }
});
