// Benchmarks Microsoft Defender streaming-API ingestion: generates realistic advanced-hunting records
// (DeviceNetworkEvents / DeviceProcessEvents / DeviceEvents mix, one streaming record per line, the way
// Event Hubs capture or a storage-account export writes them), then times
// `node dist/cli/main.js normalize --format microsoft.defender FILE > /dev/null` and prints events/s.
// Usage: node bench/defender.js [--records 500000] [--threads N] [--keep] [--input FILE (reuse a kept file)]
import { closeSync, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let rand = mulberry32(7);
const pick = (a) => a[Math.floor(rand() * a.length)];
const hex = (n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
};

const DEVICES = Array.from({ length: 200 }, (_, i) => ({ id: hex(40), name: `wks-${String(i).padStart(4, '0')}.corp.example`, ip: `10.20.${i >> 4}.${(i * 7) % 250 + 2}` }));
const USERS = Array.from({ length: 150 }, (_, i) => ({ name: `user${i}`, upn: `user${i}@corp.example`, sid: `S-1-5-21-1004336348-1177238915-682003330-${1100 + i}`, oid: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}` }));
const PROCS = [
  ['chrome.exe', 'c:\\program files\\google\\chrome\\application\\chrome.exe', '"chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService', 'Google LLC', 'Google Chrome'],
  ['msedge.exe', 'c:\\program files (x86)\\microsoft\\edge\\application\\msedge.exe', '"msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService', 'Microsoft Corporation', 'Microsoft Edge'],
  ['svchost.exe', 'c:\\windows\\system32\\svchost.exe', 'svchost.exe -k NetworkService -p -s Dnscache', 'Microsoft Corporation', 'Microsoft® Windows® Operating System'],
  ['teams.exe', 'c:\\users\\user\\appdata\\local\\microsoft\\teams\\current\\teams.exe', '"Teams.exe" --type=renderer', 'Microsoft Corporation', 'Microsoft Teams'],
  ['powershell.exe', 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe', 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inventory.ps1', 'Microsoft Corporation', 'Microsoft® Windows® Operating System'],
];
const HOSTS = ['app.example.com', 'login.microsoftonline.com', 'www.google.com', 'd123.cloudfront.net', 'outlook.office365.com', 'github.com', 'update.googleapis.com'];
const NET_ACTIONS = [['ConnectionSuccess', 70], ['ConnectionFailed', 8], ['ConnectionRequest', 10], ['InboundConnectionAccepted', 4], ['DnsConnectionInspected', 4], ['HttpConnectionInspected', 2], ['SslConnectionInspected', 2]];
const EVENT_ACTIONS = [['DnsQueryResponse', 50], ['SmartScreenUrlWarning', 10], ['ExploitGuardNetworkProtectionBlocked', 10], ['BrowserLaunchedToOpenUrl', 15], ['DpapiAccessed', 15]];

function weighted(table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of table) if ((r -= w) < 0) return v;
  return table[0][0];
}

function initiating(p, u, t) {
  return {
    InitiatingProcessAccountDomain: 'corp', InitiatingProcessAccountName: u.name, InitiatingProcessAccountObjectId: u.oid,
    InitiatingProcessAccountSid: u.sid, InitiatingProcessAccountUpn: u.upn, InitiatingProcessCommandLine: p[2],
    InitiatingProcessCreationTime: new Date(t - 3_600_000).toISOString(), InitiatingProcessFileName: p[0], InitiatingProcessFileSize: 2_874_000,
    InitiatingProcessFolderPath: p[1], InitiatingProcessId: 1000 + Math.floor(rand() * 30000), InitiatingProcessIntegrityLevel: 'Medium',
    InitiatingProcessMD5: hex(32), InitiatingProcessParentCreationTime: new Date(t - 7_200_000).toISOString(), InitiatingProcessParentFileName: 'explorer.exe',
    InitiatingProcessParentId: 4120, InitiatingProcessSHA1: hex(40), InitiatingProcessSHA256: hex(64), InitiatingProcessTokenElevation: 'TokenElevationTypeLimited',
    InitiatingProcessVersionInfoCompanyName: p[3], InitiatingProcessVersionInfoFileDescription: p[4], InitiatingProcessVersionInfoInternalFileName: p[0].replace('.exe', ''),
    InitiatingProcessVersionInfoOriginalFileName: p[0], InitiatingProcessVersionInfoProductName: p[4], InitiatingProcessVersionInfoProductVersion: '126.0.6478.127',
  };
}

function record(i, t) {
  const d = pick(DEVICES);
  const u = pick(USERS);
  const p = pick(PROCS);
  const kind = rand();
  const ts = new Date(t).toISOString().replace('Z', '1234Z');
  const base = { DeviceId: d.id, DeviceName: d.name, MachineGroup: 'Workstations', ReportId: 10_000 + i, Timestamp: ts, AppGuardContainerId: null };
  let table;
  let props;
  if (kind < 0.6) {
    table = 'DeviceNetworkEvents';
    const action = weighted(NET_ACTIONS);
    const host = pick(HOSTS);
    let af = null;
    if (action === 'DnsConnectionInspected') af = { direction: 'Out', query: host, qtype_name: 'A', rcode_name: 'NOERROR', answers: '["13.224.10.1","13.224.10.2"]', TTLs: '[60.0,60.0]', uid: hex(18) };
    else if (action === 'HttpConnectionInspected') af = { direction: 'Out', host, method: 'GET', uri: '/index.html', status_code: '200', user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' };
    else if (action === 'SslConnectionInspected') af = { direction: 'Out', version: 'TLSv13', server_name: host, established: 'true', next_protocol: 'h2' };
    props = {
      ...base, ActionType: action, AdditionalFields: af ? JSON.stringify(af) : null, LocalIP: d.ip, LocalIPType: 'Private', LocalPort: 49152 + Math.floor(rand() * 16000),
      Protocol: action === 'DnsConnectionInspected' ? 'Udp' : 'Tcp', RemoteIP: `13.224.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`, RemoteIPType: 'Public',
      RemotePort: action === 'DnsConnectionInspected' ? 53 : 443, RemoteUrl: rand() < 0.7 ? host : null, ...initiating(p, u, t),
    };
  } else if (kind < 0.8) {
    table = 'DeviceProcessEvents';
    const child = pick(PROCS);
    props = {
      ...base, AccountDomain: 'corp', AccountName: u.name, AccountObjectId: u.oid, AccountSid: u.sid, AccountUpn: u.upn, ActionType: 'ProcessCreated', AdditionalFields: null,
      FileName: child[0], FileSize: 1_234_567, FolderPath: child[1], LogonId: 999, MD5: hex(32), ProcessCommandLine: child[2], ProcessCreationTime: ts,
      ProcessId: 2000 + Math.floor(rand() * 40000), ProcessIntegrityLevel: 'Medium', ProcessTokenElevation: 'TokenElevationTypeLimited', ProcessVersionInfoCompanyName: child[3],
      ProcessVersionInfoFileDescription: child[4], ProcessVersionInfoInternalFileName: child[0], ProcessVersionInfoOriginalFileName: child[0], ProcessVersionInfoProductName: child[4],
      ProcessVersionInfoProductVersion: '10.0.19041.1', SHA1: hex(40), SHA256: hex(64), ...initiating(p, u, t),
    };
  } else {
    table = 'DeviceEvents';
    const action = weighted(EVENT_ACTIONS);
    const host = pick(HOSTS);
    let af = { CallerProcessID: 4248 };
    if (action === 'DnsQueryResponse') af = { DnsQueryString: host, DnsQueryResult: [{ DnsQueryType: 1, IpAddress: '13.224.10.1' }] };
    else if (action === 'SmartScreenUrlWarning') af = { Experience: 'Malicious' };
    else if (action === 'ExploitGuardNetworkProtectionBlocked') af = { ResponseCategory: 'CustomBlockList', DisplayName: host, IsAudit: false };
    props = {
      ...base, AccountDomain: null, AccountName: null, AccountSid: null, ActionType: action, AdditionalFields: JSON.stringify(af), FileName: null, FileOriginIP: null,
      FileOriginUrl: null, FileSize: null, FolderPath: null, LocalIP: null, LocalPort: null, LogonId: null, MD5: null, ProcessCommandLine: null, ProcessCreationTime: null,
      ProcessId: null, ProcessTokenElevation: null, RegistryKey: null, RegistryValueData: null, RegistryValueName: null, RemoteDeviceName: null,
      RemoteIP: action === 'DnsQueryResponse' || action === 'DpapiAccessed' ? null : `13.224.${Math.floor(rand() * 255)}.7`, RemotePort: null,
      RemoteUrl: action === 'DpapiAccessed' ? null : `https://${host}/`, SHA1: null, SHA256: null, ...initiating(p, u, t),
    };
  }
  return JSON.stringify({
    time: new Date(t + 240_000).toISOString().replace('Z', '5678Z'), tenantId: '12345af3-bc0e-4f36-b08e-27759e912345', operationName: 'Publish',
    category: `AdvancedHunting-${table}`, properties: props,
  });
}

