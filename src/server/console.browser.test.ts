/**
 * The console end to end in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * every page on demo-like data, an alert followed to its trail, the seed SPL query, and hostile log
 * content that must render as text and never run. One browser for the whole file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SEED_SPL } from '../query/spl/seed.fixture.js';
import { seedDatabase } from '../query/spl/testing.fixture.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, buildConsoleDb, CHROMIUM, HOSTILE_REQUEST_ID, PAYLOADS } from './test-fixture.js';

const skip = browserTestsSkip();

let server: ConsoleServer;
let seedServer: ConsoleServer;
let base: string;
let seedBase: string;
let fixtureDb: string;
let browser: BrowserContext;
let page: Page;
const shots = tempDir('packettrail-console-shots-');
const dialogs: string[] = [];

async function listen(s: ConsoleServer): Promise<string> {
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}

const api = async (path: string) => (await fetch(base + path)).json() as Promise<any>;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Loads a console URL and waits for the selector; returns the milliseconds from navigation to it being visible. */
async function open(url: string, selector: string): Promise<number> {
  const started = Date.now();
  await page.goto(url);
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: 30_000 });
  return Date.now() - started;
}

before(async () => {
  if (skip) return;
  const [fixture, seedDb] = await Promise.all([buildConsoleDb(), Promise.resolve(seedDatabase())]);
  fixtureDb = fixture.db;
  server = await createConsoleServer({ db: fixture.db });
  base = await listen(server);
  seedServer = await createConsoleServer({ db: seedDb });
  seedBase = await listen(seedServer);
  browser = await chromium.launchPersistentContext(tempDir('packettrail-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  process.stdout.write(`console screenshots: ${shots}\n`);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await seedServer?.close();
});

test('alerts page: the list matches the API, filters live in the URL, an alert opens and is followed to its trail', { skip }, async () => {
  const ms = await open(`${base}/`, 'table.alerts tbody tr');
  assert.match(page.url(), /\/alerts$/, 'the root opens the alerts page');
  const total = (await api('/api/alerts')).total as number;
  assert.equal(await page.getByTestId('alert-count').textContent(), `${total} alerts`);
  assert.equal(await page.locator('table.alerts tbody tr').count(), Math.min(total, 100));
  process.stdout.write(`alerts page visible in ${ms} ms\n`);
  await shot('alerts');

  await page.selectOption('select[name=level]', 'high');
  await page.waitForURL(/level=high/);
  // Runs in the page (this file compiles without the DOM library, hence globalThis).
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
    return doc.querySelectorAll('table.alerts tbody tr').length > 0 && Array.from(doc.querySelectorAll('table.alerts .badge')).every((b) => b.textContent === 'high');
  });
  assert.equal(await page.getByTestId('alert-count').textContent(), `${(await api('/api/alerts?level=high')).total} alert${(await api('/api/alerts?level=high')).total === 1 ? '' : 's'}`);

  const burp = (await api(`/api/alerts?text=${encodeURIComponent('Burp Suite')}`)).alerts[0];
  await open(`${base}/alerts?text=${encodeURIComponent('Burp Suite')}`, 'table.alerts tbody tr');
  await page.locator(`a[href="/alerts/${burp.id}"]`).click();
  await page.getByTestId('alert-title').waitFor();
  assert.equal(await page.getByTestId('alert-title').textContent(), burp.rule_title);
  await shot('alert');
  await page.getByTestId('follow').click();
  await page.waitForURL(/\/trail\?alertId=/);
  await page.getByTestId('trail-diagram').waitFor({ timeout: 15_000 });
  const trail = await api(`/api/trail?alertId=${encodeURIComponent(burp.id)}`);
  for (const hop of trail.hops as { kind: string; verdict: string }[]) {
    assert.equal(await page.locator(`[data-hop="${hop.kind}"]`).getAttribute('class'), `hop hop-${hop.verdict}`, `${hop.kind} drawn as ${hop.verdict}`);
  }
  const withJoin = (trail.hops as { kind: string; join?: { method: string; evidence: string } }[]).find((h) => h.join)!;
  await page.locator(`[data-hop="${withJoin.kind}"]`).focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('hop-panel').waitFor();
  assert.match(page.url(), new RegExp(`hop=${withJoin.kind}`), 'the selected hop is in the URL');
  const panel = await page.getByTestId('hop-panel').textContent();
  assert.ok(panel?.includes(withJoin.join!.method) && panel.includes(withJoin.join!.evidence), 'the join and its evidence are shown');
  await shot('trail');
});

