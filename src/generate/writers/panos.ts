import { TRAFFIC_FIELDS } from '../../formats/panos/fields-network.js';
import { FIREWALL } from '../world.js';
import type { Scenario, WebRequest } from '../model.js';
import { parts, type Output } from './output.js';

// The firewall clock is a little ahead of the laptops'.
const SKEW_MS = 2300;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const panTime = (ms: number) => {
  const p = parts(ms);
  return `${p.y}/${p.mo}/${p.d} ${p.h}:${p.mi}:${p.s}`;
};
/** The 10.x High Resolution Timestamp carries the offset, so no --timezone is needed. */
const highRes = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}+00:00`;
const csv = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A TRAFFIC `end` record for a session leaving through the source NAT, rendered by field name. */
export function trafficLine(r: WebRequest, s: Scenario, sessionId: number): string {
  const end = r.t + SKEW_MS + r.durationMs + 1000;
  const u = r.user!;
  const v: Partial<Record<string, string | number>> = {
    receive_time: panTime(end), serial: FIREWALL.serial, type: 'TRAFFIC', subtype: 'end', time_generated: panTime(end),
    src: r.srcIp, dst: r.serverIp, natsrc: s.world.nat.ip, natdst: r.serverIp, rule: 'allow-web-direct', srcuser: `corp\\${u.login}`, dstuser: '',
    app: 'ssl', vsys: FIREWALL.vsys, from: 'trust', to: 'untrust', inbound_if: 'ethernet1/2', outbound_if: 'ethernet1/1', logset: 'default',
    sessionid: sessionId, repeatcnt: 1, sport: r.srcPort, dport: 443, natsport: r.viewerPort, natdport: 443, flags: '0x400053', proto: 'tcp',
    action: 'allow', bytes: r.bytesIn + r.bytesOut, bytes_sent: r.bytesIn, bytes_received: r.bytesOut, packets: 14, start: panTime(r.t + SKEW_MS),
    elapsed: Math.max(1, Math.round(r.durationMs / 1000)), category: 'business-and-economy', seqno: 7_000_000 + sessionId, actionflags: '0x0',
    srcloc: '10.0.0.0-10.255.255.255', dstloc: 'United States', pkts_sent: 7, pkts_received: 7, session_end_reason: 'tcp-fin',
    dg_hier_level_1: 0, dg_hier_level_2: 0, dg_hier_level_3: 0, dg_hier_level_4: 0, device_name: FIREWALL.name, action_source: 'from-policy',
    src_host: u.laptop.hostname, high_res_timestamp: highRes(end),
  };
  const fields = TRAFFIC_FIELDS.slice(0, TRAFFIC_FIELDS.indexOf('high_res_timestamp') + 1).map((name) => csv(String(v[name] ?? '')));
  // The leading FUTURE_USE column reads 1 on real firewalls.
  fields[0] = '1';
  const p = parts(end);
  const d = new Date(end);
  return `<14>${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p.h}:${p.mi}:${p.s} ${FIREWALL.name} ${fields.join(',')}`;
}

/** The syslog collector writes one file per hour. */
export function writePanos(s: Scenario, out: Output): void {
  let session = 100_000;
  for (const r of s.requests) {
    if (r.route !== 'direct' || !r.user) continue;
    const p = parts(r.t);
    out.add('panw.panos', `panos/${FIREWALL.name}/${p.y}-${p.mo}-${p.d}/traffic-${p.h}.log`, trafficLine(r, s, session++));
  }
}

