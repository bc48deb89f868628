/**
 * Pivots, entity pages and the search page's sidebar, autocomplete, history and server-side paging
 * (issue 25), in Debian's Chromium driven by playwright-core on the console test store, with
 * axe-core on each page (no serious or critical violation) and the hostile payloads never running.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, buildConsoleDb, PAYLOADS } from './test-fixture.js';
import { axeViolations, launchChromium } from './browser.fixture.js';

const skip = browserTestsSkip();

let server: ConsoleServer;
let base: string;
let browser: Browser;
let page: Page;

const api = async (path: string) => (await fetch(base + path)).json() as Promise<any>;
const query = async (q: string, limit = 1000, language = 'spl') =>
  (await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q, language, limit }) })).json() as Promise<any>;

const inPage = <T>(p: Page, expression: string): Promise<T> => p.evaluate(expression) as Promise<T>;

async function open(p: Page, url: string, selector: string): Promise<void> {
  await p.goto(url);
  await p.locator(selector).first().waitFor({ state: 'visible', timeout: 30_000 });
}


const pwned = (p: Page) => inPage<unknown>(p, 'window.__pwned');
const searchQ = (p: Page) => new URL(p.url()).searchParams.get('q');

before(async () => {
  if (skip) return;
  const fixture = await buildConsoleDb();
  server = await createConsoleServer({ db: fixture.db });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'UTC', bypassCSP: true });
  page = await context.newPage();
  page.on('dialog', (d) => void d.dismiss());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The values of one column of the rendered grid rows. */
async function gridColumn(p: Page, name: string): Promise<string[]> {
  const heads = await p.locator('.vtable-head [role=columnheader]').allTextContents();
  const i = heads.findIndex((h) => h === name);
  assert.ok(i > 0, `${name} is a column (${heads.join(', ')})`);
  return p.locator(`.vtable-row [role=cell][aria-colindex="${i + 1}"]`).allTextContents();
}

