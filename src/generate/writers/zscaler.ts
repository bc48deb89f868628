import { ZSCALER_LOCATION } from '../world.js';
import type { Scenario, WebRequest } from '../model.js';
import { parts, type Output } from './output.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// Zscaler's clock runs ~1 s ahead of the laptops' in this scenario.
const SKEW_MS = 1200;

/** NSS `%s{time}`: `Sun Nov 22 09:31:44 2026`, in the feed's zone (UTC here, named in `tz`). */
export function nssTime(ms: number): string {
  const d = new Date(ms);
  const p = parts(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p.d} ${p.h}:${p.mi}:${p.s} ${p.y}`;
}

const URL_CATEGORY: Record<string, [string, string]> = {
  'app.example.com': ['Corporate Marketing', 'Business and Economy'],
  'api.telegram.org': ['Instant Messaging', 'Internet Communication'],
};

export function zscalerRecord(r: WebRequest, s: Scenario, recordId: number): string {
  const [urlcat, supercat] = URL_CATEGORY[r.host] ?? (r.incident ? ['Miscellaneous or Unknown', 'User-Defined'] : ['Web Search', 'Information Technology']);
  const u = r.user!;
  const event = {
    time: nssTime(r.t + SKEW_MS), tz: 'UTC', epochtime: String(Math.floor((r.t + SKEW_MS) / 1000)), login: u.upn, dept: 'Engineering', location: ZSCALER_LOCATION,
    proto: 'HTTPS', eurl: `${r.host}${r.path}${r.query ? `?${r.query}` : ''}`, host: r.host, action: 'Allowed',
    urlcat, urlsupercat: supercat, urlclass: 'Business Use', appname: 'General Browsing', appclass: 'General Browsing', reqmethod: r.method,
    respcode: String(r.status), ua: r.ua, ereferer: r.referer === '-' ? 'None' : r.referer, reqsize: String(r.bytesIn), respsize: String(r.bytesOut),
    cltintip: u.laptop.ip, cltsourceport: String(r.srcPort), cltpubip: s.world.nat.ip, cip: s.world.nat.ip, sip: r.serverIp,
    ssldecrypted: 'Yes', ruletype: 'None', rulelabel: 'Default_Allow', threatname: 'None', malwarecat: 'None', riskscore: '0',
    devicehostname: u.laptop.hostname, deviceowner: u.login, recordid: String(recordId),
  };
  return JSON.stringify({ sourcetype: 'zscalernss-web', event });
}

/** NSS streams to the SIEM; the collector writes one JSON-lines file per hour. */
export function writeZscaler(s: Scenario, out: Output): void {
  let id = 7_300_000_000_000_000;
  for (const r of s.requests) {
    if (r.route !== 'zscaler' || !r.user) continue;
    const p = parts(r.t);
    out.add('zscaler.zia', `zscaler/nss-web/${p.y}-${p.mo}-${p.d}/zscalernss-web-${p.y}${p.mo}${p.d}${p.h}.json`, zscalerRecord(r, s, id++));
  }
}
