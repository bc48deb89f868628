/**
 * Alert triage in a real Chromium (Debian's /usr/bin/chromium via playwright-core): triage one
 * alert on its page with the keyboard, bulk-close two from the list, the grouped view with its
 * members one click away; axe-core on each (no serious or critical violation); a hostile rule
 * title never runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OwnerStore } from '../service/owner-store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';
import { storeTriageAlerts } from '../testing/triage-alerts.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, CHROMIUM } from './test-fixture.js';
import { axeViolations } from './browser.fixture.js';

const skip = browserTestsSkip();
let server: ConsoleServer;
let store: OwnerStore;
let base: string;
let browser: Browser;
let page: Page;
let ids: string[];

const inPage = <T>(p: Page, expression: string): Promise<T> => p.evaluate(expression) as Promise<T>;

const api = async (path: string) => (await fetch(base + path)).json() as Promise<any>;

before(async () => {
  if (skip) return;
  const db = join(tempDir('packettrail-console-triage-'), 'triage.duckdb');
  // Written as serve writes it: the owner's store (the console's own, when serve holds the database).
  store = new OwnerStore(await DuckDbStore.open(db));
  ids = await storeTriageAlerts(store);
  server = await createConsoleServer({ db, store });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'UTC', bypassCSP: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

test('triage one alert on its page with the keyboard: status, note, and the history', { skip }, async () => {
  await page.goto(`${base}/alerts`);
  await page.locator('[data-testid=status]').first().waitFor({ timeout: 30_000 });
  assert.deepEqual([...new Set(await page.locator('tbody [data-testid=status]').allTextContents())], ['new']);
  assert.deepEqual(await axeViolations(page), [], 'alerts page');
  await page.goto(`${base}/alerts/${ids[0]}`);
  await page.locator('[data-testid=triage]').waitFor({ timeout: 30_000 });
  await page.getByLabel('status', { exact: true }).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getByLabel('status', { exact: true }).inputValue(), 'acknowledged');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('seen <b>before</b>');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=history] li').nth(1).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-testid=triage] [data-testid=status]').textContent(), 'acknowledged');
  const history = await page.locator('[data-testid=history]').textContent();
  assert.match(history!, /local \(loopback\) · status: new → acknowledged/);
  assert.match(history!, /seen <b>before<\/b>/, 'the note is text, not markup');
  assert.deepEqual(await axeViolations(page), [], 'alert page');
  const stored = await api(`/api/alerts/${ids[0]}`);
  assert.equal(stored.triage.status, 'acknowledged');
});

test('bulk: select two alerts, close them as benign in one action', { skip }, async () => {
  await page.goto(`${base}/alerts`);
  await page.locator('[data-testid=select-alert]').first().waitFor({ timeout: 30_000 });
  const rows = page.locator('tbody tr');
  const [x, y] = [ids[1]!, ids[3]!];
  for (const id of [x, y]) {
    await page.locator(`tr[data-alert-id="${id}"] [data-testid=select-alert]`).focus();
    await page.keyboard.press('Space');
  }
  const bar = page.locator('[data-testid=bulk-bar]');
  await bar.waitFor();
  assert.match((await bar.textContent())!, /2 selected/);
  await bar.getByLabel('status').selectOption('benign');
  assert.deepEqual(await axeViolations(page), [], 'alerts page with the bulk bar');
  await bar.getByRole('button', { name: /Apply to 2/ }).click();
  await bar.waitFor({ state: 'detached', timeout: 15_000 });
  await page.locator(`tr[data-alert-id="${x}"] [data-testid=status]`, { hasText: 'benign' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator(`tr[data-alert-id="${y}"] [data-testid=status]`).textContent(), 'closed: benign');
  assert.equal(await rows.count(), 5);
  const closed = await api('/api/alerts?status=benign');
  assert.deepEqual(closed.alerts.map((a: { id: string }) => a.id).sort(), [x, y].sort());
});

test('grouped view: repeats of one rule on one entity in one row, its members one click away', { skip }, async () => {
  await page.goto(`${base}/alerts`);
  await page.getByLabel('group repeats').waitFor({ timeout: 30_000 });
  await page.getByLabel('group repeats').check();
  const groups = page.locator('[data-testid=alert-groups] tbody tr');
  await groups.first().waitFor({ timeout: 15_000 });
  assert.equal(await groups.count(), 3);
  assert.match(page.url(), /group=true/);
  const h1 = groups.filter({ hasText: 'host.name=h1' }).filter({ hasText: 'Rule A' });
  assert.match((await h1.textContent())!, /3 alerts/);
  assert.match((await h1.textContent())!, /2026-11-20 08:01:00/);
  assert.deepEqual(await axeViolations(page), [], 'grouped view');
  await h1.locator('[data-testid=group-members]').click();
  await page.locator('[data-testid=alert-count]').waitFor({ timeout: 15_000 });
  assert.match((await page.locator('[data-testid=alert-count]').textContent())!, /^3 alerts/);
  assert.equal(await page.locator('tbody tr').count(), 3);
  assert.equal(await inPage(page, 'window.__pwned'), undefined, 'the hostile rule title never ran');
});
