// Benchmark: how long the console's alerts, trail, entity and search pages take from navigation to
// content (issue 25: ≤ 500 ms on the demo store, ≤ 1.5 s on a 10M-event store, median of 5).
//
// `packettrail serve --read-only` runs as its own process on the store (as an analyst runs it); Debian's
// chromium (playwright-core) opens each page once to warm up, then --runs times. "Content" is one
// visible element per page (DONE below); the time is the page's own clock (performance.now(), 0 =
// navigation start) at the first animation frame where that element is visible. Each time is split
// into the API's part (the union of the page's /api/ requests, start to last byte, from the browser's
// Resource Timing: server work plus loopback transfer) and the browser's part (the rest: loading the
// console's files, parsing, rendering), so the figures can be read on a loaded machine.
//
// The store is only read: it is reached through a symbolic link in a temporary directory, which is
// where serve keeps its own files (accounts, audit log, saved searches); DuckDB opens it read-only.
//
// Usage: npm run build && node bench/console-render.js --db STORE.duckdb [--runs 5]
//          [--request-id ID] [--ip ADDRESS] [--query SPL] [--node /path/to/node]
//   Without --request-id a request id of an alert (else of an app.json event) is taken; without --ip,
//   the viewer address of that request's CloudFront event (else of any event of it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { arg } from './lib.js';

const CHROMIUM = '/usr/bin/chromium';
const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const runs = Number(arg('runs', '5'));
const db = arg('db', undefined);
const nodeBin = arg('node', process.execPath);
const searchQuery = arg('query', 'index=cloudfront status=404');
if (!db || !existsSync(db)) {
  process.stderr.write('usage: node bench/console-render.js --db STORE.duckdb [--runs 5] [--request-id ID] [--ip ADDRESS] [--query SPL] [--node NODE]\n');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM} is absent (apt-get install chromium)\n`);
  process.exit(2);
}

/** What "done" means on each page: the element whose visibility ends the measure. */
const DONE = {
  alerts: '[data-testid=alert-count]', // "N alerts", rendered with the first page of rows
  trail: '[data-testid=trail-diagram] .hop', // the hop diagram (anchor, coverage and joins answered)
  entity: '[data-testid=entity-timeline] tbody tr', // the first timeline row (summary, alerts and timeline answered)
  search: '.vtable-row', // the first row of the result grid
};

const scratch = mkdtempSync(join(tmpdir(), 'packettrail-bench-render-'));
const link = join(scratch, basename(db));
symlinkSync(resolve(db), link);

/** Starts serve on any free port; resolves with its URL once it listens. */
function startServe() {
  const child = spawn(nodeBin, [MAIN, 'serve', '--read-only', '--db', link, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, fail) => {
    let said = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      said += s;
      const m = /packettrail console: (http:\/\/[^/\s]+)\//.exec(said);
      if (m) ok({ child, url: m[1] });
    });
    child.on('exit', (code) => fail(new Error(`serve exited (${code}): ${said}`)));
  });
}

const { child, url: base } = await startServe();
const post = async (path, body) => (await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
const get = async (path) => (await fetch(base + path)).json();
const sqlRows = async (query) => {
  const a = await post('/api/query', { query, language: 'sql', limit: 5 });
  if (a.error) throw new Error(`${query}: ${a.error}`);
  return a.rows;
};

let requestId = arg('request-id', undefined);
if (!requestId) {
  for (const a of (await get('/api/alerts?limit=50')).alerts ?? []) {
    requestId = (await get(`/api/alerts/${encodeURIComponent(a.id)}`)).requestIds?.[0];
    if (requestId) break;
  }
}
requestId ??= (await sqlRows(`SELECT http_request_id FROM events WHERE event_dataset = 'app.json' AND http_request_id IS NOT NULL LIMIT 1`))[0]?.[0];
let ip = arg('ip', undefined);
ip ??= (await sqlRows(`SELECT source_ip FROM events WHERE http_request_id = '${String(requestId).replace(/'/g, "''")}' AND source_ip IS NOT NULL ORDER BY event_dataset = 'aws.cloudfront' DESC LIMIT 1`))[0]?.[0];
const status = await get('/api/status');

const PAGES = [
  ['alerts', '/alerts'],
  ['trail', `/trail?requestId=${encodeURIComponent(requestId)}`],
  ['entity', `/entity/ip/${encodeURIComponent(ip)}`],
  ['search', `/search?q=${encodeURIComponent(searchQuery)}`],
];

const { chromium } = await import('playwright-core');
const profile = mkdtempSync(join(tmpdir(), 'packettrail-bench-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 800 }, timezoneId: 'UTC',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = browser.pages()[0] ?? (await browser.newPage());

/** One navigation: ms to content on the page's clock, the API's part, and each API request's time. */
async function measure(path, selector) {
  await page.goto(base + path, { waitUntil: 'commit' });
  const total = await (
    await page.waitForFunction(
      (sel) => {
        const e = document.querySelector(sel);
        if (!e) return false;
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 ? performance.now() : false;
      },
      selector,
      { polling: 'raf', timeout: 120_000 },
    )
  ).jsonValue();
  const calls = await page.evaluate(
    (before) =>
      performance
        .getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname.startsWith('/api/') && e.startTime < before)
        .map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd, wait: e.responseStart - e.requestStart })),
    total,
  );
  // The union of the request intervals that ended before the content showed: time the page waited on the API.
  let api = 0;
  let until = 0;
  for (const c of calls.filter((c) => c.end <= total).sort((a, b) => a.start - b.start)) {
    const from = Math.max(c.start, until);
    if (c.end > from) api += c.end - from;
    until = Math.max(until, c.end);
  }
  return { total, api, calls };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => x.toFixed(0);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const lines = [
  `store ${db}: ${status.events?.toLocaleString('en-US')} events, ${status.alerts?.toLocaleString('en-US')} alerts; node ${(await nodeVersion())}; serve ${base}`,
  `trail request id ${requestId}; entity ip ${ip}; search ${searchQuery}`,
  `load average at start ${load()}`,
  '',
  '| page | done when visible | median | runs (ms) | API part (median) | browser part (median) | slowest API call (median) |',
  '|---|---|---|---|---|---|---|',
];

async function nodeVersion() {
  const { execFileSync } = await import('node:child_process');
  return execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
}

try {
  for (const [name, path] of PAGES) {
    await measure(path, DONE[name]); // warm-up: the browser's cache, DuckDB's buffers
    const taken = [];
    for (let i = 0; i < runs; i++) taken.push(await measure(path, DONE[name]));
    const slowest = new Map();
    for (const t of taken) for (const c of t.calls) slowest.set(c.path, [...(slowest.get(c.path) ?? []), c.end - c.start]);
    const [slowPath, slowTimes] = [...slowest.entries()].sort((a, b) => median(b[1]) - median(a[1]))[0] ?? ['—', [0]];
    const total = taken.map((t) => t.total);
    const api = median(taken.map((t) => t.api));
    lines.push(`| ${name} | \`${DONE[name]}\` | **${ms(median(total))} ms** | ${total.map(ms).join(', ')} | ${ms(api)} ms | ${ms(median(taken.map((t) => t.total - t.api)))} ms | ${slowPath} ${ms(median(slowTimes))} ms |`);
    process.stderr.write(`${name} done (load ${load()})\n`);
  }
  lines.push('', `load average at end ${load()}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(profile, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}
