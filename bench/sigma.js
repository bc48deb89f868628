// Sigma matcher throughput on CloudFront events, one thread.
// Loads every SigmaHQ rule from ../shared/sigma/rules* plus the built-in rules (rules/builtin), builds the matcher
// (only the rules that route to aws.cloudfront are evaluated for these events), parses ~200k
// generated CloudFront records and times matcher.match over them. Target: ≥ 150,000 events/s.
// Also times what issue 5's ingest pays before parsing starts: loading the rules sequentially and
// with the helper thread (`parallel`, what ingest/detect use; main-thread CPU from /proc), and what a
// parser thread pays to build its matcher from the main thread's rules (decode + lazy CloudFront compile).
// Usage: npm run build && node bench/sigma.js [--lines 200000] [--rounds 5]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, createMatcher } from '../dist/detect/sigma/index.js';
import { decodeRules, encodeRules } from '../dist/detect/sigma/rule/transfer.js';
import { cloudfront } from '../dist/formats/cloudfront/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const lines = arg('lines', 200_000);
const rounds = arg('rounds', 5);

const shared = join(root, '..', 'shared', 'sigma');
const dirs = existsSync(shared) ? readdirSync(shared).filter((d) => /^rules/.test(d)).sort().map((d) => join(shared, d)) : [];
const builtin = join(root, 'rules', 'builtin');
if (existsSync(builtin)) dirs.push(builtin);
if (!dirs.length) throw new Error(`no rules found under ${shared}`);

/** CPU milliseconds of this thread alone (Linux), else of the process. */
function threadCpuMs() {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}
let t = performance.now();
let c = threadCpuMs();
const ruleSet = loadRules(dirs);
const loadMs = performance.now() - t;
const loadCpu = threadCpuMs() - c;
t = performance.now();
c = threadCpuMs();
const parallelSet = loadRules(dirs, { parallel: true });
const parallelMs = performance.now() - t;
const parallelCpu = threadCpuMs() - c;
if (parallelSet.rules.length !== ruleSet.rules.length) throw new Error('parallel load differs');
t = performance.now();
const matcher = createMatcher(ruleSet);
const compileMs = performance.now() - t;
t = performance.now();
const routed = new Set([...matcher.rulesByFormat.values()].flat());
const shipped = encodeRules(ruleSet.rules.filter((r) => routed.has(r)));
const encodeMs = performance.now() - t;
t = performance.now();
const threadMatcher = createMatcher({ rules: decodeRules(shipped), correlations: [], filters: [], errors: [], warnings: [], files: 0 }, undefined, { lazy: true });
threadMatcher.match({ '@timestamp': '2026-01-01T00:00:00Z', event: { dataset: 'aws.cloudfront' } });
const threadMs = performance.now() - t;
const active = matcher.rulesByFormat.get('aws.cloudfront')?.length ?? 0;

const log = `/tmp/cf${lines}.log`;
if (!existsSync(log)) execFileSync(process.execPath, [join(root, 'bench', 'gen-cloudfront.js'), '--lines', String(lines), '--out', log], { stdio: 'inherit' });
t = performance.now();
// The CloudFront parser directly (as the pipeline runs it per line), so this script only needs that format.
const events = [];
const rejected = [];
const parser = cloudfront.createParser({ source: log, original: false, options: {}, ingested: new Date().toISOString() });
let lineNo = 0;
for (const line of readFileSync(log, 'utf8').split('\n')) parser.line(line, ++lineNo, { event: (e) => events.push(e), reject: (reason) => rejected.push({ reason }), skip: () => {} });
const parseMs = performance.now() - t;
if (rejected.length) throw new Error(`${rejected.length} records rejected: ${rejected[0].reason}`);

// Wall-clock and CPU-time rates: on a shared machine the CPU-time figure is the one-core throughput.
const rates = [];
const cpuRates = [];
let matches = 0;
for (let r = 0; r < rounds; r++) {
  let n = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (const e of events) n += matcher.match(e).length;
  const cpu = process.cpuUsage(cpu0);
  rates.push(events.length / ((performance.now() - start) / 1000));
  cpuRates.push(events.length / ((cpu.user + cpu.system) / 1e6));
  matches = n;
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`rules: ${ruleSet.rules.length} loaded (${ruleSet.errors.length} rejected) from ${dirs.length} dirs in ${fmt(loadMs)} ms (${fmt(loadCpu)} ms CPU); with the helper thread ${fmt(parallelMs)} ms (${fmt(parallelCpu)} ms main-thread CPU); matcher built in ${fmt(compileMs)} ms`);
console.log(`parser thread: ${(shipped.length / 1e6).toFixed(1)} MB of rules (encoded in ${fmt(encodeMs)} ms), matcher for CloudFront ready in ${fmt(threadMs)} ms`);
console.log(`active for aws.cloudfront (category webserver): ${active} rules`);
console.log(`events: ${fmt(events.length)} CloudFront events (parsed in ${fmt(parseMs)} ms); ${fmt(matches)} matches per round`);
console.log(`sigma match: median ${fmt(rates[rates.length >> 1])} events/s wall, ${fmt(cpuRates[cpuRates.length >> 1])} events/s per CPU-second; best ${fmt(rates[rates.length - 1])} / ${fmt(cpuRates[cpuRates.length - 1])} over ${rounds} rounds (target 150,000)`);
