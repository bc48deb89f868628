// Ingest of one CloudFront log into DuckDB and into a single-node ClickHouse, in the same run,
// alternating: wall time, lines/s, CPU-µs per line of packettrail (the `ingest` child, from
// /usr/bin/time) and of the ClickHouse server (utime + stime of its PID in /proc, during the ingest
// and until its background merges are done), and bytes on disk per stored event.
//
//   npx tsc -p tsconfig.json
//   node bench/clickhouse-ingest.js [--log bench/out/cloudfront-1000000.log] [--lines 1000000]
//        [--rounds 1] [--threads 2] [--node node,/work/node26/node_modules/.bin/node] [--order duckdb,clickhouse]
//        [--before DIR]
//
// --before DIR adds the engine `clickhouse-before`: the same ClickHouse ingest by another build of
// packettrail (DIR/dist/cli/main.js, e.g. a copy of dist/ from an earlier commit with rules/ and
// package.json beside it), so before/after figures come from the same run and server.
//
// The log is generated (bench/gen-cloudfront.js) when absent; --lines below its length ingests its
// first lines. Each ingest is `packettrail ingest -q --no-builtin-rules --threads N` into a fresh
// DuckDB file or a fresh ClickHouse database on one server started here (fresh temporary directory,
// stopped by its PID). Needs /usr/bin/time and /usr/sbin/clickhouse-server.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startClickHouse } = await import(join(root, 'dist', 'testing', 'clickhouse.js'));
const cli = join(root, 'dist', 'cli', 'main.js');

const NODE26 = '/work/node26/node_modules/.bin/node';
const log = arg('log', join(root, 'bench', 'out', 'cloudfront-1000000.log'));
const lines = Number(arg('lines', '1000000'));
const rounds = Number(arg('rounds', '1'));
const threads = arg('threads', '2');
const nodes = arg('node', existsSync(NODE26) ? `node,${NODE26}` : 'node').split(',');
const beforeDir = arg('before', undefined);
const order = arg('order', beforeDir ? 'duckdb,clickhouse-before,clickhouse' : 'duckdb,clickhouse').split(',');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const dir = mkdtempSync(join(tmpdir(), 'pt-ch-ingest-'));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

if (!existsSync(log)) execFileSync('node', [join(root, 'bench', 'gen-cloudfront.js'), '--lines', String(Math.max(lines, 1000000)), '--out', log], { stdio: 'inherit' });

/** The log's headers and first `lines` records (the whole file when it has no more). */
async function inputFile() {
  const out = join(dir, `cloudfront-${lines}.log`);
  const w = createWriteStream(out);
  let records = 0;
  for await (const line of createInterface({ input: createReadStream(log) })) {
    if (line.startsWith('#')) w.write(line + '\n');
    else if (line) {
      if (records === lines) break;
      w.write(line + '\n');
      records++;
    }
  }
  w.end();
  await once(w, 'finish');
  return { file: out, records };
}

/** The server's CPU seconds so far (user + system, its threads included). */
function serverCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

