/**
 * The shared time range, drag-to-zoom and keyboard paths of the console (issue 25), in Debian's
 * Chromium driven by playwright-core on the console test store: the range round-trips through the
 * URL, resolves relative ranges against the latest stored event, reaches every page's API calls and
 * is carried between pages; a mouse drag on a chart sets it (Back returns); j/k, Enter, `/` and
 * Escape work with the focus never lost; axe-core finds no serious or critical violation.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, buildConsoleDb } from './test-fixture.js';
import { axeViolations, launchChromium } from './browser.fixture.js';

const skip = browserTestsSkip();

let server: ConsoleServer;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** The API requests the page made (path and query, or the POST body of /api/query). */
const requests: { url: string; body: string | null }[] = [];

const api = async (path: string) => (await fetch(base + path)).json() as Promise<any>;
const post = async (body: Record<string, unknown>) =>
  (await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'spl', limit: 10_000, ...body }) })).json() as Promise<any>;
const inPage = <T>(p: Page, expression: string): Promise<T> => p.evaluate(expression) as Promise<T>;
const param = (p: Page, name: string) => new URL(p.url()).searchParams.get(name);

async function open(p: Page, url: string, selector: string): Promise<void> {
  await p.goto(url);
  await p.locator(selector).first().waitFor({ state: 'visible', timeout: 30_000 });
}


/** The latest event of the store, as /api/status says, and the anchor relative ranges count from. */
let lastMs: number;
let anchorMs: number;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

before(async () => {
  if (skip) return;
  const fixture = await buildConsoleDb();
  server = await createConsoleServer({ db: fixture.db });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'UTC', bypassCSP: true });
  page = await context.newPage();
  page.on('dialog', (d) => void d.dismiss());
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) requests.push({ url: r.url(), body: r.postData() });
  });
  const status = await api('/api/status');
  lastMs = Date.parse(`${String(status.last).replace(' ', 'T')}Z`);
  anchorMs = Math.floor(lastMs / 1000) * 1000 + 1000;
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The last request the page made to this API path. */
function lastRequest(path: string): { url: URL; body: any } {
  const r = [...requests].reverse().find((x) => new URL(x.url).pathname === path);
  assert.ok(r, `the page asked ${path}`);
  return { url: new URL(r.url), body: r.body ? JSON.parse(r.body) : undefined };
}

test('alerts: a relative range in the URL resolves against the latest event, is shown, sent to the API, and each change is a history entry', { skip }, async () => {
  await open(page, `${base}/alerts?earliest=-1h`, '[data-testid=alert-count]');
  const since = iso(anchorMs - 3_600_000);
  const until = iso(anchorMs);
  assert.equal(await page.locator('[data-testid=range-preset]').inputValue(), '-1h');
  const resolved = await page.locator('[data-testid=range-resolved]').textContent();
  assert.ok(resolved!.includes(`${since.replace('T', ' ').replace('Z', '')}Z → ${until.replace('T', ' ').replace('Z', '')}Z`), resolved!);
  assert.match(resolved!, /latest event/);
  const sent = lastRequest('/api/alerts').url.searchParams;
  assert.equal(sent.get('since'), since);
  assert.equal(sent.get('until'), until);
  const expected = await api(`/api/alerts?since=${since}&until=${until}&limit=1`);
  const all = await api('/api/alerts?limit=1');
  assert.ok(expected.total < all.total, `last hour ${expected.total} of ${all.total}: the range must narrow the demo store`);
  assert.match((await page.locator('[data-testid=alert-count]').textContent())!, new RegExp(`^${expected.total.toLocaleString('en-US')} alert`));

  // A preset is a new history entry; Back returns to the previous range; a reload reproduces the view.
  await page.locator('[data-testid=range-preset]').selectOption('-15m');
  await page.waitForURL((u) => u.searchParams.get('earliest') === '-15m');
  await page.locator('[data-testid=range-resolved]', { hasText: iso(anchorMs - 900_000).slice(11, 19) }).waitFor();
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('earliest') === '-1h');
  assert.equal(await page.locator('[data-testid=range-preset]').inputValue(), '-1h');
  await page.locator('[data-testid=range-preset]').selectOption('');
  await page.waitForURL((u) => !u.searchParams.has('earliest'));
  await page.locator('[data-testid=alert-count]', { hasText: `${all.total.toLocaleString('en-US')} alert` }).waitFor();
  assert.equal(lastRequest('/api/alerts').url.searchParams.get('since'), null);
});

