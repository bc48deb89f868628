// Benchmark: the web console and its API on the demo data (issue 10).
// 1. Browser: navigation → content visible for the alerts page and for trails (Debian chromium via
//    playwright-core; skipped when /usr/bin/chromium is absent). Target ≤ 1 s each.
// 2. API: 200 concurrent requests over a mix of routes (alerts, alert, trail, SPL query, insights,
//    sources, rules, status); reports errors and latency percentiles. Target: no errors.
// Usage: npm run build && node bench/serve.js [--db DB] [--concurrency 200] [--runs 5]
//   Without --db the demo scenario is generated and ingested into a temporary directory first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsoleServer } from '../dist/server/index.js';
import { arg } from './lib.js';

const CHROMIUM = '/usr/bin/chromium';
const concurrency = Number(arg('concurrency', '200'));
const runs = Number(arg('runs', '5'));
let db = arg('db', undefined);
let scratch;
if (!db) {
  scratch = mkdtempSync(join(tmpdir(), 'packettrail-bench-serve-'));
  process.stderr.write(`generating and ingesting the demo scenario into ${scratch} …\n`);
  execFileSync(process.execPath, [new URL('../dist/cli/main.js', import.meta.url).pathname, 'demo', '--dir', scratch], { stdio: ['ignore', 'ignore', 'inherit'] });
  db = join(scratch, 'packettrail.duckdb');
}

const server = await createConsoleServer({ db });
await server.app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${server.app.server.address().port}`;
const get = async (path) => (await fetch(base + path)).json();

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs) => pct([...xs].sort((a, b) => a - b), 50);

const alerts = (await get('/api/alerts?limit=200')).alerts;
const requestIds = [];
for (const a of alerts) {
  const d = await get(`/api/alerts/${encodeURIComponent(a.id)}`);
  requestIds.push(...d.requestIds);
}
const fallback = (await (await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT DISTINCT http_request_id FROM events WHERE event_dataset = \'app.json\' AND http_request_id IS NOT NULL LIMIT 20', language: 'sql' }) })).json()).rows.map((r) => r[0]);
const trails = [...new Set([...requestIds, ...fallback])].slice(0, Math.max(runs, 20));
const lines = [`database ${db}: ${alerts.length} alerts; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`];

// 1. Browser timings.
if (existsSync(CHROMIUM)) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'packettrail-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const visible = async (url, selector) => {
    const t = performance.now();
    await page.goto(url);
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 30_000 });
    return performance.now() - t;
  };
  await visible(`${base}/alerts`, 'table.alerts tbody tr'); // warm the browser cache and DuckDB
  const alertTimes = [];
  for (let i = 0; i < runs; i++) alertTimes.push(await visible(`${base}/alerts`, 'table.alerts tbody tr'));
  const trailTimes = [];
  for (let i = 0; i < runs; i++) trailTimes.push(await visible(`${base}/trail?requestId=${encodeURIComponent(trails[i % trails.length])}`, '[data-testid=trail-diagram] .hop'));
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  const fmt = (xs) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
  lines.push(`alerts page, navigation → rows visible: ${fmt(alertTimes)}`);
  lines.push(`trail page, navigation → hops visible: ${fmt(trailTimes)}`);
} else {
  lines.push(`${CHROMIUM} absent: browser timings skipped`);
}

// 2. Concurrent API requests.
const mix = [
  () => ['GET', '/api/status'],
  () => ['GET', '/api/alerts'],
  () => ['GET', '/api/alerts?level=high'],
  (i) => ['GET', `/api/alerts/${encodeURIComponent(alerts[i % alerts.length].id)}`],
  (i) => ['GET', `/api/trail?requestId=${encodeURIComponent(trails[i % trails.length])}`],
  () => ['POST', '/api/query', { query: 'index=cloudfront | stats count by edge_location | sort -count' }],
  () => ['POST', '/api/query', { query: 'SELECT event_dataset, count(*) FROM events GROUP BY 1', language: 'sql' }],
  () => ['GET', '/api/insights/coverage'],
  () => ['GET', '/api/sources'],
  () => ['GET', '/api/rules'],
];
const started = performance.now();
const results = await Promise.all(
  Array.from({ length: concurrency }, async (_, i) => {
    const [method, path, body] = mix[i % mix.length](i);
    const t = performance.now();
    try {
      const res = await fetch(base + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      await res.arrayBuffer();
      return { ms: performance.now() - t, ok: res.ok, status: res.status, path };
    } catch (e) {
      return { ms: performance.now() - t, ok: false, status: String(e), path };
    }
  }),
);
const wall = performance.now() - started;
const errors = results.filter((r) => !r.ok);
const ms = results.map((r) => r.ms).sort((a, b) => a - b);
lines.push(
  `API, ${concurrency} concurrent requests over ${mix.length} routes: ${errors.length} errors; wall ${wall.toFixed(0)} ms; latency p50 ${pct(ms, 50).toFixed(0)} ms, p90 ${pct(ms, 90).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`,
);
for (const e of errors.slice(0, 5)) lines.push(`  error: ${e.status} ${e.path}`);
lines.push(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

await server.close();
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = errors.length ? 1 : 0;
