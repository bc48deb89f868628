// Peak memory of `packettrail ingest` (issue 21): ingests N CloudFront lines into a new database under
// GNU time and prints the peak RSS of the whole process (main thread, parser threads, DuckDB) beside
// DuckDB's memory limit, so README's figure can be checked. One run at a time, nothing else running.
// Usage: node bench/ingest-memory.js [--lines 3000000] [--memory-limit 512MB] [--threads N]
// Needs: GNU time (apt-get install -y time). Figures go to bench/README.md by hand.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCloudFront } from './gen-cloudfront.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const cli = join(root, 'dist', 'cli', 'main.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const lines = Number(arg('lines', '3000000'));
const memoryLimit = arg('memory-limit', undefined);
const threads = arg('threads', undefined);

mkdirSync(out, { recursive: true });
const log = join(out, `cloudfront-${lines}.log`);
if (!existsSync(log)) {
  // Written under another name and renamed when complete, as bench/run.js does.
  await generateCloudFront({ lines, out: `${log}.partial`, seed: 1 });
  renameSync(`${log}.partial`, log);
}
const db = join(out, 'memory.duckdb');
for (const f of [db, `${db}.wal`, `${db}.dead-letter.ndjson`]) rmSync(f, { force: true });
const flags = [memoryLimit ? `--memory-limit ${memoryLimit}` : '', threads ? `--threads ${threads}` : ''].filter(Boolean).join(' ');
const cmd = `node ${cli} ingest -q ${flags} --db ${db} --format aws.cloudfront ${log}`;
const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'bash', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
const [secs, kb, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
console.log(
  `ingest ${lines.toLocaleString('en-US')} CloudFront lines (${(statSync(log).size / 1e6).toFixed(0)} MB), --memory-limit ${memoryLimit ?? 'default'}: ` +
    `peak RSS ${Math.round(kb / 1024)} MB; ${secs.toFixed(1)} s (${Math.round(lines / secs).toLocaleString('en-US')} lines/s, CPU ${(user + sys).toFixed(1)} s); ` +
    `load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
);
for (const f of [db, `${db}.wal`, `${db}.dead-letter.ndjson`]) rmSync(f, { force: true });