test('a request\'s trail opens straight from its URL (shareable), with every hop drawn', { skip }, async () => {
  const req = (await api('/api/alerts?source=app.json')).alerts[0];
  const detail = await api(`/api/alerts/${req.id}`);
  const ms = await open(`${base}/trail?requestId=${encodeURIComponent(detail.requestIds[0])}`, '[data-testid=trail-diagram] .hop');
  process.stdout.write(`trail visible in ${ms} ms\n`);
  assert.ok((await page.locator('[data-testid=trail-diagram] .hop').count()) >= 3);
});

test('search: the seed SPL query shows one row per URL with the seed values; CSV export downloads the rows', { skip }, async () => {
  await open(`${seedBase}/search`, 'textarea[name=q]');
  await page.fill('textarea[name=q]', SEED_SPL);
  await page.press('textarea[name=q]', 'Control+Enter');
  await page.getByTestId('result-count').waitFor({ timeout: 20_000 });
  assert.match((await page.getByTestId('result-count').textContent())!, /^2 rows · SPL/);
  assert.match(page.url(), /\/search\?q=/, 'the query is in the URL');
  const header = await page.locator('.vtable-head [role=columnheader]').allTextContents();
  assert.deepEqual(header.slice(1, 4), ['url', 'first', 'last']);
  const first = await page.locator('.vtable-row').first().locator('[role=cell]').allTextContents();
  assert.equal(first[0], 'https://app.example.com');
  assert.ok(first.includes('["FRA56-P3"]') && first.includes('["10.20.1.15","198.51.100.10"]'), first.join(' | '));
  await shot('search-seed');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'export CSV' }).click()]);
  const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
  assert.match(csv, /^url,first,last,/);
  assert.equal(csv.trim().split('\r\n').length, 3);

  await open(`${base}/search?q=${encodeURIComponent('SELECT timestamp, event_dataset, source_ip FROM events ORDER BY timestamp')}&lang=sql&limit=20000`, '.vtable-row');
  assert.ok((await page.locator('.vtable-row').count()) < 100, 'only the rows in view are rendered');
  assert.ok(await page.locator('.chart canvas').count(), 'the time histogram is drawn');
  await shot('search-events');
  // A timechart result is drawn as its series, named in the legend like its columns.
  await open(`${base}/search?q=${encodeURIComponent('index=cloudfront | timechart span=1m count by cache_status')}`, '.vtable-row');
  const series = (await page.locator('.vtable-head [role=columnheader]').allTextContents()).slice(1);
  assert.equal(series[0], '_time');
  assert.ok(series.length > 1, series.join(' | '));
  assert.deepEqual((await page.locator('.chart .u-legend .u-series th').allTextContents()).slice(1).map((t) => t.replace(/:?\s*$/, '')), series.slice(1));
  await shot('search-timechart');
  await open(`${base}/search?q=${encodeURIComponent('index=cloudfront | stats bogus(x)')}`, '.error');
  assert.match((await page.locator('.error').textContent())!, /^SPL: /);
});

