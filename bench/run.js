// The benchmark runner behind `npm run bench`: CloudFront normalize and ingest throughput, the
// goaccess comparison and memory flatness (issue 2), plus the per-format benchmarks that exist.
// Usage: npm run bench [-- --only cloudfront] [-- --lines 1000000]
// Needs: goaccess and GNU time (apt-get install -y goaccess time). Figures go to bench/README.md by hand.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
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
const only = arg('only', '');
const lines = Number(arg('lines', '1000000'));

/** Runs a shell command under GNU time; returns wall seconds, CPU seconds (user + sys) and peak RSS (MB). */
function timed(cmd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'bash', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kb, user, sys] = last.split(' ').map(Number);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { seconds: secs, cpu: user + sys, rssMb: kb / 1024, stderr: r.stderr };
}

/** CPU time is steadier than wall time on a shared machine: compare it before and after a change. */
function cpuNote(n, t) {
  return `CPU ${t.cpu.toFixed(1)} s = ${((t.cpu / n) * 1e6).toFixed(1)} µs per line`;
}

async function logOf(n) {
  const path = join(out, `cloudfront-${n}.log`);
  if (!existsSync(path)) {
    const t = performance.now();
    // Written under another name and renamed when complete: an interrupted run must not leave a
    // short file that later runs would take for the full one (it happened: a 1.4M-line "4M" log).
    await generateCloudFront({ lines: n, out: `${path}.partial`, seed: 1 });
    renameSync(`${path}.partial`, path);
    console.log(`generated ${path} (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return path;
}

function rate(n, s) {
  return Math.round(n / s).toLocaleString('en-US');
}

async function cloudfront() {
  mkdirSync(out, { recursive: true });
  const log1 = await logOf(lines);
  const results = {};
  const norm = timed(`node ${cli} normalize -q --format aws.cloudfront ${log1} > /dev/null`);
  results.normalize = lines / norm.seconds;
  console.log(`normalize ${lines} lines: ${norm.seconds.toFixed(2)} s = ${rate(lines, norm.seconds)} lines/s (peak RSS ${norm.rssMb.toFixed(0)} MB; ${cpuNote(lines, norm)})`);
  const norm0 = timed(`node ${cli} normalize -q --threads 0 --format aws.cloudfront ${log1} > /dev/null`);
  console.log(`normalize --threads 0: ${norm0.seconds.toFixed(2)} s = ${rate(lines, norm0.seconds)} lines/s (${cpuNote(lines, norm0)})`);
  const db = join(out, 'bench.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const ing = timed(`node ${cli} ingest -q --no-builtin-rules --db ${db} --format aws.cloudfront ${log1}`);
  results.ingest = lines / ing.seconds;
  console.log(`ingest ${lines} lines into DuckDB: ${ing.seconds.toFixed(2)} s = ${rate(lines, ing.seconds)} lines/s (peak RSS ${ing.rssMb.toFixed(0)} MB; ${cpuNote(lines, ing)})`);
  // What DuckDB alone needs to write these rows: the ceiling for any ingest path (bench/store-floor.js).
  spawnSync(process.execPath, [join(root, 'bench', 'store-floor.js'), '--db', db, '--table', 'events_aws_cloudfront'], { stdio: 'inherit' });
  // The staged load with nothing else running, and the same lines loaded by DuckDB alone from the raw log.
  spawnSync(process.execPath, [join(root, 'bench', 'store-load.js'), '--log', log1], { stdio: 'inherit' });
  spawnSync(process.execPath, [join(root, 'bench', 'cloudfront-sql-ceiling.js'), '--log', log1, '--insert'], { stdio: 'inherit' });
  const again = timed(`node ${cli} ingest -q --no-builtin-rules --db ${db} --format aws.cloudfront ${log1}`);
  console.log(`re-ingest (all duplicates): ${again.seconds.toFixed(2)} s = ${rate(lines, again.seconds)} lines/s`);
  const ga = spawnSync('bash', ['-c', 'command -v goaccess'], { encoding: 'utf8' });
  if (ga.status === 0) {
    const g = timed(`goaccess --log-format=CLOUDFRONT --no-progress -o ${join(out, 'goaccess.json')} ${log1} 2>/dev/null`);
    const gRate = lines / g.seconds;
    console.log(`goaccess --log-format=CLOUDFRONT: ${g.seconds.toFixed(2)} s = ${rate(lines, g.seconds)} lines/s`);
    console.log(`ratio vs goaccess: normalize ${(results.normalize / gRate).toFixed(1)}x, ingest ${(results.ingest / gRate).toFixed(1)}x`);
  } else console.log('goaccess not installed (apt-get install -y goaccess): comparison skipped');
  const log4 = await logOf(lines * 4);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const ing4 = timed(`node ${cli} ingest -q --no-builtin-rules --db ${db} --format aws.cloudfront ${log4}`);
  console.log(`ingest ${lines * 4} lines: ${ing4.seconds.toFixed(2)} s = ${rate(lines * 4, ing4.seconds)} lines/s (peak RSS ${ing4.rssMb.toFixed(0)} MB; ${cpuNote(lines * 4, ing4)})`);
  console.log(`memory: peak RSS ${ing4.rssMb.toFixed(0)} MB for 4x lines vs ${ing.rssMb.toFixed(0)} MB = ${(ing4.rssMb / ing.rssMb).toFixed(2)}x (target <= 1.2x)`);
  rmSync(db, { force: true });
}

/** Issue 5: ingest throughput with every SigmaHQ rule plus the built-ins, against none. */
async function rules() {
  const log1 = await logOf(lines);
  const shared = join(root, '..', 'shared', 'sigma');
  if (!existsSync(shared)) return console.log('../shared/sigma absent: skipped');
  const db = join(out, 'rules.duckdb');
  const run = (flags) => {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    return timed(`node ${cli} ingest -q ${flags} --db ${db} --format aws.cloudfront ${log1}`);
  };
  const none = run('--no-builtin-rules');
  const all = run(['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance'].map((d) => `--rules ${join(shared, d)}`).join(' '));
  console.log(`ingest without rules: ${none.seconds.toFixed(2)} s; with all SigmaHQ + built-in rules: ${all.seconds.toFixed(2)} s = ${((none.seconds / all.seconds) * 100).toFixed(0)}% of the throughput (target >= 75%)`);
  rmSync(db, { force: true });
}

const benches = { cloudfront, rules };
for (const extra of ['vpcflow', 'cloudtrail', 'panos', 'defender', 'floors', 'aws-formats', 'umbrella-zscaler', 'sigma', 'windows-detect', 'intel', 'generate']) {
  const file = join(root, 'bench', `${extra}.js`);
  if (existsSync(file)) benches[extra] = () => spawnSync(process.execPath, [file], { stdio: 'inherit' });
}

console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`);
for (const [name, fn] of Object.entries(benches)) {
  if (only && !only.split(',').includes(name)) continue;
  console.log(`\n== ${name}`);
  await fn();
}
