import type { DnsQuery, Scenario, WebRequest } from '../model.js';
import { iso, parts, type Output } from './output.js';

const TENANT = '8f3c2a1e-5b6d-4e7f-9a0b-1c2d3e4f5a6b';
const BATCH = 50;

/** Defender's 7-digit fractional seconds. */
const mdeTime = (ms: number) => iso(ms).replace(/Z$/, '0000Z');

/** DeviceNetworkEvents ConnectionSuccess for the connection that carried a request (to Zscaler or straight out). */
export function defenderRecord(r: WebRequest, s: Scenario, reportId: number): Record<string, unknown> {
  const u = r.user!;
  const viaZscaler = r.route === 'zscaler';
  const t = r.t + u.laptop.skewMs;
  const process = r.incident && /bazar/.test(r.incident) ? ['rundll32.exe', 'rundll32.exe C:\\Users\\Public\\tmp9A1.dll,StartW'] : ['chrome.exe', '"chrome.exe" --type=utility'];
  return {
    time: mdeTime(t + 90_000), tenantId: TENANT, operationName: 'Publish', category: 'AdvancedHunting-DeviceNetworkEvents', Tenant: 'DefaultTenant',
    properties: {
      Timestamp: mdeTime(t), DeviceId: u.laptop.deviceId, DeviceName: u.laptop.fqdn, ActionType: 'ConnectionSuccess',
      RemoteIP: viaZscaler ? s.world.zscaler.serviceEdgeIp : r.serverIp, RemotePort: viaZscaler ? 9400 : 443, RemoteUrl: r.host,
      LocalIP: u.laptop.ip, LocalPort: r.srcPort, Protocol: 'Tcp', LocalIPType: 'Private', RemoteIPType: 'Public',
      InitiatingProcessFileName: process[0], InitiatingProcessCommandLine: process[1], InitiatingProcessId: 4000 + (reportId % 4000),
      InitiatingProcessAccountDomain: 'corp', InitiatingProcessAccountName: u.login, InitiatingProcessAccountSid: u.sid,
      InitiatingProcessAccountUpn: u.upn, InitiatingProcessAccountObjectId: u.objectId, ReportId: reportId, AppGuardContainerId: '',
      MachineGroup: 'Corporate Laptops',
    },
  };
}

/** DnsConnectionInspected: network protection saw the laptop's lookup and its answers (Zeek-style, all strings). */
export function defenderDnsRecord(q: DnsQuery, s: Scenario, reportId: number): Record<string, unknown> {
  const u = q.user;
  const t = q.t + u.laptop.skewMs;
  const additional = {
    direction: 'Out', query: q.name, qtype_name: q.type, rcode_name: q.rcode, answers: JSON.stringify(q.answers.map((a) => a.data)),
    TTLs: JSON.stringify(q.answers.map(() => 60)), uid: `C${reportId.toString(36)}dns`,
  };
  return {
    time: mdeTime(t + 90_000), tenantId: TENANT, operationName: 'Publish', category: 'AdvancedHunting-DeviceNetworkEvents', Tenant: 'DefaultTenant',
    properties: {
      Timestamp: mdeTime(t), DeviceId: u.laptop.deviceId, DeviceName: u.laptop.fqdn, ActionType: 'DnsConnectionInspected',
      RemoteIP: s.world.dnsIp, RemotePort: 53, LocalIP: u.laptop.ip, LocalPort: 50000 + (reportId % 15000), Protocol: 'Udp',
      LocalIPType: 'Private', RemoteIPType: 'Private', InitiatingProcessFileName: 'svchost.exe', InitiatingProcessAccountDomain: 'nt authority',
      InitiatingProcessAccountName: 'network service', ReportId: reportId, AdditionalFields: JSON.stringify(additional), MachineGroup: 'Corporate Laptops',
    },
  };
}

/** Event Hubs capture: `{"records":[…]}` batches, one per line, one file per hour. */
export function writeDefender(s: Scenario, out: Output): void {
  const byFile = new Map<string, Record<string, unknown>[]>();
  let report = 10_000;
  const add = (t: number, rec: (id: number) => Record<string, unknown>) => {
    const p = parts(t);
    const path = `defender/DeviceNetworkEvents/${p.y}-${p.mo}-${p.d}/${p.h}.json`;
    let list = byFile.get(path);
    if (!list) byFile.set(path, (list = []));
    list.push(rec(report++));
  };
  // Lookups and connections interleave in time order, as the device reports them.
  const items: [number, (id: number) => Record<string, unknown>][] = [];
  for (const q of s.dns) items.push([q.t, (id) => defenderDnsRecord(q, s, id)]);
  for (const r of s.requests) if (r.user) items.push([r.t, (id) => defenderRecord(r, s, id)]);
  items.sort((a, b) => a[0] - b[0]);
  for (const [t, rec] of items) add(t, rec);
  for (const [path, records] of byFile) {
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      out.add('microsoft.defender', path, JSON.stringify({ records: batch }));
      out.count('microsoft.defender', 0, batch.length - 1);
    }
  }
}