test('absolute from–to: typed in UTC, or in local time when the console shows local time; the URL holds instants', { skip }, async () => {
  await open(page, `${base}/alerts`, '[data-testid=alert-count]');
  await page.locator('[data-testid=range-preset]').selectOption('custom');
  const from = iso(lastMs - 1_800_000).slice(0, 19).replace('T', ' ');
  await page.locator('[data-testid=range-from]').fill(from);
  await page.locator('[data-testid=range-to]').fill('');
  await page.getByRole('button', { name: 'Apply range' }).click();
  await page.waitForURL((u) => u.searchParams.has('earliest'));
  assert.equal(param(page, 'earliest'), `${from.replace(' ', 'T')}Z`);
  await page.reload();
  await page.locator('[data-testid=range-from]').waitFor();
  assert.equal(await page.locator('[data-testid=range-from]').inputValue(), `${from}Z`, 'a reload shows the same range');
  assert.equal(lastRequest('/api/alerts').url.searchParams.get('since'), `${from.replace(' ', 'T')}Z`);

  // In New York, with the console switched to local time, typed times are local and shown with their offset.
  const ny = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'America/New_York', bypassCSP: true });
  try {
    const p = await ny.newPage();
    await open(p, `${base}/alerts?earliest=2026-11-20T08:30:00Z&latest=2026-11-20T09:00:00Z`, '[data-testid=range-from]');
    await p.locator('[data-testid=time-zone]').click();
    await p.locator('[data-testid=range-from]').waitFor();
    assert.equal(await p.locator('[data-testid=range-from]').inputValue(), '2026-11-20 03:30:00-05:00');
    await p.locator('[data-testid=range-from]').fill('2026-11-20 03:45:00');
    await p.getByRole('button', { name: 'Apply range' }).click();
    await p.waitForURL((u) => u.searchParams.get('earliest') === '2026-11-20T08:45:00Z');
    assert.equal(new URL(p.url()).searchParams.get('latest'), '2026-11-20T09:00:00Z');
    assert.match((await p.locator('[data-testid=range-resolved]').textContent())!, /03:45:00-05:00 → 2026-11-20 04:00:00-05:00/);
  } finally {
    await ny.close();
  }
});

test('the range is carried between alerts, search, entity pages and dashboards, and each page asks its API with it', { skip }, async () => {
  const since = iso(anchorMs - 3_600_000);
  await open(page, `${base}/alerts?earliest=-1h`, '[data-testid=alert-count]');
  await page.getByRole('navigation', { name: 'pages' }).getByRole('link', { name: 'Search' }).click();
  await page.waitForURL((u) => u.pathname === '/search');
  assert.equal(param(page, 'earliest'), '-1h');
  await page.locator('[data-search-box]').fill('index=cloudfront');
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.locator('.vtable-row').first().waitFor();
  const body = lastRequest('/api/query').body;
  assert.equal(body.since, since, 'the search is bounded by the range');
  const inRange = await post({ query: 'index=cloudfront', since, until: iso(anchorMs), limit: 1 });
  const everything = await post({ query: 'index=cloudfront', limit: 1 });
  assert.ok(inRange.total < everything.total);
  assert.match((await page.locator('[data-testid=result-count]').textContent())!, new RegExp(`^${inRange.total.toLocaleString('en-US')} row`));

  // A pivot to an entity page keeps the range, and the entity report is asked for it.
  const cell = page.locator('.vtable-row [data-pivot=source_ip]').first();
  await cell.click();
  await page.locator('[data-pivot-action=entity]').click();
  await page.waitForURL((u) => u.pathname.startsWith('/entity/ip/'));
  assert.equal(param(page, 'earliest'), '-1h');
  await page.locator('[data-testid=entity-summary]').waitFor();
  assert.equal(lastRequest('/api/entity').url.searchParams.get('since'), since);

  await page.getByRole('navigation', { name: 'pages' }).getByRole('link', { name: 'Dashboards' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/dashboards'));
  assert.equal(param(page, 'earliest'), '-1h');
  await page.locator('[data-testid=report]').waitFor({ timeout: 60_000 });
  assert.equal(lastRequest(new URL(requests.filter((r) => new URL(r.url).pathname.startsWith('/api/insights/')).at(-1)!.url).pathname).url.searchParams.get('since'), since);
  assert.deepEqual(await axeViolations(page), []);
});

/** Drags the mouse across a chart's plot area from one fraction of its width to another. */
async function dragAcross(p: Page, chart: string, from: number, to: number): Promise<void> {
  const over = p.locator(`${chart} .u-over`).first();
  await over.waitFor();
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  const y = box.y + box.height / 2;
  await p.mouse.move(box.x + box.width * from, y);
  await p.mouse.down();
  await p.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 });
  await p.mouse.move(box.x + box.width * to, y, { steps: 4 });
  await p.mouse.up();
}

