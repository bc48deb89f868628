import type { Rng } from '../random.js';
import { appDnsAnswers, dnsQuery, laptopAppRequest, otherRequest, BROWSER_UAS } from '../traffic.js';
import type { User } from '../world.js';
import type { DnsQuery, Scenario, WebRequest } from '../model.js';
import { addIncident, at, dnsRefs, requestRefs, RULES } from './common.js';

const BAZAR_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/587.38 (KHTML, like Gecko) Chrome/91.0.4472.77 Safari/537.36 Edge/91.0.864.37';

/** A laptop that goes through Zscaler (the endpoint incidents need the proxy's view). */
function proxiedUser(s: Scenario, n: number): User {
  const users = s.world.users.filter((u) => !u.bypassesZscaler);
  return users[n % users.length]!;
}

/** A compromised laptop beacons to its C2 with Bazar Loader's user agent, every few minutes. */
export function bazarLoader(s: Scenario, rng: Rng): void {
  const user = proxiedUser(s, 2);
  const from = at(s, 0.2);
  const host = 'cdn-update.example.org';
  const ip = '192.0.2.231';
  const dns: DnsQuery[] = [dnsQuery(from - 50, user, host, [{ type: 'A', data: ip }], 'bazar-loader')];
  const reqs: WebRequest[] = [];
  for (let i = 0; i < 8; i++) reqs.push(otherRequest(s.world, rng, from + i * 290_000 + rng.int(0, 20_000), user, host, ip, `/api/v2/${rng.hex(16)}`, BAZAR_UA, 'bazar-loader'));
  s.dns.push(...dns);
  s.requests.push(...reqs);
  addIncident(s, 'bazar-loader', `Bazar Loader beacon from ${user.laptop.hostname}`, `rundll32.exe on ${user.laptop.hostname} (${user.upn}) calls ${host} with the Bazar Loader user agent (AppleWebKit/587.38) through Zscaler.`,
    from - 50, from + 8 * 290_000, [...dns.flatMap(dnsRefs), ...reqs.flatMap(requestRefs)], [RULES.bazarProxy]);
}

/** DNS tunnelling: data encoded in long TXT lookups under one domain. */
export function dnsTunnel(s: Scenario, rng: Rng): void {
  const user = proxiedUser(s, 3);
  const from = at(s, 0.35);
  const dns: DnsQuery[] = [];
  for (let i = 0; i < 30; i++) {
    const name = `${rng.chars(60, 'abcdefghijklmnopqrstuvwxyz234567')}.${rng.chars(40, 'abcdefghijklmnopqrstuvwxyz234567')}.${i}.t.exfil-example.net`;
    const q = dnsQuery(from + i * 2_000, user, name, [{ type: 'TXT', data: `"${rng.hex(16)}"` }], 'dns-tunnel');
    q.type = 'TXT';
    dns.push(q);
  }
  s.dns.push(...dns);
  addIncident(s, 'dns-tunnel', `DNS tunnelling from ${user.laptop.hostname}`, 'Thirty TXT lookups with 100+ character names under t.exfil-example.net in one minute.',
    from, from + 60_000, dns.flatMap(dnsRefs), [RULES.dnsTunnel]);
}

/** Exfiltration to a Telegram bot: the lookup, then the upload through Zscaler. */
export function telegramExfil(s: Scenario, rng: Rng): void {
  const user = proxiedUser(s, 4);
  const from = at(s, 0.45);
  const ip = '192.0.2.240';
  const dns = [dnsQuery(from - 30, user, 'api.telegram.org', [{ type: 'A', data: ip }], 'telegram-exfil')];
  const token = `5712345678:AAH${rng.chars(32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`;
  const reqs = [0, 1, 2].map((i) => {
    const r = otherRequest(s.world, rng, from + i * 20_000, user, 'api.telegram.org', ip, `/bot${token}/sendDocument`, 'python-requests/2.31.0', 'telegram-exfil');
    r.method = 'POST';
    r.bytesIn = 2_500_000 + rng.int(0, 500_000);
    r.contentType = 'application/json';
    return r;
  });
  s.dns.push(...dns);
  s.requests.push(...reqs);
  addIncident(s, 'telegram-exfil', `Telegram Bot API exfiltration from ${user.laptop.hostname}`, 'Three multi-megabyte sendDocument uploads to a Telegram bot.',
    from - 30, from + 60_000, [...dns.flatMap(dnsRefs), ...reqs.flatMap(requestRefs)], [RULES.telegramDns, RULES.telegramProxy]);
}

/** A user opens an AiTM phishing page that imitates the Entra ID sign-in. */
export function aitmPhishing(s: Scenario, rng: Rng): void {
  const user = proxiedUser(s, 5);
  const from = at(s, 0.6);
  const host = 'login-microsoftonline.example.net';
  const ip = '192.0.2.245';
  const dns = [dnsQuery(from - 40, user, host, [{ type: 'A', data: ip }], 'aitm-phishing')];
  const paths = ['/common/oauth2/v2.0/authorize', '/common/GetCredentialType', '/common/login', '/kmsi'];
  const reqs = paths.map((p, i) => {
    const r = otherRequest(s.world, rng, from + i * 9_000, user, host, ip, p, BROWSER_UAS[0]!, 'aitm-phishing');
    if (i === 0) r.query = `client_id=4765445b-32c6-49b0-83e6-1d93765276ca&response_type=code&redirect_uri=https%3A%2F%2F${host}%2F`;
    if (i > 0) r.method = 'POST';
    return r;
  });
  s.dns.push(...dns);
  s.requests.push(...reqs);
  addIncident(s, 'aitm-phishing', `AiTM phishing page visited by ${user.upn}`, `${host} proxies the Entra ID sign-in: authorize, credential type, login and KMSI requests.`,
    from - 40, from + 36_000, [...dns.flatMap(dnsRefs), ...reqs.flatMap(requestRefs)], [RULES.aitmProxy]);
}

/** A laptop that normally uses Zscaler goes straight out through the firewall NAT for twenty minutes. */
export function zscalerBypass(s: Scenario, rng: Rng): void {
  const user = proxiedUser(s, 1);
  const from = at(s, 0.5);
  const edge = s.world.edges[0]!;
  const dns = [dnsQuery(from - 20, user, 'app.example.com', appDnsAnswers(s.world, edge), 'zscaler-bypass')];
  const reqs: WebRequest[] = [];
  for (let i = 0; i < 10; i++) {
    reqs.push(laptopAppRequest(s.world, rng, from + i * 120_000, user, edge, {
      method: 'GET', path: '/api/items', query: `page=${i + 1}`, ua: BROWSER_UAS[0]!, cacheable: false, contentType: 'application/json', incident: 'zscaler-bypass',
    }, true));
  }
  s.dns.push(...dns);
  s.requests.push(...reqs);
  addIncident(s, 'zscaler-bypass', `Zscaler bypass by ${user.laptop.hostname}`, 'A Zscaler-managed laptop reaches the app directly through the PAN-OS NAT: the firewall and CloudFront see it, Zscaler does not.',
    from - 20, from + 10 * 120_000, reqs.flatMap(requestRefs), []);
}
