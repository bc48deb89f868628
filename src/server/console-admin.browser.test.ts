/**
 * The schedule editor, the users page and the audit log page in a real Chromium (Debian's
 * /usr/bin/chromium via playwright-core), signed in as an admin, an analyst and a viewer on the
 * console test store: server refusals shown beside their field, each change made through the page,
 * what a viewer or an analyst is refused (page and API), hostile values shown as text, axe-core on
 * each page (no serious or critical violation).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, buildConsoleDb } from './test-fixture.js';
import { axeViolations, launchChromium } from './browser.fixture.js';
import { FileAuditLog } from './users/audit.js';
import { hashPassword } from './users/passwords.js';
import { FileUserStore } from './users/user-store.js';

const skip = browserTestsSkip();
const PASSWORDS: Record<string, string> = { ada: 'ada-the-admin-password', ann: 'ann-the-analyst-password', vic: 'vic-the-viewer-password' };
const HOSTILE = `<img src=x onerror="window.__pwned='audit';alert(1)">`;
const OIDC_SUBJECT = 'https://idp.example#carol';

let server: ConsoleServer;
let base: string;
let browser: Browser;
let users: FileUserStore;
let audit: FileAuditLog;
/** Signed-in browser contexts by user. */
const as: Record<string, { context: BrowserContext; page: Page }> = {};

/** Screenshots of the forms with a refusal shown, for a reviewer, when PACKETTRAIL_SCREENSHOTS is set (not committed). */
const SHOTS = process.env.PACKETTRAIL_SCREENSHOTS;
async function shot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const inPage = <T>(p: Page, expression: string): Promise<T> => p.evaluate(expression) as Promise<T>;

/** A browser context signed in as `user` (the login answer sets the session and CSRF cookies in it). */
async function signedIn(user: string, password = PASSWORDS[user]!): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: axe-core is injected as an inline script, which the console's CSP (rightly) refuses.
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'UTC', bypassCSP: true });
  const res = await context.request.post(`${base}/api/auth/login`, { data: { user, password } });
  assert.equal(res.status(), 200, `sign-in of ${user}: ${await res.text()}`);
  return { context, page: await context.newPage() };
}

/** An API change as the console makes it from this context: JSON with the CSRF cookie's value. */
async function change(context: BrowserContext, method: 'POST' | 'DELETE', path: string, data?: unknown): Promise<{ status: number; body: any }> {
  const csrf = (await context.cookies(base)).find((c) => c.name === 'packettrail-csrf')?.value ?? '';
  const res = await context.request.fetch(base + path, { method, headers: { 'x-packettrail-csrf': decodeURIComponent(csrf), origin: base }, ...(data !== undefined ? { data } : {}) });
  return { status: res.status(), body: await res.json().catch(() => undefined) };
}

