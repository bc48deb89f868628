import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { clickhouseSkip, startClickHouse, type ClickHouseCluster } from '../../testing/clickhouse.js';
import { CLI, generateScenario, testStoreUrl } from '../../testing/clickhouse-store.js';
import { cloudFrontGzip } from '../../testing/cloudfront-lines.js';
import { S3TestServer } from '../../testing/s3-server.js';
import { SqsTestServer } from '../../testing/sqs-server.js';
import { tempDir } from '../../testing/tmp.js';
import {
  clickhouseRows, s3Notification, startCollector, stopCollector, storeContents, uploadTree, waitUntil, writeCollectConfig, type Collector,
} from '../../testing/s3sqs-collectors.js';

/**
 * Scale-out failure tests (issue 26): several `packettrail collect` processes on one SQS queue,
 * storing into one two-shard ClickHouse cluster, against a run of one process over the same objects.
 * Each ends with exact counts: every dataset's events and the alerts, stored once.
 */

const skip = clickhouseSkip();
const BUCKET = 'logs';
/** The large object: CloudFront lines on a day of their own, so its progress can be counted. */
const LARGE = 40_000;
const LARGE_START_MS = Date.UTC(2026, 10, 22);
const LARGE_KEY = 'cf/E2EXAMPLE.2026-11-22-00.large001.gz';
/** How long a whole run of the scenario may take through collect on a loaded 2-core machine. */
const RUN_TIMEOUT_MS = 420_000;
/** How long the shard stays down. */
const OUTAGE_MS = 30_000;

let s3: S3TestServer;
let sqs: SqsTestServer;
let pair: ClickHouseCluster;
let dir = '';
let keys: string[] = [];
let reference: Awaited<ReturnType<typeof storeContents>>;
const running: Collector[] = [];

/** Events stored so far from the large object (its own day), through node 0. */
const largeStored = async (database: string): Promise<number> => {
  const rows = await clickhouseRows(pair.nodes[0]!.http, `SELECT count() FROM ${database}.events_aws_cloudfront WHERE timestamp >= ${LARGE_START_MS / 1000}`).catch(() => [['0']]);
  return Number(rows[0]?.[0] ?? 0);
};

function announce(queue: string): void {
  for (const key of keys) sqs.send(queue, s3Notification(BUCKET, key));
}

/**
 * Several collectors share detection through the store (src/detect/shared/): each stores its rule
 * matches, and one correlation pass at the end raises the alerts (suppression and correlations
 * decided on every stored match, whichever process stored it), as a scheduled pass would.
 */
const SHARED = ['--shared-detection'];

async function start(name: string, config: string, args: readonly string[] = SHARED): Promise<Collector> {
  const c = await startCollector(name, config, args);
  running.push(c);
  return c;
}

before(async () => {
  if (skip) return;
  dir = tempDir('packettrail-scale-out-');
  [s3, sqs, pair] = await Promise.all([S3TestServer.start(join(dir, 's3'), [BUCKET]), SqsTestServer.start(), startClickHouse(2)]);
  // The demo scenario (every format, alerts from the built-in rules) and one large CloudFront object.
  const { logs } = generateScenario(join(dir, 'scenario'), ['--scale', '0.3']);
  keys = await uploadTree(s3, BUCKET, logs);
  await s3.put(BUCKET, LARGE_KEY, cloudFrontGzip(LARGE, { seed: 26, startMs: LARGE_START_MS }));
  keys.splice(Math.floor(keys.length / 3), 0, LARGE_KEY);

  // The reference: one collect process reads every object.
  const queueUrl = sqs.createQueue('single');
  const single = await start('single', writeCollectConfig(join(dir, 'single.yml'), { store: testStoreUrl(pair, 'single'), queueUrl, sqs, s3, deadLetter: join(dir, 'single.dead.ndjson') }), []);
  announce('single');
  await waitUntil('the one-process run', () => sqs.counts('single').total === 0, RUN_TIMEOUT_MS, [single]);
  assert.equal(await stopCollector(single), 0, single.output());
  reference = await storeContents(pair.nodes[0]!.http, 'single');
});

after(async () => {
  await Promise.all(running.map((c) => (c.child.exitCode === null && c.child.signalCode === null ? (c.child.kill('SIGKILL'), once(c.child, 'exit')) : undefined)));
  await Promise.all([s3?.close(), sqs?.close(), pair?.stop()]);
});

