/**
 * The search page's Cancel button in a real Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): a query that would run for hours is cancelled, the page says so, and the server
 * interrupts the statement at once (its query slot is free again).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { listFormats } from '../formats/registry.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { allColumns } from '../store/schema.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, CHROMIUM } from './test-fixture.js';

const skip = browserTestsSkip();

let server: ConsoleServer;
let base: string;
let browser: BrowserContext;
let page: Page;
const shots = tempDir('packettrail-console-cancel-shots-');

before(async () => {
  if (skip) return;
  const db = join(tempDir('packettrail-console-cancel-'), 'slow.duckdb');
  const store = await DuckDbStore.open(db);
  await store.ensureSchema(allColumns(listFormats()));
  await store.query(`CREATE VIEW slow AS SELECT a.range AS a FROM range(1000000000) a, range(1000000) b WHERE a.range + b.range >= 0`);
  await store.close();
  server = await createConsoleServer({ db, queryLimits: { timeoutMs: 600_000 } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launchPersistentContext(tempDir('packettrail-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('Cancel stops a running search: the page says so and the server interrupts the query', { skip, timeout: 120_000 }, async () => {
  await page.goto(`${base}/search?q=${encodeURIComponent('SELECT count(*) FROM slow')}&lang=sql`);
  const cancel = page.getByTestId('cancel-query');
  await cancel.waitFor({ state: 'visible', timeout: 30_000 });
  await until(() => server.context.queries.load.running === 1, 30_000, 'the query to run on the server');
  await page.screenshot({ path: join(shots, 'running.png'), fullPage: true });
  const clicked = Date.now();
  await cancel.click();
  await page.getByText('Query cancelled: the server stopped it.').waitFor({ state: 'visible', timeout: 10_000 });
  await until(() => server.context.queries.load.running === 0, 10_000, 'the server to interrupt the query');
  const freedMs = Date.now() - clicked;
  await page.screenshot({ path: join(shots, 'cancelled.png'), fullPage: true });
  assert.equal(await cancel.count(), 0, 'no Cancel button once nothing runs');
  process.stdout.write(`query slot free ${freedMs} ms after Cancel; screenshots: ${shots}\n`);
  // The page still works: the next search runs.
  await page.goto(`${base}/search?q=${encodeURIComponent('SELECT 42 AS answer')}&lang=sql`);
  await page.getByTestId('result-count').waitFor({ state: 'visible', timeout: 30_000 });
});
