import type { DnsQuery, Scenario } from '../model.js';
import { parts, shortHash, type Output } from './output.js';

const QTYPE: Record<DnsQuery['type'], string> = { A: '1 (A)', AAAA: '28 (AAAA)', TXT: '16 (TXT)' };
const CATEGORIES: Record<string, string> = {
  'app.example.com': 'Business Services,Software/Technology',
  'api.telegram.org': 'Chat,Instant Messaging',
};

const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** The roaming client resolves through Umbrella; the site's NAT address is the external ip. */
export function umbrellaDnsLine(q: DnsQuery, s: Scenario): string {
  const p = parts(q.t + q.user.laptop.skewMs);
  const identity = q.user.display;
  return [
    `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`, identity, `${identity},${q.user.laptop.hostname}`, q.user.laptop.ip, s.world.nat.ip,
    q.blocked ? 'Blocked' : 'Allowed', QTYPE[q.type], q.rcode, `${q.name}.`, CATEGORIES[q.name] ?? (q.incident ? 'Uncategorized' : 'Business Services'),
    'AD Users', 'AD Users,Roaming Computers', '',
  ].map(cell).join(',');
}

/** `dnslogs/<YYYY-MM-DD>/<YYYY-MM-DD-hh-mm>-<xxxx>.csv.gz`, one object per 10 minutes. */
export function writeUmbrella(s: Scenario, out: Output): void {
  for (const q of [...s.dns].sort((a, b) => a.t - b.t)) {
    const p = parts(Math.floor(q.t / 600_000) * 600_000);
    const day = `${p.y}-${p.mo}-${p.d}`;
    const path = `umbrella/dnslogs/${day}/${day}-${p.h}-${p.mi}-${shortHash(s.world.seed + day + p.h + p.mi, 4, 'abcdefghijklmnopqrstuvwxyz0123456789')}.csv.gz`;
    out.add('cisco.umbrella', path, umbrellaDnsLine(q, s));
  }
}
