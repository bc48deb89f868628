import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { tempDir } from '../../testing/tmp.js';
import { CLI, generateScenario, testStoreUrl } from '../../testing/clickhouse-store.js';

const skip = clickhouseSkip();
let pair: ClickHouseCluster | undefined;
let dir = '';

before(async () => {
  if (skip) return;
  dir = tempDir('packettrail-ch-crash-');
  pair = await startClickHouse(2);
});
after(async () => {
  await pair?.stop();
});

async function count(http: string, sql: string): Promise<number> {
  const res = await fetch(`${http}/`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return Number(text.trim());
}

test('kill -9 of an ingest into the two-shard cluster in the middle of a file, then the same ingest again: the store holds each event exactly once', { skip }, async () => {
  // --scale 0.3: ≈ 30,000 internet CloudFront lines in one file.
  const { logs } = generateScenario(join(dir, 'scenario'), ['--scale', '0.3']);
  const cloudfront = join(logs, 'cloudfront');
  const big = readdirSync(cloudfront).map((f) => join(cloudfront, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  const url = testStoreUrl(pair!, 'crash');
  const http = pair!.nodes[0]!.http;
  const table = 'crash.events_aws_cloudfront';
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../testing/clickhouse-crash-child.js', import.meta.url)), url, big, join(dir, 'dl1.ndjson')], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  // Killed once a few loads are in, while more of the file is still to come.
  let before = 0;
  for (let i = 0; i < 3000 && child.exitCode === null; i++) {
    before = await count(http, `SELECT count() FROM ${table}`).catch(() => 0);
    if (before >= 6000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the ingest was killed, not finished');
  const atKill = await count(http, `SELECT count() FROM ${table}`);
  // The restart: packettrail ingest --store, as a user runs it again.
  const rerun = spawnSync(process.execPath, [CLI, 'ingest', '--store', url, big, '--dead-letter', join(dir, 'dl2.ndjson'), '-q'], { encoding: 'utf8' });
  assert.equal(rerun.status, 0, rerun.stderr);
  const events = await count(http, `SELECT count() FROM ${table}`);
  const distinct = await count(http, `SELECT uniqExact(event_id) FROM ${table}`);
  const lines = Number(execFileSync('sh', ['-c', `gzip -dc '${big}' | grep -vc '^#'`], { encoding: 'utf8' }).trim());
  assert.ok(atKill > 0 && atKill < lines, `killed mid-file: ${atKill} of ${lines} stored at the kill`);
  assert.equal(distinct, lines, 'every line of the file is stored');
  assert.equal(events, lines, 'and none twice');
  assert.equal(await count(pair!.nodes[1]!.http, `SELECT count() FROM ${table}`), lines, 'as seen from the other node');
});
