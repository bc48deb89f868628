import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { dayNumber, retentionCutoff } from '../store/retention.js';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../testing/clickhouse.js';
import { CLI, testStoreUrl } from '../testing/clickhouse-store.js';
import { tempDir } from '../testing/tmp.js';

const run = promisify(execFile);
const skip = clickhouseSkip();
const DAY = 86_400_000;
const RETENTION_DAYS = 3;
let single: ClickHouseCluster | undefined;
let pair: ClickHouseCluster | undefined;
let dir = '';
let flows = '';

/** VPC flow records at noon UTC of each of the last six days, a different count per day (10 + days ago). */
function writeFlows(path: string, now: number): Map<number, number> {
  const lines = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  const perDay = new Map<number, number>();
  for (let ago = 0; ago < 6; ago++) {
    const noon = Math.floor((now - ago * DAY) / DAY) * DAY + DAY / 2;
    const n = 10 + ago;
    perDay.set(dayNumber(noon), n);
    for (let i = 0; i < n; i++) {
      const start = Math.floor(noon / 1000) + i;
      lines.push(`2 123456789012 eni-1 10.0.${ago}.${i + 1} 10.0.0.2 443 ${40000 + i} 6 10 840 ${start} ${start + 60} ACCEPT OK`);
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return perDay;
}

before(async () => {
  if (skip) return;
  dir = tempDir('packettrail-store-cmd-');
  flows = join(dir, 'flows.log');
  single = await startClickHouse(1);
  pair = await startClickHouse(2);
});

after(async () => {
  await single?.stop();
  await pair?.stop();
});

async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, PACKETTRAIL_STORE: '' }, maxBuffer: 64 << 20 });
}