/** Lines in a file too large to hold as one string. */
function countLines(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
  closeSync(fd);
  return n;
}

/** Writes `records` streaming records, one per line (deterministic: the same seed, the same file). */
export async function generateDefender({ records, out: path, seed = 7 }) {
  rand = mulberry32(seed);
  const out = createWriteStream(path);
  const start = Date.UTC(2026, 10, 20);
  let buf = '';
  for (let i = 0; i < records; i++) {
    buf += record(i, start + i * 50) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const RECORDS = Number(arg('records', '500000'));
  const THREADS = arg('threads', String(availableParallelism()));
  const KEEP = args.includes('--keep');
  const INPUT = arg('input', '');
  const dir = mkdtempSync(join(tmpdir(), 'pt-defender-'));
  const file = INPUT || join(dir, 'defender-stream.json');
  if (!INPUT) await generateDefender({ records: RECORDS, out: file });
  const size = statSync(file).size;
  const records = INPUT ? countLines(file) : RECORDS;
  // GNU time (when installed) adds the CPU seconds used: on a shared machine wall time alone misleads.
  const cmd = [process.execPath, join(root, 'dist/cli/main.js'), 'normalize', '--format', 'microsoft.defender', '--threads', THREADS, '--quiet', '--dead-letter', join(dir, 'dead.ndjson'), file];
  const timeFile = join(dir, 'time.txt');
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const child = spawn(gnuTime ? '/usr/bin/time' : cmd[0], gnuTime ? ['-f', '%U %S', '-o', timeFile, ...cmd] : cmd.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = await once(child, 'exit');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = gnuTime ? readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number) : undefined;
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
  if (KEEP && !INPUT) console.log(`kept ${file}`);
  console.log(
    `microsoft.defender: ${records.toLocaleString('en')} streaming records (${(size / 1e6).toFixed(0)} MB) in ${seconds.toFixed(2)} s = ` +
      `${Math.round(records / seconds).toLocaleString('en')} events/s (${(size / 1e6 / seconds).toFixed(0)} MB/s, threads ${THREADS}, exit ${code})`,
  );
  if (cpu) {
    const cpuSeconds = cpu[0] + cpu[1];
    console.log(`  CPU ${cpuSeconds.toFixed(1)} s (user ${cpu[0]} s, sys ${cpu[1]} s) = ${Math.round(records / cpuSeconds).toLocaleString('en')} events per CPU-second; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
