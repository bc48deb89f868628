/**
 * Every page and state an analyst sees, in a real Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core), in the light and the dark theme: a full-page screenshot of each (kept for a
 * reviewer in the directory printed at the start, see screenshotDir) and axe-core on each (no serious
 * or critical violation in either theme). The list is data (PAGES): a page added to the console gets
 * a line here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { tempDir } from '../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from './index.js';
import { browserTestsSkip, buildConsoleDb, PAYLOADS } from './test-fixture.js';
import { axeViolations, launchChromium } from './browser.fixture.js';
import { FileAuditLog } from './users/audit.js';
import { hashPassword } from './users/passwords.js';
import { FileUserStore } from './users/user-store.js';

const skip = browserTestsSkip();

/** Where the screenshots go: PACKETTRAIL_SCREENSHOTS, else screenshots/console/ in the checkout (git-ignored, kept after the run). */
function screenshotDir(): string {
  return resolve(process.env.PACKETTRAIL_SCREENSHOTS ?? join(fileURLToPath(new URL('../..', import.meta.url)), 'screenshots', 'console'));
}

const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

let browser: Browser;
let main: ConsoleServer;
let signIn: ConsoleServer;
let tokenOnly: ConsoleServer;
let base: string;
let signInBase: string;
let tokenBase: string;
let shots: string;

const inPage = <T>(p: Page, expression: string): Promise<T> => p.evaluate(expression) as Promise<T>;