/** The final correlation pass over what the collectors stored (`packettrail detect --correlate --final`). */
async function correlate(store: string): Promise<void> {
  const run = spawn(process.execPath, [CLI, 'detect', '--correlate', '--final', '--skip-analyses', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  run.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(run, 'exit')) as [number];
  assert.equal(code, 0, `detect --correlate:\n${out}`);
}

/** What each multi-process run stored, for the alert comparisons at the end. */
const outcomes = new Map<string, Awaited<ReturnType<typeof storeContents>>>();

/** Every event of the input once, as in the one-process run, and no alert twice. */
function assertSameEvents(got: Awaited<ReturnType<typeof storeContents>>, what: string): void {
  assert.deepEqual(got.datasets, reference.datasets, `${what}: events per dataset (dataset, rows, distinct ids) as the one-process run`);
  for (const [dataset, rows, distinct] of got.datasets) assert.equal(rows, distinct, `${what}: no event of ${dataset} stored twice`);
  assert.equal(got.alerts.rows, got.alerts.distinct, `${what}: no alert stored twice`);
}

/** Each alert as `rule id + key + count of its events`, sorted: what an alert says, whichever event a group kept. */
async function alertGroups(database: string): Promise<string[]> {
  return (await clickhouseRows(pair.nodes[0]!.http, `SELECT rule_id, key, length(event_ids) FROM ${database}.alerts ORDER BY rule_id, key`)).map((r) => r.join(' '));
}

/**
 * The alerts of a multi-process run against the one-process run's. Per-event rules give the same
 * alerts wherever an event is read; duplicate suppression and Sigma correlations are decided by the
 * correlation pass over the matches every collector stored (SHARED), so the same groups alert, and a
 * killed collector loses nothing it held (its matches are in the store). Which event a suppressed
 * group keeps differs by design: one process keeps the first it reads (the queue's order), the pass
 * the earliest by event time (the same in every multi-process run: compared across the two runs).
 */
async function compareAlerts(t: { diagnostic(message: string): void }, database: string): Promise<void> {
  const got = outcomes.get(database);
  assert.ok(got, `the ${database} run stored its events`);
  const [mine, theirs] = [await alertGroups(database), await alertGroups('single')];
  t.diagnostic(`${database}: ${got.alerts.rows} alerts, reference ${reference.alerts.rows}; extra: ${mine.filter((g) => !theirs.includes(g)).join('; ') || 'none'}; missing: ${theirs.filter((g) => !mine.includes(g)).join('; ') || 'none'}`);
  assert.deepEqual(mine, theirs, `${database}: the same alerts (rule, key, events) as the one-process run`);
  const other = outcomes.get(database === 'shared' ? 'outage' : 'shared');
  if (other) assert.deepEqual(got.alerts.ids, other.alerts.ids, 'two multi-process runs (different processes, kills and outages) store alerts with the same ids');
}

describe('scale-out collect: several processes on one SQS queue into one ClickHouse cluster', { skip }, () => {
  it('the one-process reference holds every input line once and raised alerts', () => {
    const cloudfront = reference.datasets.find(([d]) => d === 'aws.cloudfront');
    assert.ok(cloudfront && Number(cloudfront[1]) > LARGE, `the large object is in the reference: ${JSON.stringify(reference.datasets)}`);
    assert.ok(reference.alerts.rows > 0, 'the scenario raises alerts');
  });

  it('two collectors, one killed -9 in the middle of a large object: 0 lost, 0 duplicated events, no alert twice', async (t) => {
    const queueUrl = sqs.createQueue('shared');
    const config = writeCollectConfig(join(dir, 'shared.yml'), { store: testStoreUrl(pair, 'shared'), queueUrl, sqs, s3, deadLetter: join(dir, 'shared.dead.ndjson') });
    const a = await start('collector-a', config);
    const b = await start('collector-b', config);
    announce('shared');
    const large = JSON.stringify(LARGE_KEY);
    // Killed once part of the large object is stored and the rest is still to come.
    let holder: string | undefined;
    let atKill = 0;
    await waitUntil('a collector in the middle of the large object', async () => {
      holder = sqs.holder('shared', large);
      atKill = holder ? await largeStored('shared') : 0;
      return atKill >= 4_000;
    }, RUN_TIMEOUT_MS, [a, b]);
    const victim = holder === a.name ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    const victimAcknowledged = sqs.deletedBy.get(victim.name) ?? 0;
    assert.ok(atKill < LARGE, `killed mid-object: ${atKill} of ${LARGE} stored`);
    // The killed collector is started again, as its supervisor would; the large object's message
    // returns to one of them when its visibility timeout ends.
    const restarted = await start(`${victim.name}-restarted`, config);
    await waitUntil('the queue to empty', () => sqs.counts('shared').total === 0, RUN_TIMEOUT_MS, [survivor, restarted]);
    assert.equal(await stopCollector(survivor), 0, survivor.output());
    assert.equal(await stopCollector(restarted), 0, restarted.output());

    await correlate(testStoreUrl(pair, 'shared'));
    const shared = await storeContents(pair.nodes[0]!.http, 'shared');
    outcomes.set('shared', shared);
    assertSameEvents(shared, 'two collectors, one killed');
    const perProcess = Object.fromEntries(sqs.deletedBy);
    t.diagnostic(`messages acknowledged per process: ${JSON.stringify(perProcess)}; ${victim.name} killed with ${atKill} of ${LARGE} large-object events stored`);
    assert.ok((sqs.deletedBy.get(survivor.name) ?? 0) > 0, `the survivor acknowledged objects: ${JSON.stringify(perProcess)}`);
    assert.ok(victimAcknowledged + (sqs.deletedBy.get(restarted.name) ?? 0) > 0, `the other collector (before its kill or restarted) acknowledged objects: ${JSON.stringify(perProcess)}`);
    assert.equal(victimAcknowledged + (sqs.deletedBy.get(survivor.name) ?? 0) + (sqs.deletedBy.get(restarted.name) ?? 0), keys.length, 'every message acknowledged once');
  });

  it('a shard killed for 30 s mid-ingest: loads retry with back-off; past its retry limit a delivery fails unacknowledged and is stored later', async (t) => {
    const queueUrl = sqs.createQueue('outage');
    const nodes = pair.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',');
    // A speaks to node 0 (the other shard goes away under its inserts: 18.16's distributed send fails);
    // B speaks to node 1 itself (connections refused), with a retry limit far shorter than the outage.
    const configA = writeCollectConfig(join(dir, 'outage-a.yml'), { store: `clickhouse://127.0.0.1:${pair.nodes[0]!.httpPort}/outage?cluster=logs&nodes=${nodes}`, queueUrl, sqs, s3, deadLetter: join(dir, 'outage-a.dead.ndjson') });
    const configB = writeCollectConfig(join(dir, 'outage-b.yml'), { store: `clickhouse://127.0.0.1:${pair.nodes[1]!.httpPort}/outage?cluster=logs&nodes=${nodes}&retry_limit=3`, queueUrl, sqs, s3, deadLetter: join(dir, 'outage-b.dead.ndjson') });
    const a = await start('outage-a', configA);
    const b = await start('outage-b', configB);
    announce('outage');
    await waitUntil('ingest under way', async () => (await largeStored('outage')) > 0 || Number((await clickhouseRows(pair.nodes[0]!.http, 'SELECT count() FROM outage.events').catch(() => [['0']]))[0]![0]) >= 2_000, RUN_TIMEOUT_MS, [a, b]);
    await pair.kill(1);
    const down = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await pair.restart(1);
    t.diagnostic(`node 1 down for ${((Date.now() - down) / 1000).toFixed(1)} s`);
    await waitUntil('the queue to empty', () => sqs.counts('outage').total === 0, RUN_TIMEOUT_MS, [a, b]);
    assert.equal(await stopCollector(a), 0, a.output());
    assert.equal(await stopCollector(b), 0, b.output());

    await correlate(`clickhouse://127.0.0.1:${pair.nodes[0]!.httpPort}/outage?cluster=logs&nodes=${nodes}`);
    const outage = await storeContents(pair.nodes[0]!.http, 'outage');
    outcomes.set('outage', outage);
    assertSameEvents(outage, 'a shard killed for 30 s');
    // A rode the outage out inside its loads: store retries, no delivery failed.
    assert.match(a.output(), /failed \(.*\); attempt \d+ in [\d.]+ s/, `A's writes were retried:\n${a.output()}`);
    // (A message of A may still be retried for another reason: two collectors adding the same
    // columns to a table at once can fail a load with "Unknown identifier", and the SQS retry stores it.)
    assert.doesNotMatch(a.output(), /retry limit reached/, `no delivery of A failed on the outage:\n${a.output()}`);
    // B gave up after its 3 s: the delivery failed, its message was not acknowledged and came back.
    assert.match(b.output(), /retry limit reached/, b.output());
    assert.match(b.output(), /retried in \d+ s/, b.output());
    t.diagnostic(`messages acknowledged per process: ${JSON.stringify(Object.fromEntries(sqs.deletedBy))}`);
  });

  it('two collectors, one killed: the same alerts as one process', (t) => compareAlerts(t, 'shared'));
  it('a shard killed for 30 s: the same alerts as one process', (t) => compareAlerts(t, 'outage'));
});
