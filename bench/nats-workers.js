// Intake to stored events through NATS JetStream with 1 and 2 workers (issue 26): events/s, CPU-µs
// per event of each process (the intake `collect --to`, every `worker`, nats-server, ClickHouse) and
// the latency from the intake's answer to the events being queryable (p50/p99).
//
//   npx tsc -p tsconfig.json
//   node bench/nats-workers.js [--log /work/bench-data/p/cloudfront-1000000.log] [--lines 200000]
//        [--batch 1000] [--workers 1,2] [--paced-seconds 30] [--node node]
//
// Each run (one per worker count) starts fresh: a single nats-server and a single ClickHouse node
// (loopback, temporary directories, stopped by PID), `packettrail collect --to nats://…` with one HTTP
// intake input, and N `packettrail worker --store clickhouse://…` processes (--threads 1 each).
// 1. Flood: the CloudFront log's first --lines lines are posted in --batch-line requests, 4 at a
//    time, as fast as the intake answers; throughput = lines ÷ (first post → all of them counted in
//    the store); CPU = utime + stime of each process (/proc/PID/stat) over that span ÷ lines.
// 2. Paced: --paced-seconds of one request every interval chosen for half the flood's throughput;
//    every 50 ms the store's count is read; a request's latency is from the intake's 200 to the first
//    count that covers every line posted up to and including it (a bound from above: batches may be
//    stored out of order).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const { startClickHouse } = await import(join(root, 'dist', 'testing', 'clickhouse.js'));
const { startNats } = await import(join(root, 'dist', 'testing', 'nats.js'));
const { tempDir } = await import(join(root, 'dist', 'testing', 'tmp.js'));

const logFile = arg('log', '/work/bench-data/p/cloudfront-1000000.log');
const lineCount = Number(arg('lines', '200000'));
const batch = Number(arg('batch', '1000'));
const workerCounts = arg('workers', '1,2').split(',').map(Number);
const pacedSeconds = Number(arg('paced-seconds', '30'));
const nodeBin = arg('node', process.execPath);
const KEY = 'k-bench-0123456789abcdef';
const CLK_TCK = 100;
const TABLE = 'events_aws_cloudfront';