before(async () => {
  if (skip) return;
  const fixture = await buildConsoleDb();
  users = new FileUserStore(join(fixture.dir, 'users.json'));
  for (const [name, role] of [['ada', 'admin'], ['ann', 'analyst'], ['vic', 'viewer']] as const) users.add(name, role, await hashPassword(PASSWORDS[name]!));
  // Someone the identity provider signed in, whose name is a payload.
  users.recordOidcSignIn(OIDC_SUBJECT, `carol ${HOSTILE}`, 'analyst');
  audit = new FileAuditLog(join(fixture.dir, 'audit.ndjson'));
  server = await createConsoleServer({ db: fixture.db, users, audit });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  for (const user of ['ada', 'ann', 'vic']) as[user] = await signedIn(user);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('schedule editor: save a search, schedule it from the saved list with the server\'s refusals beside their field, run it now, see its runs and last error, unschedule and delete', { skip, timeout: 240_000 }, async () => {
  const { page, context } = as.ann!;
  await page.goto(`${base}/search?q=${encodeURIComponent('index=cloudfront status=404')}`);
  await page.locator('.vtable-row').first().waitFor({ timeout: 60_000 });
  await page.getByLabel('name of the saved search').fill('cloudfront 404s');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('link', { name: 'schedule cloudfront 404s' }).click();
  const editor = page.locator('[data-testid=schedule-editor]');
  await editor.waitFor({ timeout: 30_000 });
  // 30 seconds: under the shortest interval; the server's message goes beside the interval.
  await page.getByLabel('run every', { exact: true }).fill('0.5');
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  const intervalError = page.locator('[data-testid=error-intervalSeconds]');
  await intervalError.waitFor({ timeout: 15_000 });
  assert.match(await intervalError.innerText(), /intervalSeconds must be >= 60/);
  assert.equal(await page.getByLabel('run every', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('[data-testid=error-title]').count(), 0);
  assert.equal(await page.getByLabel('run every', { exact: true }).inputValue(), '0.5', 'what was typed stays');
  assert.deepEqual(await axeViolations(page), [], 'schedule editor with a refusal');
  await shot(page, 'schedule-editor-refused');
  // A blank title passes the schema and is refused by the schedule check: beside the title.
  await page.getByLabel('run every', { exact: true }).fill('15');
  await page.getByLabel('alert title').fill('   ');
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await page.locator('[data-testid=error-title]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-testid=error-title]').innerText(), /title must be 1 to/);
  assert.equal(await intervalError.count(), 0, 'the interval is fine now');
  await page.getByLabel('alert title').fill('CloudFront 404 burst');
  await page.getByLabel('looking back', { exact: true }).fill('2');
  await page.getByLabel('looking back: unit').selectOption('3600');
  await page.getByLabel('N', { exact: true }).fill('3');
  await page.getByLabel('level').selectOption('high');
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await page.locator('[data-testid=schedule-message]').filter({ hasText: 'Scheduled' }).waitFor({ timeout: 15_000 });
  const row = page.locator('[data-testid=saved-search]').filter({ hasText: 'cloudfront 404s' });
  await row.locator('[data-testid=schedule]').filter({ hasText: 'every' }).waitFor({ timeout: 15_000 });
  assert.equal(await row.locator('[data-testid=schedule]').innerText(), 'every 15 minutes, looking back 2 hours; an alert when rows > 3 “CloudFront 404 burst” (high)');
  assert.match(await row.innerText(), /never/, 'not run yet');
  assert.match(await row.locator('td').nth(3).innerText(), /\d{4}-\d{2}-\d{2}.*Z/, 'the next run, in UTC');
  const saved = (await (await context.request.get(`${base}/api/searches`)).json()) as { id: string; name: string; schedule?: { intervalSeconds: number; lookBackSeconds: number; condition: unknown; level: string } }[];
  const mine = saved.find((s) => s.name === 'cloudfront 404s')!;
  assert.deepEqual({ ...mine.schedule }, { intervalSeconds: 900, lookBackSeconds: 7200, condition: { kind: 'rows', threshold: 3 }, level: 'high', title: 'CloudFront 404 burst' });
  // Run now: a manual run over the last two hours (the demo's events are older: 0 rows).
  await row.getByRole('button', { name: 'run now: cloudfront 404s' }).click();
  await page.locator('[data-testid=schedule-message]').filter({ hasText: 'Ran “cloudfront 404s”' }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(`!document.querySelector('[data-testid=saved-search]').innerText.includes('never')`);
  assert.match(await row.innerText(), /\d+ rows · \d+ alerts/);
  await row.getByRole('link', { name: 'runs of cloudfront 404s' }).click();
  await page.locator('[data-testid=runs] tbody tr').first().waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-testid=runs] tbody tr').first().innerText(), /manual/);
  // A scheduled SQL search over a missing table: its run fails and the list shows the error.
  const broken = await change(context, 'POST', '/api/searches', {
    name: 'broken', language: 'sql', query: 'SELECT * FROM no_such_table WHERE ts >= $window_start AND ts < $window_end',
    schedule: { intervalSeconds: 3600, lookBackSeconds: 3600, condition: { kind: 'per-row' }, level: 'low', title: 'broken' },
  });
  assert.equal(broken.status, 200, JSON.stringify(broken.body));
  await page.goto(`${base}/searches`);
  const brokenRow = page.locator('[data-testid=saved-search]').filter({ hasText: 'broken' });
  await brokenRow.getByRole('button', { name: 'run now: broken' }).click();
  await page.locator('[data-testid=schedule-message]').filter({ hasText: 'failed' }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=last-error]')].some((td) => /no_such_table/.test(td.textContent))`);
  assert.deepEqual(await axeViolations(page), [], 'scheduled searches list');
  await shot(page, 'scheduled-searches-runs');
  // Unschedule, then delete (asked twice).
  await row.getByRole('button', { name: 'unschedule cloudfront 404s' }).click();
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=saved-search]')].some((tr) => tr.innerText.includes('cloudfront 404s') && tr.innerText.includes('not scheduled'))`);
  await row.getByRole('button', { name: 'delete cloudfront 404s' }).click();
  await row.getByRole('button', { name: 'confirm delete: cloudfront 404s' }).click();
  await page.locator('[data-testid=schedule-message]').filter({ hasText: 'Deleted' }).waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=saved-search]').filter({ hasText: 'cloudfront 404s' }).waitFor({ state: 'detached', timeout: 15_000 });
  const actions = audit.read({ limit: 200, offset: 0, actor: 'ann' }).entries.map((e) => `${e.action} ${e.outcome}`);
  for (const a of ['search.save ok', 'search.schedule failed', 'search.schedule ok', 'search.run ok', 'search.unschedule ok', 'search.delete ok']) assert.ok(actions.includes(a), `${a} audited: ${actions.join(', ')}`);
});