async function ch(http, sql) {
  const res = await fetch(`${http}/?query=${encodeURIComponent(sql)}`, { method: 'POST' });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql}: ${text}`);
  return text.trim();
}

/** `packettrail ingest` in a child under /usr/bin/time: wall, user, system seconds and peak RSS. */
async function ingest(nodeBin, target, main = cli) {
  const timeOut = join(dir, 'time.txt');
  const args = ['-f', '%e %U %S %M', '-o', timeOut, nodeBin, main, 'ingest', '-q', '--no-builtin-rules', '--threads', threads, ...target];
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`ingest exited ${code}: ${err.slice(-2000)}`);
  const [wall, user, sys, rssKb] = readFileSync(timeOut, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys, rssMb: rssKb / 1024 };
}

async function duckdbRun(nodeBin, input, i) {
  const db = join(dir, `run-${i}.duckdb`);
  const r = await ingest(nodeBin, ['--db', db, input.file]);
  const bytes = statSync(db).size + (existsSync(`${db}.wal`) ? statSync(`${db}.wal`).size : 0);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  rmSync(join(dir, `run-${i}.duckdb.dead-letter.ndjson`), { force: true });
  return { ...r, bytes };
}

async function clickhouseRun(nodeBin, input, i, server, main = cli) {
  const db = `bench_${i}`;
  const node = server.nodes[0];
  const cpu0 = serverCpu(node.pid);
  const r = await ingest(nodeBin, ['--store', `clickhouse://127.0.0.1:${node.httpPort}/${db}`, input.file], main);
  const serverDuring = serverCpu(node.pid) - cpu0;
  // Background merges of the parts the ingest wrote: server work the ingest caused.
  const settle = performance.now();
  while (Number(await ch(server.http, `SELECT count() FROM system.merges WHERE database = '${db}'`)) > 0) await new Promise((res) => setTimeout(res, 250));
  const serverAfter = serverCpu(node.pid) - cpu0;
  const stored = Number(await ch(server.http, `SELECT count() FROM ${db}.events_aws_cloudfront`));
  if (stored !== input.records) throw new Error(`ClickHouse stored ${stored} of ${input.records} lines`);
  const bytes = Number(await ch(server.http, `SELECT sum(bytes_on_disk) FROM system.parts WHERE database = '${db}' AND active`));
  const parts = Number(await ch(server.http, `SELECT count() FROM system.parts WHERE database = '${db}' AND active`));
  await ch(server.http, `DROP DATABASE ${db}`);
  rmSync(join(dir, `${db}.dead-letter.ndjson`), { force: true });
  return { ...r, serverDuring, serverAfter, bytes, parts, settleS: (performance.now() - settle) / 1000 };
}

const input = await inputFile();
const server = await startClickHouse(1);
console.log(
  `ingest: ${input.records.toLocaleString('en-US')} CloudFront lines (${(statSync(input.file).size / 1e6).toFixed(0)} MB), --threads ${threads}; ` +
    `${availableParallelism()} cores; ClickHouse ${await ch(server.http, 'SELECT version()')}; load average ${load()}`,
);
const µs = (s) => ((s * 1e6) / input.records).toFixed(1);
const results = [];
let run = 0;
try {
  for (let round = 0; round < rounds; round++) {
    for (const nodeBin of nodes) {
      const version = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
      // Alternate which engine goes first from one round to the next.
      const engines = round % 2 ? [...order].reverse() : order;
      for (const engine of engines) {
        const before = load();
        const r = engine === 'duckdb'
          ? await duckdbRun(nodeBin, input, run++)
          : await clickhouseRun(nodeBin, input, run++, server, engine === 'clickhouse-before' ? join(beforeDir, 'dist', 'cli', 'main.js') : cli);
        results.push({ engine, version, ...r });
        const server_ = engine.startsWith('clickhouse')
          ? `; server ${r.serverDuring.toFixed(1)} CPU-s during (${µs(r.serverDuring)} µs/line), ${r.serverAfter.toFixed(1)} with merges (${µs(r.serverAfter)} µs/line, ${r.settleS.toFixed(1)} s to settle, ${r.parts} parts)`
          : '';
        console.log(
          `${engine.padEnd(10)} Node ${version}: ${r.wall.toFixed(1)} s = ${Math.round(input.records / r.wall).toLocaleString('en-US')} lines/s; ` +
            `packettrail ${r.cpu.toFixed(1)} CPU-s = ${µs(r.cpu)} µs/line, peak RSS ${r.rssMb.toFixed(0)} MB${server_}; ` +
            `${(r.bytes / input.records).toFixed(1)} bytes/event on disk; load ${before} → ${load()}`,
        );
      }
    }
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
for (const version of [...new Set(results.map((r) => r.version))]) {
  const of = (engine) => results.filter((r) => r.version === version && r.engine === engine);
  const d = of('duckdb');
  for (const engine of ['clickhouse-before', 'clickhouse']) {
    const c = of(engine);
    if (!d.length || !c.length) continue;
    const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
    console.log(
      `Node ${version}: ${engine} ÷ DuckDB wall ${(sum(c, 'wall') / sum(d, 'wall')).toFixed(2)}, packettrail CPU ${(sum(c, 'cpu') / sum(d, 'cpu')).toFixed(2)}, ` +
        `packettrail + server CPU ÷ DuckDB ingest CPU ${((sum(c, 'cpu') + sum(c, 'serverAfter')) / sum(d, 'cpu')).toFixed(2)}`,
    );
  }
}
