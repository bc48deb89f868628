// Detection throughput on real Windows data (issue 23): the OTRF datasets of ../shared/testdata/otrf
// (NXLog/Logstash exports from attack simulations) against the SigmaHQ Windows rules of
// ../shared/sigma/rules/windows (add more with --rules <dir>, repeatable).
// Reports, on this thread:
//   - rule loading as `detect` pays it at start-up (engineFor: read + parse the YAML, compile the
//     matcher, encode the rules for parser threads), in a fresh process each time: without the
//     compiled-rule cache (--no-cache), with an empty cache (it is written) and with a warm cache;
//   - parsing alone (the windows.event parser, JSON lines → ECS), events per CPU-second;
//   - matching alone (the eager Sigma matcher over the parsed events, `--rounds` rounds), events per
//     CPU-second and wall-clock, median and best;
//   - parse + match together, events per CPU-second: the per-core figure of `detect`;
//   - peak RSS of this process and of the `packettrail detect --threads 1` run it ends with.
// Usage: npm run build && node bench/windows-detect.js [--rounds 5] [--rules <dir>]… [--skip-cli]
// Profile: node --cpu-prof --cpu-prof-dir=/tmp/prof bench/windows-detect.js --rounds 3 --skip-cli
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.PACKETTRAIL_SHARED ?? resolve(ROOT, '..', 'shared');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const extra = argv.flatMap((a, i) => (a === '--rules' ? [resolve(argv[i + 1])] : []));
const ruleDirs = [join(SHARED, 'sigma', 'rules', 'windows'), ...extra];
const rounds = Number(opt('rounds', 5));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const cpuMs = (u) => (u.user + u.system) / 1000;

await import(join(ROOT, 'dist', 'detect', 'sigma', 'register.js'));
const { engineFor, makeSpec } = await import(join(ROOT, 'dist', 'detect', 'spec.js'));