test('a viewer sees scheduled searches read-only and is refused changes (403); viewers and analysts get no users or audit page and the API refuses them', { skip, timeout: 120_000 }, async () => {
  const { page, context } = as.vic!;
  const made = await change(as.ann!.context, 'POST', '/api/searches', { name: 'for viewers', query: 'index=cloudfront status=500' });
  assert.equal(made.status, 200);
  await page.goto(`${base}/searches`);
  const row = page.locator('[data-testid=saved-search]').filter({ hasText: 'for viewers' });
  await row.waitFor({ timeout: 30_000 });
  assert.equal(await row.getByRole('link', { name: 'runs of for viewers' }).count(), 1);
  assert.equal(await row.getByRole('link', { name: /schedule/ }).count(), 0, 'no schedule link for a viewer');
  assert.equal(await row.getByRole('button').count(), 0, 'no buttons for a viewer');
  assert.match(await page.locator('main').innerText(), /scheduling needs the analyst role/);
  await page.goto(`${base}/searches?edit=${encodeURIComponent(made.body.id)}`);
  await row.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=schedule-editor]').count(), 0, 'no editor for a viewer');
  const schedule = { intervalSeconds: 3600, lookBackSeconds: 3600, condition: { kind: 'per-row' }, level: 'low', title: 'x' };
  assert.equal((await change(context, 'POST', `/api/searches/${made.body.id}/schedule`, schedule)).status, 403);
  assert.equal((await change(context, 'DELETE', `/api/searches/${made.body.id}`)).status, 403);
  for (const who of ['vic', 'ann']) {
    const p = as[who]!.page;
    for (const [path, heading] of [['/users', 'Users'], ['/audit', 'Audit log']]) {
      await p.goto(base + path);
      await p.locator('[data-testid=admin-only]').waitFor({ timeout: 30_000 });
      assert.match(await p.locator('[data-testid=admin-only]').innerText(), new RegExp(`${heading.toLowerCase()} page is for admins \\(you are ${who === 'vic' ? 'viewer' : 'analyst'}\\)`));
      assert.equal(await p.locator('[data-testid=local-users], [data-testid=audit]').count(), 0);
    }
    const nav = await p.getByRole('navigation', { name: 'pages' }).innerText();
    assert.doesNotMatch(nav, /Users|Audit/, `${who}: no admin pages in the navigation`);
    assert.match(nav, /Scheduled/);
    assert.equal((await as[who]!.context.request.get(`${base}/api/users`)).status(), 403);
    assert.equal((await as[who]!.context.request.get(`${base}/api/audit`)).status(), 403);
    assert.equal((await change(as[who]!.context, 'POST', '/api/users', { name: 'sneaky', role: 'admin', password: 'sneaky-password-123' })).status, 403);
  }
  assert.equal(users.get('sneaky'), undefined);
  assert.deepEqual(await axeViolations(as.vic!.page), [], 'admin-only notice');
});

