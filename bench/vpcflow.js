// Benchmark: `packettrail normalize --format aws.vpcflow` over default version-2 flow log lines.
// Generates N realistic lines (deterministic PRNG: a VPC's ENIs talking to internal and public
// peers, ephemeral ports, TCP/UDP/ICMP mix, ~8% REJECT, a few NODATA records), then times the CLI
// (spawned, output to /dev/null) and prints lines per second.
// Usage: npm run build && node bench/vpcflow.js [--lines 1000000] [--threads N] [--keep]
import { createWriteStream, mkdtempSync, rmSync, openSync, closeSync, statSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');



const SERVICES = [[443, 6, 40], [80, 6, 10], [22, 6, 5], [3306, 6, 5], [5432, 6, 5], [53, 17, 15], [123, 17, 5], [8080, 6, 10], [3389, 6, 5]];

export async function generateVpcFlow({ lines, out, seed = 7, start = Math.floor(Date.UTC(2026, 10, 20) / 1000) }) {
  const rand = mulberry32(seed);
  const pick = (n) => Math.floor(rand() * n);
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[pick(16)]).join('');
  const enis = Array.from({ length: 200 }, () => `eni-${hex(17)}`);
  const local = enis.map((_, i) => `10.0.${(i >> 4) & 255}.${(i * 7) % 250 + 4}`);
  const totalWeight = SERVICES.reduce((s, [, , w]) => s + w, 0);
  const service = () => {
    let r = rand() * totalWeight;
    for (const s of SERVICES) if ((r -= s[2]) < 0) return s;
    return SERVICES[0];
  };
  const file = createWriteStream(out);
  let buf = '';
  for (let i = 0; i < lines; i++) {
    const e = pick(enis.length);
    const t = start + Math.floor((i / lines) * 86400);
    let line;
    if (rand() < 0.01) {
      line = `2 123456789012 ${enis[e]} - - - - - - - ${t} ${t + 60} - NODATA`;
    } else {
      const [port, proto] = rand() < 0.05 ? [0, 1] : service();
      const peer = rand() < 0.5 ? `10.0.${pick(16)}.${pick(250) + 4}` : `${pick(223) + 1}.${pick(256)}.${pick(256)}.${pick(254) + 1}`;
      const inbound = rand() < 0.5;
      const eph = proto === 1 ? 0 : 32768 + pick(28232);
      const [src, dst, sp, dp] = inbound ? [peer, local[e], eph, port] : [local[e], peer, eph, port];
      const packets = 1 + pick(200);
      const bytes = packets * (40 + pick(1400));
      const action = rand() < 0.08 ? 'REJECT' : 'ACCEPT';
      line = `2 123456789012 ${enis[e]} ${src} ${dst} ${sp} ${dp} ${proto} ${packets} ${bytes} ${t} ${t + pick(60)} ${action} OK`;
    }
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      if (!file.write(buf)) await once(file, 'drain');
      buf = '';
    }
  }
  file.end(buf);
  await once(file, 'finish');
}

async function main() {
  const lines = Number(arg('lines', '1000000'));
  const threads = arg('threads', String(Math.max(1, cpus().length)));
  const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-vpcflow-'));
  const file = join(dir, 'vpcflow.log');
  try {
    await generateVpcFlow({ lines, out: file });
    const size = statSync(file).size;
    const args = [CLI, 'normalize', '--quiet', '--format', 'aws.vpcflow', '--threads', threads, '--dead-letter', join(dir, 'dead-letter.ndjson'), file];
    const devNull = openSync('/dev/null', 'w');
    const started = performance.now();
    // The machine may be shared: also sample the child's CPU time (all threads) from /proc, so the
    // figure can be judged per CPU-second as well as per wall-clock second.
    let cpuSeconds = NaN;
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', devNull, 'inherit'] });
      const sample = () => {
        try {
          const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
          cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
        } catch {
          /* no /proc (not Linux) or the process is gone */
        }
      };
      const timer = setInterval(sample, 50);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearInterval(timer);
        resolve(c);
      });
    });
    const seconds = (performance.now() - started) / 1000;
    closeSync(devNull);
    if (code !== 0) throw new Error(`packettrail exited with ${code}`);
    console.log(`command: node ${args.map((a) => (a === file ? 'FILE' : a)).join(' ').replace(CLI, 'dist/cli/main.js')} > /dev/null`);
    console.log(`aws.vpcflow normalize: ${lines.toLocaleString('en-US')} lines (${(size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en-US')} lines/s (threads ${threads}, ${cpus().length} cores)`);
    if (Number.isFinite(cpuSeconds)) {
      console.log(`CPU time used: ${cpuSeconds.toFixed(1)} s (user+sys, all threads) = ${Math.round(lines / cpuSeconds).toLocaleString('en-US')} lines per CPU-second; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    }
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
