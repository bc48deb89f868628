// Issue 9 — S3 + SQS end to end on loopback: CloudFront objects in s3rver, S3 notifications on the
// test SQS server, `packettrail collect` (a child process, as deployed) reading them into DuckDB.
// Reports lines/s from the first receive to the last message deleted, and the collect process's
// peak RSS (VmHWM), which stays bounded however large the objects are.
//
// Usage: npm run build && node bench/collect-s3.js [--objects 20] [--lines 50000] [--threads 2]
//          [--max-concurrent 4] [--receivers 2] [--big-mb 0]
//   --big-mb N   instead: one gzip object of about N MB (the memory test; 100 for the README figure; gen-cloudfront lines gzip to ~103 bytes)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3TestServer } from '../dist/testing/s3-server.js';
import { SqsTestServer } from '../dist/testing/sqs-server.js';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { generateCloudFront } from './gen-cloudfront.js';
import { arg } from './lib.js';

const objects = Number(arg('objects', '20'));
const lines = Number(arg('lines', '50000'));
const threads = Number(arg('threads', '2'));
const maxConcurrent = Number(arg('max-concurrent', '4'));
const receivers = Number(arg('receivers', '2'));
const bigMb = Number(arg('big-mb', '0'));
const root = '/tmp/packettrail-bench-collect-s3';
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const s3 = await S3TestServer.start(join(root, 's3'), ['bench']);
const sqs = await SqsTestServer.start();
const queue = sqs.createQueue('bench');

// Objects: realistic CloudFront lines (bench/gen-cloudfront.js), gzip level 1 like CloudFront.
const plan = bigMb ? [{ lines: Math.round(bigMb * 1_000_000 / 103), seed: 1 }] : Array.from({ length: objects }, (_, i) => ({ lines, seed: i + 1 }));
let totalLines = 0;
let totalBytes = 0;
for (const [i, o] of plan.entries()) {
  const file = join(root, `obj-${i}.gz`);
  await generateCloudFront({ lines: o.lines, out: file, gzip: true, seed: o.seed, start: Date.UTC(2026, 10, 1) + i * 86_400_000 });
  const key = `cf/E2BENCH${String(i).padStart(4, '0')}.2026-11-20-10.${String(i).padStart(8, '0')}.gz`;
  await s3.put('bench', key, readFileSync(file));
  totalBytes += statSync(file).size;
  rmSync(file);
  totalLines += o.lines;
  sqs.send('bench', JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'bench' }, object: { key, size: 1 } } }] }));
}
const db = join(root, 'bench.duckdb');
const config = join(root, 'collect.yml');
writeFileSync(config, [
  `db: ${db}`, `threads: ${threads}`, `max_concurrent: ${maxConcurrent}`, 'inputs:', '  - type: s3-sqs',
  `    queue_url: ${queue}`, `    sqs_endpoint: ${sqs.endpoint}`, `    s3_endpoint: ${s3.endpoint}`,
  `    receivers: ${receivers}`, '    wait_seconds: 1', `    max_objects: ${maxConcurrent}`, '',
].join('\n'));

const child = spawn(process.execPath, [cli, 'collect', '--config', config, '--status-every', '0'], { stdio: ['ignore', 'inherit', 'inherit'] });
let peakKb = 0;
let started = 0;
const sample = () => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  } catch { /* not on Linux, or exited */ }
};
let exited = false;
child.once('exit', () => (exited = true));
for (;;) {
  await new Promise((r) => setTimeout(r, 20));
  if (exited) {
    await Promise.all([s3.close(), sqs.close()]);
    throw new Error('collect exited before the queue was drained');
  }
  sample();
  const c = sqs.counts('bench');
  if (!started && c.inFlight > 0) started = performance.now();
  if (c.total === 0) break;
}
const seconds = (performance.now() - started) / 1000;
child.kill('SIGTERM');
if (!exited) await new Promise((r) => child.once('exit', r));
await Promise.all([s3.close(), sqs.close()]);
const store = await DuckDbStore.open(db, { readOnly: true });
const stored = Number((await store.query('SELECT count(*) FROM events')).rows[0][0]);
await store.close();
console.log(JSON.stringify({
  objects: plan.length, lines: totalLines, gzipMB: +(totalBytes / 1e6).toFixed(1), stored, seconds: +seconds.toFixed(2),
  linesPerSecond: Math.round(totalLines / seconds), peakRssMB: Math.round(peakKb / 1024), threads, maxConcurrent, receivers,
}));
rmSync(root, { recursive: true, force: true });