test('users page: add an account (refusals beside name and password), change its role, disable it (its session ends), enable it, reset its password; OIDC people listed and disabled; hostile names are text', { skip, timeout: 180_000 }, async () => {
  const { page } = as.ada!;
  await page.goto(`${base}/users`);
  await page.locator('[data-testid=local-user]').first().waitFor({ timeout: 30_000 });
  assert.deepEqual(await page.locator('[data-testid=local-user] td:first-child').allInnerTexts(), ['ada', 'ann', 'vic']);
  assert.match(await page.getByRole('navigation', { name: 'pages' }).innerText(), /Users[\s\S]*Audit log/);
  const add = page.locator('[data-testid=add-user]');
  await add.getByLabel('name').fill('Bad Name!');
  await add.getByLabel('password').fill('long-enough-password-1');
  await add.getByRole('button', { name: 'Add account' }).click();
  await add.locator('[data-testid=error-name]').waitFor({ timeout: 15_000 });
  assert.match(await add.locator('[data-testid=error-name]').innerText(), /user name is 1 to 64/);
  await add.getByLabel('name').fill('bob');
  await add.getByLabel('password').fill('short');
  await add.getByRole('button', { name: 'Add account' }).click();
  await add.locator('[data-testid=error-password]').waitFor({ timeout: 15_000 });
  assert.equal(await add.locator('[data-testid=error-name]').count(), 0);
  assert.deepEqual(await axeViolations(page), [], 'users page with a refusal');
  await add.getByLabel('password').fill('bob-the-first-password');
  await add.getByRole('button', { name: 'Add account' }).click();
  const bobRow = page.locator('[data-testid=local-user]').filter({ hasText: 'bob' });
  await bobRow.waitFor({ timeout: 15_000 });
  assert.equal(users.get('bob')?.role, 'viewer');
  await page.getByLabel('role of bob').selectOption('analyst');
  await page.locator('[data-testid=users-message]').filter({ hasText: 'bob is now analyst' }).waitFor({ timeout: 15_000 });
  assert.equal(users.get('bob')?.role, 'analyst');
  // bob signs in elsewhere; disabling ends that session at once.
  const bob = await signedIn('bob', 'bob-the-first-password');
  assert.equal((await bob.context.request.get(`${base}/api/status`)).status(), 200);
  await page.getByRole('button', { name: 'disable bob' }).click();
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=local-user]')].some((tr) => tr.innerText.includes('bob') && tr.querySelector('[data-testid=user-state]').textContent === 'disabled')`);
  assert.equal((await bob.context.request.get(`${base}/api/status`)).status(), 401, 'the disabled account\'s session ended');
  assert.equal((await bob.context.request.post(`${base}/api/auth/login`, { data: { user: 'bob', password: 'bob-the-first-password' } })).status(), 403);
  await page.getByRole('button', { name: 'enable bob' }).click();
  await page.waitForFunction(`[...document.querySelectorAll('[data-testid=local-user]')].some((tr) => tr.innerText.includes('bob') && tr.querySelector('[data-testid=user-state]').textContent === 'enabled')`);
  const again = await signedIn('bob', 'bob-the-first-password');
  await page.getByRole('button', { name: 'reset password: bob' }).click();
  const reset = page.locator('[data-testid=reset-password]');
  await reset.getByLabel('new password for bob').fill('tiny');
  await reset.getByRole('button', { name: 'Set password' }).click();
  await reset.locator('[data-testid=error-password]').waitFor({ timeout: 15_000 });
  await reset.getByLabel('new password for bob').fill('bob-the-second-password');
  await reset.getByRole('button', { name: 'Set password' }).click();
  await page.locator('[data-testid=users-message]').filter({ hasText: 'New password set for bob' }).waitFor({ timeout: 15_000 });
  assert.equal((await again.context.request.get(`${base}/api/status`)).status(), 401, 'a new password ends the sessions');
  await (await signedIn('bob', 'bob-the-second-password')).context.close();
  await bob.context.close();
  await again.context.close();
  // The last enabled admin stays: the refusal is said.
  await page.getByRole('button', { name: 'disable ada' }).click();
  await page.getByRole('alert').filter({ hasText: 'last enabled admin' }).waitFor({ timeout: 15_000 });
  // OIDC people: listed with their subject and the provider's role; the payload in a name is text.
  const carol = page.locator('[data-testid=oidc-user]');
  assert.equal(await carol.count(), 1);
  assert.match(await carol.innerText(), new RegExp(`carol <img src=x onerror=[\\s\\S]*${OIDC_SUBJECT.replace(/[.#/]/g, '\\$&')}[\\s\\S]*analyst[\\s\\S]*enabled`));
  await carol.getByRole('button', { name: /^disable carol/ }).click();
  await page.waitForFunction(`document.querySelector('[data-testid=oidc-user] [data-testid=user-state]').textContent === 'disabled'`);
  assert.equal(users.oidcUser(OIDC_SUBJECT)?.disabled, true);
  assert.equal(await page.locator('main img').count(), 0, 'no element from the payload');
  assert.equal(await inPage(page, 'window.__pwned'), undefined);
  assert.deepEqual(await axeViolations(page), [], 'users page');
  await shot(page, 'users-admin');
  const changes = audit.read({ limit: 100, offset: 0, actor: 'ada' }).entries.map((e) => `${e.action} ${e.outcome}`);
  for (const c of ['user.add ok', 'user.change ok', 'user.change failed', 'oidc-user.change ok']) assert.ok(changes.includes(c), `${c} audited: ${changes.join(' | ')}`);
});