test('drag on the search histogram zooms: the selection becomes the range (a history entry), the rows follow, Back returns', { skip }, async () => {
  await open(page, `${base}/search?q=${encodeURIComponent('index=cloudfront')}`, '.chart.zoomable');
  const rowsText = async () => /^[\d,]+ rows?/.exec((await page.locator('[data-testid=result-count]').textContent())!)![0];
  const allCount = await rowsText();
  await dragAcross(page, '.chart.zoomable', 0.3, 0.6);
  await page.waitForURL((u) => u.searchParams.has('earliest') && u.searchParams.has('latest'));
  const earliest = param(page, 'earliest')!;
  const latest = param(page, 'latest')!;
  assert.ok(Date.parse(earliest) < Date.parse(latest), `${earliest} → ${latest}`);
  await page.waitForFunction(`!document.querySelector('[data-testid=result-count]')?.textContent?.startsWith(${JSON.stringify(`${allCount} `)})`);
  const expected = await post({ query: 'index=cloudfront', since: earliest, until: latest, limit: 1 });
  assert.match((await page.locator('[data-testid=result-count]').textContent())!, new RegExp(`^${expected.total.toLocaleString('en-US')} row`));
  assert.equal(lastRequest('/api/query').body.since, earliest);
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('earliest'));
  await page.locator('[data-testid=result-count]', { hasText: allCount }).waitFor();
});

test('drag on an entity timeline chart and a dashboard time series zooms them too', { skip }, async () => {
  const top = await post({ query: '| stats count by source_ip | sort -count | head 1' });
  const ip = String(top.rows[0][0]);
  await open(page, `${base}/entity/ip/${encodeURIComponent(ip)}`, '.chart.zoomable');
  const before = (await page.locator('[data-testid=entity-summary]').textContent())!;
  await dragAcross(page, '.chart.zoomable', 0.1, 0.5);
  await page.waitForURL((u) => u.searchParams.has('latest'));
  await page.locator('[data-testid=entity-summary]').filter({ hasNotText: before }).waitFor();
  assert.equal(lastRequest('/api/entity').url.searchParams.get('until'), param(page, 'latest'));
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('latest'));

  await open(page, `${base}/dashboards/cloudfront`, '.chart.zoomable');
  await dragAcross(page, '.chart.zoomable', 0.2, 0.7);
  await page.waitForURL((u) => u.searchParams.has('latest'));
  await page.locator('[data-testid=report]').waitFor();
  const insight = requests.filter((r) => new URL(r.url).pathname === '/api/insights/cloudfront').at(-1)!;
  assert.equal(new URL(insight.url).searchParams.get('since'), param(page, 'earliest'));
});

