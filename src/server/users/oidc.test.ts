/**
 * OpenID Connect sign-in end to end against a real provider (the oidc-provider package, run here on
 * a loopback port with its development login pages): a browser-like client follows every redirect,
 * keeps cookies per host like a browser, logs in at the provider's form, consents, and comes back
 * to the console with a session. Then what must fail: a wrong state, a callback in another browser,
 * a replayed code, a wrong issuer, a provider whose metadata names another issuer, a user with no role.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { tempDir } from '../../testing/tmp.js';
import { createConsoleServer, type ConsoleServer } from '../index.js';
import { FileAuditLog } from './audit.js';
import type { OidcOptions } from './oidc.js';
import { FileUserStore } from './user-store.js';

const CLIENT_ID = 'packettrail-console';
const CLIENT_SECRET = 'oidc-test-client-secret-0123456789abcdef';
/** Who the provider knows, and their groups (the role claim). */
const GROUPS: Record<string, string[]> = { alice: ['soc-admins', 'staff'], bob: ['soc'], carol: ['staff'] };

type Provider = { callback(): (req: IncomingMessage, res: ServerResponse) => void };
type ProviderClass = new (issuer: string, config: object) => Provider;

let dir: string;
let db: string;
let audit: FileAuditLog;
const closers: (() => Promise<void>)[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
}

/** A real OpenID provider on a loopback port, with `redirect` as its client's only redirect URI. */
async function startProvider(redirect: string): Promise<string> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // No type declarations ship with oidc-provider.
  const { default: OidcProvider } = (await import('oidc-provider' as string)) as { default: ProviderClass };
  const provider = new OidcProvider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirect], response_types: ['code'], grant_types: ['authorization_code'] }],
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, async claims() { return { sub: id, preferred_username: id, email: `${id}@example.com`, groups: GROUPS[id] ?? [] }; } };
    },
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
  });
  await listen(createServer(provider.callback()), port);
  return issuer;
}

