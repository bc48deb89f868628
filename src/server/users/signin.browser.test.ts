/**
 * Signing in to the console in a real Chromium: the sign-in page when accounts exist, a wrong
 * password said, the session cookie doing the rest (queries carry the CSRF token from the page),
 * the user menu, and signing out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from '../index.js';
import { browserTestsSkip, CHROMIUM } from '../test-fixture.js';
import { FileAuditLog } from './audit.js';
import { hashPassword } from './passwords.js';
import { FileUserStore } from './user-store.js';

const skip = browserTestsSkip();
let server: ConsoleServer;
let base: string;
let browser: BrowserContext;
let page: Page;
let audit: FileAuditLog;

before(async () => {
  if (skip) return;
  const dir = tempDir('packettrail-signin-');
  const db = join(dir, 'empty.duckdb');
  await (await DuckDbStore.open(db)).close();
  const users = new FileUserStore(join(dir, 'users.json'));
  users.add('ann', 'analyst', await hashPassword('ann-the-analyst-password'));
  audit = new FileAuditLog(join(dir, 'audit.ndjson'));
  server = await createConsoleServer({ db, users, audit });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launchPersistentContext(tempDir('packettrail-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('sign in, query with the session (CSRF token sent by the page), see who is signed in, sign out', { skip }, async () => {
  const query = `${base}/search?lang=sql&q=${encodeURIComponent('SELECT 42 AS answer')}`;
  await page.goto(query);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('User').fill('ann');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong user name or password' }).waitFor();
  await page.getByLabel('Password').fill('ann-the-analyst-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.vtable-row').first().waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.vtable-row').first().innerText(), /42/);
  assert.match(await page.locator('.user-menu').innerText(), /ann · analyst/);
  const cookies = await browser.cookies(base);
  const session = cookies.find((c) => c.name === 'packettrail-session')!;
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate('document.cookie.includes("packettrail-session")'), false, 'the page cannot read the session cookie');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
  const actions = audit.read({ limit: 20, offset: 0 }).entries.map((e) => `${e.action} ${e.outcome}`).reverse();
  assert.deepEqual(actions, ['sign-in failed', 'sign-in ok', 'query ok', 'sign-out ok']);
});
