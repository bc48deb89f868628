// Issue 2, per stage: CPU time per CloudFront line of processChunk (what each parser thread runs) on
// one thread, for parse + ECS mapping only (output none), + NDJSON (normalize) and + staged rows
// (ingest). No threads, no I/O, no DuckDB: the steadiest figure on a shared machine.
// Usage: node bench/cloudfront-core.js [--lines 100000] [--reps 3] [--log FILE]
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';
import { generateCloudFront } from './gen-cloudfront.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { processChunk } = await import(join(root, 'dist', 'pipeline', 'chunk.js'));
const lines = Number(arg('lines', '100000'));
const reps = Number(arg('reps', '3'));
let log = arg('log', '');
if (!log) {
  log = join(root, 'bench', 'out', `cloudfront-${lines}.log`);
  mkdirSync(dirname(log), { recursive: true });
  // Renamed when complete, as in run.js: an interrupted run leaves no short file behind.
  if (!existsSync(log)) {
    await generateCloudFront({ lines, out: `${log}.partial`, seed: 1 });
    renameSync(`${log}.partial`, log);
  }
}
const all = readFileSync(log, 'utf8').split('\n');
const headers = all.filter((l) => l.startsWith('#')).slice(0, 8);
const records = all.filter((l) => l && !l.startsWith('#'));
// 2,500 lines ≈ 1 MiB, the pipeline's chunk size.
const chunks = [];
for (let i = 0; i < records.length; i += 2500) chunks.push(records.slice(i, i + 2500).join('\n'));

for (const output of ['none', 'ndjson', 'rows']) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (const text of chunks) {
      processChunk({ formatId: 'aws.cloudfront', options: {}, source: log, original: false, ingested: new Date().toISOString(), headers, text, firstLine: 1, document: false, output });
    }
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / records.length);
  }
  console.log(`${output.padEnd(6)} ${best.toFixed(1)} µs CPU per line (best of ${reps}) = ${Math.round(1e6 / best).toLocaleString('en-US')} lines per CPU-second`);
}