test('audit log page: newest first, who/what/when/where, filters by actor, action and time range (a bad time said beside its field), pages of 50, hostile values are text', { skip, timeout: 120_000 }, async () => {
  // A failed sign-in whose user name is a payload: the audit log records what was typed.
  await as.vic!.context.request.post(`${base}/api/auth/login`, { data: { user: HOSTILE, password: 'whatever-password' } });
  // Enough entries for two pages.
  for (let i = 0; i < 60; i++) audit.append({ actor: 'script', via: 'cli', address: 'local', action: 'filler', target: `entry ${i}`, outcome: 'ok' });
  const { page } = as.ada!;
  await page.goto(`${base}/audit`);
  await page.locator('[data-testid=audit-entry]').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=audit-entry]').count(), 50);
  const times = await page.locator('[data-testid=audit-entry] td:first-child').allInnerTexts();
  assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  assert.match(await page.locator('[data-testid=audit-entry]').first().innerText(), /script \(cli\)\s+local\s+filler\s+entry 59\s+ok/);
  await page.getByRole('button', { name: 'older →' }).click();
  await page.waitForFunction(`document.querySelector('[data-testid=audit-range]').textContent.startsWith('entries 51–')`);
  assert.match(page.url(), /offset=50/);
  await page.goBack();
  await page.waitForFunction(`document.querySelector('[data-testid=audit-range]').textContent.startsWith('entries 1–')`);
  // Filter by actor: the hostile failed sign-in, as text.
  await page.getByLabel('actor').fill(HOSTILE.slice(0, 64));
  await page.getByLabel('action').fill('sign-in');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.waitForFunction(`document.querySelectorAll('[data-testid=audit-entry]').length === 1`);
  const hostileRow = page.locator('[data-testid=audit-entry]');
  assert.equal((await hostileRow.locator('[data-testid=audit-actor]').innerText()).startsWith(HOSTILE.slice(0, 64)), true);
  assert.match(await hostileRow.innerText(), /sign-in\s+failed\s+no such user/);
  assert.match(await hostileRow.innerText(), /127\.0\.0\.1/, 'from where');
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await inPage(page, 'window.__pwned'), undefined);
  // A time range: since the future → nothing; a malformed time → said beside "since".
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('since (at or after)').fill('2999-01-01T00:00:00Z');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.getByText('No entries.').waitFor({ timeout: 15_000 });
  const newest = audit.read({ limit: 1, offset: 0 }).entries[0]!.time;
  await page.getByLabel('since (at or after)').fill('');
  await page.getByLabel('until (before)').fill(newest);
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.waitForFunction(`(() => { const r = document.querySelector('[data-testid=audit-entry]'); return r !== null && !r.innerText.includes('entry 59'); })()`);
  await page.getByLabel('until (before)').fill('last tuesday');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.locator('[data-testid=error-until]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-testid=error-until]').innerText(), /until must be an RFC 3339 time/);
  assert.equal(await page.getByLabel('until (before)').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), [], 'audit page with a refusal');
  await shot(page, 'audit-refused');
  await page.goto(`${base}/audit?actor=ann`);
  await page.locator('[data-testid=audit-entry]').first().waitFor({ timeout: 30_000 });
  assert.deepEqual([...new Set(await page.locator('[data-testid=audit-actor]').allInnerTexts())].map((t) => t.split(' ')[0]), ['ann']);
  assert.deepEqual(await axeViolations(page), [], 'audit page');
});
