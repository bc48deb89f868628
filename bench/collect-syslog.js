// Benchmark: syslog over TCP into `packettrail collect`'s pipeline, PAN-OS TRAFFIC lines (RFC 3164
// header, octet-counted frames). A child process sends N messages as fast as the connection takes
// them (TCP backpressure: the collector pauses reading while its pipeline is saturated); the
// figure is messages/s from the first byte sent to the last event stored, and the store is then
// counted against what was sent (none may be lost).
// `--intake count` replaces the pipeline by a counter: the syslog input alone (framing, header,
// routing, batching), without parsing and storing.
// Usage: npm run build && node bench/collect-syslog.js [--lines 500000] [--threads N] [--batch-lines 1000]
//        [--batch-ms 200] [--connections 1] [--intake pipeline|count] [--keep]
import { mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);

/** Child process: sends the file's lines, octet-counted, over `connections` TCP connections (round robin per chunk). */
async function sender(port, file, connections) {
  const sockets = await Promise.all(Array.from({ length: connections }, async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  }));
  const startedAt = Date.now();
  const started = performance.now();
  let sent = 0;
  let rest = '';
  let turn = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + chunk;
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n').filter(Boolean);
    sent += lines.length;
    const socket = sockets[turn++ % sockets.length];
    if (!socket.write(lines.map((m) => `${Buffer.byteLength(m)} ${m}`).join(''))) await once(socket, 'drain');
  }
  if (rest) {
    sent++;
    sockets[0].write(`${Buffer.byteLength(rest)} ${rest}`);
  }
  await Promise.all(sockets.map(async (s) => {
    s.end();
    await once(s, 'close');
  }));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ sent, seconds, startedAt }));
}

async function main() {
  const count = Number(arg('lines', '500000'));
  const threads = Number(arg('threads', String(Math.max(1, cpus().length))));
  const mode = arg('intake', 'pipeline');
  const connections = Number(arg('connections', '1'));
  const { generatePanosTraffic } = await import('./panos.js');
  const { syslogInputType } = await import(dist('collect/syslog/input-type.js'));
  const { CollectPipeline } = await import(dist('collect/pipeline.js'));
  const { DuckDbStore } = await import(dist('store/duckdb/duckdb-store.js'));
  const { collectLog } = await import(dist('collect/log.js'));
  collectLog.quiet = true;

  const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-syslog-'));
  const file = join(dir, 'panos.log');
  const db = join(dir, 'collect.duckdb');
  try {
    await generatePanosTraffic({ lines: count, out: file });
    let received = 0;
    const counter = {
      saturated: false,
      async deliver(d) { received += d.lines.length; return { records: d.lines.length, events: 0, stored: 0, duplicates: 0, rejected: 0 }; },
      async deliverStream() { throw new Error('not used'); },
    };
    const pipeline = mode === 'pipeline' ? await CollectPipeline.open({ db, deadLetterPath: join(dir, 'dead.ndjson'), threads, maxConcurrent: Math.max(2, threads) }) : undefined;
    const issues = [];
    const input = syslogInputType.create({
      type: 'syslog', name: 'bench', tcp: 0, default: 'panw.panos',
      batch_lines: Number(arg('batch-lines', '1000')), batch_ms: Number(arg('batch-ms', '200')),
    }, 'bench', issues);
    if (!input) throw new Error(JSON.stringify(issues));
    await input.start(pipeline ?? counter);
    const load = loadavg()[0];
    const cpu0 = process.cpuUsage();
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sender', String(input.addresses.tcp.port), file, String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`sender exited with ${code}`);
    const sent = JSON.parse(out);
    const done = () => (pipeline ? pipeline.counts.records : received) >= count;
    while (!done()) await new Promise((r) => setTimeout(r, 5));
    // From the sender's first connection (not its start-up) to the last record handled.
    const seconds = (Date.now() - sent.startedAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    await input.stop();
    let stored = received;
    if (pipeline) {
      await pipeline.close();
      const store = await DuckDbStore.open(db, { readOnly: true });
      stored = Number((await store.query('SELECT count(*) FROM events_panw_panos')).rows[0][0]);
      await store.close();
    }
    const c = input.counts;
    console.log(`command: node bench/collect-syslog.js --lines ${count} --threads ${threads} --intake ${mode} --connections ${connections}`);
    console.log(`syslog/TCP → ${mode === 'pipeline' ? 'PAN-OS parse → DuckDB' : 'counting intake'}: ${count.toLocaleString('en-US')} messages in ${seconds.toFixed(2)} s = ${Math.round(count / seconds).toLocaleString('en-US')} messages/s`);
    console.log(`  sender finished after ${sent.seconds.toFixed(2)} s (${Math.round(sent.sent / sent.seconds).toLocaleString('en-US')} messages/s offered, TCP backpressure applied)`);
    console.log(`  sent ${sent.sent.toLocaleString('en-US')}, ${mode === 'pipeline' ? 'in the store' : 'delivered'} ${stored.toLocaleString('en-US')}, lost ${(sent.sent - stored).toLocaleString('en-US')}; deliveries ${c.deliveries}, malformed ${c.malformed}, unrouted ${c.unrouted}, rejected ${c.rejected}`);
    console.log(`  collector CPU ${cpuSeconds.toFixed(1)} s (all threads) = ${Math.round(count / cpuSeconds).toLocaleString('en-US')} messages per CPU-second; load average at start ${load.toFixed(2)}, ${cpus().length} cores, parser threads ${threads}`);
    if (stored !== count) process.exitCode = 1;
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (process.argv[2] === '--sender') await sender(Number(process.argv[3]), process.argv[4], Number(process.argv[5] ?? 1));
else await main();