/** A console server with OIDC pointed at `issuer`; its own port is reserved first (the redirect URL names it). */
async function startConsole(port: number, oidc: Omit<OidcOptions, 'redirectUrl' | 'clientId'> & Partial<OidcOptions>): Promise<{ base: string; server: ConsoleServer }> {
  const base = `http://127.0.0.1:${port}`;
  const server = await createConsoleServer({
    db, audit, users: new FileUserStore(join(dir, `users-${port}.json`)),
    oidc: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${base}/api/auth/oidc/callback`, ...oidc },
  });
  await server.app.listen({ host: '127.0.0.1', port });
  closers.push(() => server.close());
  return { base, server };
}

/** Cookies per host (as a browser keeps them: ports share them), with their paths. */
class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  private cookieHeader(url: URL): string {
    return [...this.jar].filter(([, c]) => url.pathname.startsWith(c.path)).map(([k, c]) => `${k}=${c.value}`).join('; ');
  }

  private keep(res: Response): void {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim()) as [string, ...string[]];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
  }

  has(name: string): boolean {
    return this.jar.has(name);
  }

  drop(name: string): void {
    this.jar.delete(name);
  }

  async fetch(url: string, init: { method?: string; form?: Record<string, string>; json?: unknown } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = { cookie: this.cookieHeader(u) };
    let body: string | null = null;
    if (init.json !== undefined) {
      // As the console sends a change: JSON, its origin, and the CSRF cookie's value in the header.
      headers['content-type'] = 'application/json';
      headers.origin = u.origin;
      headers['x-packettrail-csrf'] = decodeURIComponent(this.jar.get('packettrail-csrf')?.value ?? '');
      body = JSON.stringify(init.json);
    }
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = u.origin;
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(u, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  /**
   * Follows redirects and the provider's login and consent forms until the browser is sent to
   * `stopAt` (the console's callback), which is returned unvisited.
   */
  async signInAtProvider(startUrl: string, stopAt: string, login: string): Promise<string> {
    let url = startUrl;
    let method = 'GET';
    let form: Record<string, string> | undefined;
    for (let hop = 0; hop < 20; hop++) {
      if (url.startsWith(stopAt)) return url;
      const res = await this.fetch(url, { method, ...(form ? { form } : {}) });
      method = 'GET';
      form = undefined;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href;
        await res.arrayBuffer();
        continue;
      }
      const html = await res.text();
      assert.equal(res.status, 200, `${url}: ${html.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      assert.ok(action, `a form at ${url}: ${html.slice(0, 300)}`);
      const hidden = Object.fromEntries([...html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      form = /name="login"/.test(html) ? { ...hidden, login, password: 'any password works at the dev login' } : { ...hidden, prompt: 'consent' };
      method = 'POST';
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
    }
    throw new Error('too many hops');
  }
}

before(async () => {
  dir = tempDir('packettrail-oidc-');
  db = join(dir, 'empty.duckdb');
  await (await DuckDbStore.open(db)).close();
  audit = new FileAuditLog(join(dir, 'audit.ndjson'));
});

after(async () => {
  for (const close of closers.reverse()) await close();
});

const ROLE_MAP = { 'soc-admins': 'admin', soc: 'analyst' } as const;

async function setUp(o: Partial<OidcOptions> = {}) {
  const consolePort = await freePort();
  const issuer = await startProvider(`http://127.0.0.1:${consolePort}/api/auth/oidc/callback`);
  const { base } = await startConsole(consolePort, { issuer, roleClaim: 'groups', roleMap: { ...ROLE_MAP }, defaultRole: 'viewer', scopes: 'email profile groups', ...o });
  return { base, issuer, callback: `${base}/api/auth/oidc/callback` };
}

async function startFlow(browser: Browser, base: string, returnTo = '/alerts'): Promise<string> {
  const start = await browser.fetch(`${base}/api/auth/oidc/start?return=${encodeURIComponent(returnTo)}`);
  assert.equal(start.status, 302, await start.text());
  assert.ok(browser.has('packettrail-oidc'), 'the flow is bound to this browser');
  const to = new URL(start.headers.get('location')!);
  for (const p of ['state', 'nonce', 'code_challenge']) assert.ok(to.searchParams.get(p), `${p} sent to the provider`);
  assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
  return to.href;
}

async function session(browser: Browser, base: string) {
  return (await (await browser.fetch(`${base}/api/auth/session`)).json()) as { user: { name: string; role: string; via: string } | null; oidc: boolean };
}

test('OIDC: a browser signs in at the provider and comes back with a session whose role comes from the groups claim', async () => {
  const { base, callback } = await setUp();
  const browser = new Browser();
  assert.equal((await browser.fetch(`${base}/api/status`)).status, 401, 'OIDC configured: accounts are on');
  const back = await browser.signInAtProvider(await startFlow(browser, base), callback, 'alice');
  assert.ok(new URL(back).searchParams.get('code'));
  const done = await browser.fetch(back);
  assert.equal(done.status, 302, await done.text());
  assert.equal(done.headers.get('location'), '/alerts');
  assert.ok(browser.has('packettrail-session') && !browser.has('packettrail-oidc'));
  assert.deepEqual(await session(browser, base), { accounts: true, oidc: true, user: { name: 'alice', role: 'admin', via: 'oidc' } });
  assert.equal((await browser.fetch(`${base}/api/users`)).status, 200, 'admin by soc-admins');
  // bob: analyst; carol: no mapped group, the default role.
  for (const [who, role] of [['bob', 'analyst'], ['carol', 'viewer']] as const) {
    const b = new Browser();
    await b.fetch(await b.signInAtProvider(await startFlow(b, base), callback, who));
    assert.equal((await session(b, base)).user?.role, role, who);
  }
  const entries = audit.read({ limit: 50, offset: 0, action: 'sign-in' }).entries.filter((e) => e.via === 'oidc' && e.outcome === 'ok').map((e) => e.actor);
  assert.ok(['alice', 'bob', 'carol'].every((u) => entries.includes(u)), entries.join(','));
});

test('OIDC: people signed in are listed for admins with their role and subject; disabling one ends their session and refuses their next sign-in; enabling lets them back', async () => {
  const { base, callback } = await setUp();
  const admin = new Browser();
  await admin.fetch(await admin.signInAtProvider(await startFlow(admin, base), callback, 'alice'));
  const bob = new Browser();
  await bob.fetch(await bob.signInAtProvider(await startFlow(bob, base), callback, 'bob'));
  assert.equal((await bob.fetch(`${base}/api/status`)).status, 200);
  assert.equal((await bob.fetch(`${base}/api/users`)).status, 403, 'an analyst cannot list users');
  const listed = (await (await admin.fetch(`${base}/api/users`)).json()) as { oidcUsers: { subject: string; name: string; role: string; disabled: boolean }[] };
  const seen = Object.fromEntries(listed.oidcUsers.map((u) => [u.name, u]));
  assert.equal(seen.alice?.role, 'admin');
  assert.equal(seen.bob?.role, 'analyst');
  assert.match(seen.bob!.subject, /^http:\/\/127\.0\.0\.1:\d+#bob$/);
  const off = await admin.fetch(`${base}/api/oidc-users`, { method: 'POST', json: { subject: seen.bob!.subject, disabled: true } });
  assert.equal(off.status, 200, await off.text());
  assert.equal((await bob.fetch(`${base}/api/status`)).status, 401, 'the session ended');
  const refused = await bob.fetch(await bob.signInAtProvider(await startFlow(bob, base), callback, 'bob'));
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /disabled/);
  const on = await admin.fetch(`${base}/api/oidc-users`, { method: 'POST', json: { subject: seen.bob!.subject, disabled: false } });
  assert.equal(on.status, 200, await on.text());
  const back = await bob.fetch(await bob.signInAtProvider(await startFlow(bob, base), callback, 'bob'));
  assert.equal(back.status, 302);
  assert.equal((await bob.fetch(`${base}/api/status`)).status, 200);
});

test('OIDC refuses a wrong state, a callback in another browser, a replayed code, a wrong issuer, and a user without a role when there is no default', async () => {
  const { base, callback } = await setUp({ defaultRole: 'none' });
  const attempt = async (login: string) => {
    const b = new Browser();
    const back = await b.signInAtProvider(await startFlow(b, base), callback, login);
    return { b, back: new URL(back) };
  };
  // A tampered state.
  {
    const { b, back } = await attempt('alice');
    back.searchParams.set('state', 'forged-state');
    const r = await b.fetch(back.href);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /state/);
    assert.equal((await session(b, base)).user, null);
  }
  // The callback URL opened in another browser (login CSRF): the flow is bound to the first.
  {
    const { back } = await attempt('alice');
    const other = new Browser();
    const r = await other.fetch(back.href);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /another browser/);
    assert.equal((await session(other, base)).user, null);
  }
  // A wrong issuer in the response (RFC 9207 iss), which openid-client checks.
  {
    const { b, back } = await attempt('alice');
    assert.ok(back.searchParams.get('iss'), 'the provider names itself in the response');
    back.searchParams.set('iss', 'http://127.0.0.1:1/evil');
    const r = await b.fetch(back.href);
    assert.equal(r.status, 401, await r.clone().text());
    assert.match(await r.text(), /iss/i);
    assert.equal((await session(b, base)).user, null);
  }
  // A code used once, replayed: with its own (spent) state, and in a fresh flow of the same browser.
  {
    const { b, back } = await attempt('alice');
    assert.equal((await b.fetch(back.href)).status, 302);
    await b.fetch(`${base}/api/auth/logout`, { method: 'POST' });
    const again = await b.fetch(back.href);
    assert.equal(again.status, 400, 'the state is spent');
    const fresh = new URL(await startFlow(b, base));
    const replay = new URL(back.href);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    const r = await b.fetch(replay.href);
    assert.equal(r.status, 401, 'the provider refuses a used code (and its PKCE verifier is another flow\'s)');
    assert.match(await r.text(), /sign-in failed.*invalid_grant/);
  }
  // carol has no mapped group and there is no default role.
  {
    const { b, back } = await attempt('carol');
    const r = await b.fetch(back.href);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /no packettrail role/);
    assert.equal((await session(b, base)).user, null);
  }
  const failed = audit.read({ limit: 50, offset: 0, action: 'sign-in' }).entries.filter((e) => e.via === 'oidc' && e.outcome === 'failed');
  assert.ok(failed.length >= 6, `${failed.length} failed OIDC sign-ins audited`);
});

test('OIDC: a provider whose metadata names another issuer is refused at sign-in (502), and the console says why', async () => {
  const consolePort = await freePort();
  const real = await startProvider(`http://127.0.0.1:${consolePort}/api/auth/oidc/callback`);
  // An impostor serving the real provider's metadata at its own address.
  const impostorPort = await freePort();
  const metadata = await (await fetch(`${real}/.well-known/openid-configuration`)).text();
  await listen(createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(metadata)), impostorPort);
  const { base } = await startConsole(consolePort, { issuer: `http://127.0.0.1:${impostorPort}`, defaultRole: 'viewer' });
  const r = await fetch(`${base}/api/auth/oidc/start`, { redirect: 'manual' });
  assert.equal(r.status, 502);
  assert.match(((await r.json()) as { error: string }).error, /issuer/i);
});