test('keyboard: j/k move through the alerts with a visible focus, Enter opens, `/` focuses the search box and typing there moves nothing', { skip }, async () => {
  await open(page, `${base}/alerts`, 'tr[data-alert-id]');
  const ids = await page.locator('tr[data-alert-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));
  await page.locator('h1').click();
  await page.keyboard.press('j');
  assert.equal(await inPage(page, 'document.activeElement.getAttribute("data-alert-id")'), ids[0]);
  const outline = await inPage<string>(page, 'getComputedStyle(document.activeElement).outlineStyle');
  assert.notEqual(outline, 'none', 'the row shows its focus');
  assert.equal(await inPage(page, 'window.scrollX'), 0, 'a row wider than the window does not shift the page sideways');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  assert.equal(await inPage(page, 'document.activeElement.getAttribute("data-alert-id")'), ids[1]);
  await page.keyboard.press('/');
  assert.equal(await inPage(page, 'document.activeElement.getAttribute("name")'), 'text');
  await page.keyboard.type('jk');
  assert.equal(await page.locator('input[name=text]').inputValue(), 'jk', 'j and k typed into the box');
  await page.locator('input[name=text]').fill('');
  await page.locator('tr[data-alert-id]').nth(1).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/alerts/${encodeURIComponent(ids[1]!)}`);
  await page.locator('[data-testid=alert-title]').waitFor();
  // `/` on a page without a search box opens Search with its box.
  await page.keyboard.press('/');
  await page.waitForURL((u) => u.pathname === '/search');
});

test('keyboard on search rows: j/k, Enter opens the row panel, Escape closes it and the focus returns to the row; axe on the panel', { skip }, async () => {
  await open(page, `${base}/search?q=${encodeURIComponent('index=cloudfront')}`, '.vtable-row');
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.waitForFunction('document.activeElement && document.activeElement.dataset.row === "1"');
  await page.keyboard.press('k');
  await page.waitForFunction('document.activeElement && document.activeElement.dataset.row === "0"');
  await page.keyboard.press('Enter');
  const panel = page.locator('[data-testid=row-panel]');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('aria-label'), 'row 1');
  assert.ok(await inPage<boolean>(page, 'document.querySelector("[data-testid=row-panel]").contains(document.activeElement)'), 'the panel has the focus');
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await page.waitForFunction('document.activeElement && document.activeElement.dataset.row === "0"');
  // Many j presses scroll the grid: the focused row stays rendered and in view.
  for (let i = 0; i < 30; i++) await page.keyboard.press('j');
  await page.waitForFunction('document.activeElement && document.activeElement.dataset.row === "30"');
  const inView = await inPage<boolean>(page, `(() => { const r = document.activeElement.getBoundingClientRect(); const b = document.querySelector('.vtable-body').getBoundingClientRect(); return r.top >= b.top - 1 && r.bottom <= b.bottom + 1; })()`);
  assert.ok(inView, 'the focused row is scrolled into view');
});

test('keyboard on the entity timeline and dashboard rows: j moves, Enter follows the row link; axe on the pages', { skip }, async () => {
  const top = await post({ query: '| stats count by source_ip | sort -count | head 1' });
  const ip = String(top.rows[0][0]);
  await open(page, `${base}/entity/ip/${encodeURIComponent(ip)}?earliest=-24h`, '[data-testid=entity-timeline] tr[data-nav-row]');
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  const second = page.locator('[data-testid=entity-timeline] tr[data-nav-row]').nth(1);
  assert.ok(await inPage<boolean>(page, `document.activeElement === document.querySelectorAll('[data-testid=entity-timeline] tr[data-nav-row]')[1]`));
  const target = await second.locator('[data-open]').getAttribute('href');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname + u.search === target || (u.pathname === new URL(target!, base).pathname && u.searchParams.get('earliest') === '-24h'));

  await open(page, `${base}/dashboards/cloudfront`, 'tr[data-nav-row]');
  assert.deepEqual(await axeViolations(page), []);
  await page.locator('h1').click();
  await page.keyboard.press('j');
  assert.ok(await inPage<boolean>(page, 'document.activeElement.matches("tr[data-nav-row]")'));
});