// Child mode: time one start-up (what `detect` pays before the first event) and print it as JSON.
if (argv.includes('--load-only')) {
  const t = performance.now();
  const c = process.cpuUsage();
  const engine = engineFor(makeSpec({ rules: ruleDirs, builtin: false }));
  const out = { ms: performance.now() - t, cpuMs: cpuMs(process.cpuUsage(c)), rules: engine.rules.size, errors: engine.errors.length, cache: engine.cache ?? null, rssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

const OTRF = join(SHARED, 'testdata', 'otrf');
for (const d of [OTRF, ...ruleDirs]) if (!existsSync(d)) throw new Error(`missing ${d} (set PACKETTRAIL_SHARED)`);
const work = mkdtempSync(join(tmpdir(), 'pt-bench-windows-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// 1. Start-up, each in a fresh process (module loading excluded: timed around engineFor only).
const cacheDir = join(work, 'rule-cache');
const startup = (env) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--load-only', ...extra.flatMap((d) => ['--rules', d])], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`start-up run failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const noCache = startup({ PACKETTRAIL_RULE_CACHE: 'off' });
const cold = startup({ PACKETTRAIL_RULE_CACHE: cacheDir });
const warm = startup({ PACKETTRAIL_RULE_CACHE: cacheDir });
const warm2 = startup({ PACKETTRAIL_RULE_CACHE: cacheDir });

// 2. The events, parsed once per round as the pipeline's parser does it.
const files = [];
for (const z of readdirSync(OTRF).filter((f) => f.endsWith('.zip')).sort()) {
  const dir = join(work, z);
  execFileSync('unzip', ['-o', '-q', join(OTRF, z), '-d', dir]);
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) files.push(join(dir, f));
}
const texts = files.map((f) => readFileSync(f, 'utf8'));
const { getFormat } = await import(join(ROOT, 'dist', 'formats', 'registry.js'));
const format = getFormat('windows.event');
function parseAll() {
  const events = [];
  let rejected = 0;
  for (let i = 0; i < texts.length; i++) {
    const parser = format.createParser({ source: files[i], original: false, options: {}, ingested: '2026-01-01T00:00:00.000Z' });
    const sink = { event: (e) => events.push(e), reject: () => rejected++, skip: () => {} };
    let n = 0;
    for (const line of texts[i].split('\n')) if (line) parser.line(line, ++n, sink);
    parser.end?.(sink);
  }
  if (rejected) throw new Error(`${rejected} records rejected`);
  return events;
}
let events = parseAll();
const parseRates = [];
for (let r = 0; r < Math.max(1, Math.min(rounds, 3)); r++) {
  const c = process.cpuUsage();
  events = parseAll();
  parseRates.push(events.length / (cpuMs(process.cpuUsage(c)) / 1000));
}

// 3. Matching alone: the engine's matcher as built at start-up (eager, every Windows rule compiled).
const engine = engineFor(makeSpec({ rules: ruleDirs, builtin: false }));
const matcher = engine.matcher;
const rates = [];
const cpuRates = [];
let matches = 0;
for (let r = 0; r < rounds; r++) {
  let n = 0;
  const t = performance.now();
  const c = process.cpuUsage();
  for (const e of events) n += matcher.match(e).length;
  const cpu = cpuMs(process.cpuUsage(c));
  rates.push(events.length / ((performance.now() - t) / 1000));
  cpuRates.push(events.length / (cpu / 1000));
  matches = n;
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const best = (xs) => Math.max(...xs);
const parseRate = med(parseRates);
const matchRate = med(cpuRates);
const both = 1 / (1 / parseRate + 1 / matchRate);
const rssMb = process.resourceUsage().maxRSS / 1024;

console.log(`node ${process.version}; ${fmt(events.length)} events from ${files.length} OTRF datasets; rules from ${ruleDirs.map((d) => d.slice(SHARED.length + 1)).join(', ')}`);
const showLoad = (name, s) => `${name} ${fmt(s.ms)} ms (${fmt(s.cpuMs)} ms CPU${s.cache ? `, cache ${s.cache}` : ''})`;
console.log(`start-up (engineFor, fresh process): ${noCache.rules} rules, ${noCache.errors} files/rules rejected; ${showLoad('no cache', noCache)}; ${showLoad('empty cache', cold)}; ${showLoad('warm cache', warm)}, ${showLoad('again', warm2)}`);
console.log(`parse (windows.event): ${fmt(parseRate)} events per CPU-second (median of ${parseRates.length})`);
console.log(`match: ${fmt(matches)} matches per round; ${fmt(matchRate)} events per CPU-second (best ${fmt(best(cpuRates))}), ${fmt(med(rates))} events/s wall (best ${fmt(best(rates))}) over ${rounds} rounds`);
console.log(`parse + match on one core: ${fmt(both)} events per CPU-second (goal ≥ 40,000)`);
console.log(`peak RSS of this process: ${fmt(rssMb)} MB`);

// 4. The real command, one parser thread, quiet: wall, CPU and peak RSS of the whole run.
if (!argv.includes('--skip-cli')) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), 'detect', '-q', '--threads', '1', '--no-builtin-rules', ...ruleDirs.flatMap((d) => ['--rules', d]), ...files], {
    encoding: 'utf8',
    env: { ...process.env, PACKETTRAIL_RULE_CACHE: cacheDir },
    maxBuffer: 1 << 30,
  });
  const wall = (performance.now() - t) / 1000;
  const [user, sys, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const alerts = r.stdout.split('\n').filter(Boolean).length;
  console.log(`packettrail detect --threads 1 (warm cache): ${alerts} alerts, ${wall.toFixed(1)} s wall, ${(user + sys).toFixed(1)} CPU-s → ${fmt(events.length / (user + sys))} events per CPU-second whole process (start-up included), ${fmt(events.length / wall)} events/s wall; peak RSS ${fmt(kb / 1024)} MB`);
}