/** axe-core on the page as it is: the serious and critical violations, one line each. */
const api = async (path: string) => (await fetch(base + path)).json() as Promise<any>;
const sql = async (query: string) =>
  ((await (await fetch(`${base}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, language: 'sql', limit: 10 }) })).json()) as { rows: unknown[][] }).rows;

/** One page or state: where it is, what on it means "loaded", and what to do there before the picture. */
interface PageCase {
  name: string;
  url: () => string;
  ready: string;
  act?: (p: Page) => Promise<void>;
}

/** Values of the console test store the pages are opened on, found before the run. */
interface Found {
  burp: string;
  cloudtrailAlert: string;
  requestId: string;
  ip: string;
  host: string;
  views: string[];
}
let found: Found;

const q = (s: string) => encodeURIComponent(s);

function pages(f: Found): PageCase[] {
  return [
    { name: 'alerts', url: () => `${base}/alerts`, ready: 'table.alerts tbody tr' },
    {
      name: 'alerts-bulk-bar', url: () => `${base}/alerts`, ready: 'table.alerts tbody tr',
      act: async (p) => {
        const boxes = p.locator('[data-testid=select-alert]');
        await boxes.nth(0).check();
        await boxes.nth(1).check();
        await p.getByTestId('bulk-bar').waitFor();
      },
    },
    { name: 'alerts-grouped', url: () => `${base}/alerts?group=true`, ready: '[data-testid=alert-groups] tbody tr' },
    { name: 'alerts-none-match', url: () => `${base}/alerts?text=${q('no alert says this')}`, ready: '[data-testid=alert-count]' },
    {
      name: 'alert-triage', url: () => `${base}/alerts/${q(f.burp)}`, ready: '[data-testid=triage]',
      act: async (p) => {
        await p.getByLabel('status', { exact: true }).focus();
      },
    },
    { name: 'alert-cloudtrail-no-trail', url: () => `${base}/alerts/${q(f.cloudtrailAlert)}`, ready: '[data-testid=no-trail]' },
    { name: 'alert-unknown', url: () => `${base}/alerts/no-such-alert`, ready: '.error' },
    { name: 'trail-by-alert', url: () => `${base}/trail?alertId=${q(f.burp)}`, ready: '[data-testid=trail-diagram] .hop' },
    {
      name: 'trail-by-request-id-hop-open', url: () => `${base}/trail?requestId=${q(f.requestId)}`, ready: '[data-testid=trail-diagram] .hop',
      act: async (p) => {
        await p.locator('.hop-allowed[data-hop], .hop-blocked[data-hop]').first().click();
        await p.getByTestId('hop-panel').waitFor();
      },
    },
    { name: 'trail-no-anchor', url: () => `${base}/trail`, ready: 'form.filters' },
    { name: 'trail-unknown-request-id', url: () => `${base}/trail?requestId=no-such-request`, ready: '.error' },
    {
      name: 'search-results-sidebar-autocomplete', url: () => `${base}/search?q=${q('index=cloudfront status=404')}`, ready: '[data-testid=field-sidebar] details',
      act: async (p) => {
        await p.locator('.vtable-row').first().waitFor();
        await p.locator('[data-field=source_ip] summary').click();
        const box = p.getByRole('textbox', { name: 'SPL or SQL query' });
        await box.fill('');
        await box.pressSequentially('index=cloudfront | sta');
        await p.getByTestId('suggestions').getByRole('option').first().waitFor();
      },
    },
    { name: 'search-stats', url: () => `${base}/search?q=${q('index=cloudfront | stats count by source_ip | sort -count')}`, ready: '.vtable-row' },
    { name: 'search-no-rows', url: () => `${base}/search?q=${q('index=cloudfront status=999')}`, ready: '[data-testid=result-count]' },
    { name: 'search-error', url: () => `${base}/search?q=${q('index=cloudfront | nosuchcommand x')}`, ready: '.error' },
    { name: 'search-empty', url: () => `${base}/search`, ready: 'textarea[name=q]' },
    { name: 'entity-ip', url: () => `${base}/entity/ip/${q(f.ip)}`, ready: '[data-testid=entity-timeline] tbody tr' },
    { name: 'entity-user', url: () => `${base}/entity/user/${q(PAYLOADS.userName)}`, ready: '[data-testid=entity-timeline] tbody tr' },
    { name: 'entity-host', url: () => `${base}/entity/host/${q(f.host)}`, ready: '[data-testid=entity-timeline] tbody tr' },
    { name: 'entity-host-unknown', url: () => `${base}/entity/host/no-such-host`, ready: '[data-testid=entity-summary]' },
    { name: 'entity-ip-invalid', url: () => `${base}/entity/ip/not-an-address`, ready: '.error' },
    ...f.views.map((v) => ({ name: `dashboard-${v}`, url: () => `${base}/dashboards/${q(v)}`, ready: '[data-testid=report] section.card' })),
    { name: 'dashboard-unknown-distribution', url: () => `${base}/dashboards/cloudfront?distribution=NOPE123`, ready: '[data-testid=report-notice]' },
    { name: 'dashboard-no-events-in-range', url: () => `${base}/dashboards/cloudfront?since=2031-01-01T00:00:00Z`, ready: '[data-testid=report], [data-testid=report-empty]' },
    { name: 'sources', url: () => `${base}/sources`, ready: '[data-testid=rules] tbody tr' },
    // The loopback console is an admin: scheduled searches (one saved in before()), users and the audit log.
    { name: 'scheduled', url: () => `${base}/searches`, ready: '[data-testid=saved-search]' },
    { name: 'users', url: () => `${base}/users`, ready: '[data-testid=add-user]' },
    { name: 'audit', url: () => `${base}/audit`, ready: '[data-testid=audit-entry]' },
    { name: 'sign-in', url: () => `${signInBase}/alerts`, ready: 'form input[type=password]' },
    {
      name: 'sign-in-refused', url: () => `${signInBase}/alerts`, ready: 'form input[type=password]',
      act: async (p) => {
        await p.getByLabel('User').fill('ann');
        await p.getByLabel('Password').fill('not-the-password');
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('alert').first().waitFor();
      },
    },
    { name: 'access-token', url: () => `${tokenBase}/alerts`, ready: 'form.token input[name=token]' },
  ];
}

before(async () => {
  if (skip) return;
  const fixture = await buildConsoleDb();
  main = await createConsoleServer({ db: fixture.db });
  await main.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(main.app.server.address() as AddressInfo).port}`;

  // An empty database with an account (the sign-in page) and one with only an access token (its form).
  const dir = tempDir('packettrail-every-page-');
  for (const name of ['accounts', 'token']) await (await DuckDbStore.open(join(dir, `${name}.duckdb`))).close();
  const users = new FileUserStore(join(dir, 'users.json'));
  users.add('ann', 'analyst', await hashPassword('ann-the-analyst-password'));
  signIn = await createConsoleServer({ db: join(dir, 'accounts.duckdb'), users, audit: new FileAuditLog(join(dir, 'audit.ndjson')) });
  await signIn.app.listen({ host: '127.0.0.1', port: 0 });
  signInBase = `http://127.0.0.1:${(signIn.app.server.address() as AddressInfo).port}`;
  tokenOnly = await createConsoleServer({ db: join(dir, 'token.duckdb'), token: 'a-test-token-long-enough-to-be-accepted-0123456789' });
  await tokenOnly.app.listen({ host: '127.0.0.1', port: 0 });
  tokenBase = `http://127.0.0.1:${(tokenOnly.app.server.address() as AddressInfo).port}`;

  const alerts = (await api('/api/alerts?limit=500')).alerts as { id: string; rule_title: string; sources: string[] }[];
  const burp = alerts.find((a) => a.rule_title.includes('Burp Suite'))!;
  const detail = await api(`/api/alerts/${q(burp.id)}`);
  const [[ip]] = (await sql(`SELECT source_ip FROM events WHERE source_ip IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)) as [[string]];
  const [[host]] = (await sql(`SELECT host_name FROM events WHERE host_name IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)) as [[string]];
  found = {
    burp: burp.id,
    cloudtrailAlert: alerts.find((a) => a.sources.every((s) => s === 'aws.cloudtrail'))!.id,
    requestId: (detail.requestIds as string[])[0]!,
    ip,
    host,
    views: ((await api('/api/insights')).views as { id: string }[]).map((v) => v.id),
  };
  const saved = await fetch(`${base}/api/searches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'screenshot: 404s', query: 'index=cloudfront status=404' }) });
  assert.equal(saved.status, 200, await saved.text());
  shots = screenshotDir();
  mkdirSync(shots, { recursive: true });
  process.stdout.write(`console screenshots (light and dark): ${shots}\n`);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([main?.close(), signIn?.close(), tokenOnly?.close()]);
});

/** Opens every page in one theme; returns the axe findings per page (none expected) after saving each screenshot. */
async function everyPage(theme: Theme): Promise<string[]> {
  // bypassCSP: axe-core is injected as an inline script, which the console's CSP (rightly) refuses.
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, timezoneId: 'UTC', bypassCSP: true, colorScheme: theme });
  // The theme a user picked is kept in localStorage: set before the console's script reads it.
  await context.addInitScript(`localStorage.setItem('packettrail.theme', '${theme}')`);
  const p = await context.newPage();
  const problems: string[] = [];
  try {
    for (const c of pages(found)) {
      // A page that does not load is one problem among the others: the rest are still looked at.
      try {
        await p.goto(c.url());
        await p.locator(c.ready).first().waitFor({ state: 'visible', timeout: 30_000 });
        await c.act?.(p);
      } catch (e) {
        problems.push(`${c.name} (${theme}): did not load: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      if ((await inPage(p, 'document.documentElement.dataset.theme')) !== theme) problems.push(`${c.name}: not in the ${theme} theme`);
      await p.screenshot({ path: join(shots, `${c.name}-${theme}.png`), fullPage: true });
      for (const v of await axeViolations(p)) problems.push(`${c.name} (${theme}): ${v}`);
      if ((await inPage(p, 'window.__pwned')) !== undefined) problems.push(`${c.name}: a planted script ran`);
    }
  } finally {
    await context.close();
  }
  return problems;
}

for (const theme of THEMES) {
  test(`every page and state in the ${theme} theme: a screenshot each, axe-core finds no serious or critical violation`, { skip, timeout: 600_000 }, async () => {
    assert.ok(found.views.length >= 5, `dashboards: ${found.views.join(', ')}`);
    assert.deepEqual(await everyPage(theme), []);
  });
}