test('dashboards and sources pages render what the API returns', { skip }, async () => {
  const views = (await api('/api/insights')).views as { id: string }[];
  for (const v of views) {
    await open(`${base}/dashboards/${v.id}`, '[data-testid=report]');
    const report = await api(`/api/insights/${v.id}`);
    // Under a loaded CI machine the cards were once counted before they were all there: wait for them
    // (a page that never shows them still fails below, with what it showed).
    const cards = '[data-testid=report] section.card';
    await page
      .waitForFunction(([sel, n]) => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll(sel as string).length === n, [cards, report.sections.length] as const, { timeout: 10_000 })
      .catch(() => {});
    assert.equal(await page.locator(cards).count(), report.sections.length, `${v.id}: ${(await page.locator('[data-testid=report]').first().innerHTML()).slice(0, 400)}`);
    await shot(`dashboard-${v.id}`);
  }
  await open(`${base}/sources`, '[data-testid=rules] tbody tr');
  const sources = await api('/api/sources');
  // The datasets table arrives with its own request, after the rules table the page waited for.
  await page.locator('[data-testid=datasets] tbody tr').nth(sources.datasets.length - 1).waitFor({ timeout: 10_000 }).catch(() => {});
  assert.equal(await page.locator('[data-testid=datasets] tbody tr').count(), sources.datasets.length);
  await shot('sources');
  await page.getByRole('button', { name: 'theme: auto (click to change)' }).click();
  assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
  await shot('sources-dark');
  await page.getByRole('button', { name: 'theme: dark (click to change)' }).click();
});

test('hostile log content renders as text on every page and nothing executes', { skip }, async () => {
  const hostile = (await api(`/api/alerts?text=${encodeURIComponent('window.__pwned')}`)).alerts.find((a: { rule_title: string }) => a.rule_title === PAYLOADS.ruleTitle);
  assert.ok(hostile, 'the hostile alert exists');
  const visits: [string, string, string[]][] = [
    [`${base}/alerts?text=${encodeURIComponent('window.__pwned')}`, 'table.alerts tbody tr', [PAYLOADS.ruleTitle]],
    [`${base}/alerts/${hostile.id}`, '[data-testid=alert-title]', [PAYLOADS.ruleTitle, PAYLOADS.userAgent, PAYLOADS.userName, PAYLOADS.uri.split('?')[1]!]],
    [`${base}/trail?requestId=${encodeURIComponent(HOSTILE_REQUEST_ID)}&hop=origin`, '[data-testid=hop-panel]', [PAYLOADS.userAgent, PAYLOADS.userName, HOSTILE_REQUEST_ID]],
    [`${base}/search?lang=sql&q=${encodeURIComponent("SELECT user_name, url_original, url_query, user_agent_original, http_request_id FROM events WHERE user_agent_original LIKE '%onerror%'")}`, '.vtable-row', [PAYLOADS.userAgent, PAYLOADS.userName]],
    [`${base}/sources`, '[data-testid=rules] tbody tr', [PAYLOADS.ruleTitle]],
  ];
  for (const [url, selector, texts] of visits) {
    await open(url, selector);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const t of texts) assert.ok(text.includes(t), `${url} shows ${t} as text`);
    assert.equal(await page.locator('main img, main svg[onload], main script').count(), 0, `${url}: no element came from a payload`);
  }
  // The dead letter sample and a saved search named with a payload.
  await page.locator('.rejections button').first().click();
  await page.locator('.samples pre').first().waitFor();
  assert.ok((await page.locator('.samples').textContent())?.includes(PAYLOADS.deadLetter));
  await open(`${base}/search?q=${encodeURIComponent('index=app | head 1')}`, '.vtable-row');
  await page.fill('input[name=name]', PAYLOADS.ruleTitle);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.saved li a', { hasText: 'Hostile Request' }).waitFor();
  await shot('xss-saved-search');
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no alert() dialog opened');
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'no payload ran');
});

test('behind a token: the page and its files load without it, the API only with it (#token= once)', { skip }, async () => {
  const token = 'browser-test-token-0123456789abcdef';
  const guarded = await createConsoleServer({ db: fixtureDb, token });
  try {
    const at = await listen(guarded);
    await open(`${at}/alerts`, 'form.token');
    assert.equal(await page.locator('table.alerts').count(), 0, 'no data without the token');
    // As serve prints it: open /#token=<token> once.
    await open(`${at}/#token=${token}`, 'table.alerts tbody tr');
    assert.doesNotMatch(page.url(), /token=/, 'the token leaves the address bar');
    await open(`${at}/dashboards/coverage`, '[data-testid=report]');
  } finally {
    await guarded.close();
  }
});