async function nodeSql(http: string, sql: string): Promise<string> {
  const res = await fetch(`${http}/`, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: ${text}`);
  return text.trim();
}

/** Events per day (YYYYMMDD → count) held by one ClickHouse node's table. */
async function daysOnNode(http: string, table: string): Promise<Map<number, number>> {
  const text = await nodeSql(http, `SELECT toYYYYMMDD(toDateTime(toUInt32(timestamp))) AS d, count() FROM ${table} GROUP BY d ORDER BY d FORMAT TabSeparated`);
  return new Map(text ? text.split('\n').map((l) => l.split('\t').map(Number) as [number, number]) : []);
}

function sum(maps: Map<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of maps) for (const [d, n] of m) out.set(d, (out.get(d) ?? 0) + n);
  return new Map([...out].sort(([a], [b]) => a - b));
}

async function daysInDuckDb(path: string): Promise<Map<number, number>> {
  const store = await DuckDbStore.open(path, { readOnly: true });
  try {
    const r = await store.query(`SELECT CAST(strftime(timestamp, '%Y%m%d') AS INTEGER) AS d, count(*) FROM events_aws_vpcflow GROUP BY d ORDER BY d`);
    return new Map(r.rows.map(([d, n]) => [Number(d), Number(n)]));
  } finally {
    await store.close();
  }
}

test('store init creates the schema on every node once; retention drops the same whole days from one node, two shards and DuckDB', { skip }, async () => {
  const now = Date.now();
  const perDay = writeFlows(flows, now);
  const duck = join(dir, 'store.duckdb');
  const one = testStoreUrl(single!, 'kept');
  const two = testStoreUrl(pair!, 'kept');

  // init, twice: the second run creates nothing.
  for (const store of [duck, one, two]) {
    const first = (await cli(['store', 'init', '--store', store])).stdout;
    assert.match(first, /created table events_aws_cloudfront/, first);
    assert.match(first, /created (table|view) events\b/, first);
    for (const t of ['alerts', 'alert_changes', 'dead_letters', 'ingested_files', 'packettrail_settings']) assert.match(first, new RegExp(`created table ${t}\\b`), `${t}: ${first}`);
    const again = (await cli(['store', 'init', '--store', store])).stdout;
    assert.doesNotMatch(again, /created table|added \d+ columns/, again);
    assert.match(again, /rebuilt view events/);
  }
  const pairInit = (await cli(['store', 'init', '--store', two])).stdout;
  for (const n of pair!.nodes) assert.match(pairInit, new RegExp(`127\\.0\\.0\\.1:${n.httpPort}:`), 'every node reported');
  for (const n of pair!.nodes) {
    const tables = await nodeSql(n.http, `SELECT name FROM system.tables WHERE database = 'kept' ORDER BY name FORMAT TabSeparated`);
    for (const t of ['events', 'events_aws_cloudfront', 'events_aws_cloudfront_local', 'ingested_files_local', 'packettrail_settings', 'packettrail_settings_local']) assert.ok(tables.split('\n').includes(t), `${t} on ${n.http}`);
  }

  for (const store of [duck, one, two]) await cli(['ingest', '--store', store, '--format', 'aws.vpcflow', '--quiet', flows]);
  const all = sum(pair!.nodes.length ? await Promise.all(pair!.nodes.map((n) => daysOnNode(n.http, 'kept.events_aws_vpcflow_local'))) : []);
  assert.deepEqual(all, perDay, 'six days on the two shards before retention');
  assert.deepEqual(await daysInDuckDb(duck), perDay);

  // --retention stored by init; a dry run drops nothing.
  const firstKept = dayNumber(retentionCutoff(RETENTION_DAYS, now));
  const expected = new Map([...perDay].filter(([d]) => d >= firstKept));
  assert.equal(expected.size, 4);
  for (const store of [duck, one, two]) {
    assert.match((await cli(['store', 'init', '--store', store, '--retention', `${RETENTION_DAYS}d`])).stdout, /set retention to 3 days/);
    const dry = (await cli(['store', 'retention', '--store', store, '--dry-run'])).stdout;
    assert.match(dry, /would drop/, dry);
  }
  assert.deepEqual(await daysInDuckDb(duck), perDay, 'a dry run keeps every day');
  for (const store of [duck, one, two]) {
    const out = (await cli(['store', 'retention', '--store', store])).stdout;
    assert.match(out, /dropped (\d+) rows/, out);
    assert.equal(Number(/dropped (\d+) rows in/.exec(out)![1]), 14 + 15, out);
  }
  assert.deepEqual(await daysInDuckDb(duck), expected, 'DuckDB keeps the days within the retention');
  assert.deepEqual(await daysOnNode(single!.nodes[0]!.http, 'kept.events_aws_vpcflow'), expected, 'single node');
  const perNode = await Promise.all(pair!.nodes.map((n) => daysOnNode(n.http, 'kept.events_aws_vpcflow_local')));
  for (const m of perNode) for (const d of m.keys()) assert.ok(d >= firstKept, `day ${d} left on a shard`);
  assert.deepEqual(sum(perNode), expected, 'the two shards together');
  assert.deepEqual(await daysOnNode(pair!.nodes[0]!.http, 'kept.events_aws_vpcflow'), expected, 'through the Distributed table');

  // An ingest into ClickHouse applies the stored retention: the old days it brings back are dropped again.
  const re = await cli(['ingest', '--store', two, '--format', 'aws.vpcflow', flows]);
  assert.match(re.stderr, /dropped 29 rows in/, re.stderr);
  assert.deepEqual(sum(await Promise.all(pair!.nodes.map((n) => daysOnNode(n.http, 'kept.events_aws_vpcflow_local')))), expected);
});

test('store init and retention name what they expected', async () => {
  const bad = await cli(['store', 'init', '--retention', '90 days', '--db', join(tempDir('packettrail-store-bad-'), 'x.duckdb')]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 2);
  assert.match((bad as { stderr: string }).stderr, /--retention must be a number of days .* \(e\.g\. 90d\), got '90 days'/);
  const none = await cli(['store', 'retention', '--db', join(tempDir('packettrail-store-none-'), 'absent.duckdb')]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((none as { code: number }).code, 3);
  assert.match((none as { stderr: string }).stderr, /absent\.duckdb does not exist \(packettrail store init/);
});

test('store init names the node that failed', { skip }, async () => {
  const down = `clickhouse://127.0.0.1:${single!.nodes[0]!.httpPort}/kept?cluster=logs&nodes=127.0.0.1:${single!.nodes[0]!.httpPort},127.0.0.1:1`;
  const r = await cli(['store', 'init', '--store', down]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((r as { code: number }).code, 3);
  assert.match((r as { stderr: string }).stderr, /node 127\.0\.0\.1:1: /);
});
