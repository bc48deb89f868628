// Benchmark: `packettrail generate --scale` throughput. Writes the 1-hour scenario plus
// scale × 100,000 internet CloudFront lines (gzip level 1, 4 MB string chunks, streamed) into a
// temporary directory and reports CloudFront lines/s for the bulk and for the whole run.
// Usage: npm run build && node bench/generate.js [--scale 10] [--hours 1] [--keep]
import { mkdtempSync, rmSync, statSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScenario, BULK_LINES_PER_SCALE, generate } from '../dist/generate/index.js';
import { writeCloudFrontBulk } from '../dist/generate/writers/cloudfront-bulk.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const scale = Number(arg('scale', '10'));
const hours = Number(arg('hours', '1'));
const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-gen-'));

// On a shared machine wall time says little: also report CPU seconds, all threads (gzip runs on the
// libuv pool) and the main thread alone (which renders the lines), from /proc where there is one.
function cpu() {
  const u = process.cpuUsage();
  let main = NaN;
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    main = (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    /* not Linux */
  }
  return { all: (u.user + u.system) / 1e6, main };
}
const cpuSince = (c) => {
  const n = cpu();
  return `CPU ${(n.all - c.all).toFixed(2)} s all threads, ${(n.main - c.main).toFixed(2)} s main thread`;
};

function bytesUnder(d) {
  let n = 0;
  for (const name of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, name.name);
    n += name.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

try {
  // The bulk writer alone: what --scale adds.
  const s = buildScenario({ users: 25, hours, seed: 'bench' });
  const lines = Math.round(scale * BULK_LINES_PER_SCALE);
  let t0 = performance.now();
  let c0 = cpu();
  const bulk = await writeCloudFrontBulk(s, join(dir, 'bulk'), lines);
  let secs = (performance.now() - t0) / 1000;
  const gz = bytesUnder(join(dir, 'bulk'));
  console.log(`bulk CloudFront: ${bulk.lines.toLocaleString('en-US')} lines in ${secs.toFixed(2)} s = ${Math.round(bulk.lines / secs).toLocaleString('en-US')} lines/s, ${(gz / 1e6).toFixed(1)} MB gzip; ${cpuSince(c0)}`);

  // The whole command: scenario + incidents + 11 writers + bulk.
  t0 = performance.now();
  c0 = cpu();
  const m = await generate({ out: join(dir, 'full'), users: 25, hours, seed: 'bench', scale });
  secs = (performance.now() - t0) / 1000;
  const cf = m.sources['aws.cloudfront'].lines;
  console.log(`generate --scale ${scale} --hours ${hours}: ${cf.toLocaleString('en-US')} CloudFront lines in ${secs.toFixed(2)} s = ${Math.round(cf / secs).toLocaleString('en-US')} lines/s; ${cpuSince(c0)}`);
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