test('search cells: a value opens a menu by keyboard or click; filter for and filter out change the current search', { skip }, async () => {
  const q = 'index=cloudfront';
  await open(page, `${base}/search?q=${encodeURIComponent(q)}`, '.vtable-row');
  const cell = page.locator('.vtable-row [data-pivot=source_ip]').first();
  await cell.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await menu.waitFor();
  assert.deepEqual(await menu.getByRole('menuitem').allTextContents(), ['filter for', 'filter out', 'search everywhere', 'open the address page']);
  assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'filter for', 'focus moves into the menu');
  await page.keyboard.press('ArrowDown');
  assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'filter out');
  assert.deepEqual(await axeViolations(page), [], 'search page with a pivot menu open: axe-core');
  await page.keyboard.press('Escape');
  assert.equal(await menu.count(), 0, 'Escape closes the menu');
  assert.equal(await inPage<string>(page, 'document.activeElement.dataset.pivot'), 'source_ip', 'focus returns to the value');

  const first = (await page.locator('.vtable-row [data-pivot=source_ip]').first().textContent())!;
  await page.locator('.vtable-row [data-pivot=source_ip]').first().click();
  await page.getByRole('menuitem', { name: 'filter for' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') !== q);
  assert.equal(searchQ(page), `${q} source_ip="${first}"`);
  await page.locator('.vtable-row').first().waitFor();
  const kept = await query(searchQ(page)!);
  assert.ok(kept.total > 0 && kept.total < (await query(q)).total, `filter for keeps ${kept.total} rows`);
  assert.ok((await gridColumn(page, 'source_ip')).every((v) => v === first), 'every row has the value');

  await page.goto(`${base}/search?q=${encodeURIComponent(q)}`);
  await page.locator('.vtable-row [data-pivot=source_ip]').first().click();
  await page.getByRole('menuitem', { name: 'filter out' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') !== q);
  assert.equal(searchQ(page), `${q} NOT source_ip="${first}"`);
  await page.locator('.vtable-row').first().waitFor();
  assert.ok(!(await gridColumn(page, 'source_ip')).includes(first), 'no row has the value');

  // After a pipe, the filter applies to what the query returns.
  const stats = 'index=cloudfront | stats count by source_ip';
  await open(page, `${base}/search?q=${encodeURIComponent(stats)}`, '.vtable-row');
  const v = (await page.locator('.vtable-row [data-pivot=source_ip]').first().textContent())!;
  await page.locator('.vtable-row [data-pivot=source_ip]').first().click();
  await page.getByRole('menuitem', { name: 'filter for' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') !== stats);
  assert.equal(searchQ(page), `${stats} | search source_ip="${v}"`);
  await page.locator('.vtable-row').first().waitFor();
  assert.equal(await page.locator('.vtable-row').count(), 1);
});

test('alert: hostile field values pivot into a search that finds them; "all N events" selects exactly its events', { skip }, async () => {
  const hostile = (await api(`/api/alerts?rule=${encodeURIComponent('5e1f2c3d-0000-4000-8000-00000000beef')}`)).alerts[0];
  assert.ok(hostile, 'the hostile rule alerted');
  const detail = await api(`/api/alerts/${encodeURIComponent(hostile.id)}`);
  await open(page, `${base}/alerts/${encodeURIComponent(hostile.id)}`, '[data-testid=alert-title]');
  const n = detail.event_ids.length;
  assert.equal(await page.getByTestId('alert-events').textContent(), `all ${n} event${n === 1 ? '' : 's'} in Search`);
  assert.deepEqual(await axeViolations(page), [], 'alert page: axe-core');

  // The user name and the URL carry markup, quotes and a backslash-free payload: filter for each.
  for (const [field, value] of [['user.name', PAYLOADS.userName], ['url.original', null]] as const) {
    const button = page.locator(`.fields [data-pivot=${field.replace('.', '_')}]`).first();
    const text = value ?? (await button.textContent())!;
    await button.click();
    await page.getByRole('menuitem', { name: 'filter for' }).click();
    await page.waitForURL((u) => u.pathname === '/search');
    const q = searchQ(page)!;
    assert.ok(q.startsWith(`${field.replace('.', '_')}="`), q);
    await page.getByTestId('result-count').waitFor();
    const answer = await query(q);
    assert.ok(answer.total >= 1, `${q}: ${answer.error ?? answer.total}`);
    assert.ok(answer.rows.some((r: unknown[]) => r.includes(text)), `${field} found as written`);
    assert.equal(await pwned(page), undefined, 'no payload ran');
    await page.goBack();
    await page.getByTestId('alert-title').waitFor();
  }

  await page.getByTestId('alert-events').click();
  await page.waitForURL((u) => u.pathname === '/search');
  await page.getByTestId('result-count').waitFor();
  const answer = await query(searchQ(page)!, 1000);
  assert.equal(answer.total, n, 'exactly its events');
  const idColumn = answer.columns.findIndex((c: { name: string }) => c.name === 'event_id');
  const ids = idColumn >= 0 ? answer.rows.map((r: unknown[]) => r[idColumn]) : (await query(`${searchQ(page)} | table event_id`)).rows.map((r: unknown[]) => r[0]);
  assert.deepEqual([...ids].sort(), [...detail.event_ids].sort());
  assert.equal(await pwned(page), undefined);
});

test('"search everywhere" quotes the value; trail hop fields and dashboard rows offer the same pivots', { skip }, async () => {
  const burp = (await api(`/api/alerts?text=${encodeURIComponent('Burp Suite')}`)).alerts[0];
  await open(page, `${base}/trail?alertId=${encodeURIComponent(burp.id)}`, '[data-testid=trail-diagram]');
  await page.locator('.hop-allowed[data-hop], .hop-blocked[data-hop]').first().click();
  await page.getByTestId('hop-panel').waitFor();
  const hopValue = page.locator('[data-testid=hop-panel] .fields .pivot-value').first();
  const text = (await hopValue.textContent())!;
  await hopValue.click();
  const everywhere = await page.getByRole('menuitem', { name: 'search everywhere' }).getAttribute('href');
  assert.equal(new URLSearchParams(everywhere!.split('?')[1]).get('q'), `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  assert.deepEqual(await axeViolations(page), [], 'trail page with a pivot menu open: axe-core');
  await page.keyboard.press('Escape');

  await open(page, `${base}/dashboards/cloudfront`, '[data-testid=report] .pivot-icon');
  const icon = page.locator('[data-testid=report] .pivot-icon').first();
  const row = (await icon.getAttribute('aria-label'))!;
  await icon.click();
  const forHref = (await page.getByRole('menuitem', { name: 'filter for' }).getAttribute('href'))!;
  const q = new URLSearchParams(forHref.split('?')[1]).get('q')!;
  assert.match(q, /^index=cloudfront [a-z_]+="/, `${row}: ${q}`);
  assert.ok((await query(q)).total > 0, `${q} finds the row's events`);
  assert.deepEqual(await axeViolations(page), [], 'dashboard with a pivot menu open: axe-core');
});

test('entity pages: an address with its users, sources, alerts, a paged timeline and trails; a hostile user name', { skip }, async () => {
  const [[ip]] = (await query('index=cloudfront | stats count by source_ip | sort -count, source_ip | head 1', 1)).rows;
  const report = await api(`/api/entity?kind=ip&value=${encodeURIComponent(ip)}&limit=50`);
  assert.ok(report.events > 50, `${ip}: ${report.events} events`);
  await open(page, `${base}/entity/ip/${encodeURIComponent(ip)}`, '[data-testid=entity-timeline] tbody tr');
  assert.equal(await page.getByTestId('entity-title').textContent(), `Address ${ip}`);
  assert.match((await page.getByTestId('entity-summary').textContent())!, new RegExp(`^${report.events.toLocaleString('en-US')} events in ${report.datasets.length} source`));
  assert.equal(await page.locator('[data-testid=entity-timeline] tbody tr').count(), 50);
  assert.ok((await page.getByTestId('entity-trail').count()) > 0, 'trails one click away');
  assert.match((await page.getByTestId('timeline-range').textContent())!, /^events 1–50 of /);
  assert.deepEqual(await axeViolations(page), [], 'entity page: axe-core');
  await page.getByRole('link', { name: 'older →' }).click();
  await page.waitForFunction(`document.querySelector('[data-testid=timeline-range]')?.textContent.startsWith('events 51–')`);
  const trail = page.getByTestId('entity-trail').first();
  await trail.click();
  await page.waitForURL((u) => u.pathname === '/trail');
  await page.getByTestId('trail-diagram').waitFor({ timeout: 30_000 });

  // A search cell's address opens its page through the pivot menu.
  await open(page, `${base}/search?q=${encodeURIComponent(`index=cloudfront source_ip="${ip}"`)}`, '.vtable-row [data-pivot=source_ip]');
  await page.locator('.vtable-row [data-pivot=source_ip]').first().click();
  await page.getByRole('menuitem', { name: 'open the address page' }).click();
  await page.waitForURL((u) => u.pathname === `/entity/ip/${ip}`);
  await page.getByTestId('entity-summary').waitFor();

  // The hostile user: its name is text, its events and its alert are listed, nothing runs.
  await open(page, `${base}/entity/user/${encodeURIComponent(PAYLOADS.userName)}`, '[data-testid=entity-timeline] tbody tr');
  assert.equal(await page.getByTestId('entity-title').textContent(), `User ${PAYLOADS.userName}`);
  assert.match((await page.getByTestId('entity-summary').textContent())!, /^2 events/);
  assert.ok((await page.getByTestId('entity-alerts').textContent())!.includes(PAYLOADS.ruleTitle));
  assert.equal(await pwned(page), undefined);
  assert.deepEqual(await axeViolations(page), [], 'user page: axe-core');

  await open(page, `${base}/entity/host/${encodeURIComponent('no-such-host')}`, '[data-testid=entity-summary]');
  assert.match((await page.getByTestId('entity-summary').textContent())!, /^0 events/);
  await open(page, `${base}/entity/ip/not-an-address`, '.error');
  assert.match((await page.locator('.error').textContent())!, /IPv4 or IPv6/);
});

test('search: the field sidebar lists top values of the result; autocomplete offers commands and fields; the history is kept and clearable', { skip }, async () => {
  await inPage(page, 'localStorage.clear()');
  const q = 'index=cloudfront status>=400';
  await open(page, `${base}/search?q=${encodeURIComponent(q)}`, '[data-testid=field-sidebar] details');
  const answer = await query(q, 5000);
  const col = answer.columns.findIndex((c: { name: string }) => c.name === 'source_ip');
  const counts = new Map<string, number>();
  for (const r of answer.rows) if (r[col] !== null) counts.set(String(r[col]), (counts.get(String(r[col])) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  await page.locator('[data-field=source_ip] summary').click();
  const firstValue = page.locator('[aria-label="top values of source_ip"] li').first();
  assert.equal(await firstValue.locator('.pivot-value').textContent(), top[0]);
  assert.equal(await firstValue.locator('.num').textContent(), top[1].toLocaleString('en-US'));
  assert.deepEqual(await axeViolations(page), [], 'search page with the sidebar open: axe-core');
  await firstValue.locator('.pivot-value').click();
  await page.getByRole('menuitem', { name: 'filter for' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') === `${q} source_ip="${top[0]}"`);
  await page.getByTestId('result-count').waitFor();
  assert.match((await page.getByTestId('result-count').textContent())!, new RegExp(`^${top[1]} row`));

  // Autocomplete: a command after a pipe, a field elsewhere; Enter and Tab take the suggestion.
  const box = page.getByRole('textbox', { name: 'SPL or SQL query' });
  await box.fill('');
  await box.pressSequentially('index=cloudfront | sta');
  const list = page.getByTestId('suggestions');
  await list.getByRole('option').first().waitFor();
  const commands = await list.getByRole('option').allTextContents();
  assert.ok(commands.includes('stats'), commands.join(', '));
  for (let i = 0; i < commands.indexOf('stats'); i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await box.inputValue(), 'index=cloudfront | stats ');
  await box.pressSequentially('count by source_i');
  await list.getByRole('option', { name: 'source_ip', exact: true }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await box.inputValue(), 'index=cloudfront | stats count by source_ip');
  assert.deepEqual(await axeViolations(page), [], 'search page with autocomplete: axe-core');
  await page.keyboard.press('Control+Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'index=cloudfront | stats count by source_ip');
  await page.getByTestId('result-count').waitFor();

  // The history: newest first, kept across a reload, cleared on request.
  await page.reload();
  const history = page.getByTestId('search-history');
  await history.locator('li').first().waitFor();
  assert.deepEqual((await history.locator('li a').allTextContents()).slice(0, 3), ['index=cloudfront | stats count by source_ip', `${q} source_ip="${top[0]}"`, q]);
  await history.getByRole('button', { name: 'clear history' }).click();
  assert.equal(await history.locator('li').count(), 0);
  await page.reload();
  await history.waitFor();
  // The page's own search is remembered again when it runs; nothing older came back.
  assert.deepEqual(await history.locator('li a').allTextContents(), ['index=cloudfront | stats count by source_ip']);
});

test('search: the grid fetches further pages from the server instead of the whole result', { skip, timeout: 120_000 }, async () => {
  const q = 'SELECT i FROM range(25000) AS t(i) ORDER BY i';
  const bodies: { limit: number; offset: number }[] = [];
  const sizes: number[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/query') && r.method() === 'POST') bodies.push(JSON.parse(r.postData()!));
  });
  page.on('response', async (r) => {
    if (r.url().endsWith('/api/query')) sizes.push(((await r.json()) as { rows: unknown[] }).rows.length);
  });
  await open(page, `${base}/search?lang=sql&limit=100000&q=${encodeURIComponent(q)}`, '.vtable-row');
  assert.match((await page.getByTestId('grid-pager').textContent())!, /1–10,000 of 25,000/);
  await page.getByRole('button', { name: 'next rows' }).click();
  await page.waitForFunction(`document.querySelector('[data-testid=grid-pager]')?.textContent.includes('10,001–20,000')`);
  await page.getByRole('button', { name: 'next rows' }).click();
  await page.waitForFunction(`document.querySelector('[data-testid=grid-pager]')?.textContent.includes('20,001–25,000')`);
  assert.equal(await page.locator('.vtable-row').first().locator('[role=cell]').first().textContent(), '20000');
  assert.deepEqual(bodies.map((b) => [b.limit, b.offset]), [[10000, 0], [10000, 10000], [10000, 20000]]);
  assert.ok(sizes.every((n) => n <= 10000), `each answer holds one page: ${sizes.join(', ')}`);
});