const all = readFileSync(logFile, 'utf8').split('\n');
const header = all.filter((l) => l.startsWith('#'));
const body = all.filter((l) => l && !l.startsWith('#'));
if (body.length < lineCount) throw new Error(`${logFile} has ${body.length} lines, fewer than --lines ${lineCount}`);

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function run(args, ready) {
  const child = spawn(nodeBin, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const end = Date.now() + 120_000;
    const check = () => {
      const m = ready.exec(out);
      if (m) return resolve({ child, match: m, output: () => out });
      if (child.exitCode !== null || Date.now() > end) return reject(new Error(`packettrail ${args[0]} did not start:\n${out}`));
      setTimeout(check, 50);
    };
    check();
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

async function count(http, database) {
  const res = await fetch(`${http}/?query=${encodeURIComponent(`SELECT count() FROM ${database}.${TABLE}`)}`, { method: 'POST' });
  const text = await res.text();
  return res.ok ? Number(text.trim()) : 0;
}

function post(port, lines) {
  const body = [...header, ...lines].join('\n');
  return fetch(`http://127.0.0.1:${port}/intake/aws.cloudfront`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}` } }).then(async (r) => {
    if (r.status !== 200) throw new Error(`intake answered ${r.status}: ${await r.text()}`);
  });
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function benchRun(workers) {
  const nats = await startNats(1);
  const house = await startClickHouse(1);
  const database = `bench${workers}`;
  const store = house.storeUrl(database);
  const dir = tempDir('packettrail-bench-nats-');
  const config = join(dir, 'intake.yml');
  writeFileSync(config, `db: ${join(dir, 'intake.duckdb')}\ninputs:\n  - type: http\n    port: 0\n    keys: [${KEY}]\n`);
  const stream = `BENCH${workers}`;
  const procs = [];
  try {
    execFileSync(nodeBin, [cli, 'store', 'init', '--store', store], { stdio: 'ignore' });
    const collect = await run(['collect', '--config', config, '--to', nats.url, '--stream', stream, '--status-every', '0'], /listening on http:\/\/127\.0\.0\.1:(\d+)\/intake/);
    procs.push({ name: 'intake (collect --to)', child: collect.child });
    const port = Number(collect.match[1]);
    for (let i = 0; i < workers; i++) {
      const w = spawn(nodeBin, [cli, 'worker', '--from', nats.url, '--store', store, '--stream', stream, '--no-builtin-rules', '--threads', '1', '--status-every', '0'], { stdio: 'ignore' });
      procs.push({ name: `worker ${i + 1}`, child: w });
    }
    // One warm-up request (tables created, connections open), not counted.
    await post(port, body.slice(0, 100));
    while ((await count(house.http, database)) < 100) await new Promise((r) => setTimeout(r, 100));
    const base = 100;
    const pids = [...procs.map((p) => ({ name: p.name, pid: p.child.pid })), { name: 'nats-server', pid: nats.nodes[0].pid }, { name: 'clickhouse-server', pid: house.nodes[0].pid }];
    const cpu0 = pids.map((p) => cpuSeconds(p.pid));
    // 1. Flood.
    const lines = body.slice(100, 100 + lineCount);
    const start = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < lines.length) {
        const from = next;
        next += batch;
        await post(port, lines.slice(from, from + batch));
      }
    }));
    const accepted = performance.now();
    while ((await count(house.http, database)) < base + lineCount) await new Promise((r) => setTimeout(r, 50));
    const stored = performance.now();
    const cpu1 = pids.map((p) => cpuSeconds(p.pid));
    const seconds = (stored - start) / 1000;
    const rate = lineCount / seconds;
    const flood = { lines: lineCount, acceptedSeconds: (accepted - start) / 1000, storedSeconds: seconds, eventsPerSecond: rate, cpuMicrosPerEvent: Object.fromEntries(pids.map((p, i) => [p.name, ((cpu1[i] - cpu0[i]) * 1e6) / lineCount])) };
    // 2. Paced at half the flood's rate: latency from the intake's answer to queryable.
    const paced = body.slice(100 + lineCount);
    const interval = (batch / (rate / 2)) * 1000;
    const posted = [];
    let total = base + lineCount;
    const pacedEnd = performance.now() + pacedSeconds * 1000;
    let offset = 0;
    const counts = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        counts.push({ at: performance.now(), n: await count(house.http, database) });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    while (performance.now() < pacedEnd && offset + batch <= paced.length) {
      const t = performance.now();
      await post(port, paced.slice(offset, offset + batch));
      offset += batch;
      total += batch;
      posted.push({ at: performance.now(), upTo: total });
      const wait = interval - (performance.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    while ((await count(house.http, database)) < total) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    polling = false;
    await poller;
    const latencies = posted.map((p) => {
      const seen = counts.find((c) => c.at >= p.at && c.n >= p.upTo);
      return seen ? seen.at - p.at : NaN;
    }).filter(Number.isFinite).sort((a, b) => a - b);
    return { workers, flood, paced: { requests: posted.length, linesPerSecond: rate / 2, p50Ms: pct(latencies, 0.5), p99Ms: pct(latencies, 0.99), maxMs: latencies.at(-1) } };
  } finally {
    for (const p of procs) await stop(p.child);
    await nats.stop();
    await house.stop();
  }
}

const results = [];
for (const workers of workerCounts) {
  const r = await benchRun(workers);
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
process.stdout.write(`node ${process.versions.node} (workers: ${nodeBin}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
for (const r of results) {
  const cpu = Object.entries(r.flood.cpuMicrosPerEvent).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  process.stdout.write(`${r.workers} worker(s): ${Math.round(r.flood.eventsPerSecond).toLocaleString('en')} events/s stored (${r.flood.lines.toLocaleString('en')} in ${r.flood.storedSeconds.toFixed(1)} s; accepted in ${r.flood.acceptedSeconds.toFixed(1)} s); CPU-µs/event: ${cpu}; paced at ${Math.round(r.paced.linesPerSecond)} lines/s: p50 ${r.paced.p50Ms?.toFixed(0)} ms, p99 ${r.paced.p99Ms?.toFixed(0)} ms\n`);
}
