// Threat-intel benchmark for the issue's target "a 1,000,000-indicator feed slows ingest by less
// than 2x". Generates a CSV feed (IPv4 addresses and CIDRs, IPv6 CIDRs, domains, URLs, hashes; a
// few dozen client IPs taken from the log so matching and alert storage are exercised too), then
// times `ingest --no-builtin-rules` of a CloudFront log without and with `--intel` (fresh database
// each) and the feed load alone.
// Usage: node bench/intel.js [--log /tmp/cf1m.log] [--indicators 1000000] [--threads N] [--feed FILE]
//   (--feed: keep the generated feed there, or reuse it when it exists)
//   (the log comes from: node bench/gen-cloudfront.js --lines 1000000 --out /tmp/cf1m.log)
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const log = arg('--log', '/tmp/cf1m.log');
const count = Number(arg('--indicators', '1000000'));
const threads = arg('--threads');
if (!existsSync(log)) {
  console.error(`no log at ${log}; make one with: node bench/gen-cloudfront.js --lines 1000000 --out ${log}`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist/cli/main.js'))) {
  console.error('build first: npx tsc -p .');
  process.exit(2);
}

async function clientIps(n) {
  const ips = new Set();
  const rl = createInterface({ input: createReadStream(log) });
  for await (const line of rl) {
    if (line.startsWith('#')) continue;
    ips.add(line.split('\t')[4]);
    if (ips.size >= n) break;
  }
  rl.close();
  return [...ips];
}

async function writeFeed(path, n) {
  const rand = mulberry32(7);
  const hex = (len) => {
    let s = '';
    while (s.length < len) s += ((rand() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, len);
  };
  const octet = () => (rand() * 256) | 0;
  const word = () => hex(6 + ((rand() * 6) | 0)).replace(/[0-9]/g, (d) => 'ghijklmnop'[d]);
  const out = createWriteStream(path);
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('type,value,confidence\n');
  for (const ip of await clientIps(50)) await write(`ip,${ip},80\n`);
  for (let i = 0; i < n - 50; i++) {
    const r = rand();
    const conf = (rand() * 100) | 0;
    let line;
    if (r < 0.35) line = `ip,${octet()}.${octet()}.${octet()}.${octet()}`;
    else if (r < 0.4) {
      const bits = 16 + ((rand() * 13) | 0);
      line = `cidr,${octet()}.${octet()}.${octet()}.0/${bits}`;
    } else if (r < 0.45) line = `cidr,2001:db8:${hex(4)}:${hex(4)}::/${48 + ((rand() * 17) | 0)}`;
    else if (r < 0.75) line = `domain,${word()}.${word()}.${['com', 'net', 'org', 'info', 'ru'][(rand() * 5) | 0]}`;
    else if (r < 0.85) line = `url,https://${word()}.example.net/${word()}/${word()}.php?id=${(rand() * 1e6) | 0}`;
    else line = `${['md5', 'sha1', 'sha256'][(rand() * 3) | 0]},`;
    if (line.endsWith(',')) line += hex({ 'md5,': 32, 'sha1,': 40, 'sha256,': 64 }[line.slice(0, line.indexOf(',') + 1)]);
    await write(`${line},${conf}\n`);
  }
  out.end();
  await once(out, 'finish');
}

// CPU seconds (user + system) of the child as well as wall time: on a busy machine the wall-time
// ratio is noisy, the CPU-time ratio much less so. Needs GNU time at /usr/bin/time; wall time only without it.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeRun(args, dir) {
  const cpuFile = join(dir, 'cpu.txt');
  const cmd = [process.execPath, join(root, 'dist/cli/main.js'), ...args];
  const t = performance.now();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', '%U %S', '-o', cpuFile, ...cmd], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`packettrail ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = GNU_TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number).reduce((a, b) => a + b, 0) : undefined;
  return { seconds, cpu, stderr: r.stderr };
}
const show = (r) => `${r.seconds.toFixed(1)} s wall${r.cpu !== undefined ? `, ${r.cpu.toFixed(1)} s CPU` : ''}`;

const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-intel-'));
try {
  const feed = arg('--feed', join(dir, 'feed.csv'));
  let t = performance.now();
  if (!existsSync(feed)) {
    await writeFeed(feed, count);
    console.log(`feed: ${count.toLocaleString('en')} indicators written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  const { loadIntel } = await import(join(root, 'dist/detect/intel/load.js'));
  const { IntelMatcher } = await import(join(root, 'dist/detect/intel/matcher.js'));
  t = performance.now();
  const index = loadIntel([feed]);
  const loadSeconds = (performance.now() - t) / 1000;
  new IntelMatcher(index);
  console.log(`intel load alone: ${loadSeconds.toFixed(2)} s for ${index.size.toLocaleString('en')} indicators (heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)`);

  const common = ['ingest', '--no-builtin-rules', ...(threads ? ['--threads', threads] : [])];
  const base = timeRun([...common, '--db', join(dir, 'base.duckdb'), log], dir);
  console.log(`ingest without intel: ${show(base)}`);
  const withIntel = timeRun([...common, '--db', join(dir, 'intel.duckdb'), '--intel', feed, log], dir);
  console.log(`ingest with --intel:  ${show(withIntel)}`);
  const alerts = /alerts: ([\d,]+) from ([\d,]+) matches, ([\d,]+) duplicates suppressed/.exec(withIntel.stderr);
  if (alerts) console.log(`  ${alerts[0]}`);
  const ratio = withIntel.seconds / base.seconds;
  console.log(`ratio (wall): ${ratio.toFixed(2)}x (target < 2x) ${ratio < 2 ? 'OK' : 'MISSED'}`);
  if (base.cpu && withIntel.cpu) console.log(`ratio (CPU):  ${(withIntel.cpu / base.cpu).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
