// Benchmark: `packettrail normalize --format panw.panos` over PAN-OS 10.x TRAFFIC syslog CSV.
// Generates N realistic lines from the parser's own field table (RFC 3164 header, source NAT to a
// few egress IPs, mixed apps/rules/users/zones, start/end/deny subtypes, High Resolution Timestamp,
// ~3% quoted values with commas), then times the CLI (spawned, output to /dev/null) and prints lines/s.
// Usage: npm run build && node bench/panos.js [--lines 1000000] [--threads N] [--timezone Europe/Paris] [--keep]
import { createWriteStream, mkdtempSync, rmSync, openSync, closeSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const { TRAFFIC_FIELDS } = await import(join(ROOT, 'dist', 'formats', 'panos', 'fields-network.js'));



const APPS = [['ssl', 443, 'tcp', 40], ['web-browsing', 80, 'tcp', 12], ['dns', 53, 'udp', 15], ['ms-office365-base', 443, 'tcp', 8], ['quic', 443, 'udp', 8], ['ntp', 123, 'udp', 3], ['ms-rdp', 3389, 'tcp', 2], ['ssh', 22, 'tcp', 2], ['incomplete', 8443, 'tcp', 5], ['ping', 0, 'icmp', 5]];
const RULES = ['allow-web-egress', 'allow-dns', 'allow-o365', 'deny-all', 'allow-admin-ssh', 'intrazone-default'];
const USERS = ['corp\\lee.cole', 'corp\\ana.silva', 'corp\\jdoe', 'svc-backup@corp.example', '', '', 'corp\\m.khan'];
const CATEGORIES = ['computer-and-internet-info', 'business-and-economy', 'any', 'search-engines', 'social-networking', 'news'];
const REASONS = ['tcp-fin', 'aged-out', 'tcp-rst-from-client', 'tcp-rst-from-server', 'policy-deny', 'n/a'];
const SUBTYPES = [['end', 80], ['start', 12], ['deny', 6], ['drop', 2]];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n, w = 2) => String(n).padStart(w, '0');

export async function generatePanosTraffic({ lines, out, seed = 11, start = Date.UTC(2026, 10, 20, 8) }) {
  const rand = mulberry32(seed);
  const pick = (n) => Math.floor(rand() * n);
  const weighted = (list) => {
    let r = rand() * list.reduce((s, x) => s + x[x.length - 1], 0);
    for (const x of list) if ((r -= x[x.length - 1]) < 0) return x;
    return list[0];
  };
  const idx = Object.fromEntries(TRAFFIC_FIELDS.map((n, i) => [n, i]).filter(([n]) => n !== 'future_use').reverse());
  const egress = ['203.0.113.10', '203.0.113.11', '198.51.100.7'];
  const file = createWriteStream(out);
  let buf = '';
  let seq = 7000000;
  for (let i = 0; i < lines; i++) {
    const t = new Date(start + Math.floor((i / lines) * 3_600_000)); // an hour of local time (+01:00 device clock)
    const local = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
    const [app, port, proto] = weighted(APPS);
    const [subtype] = weighted(SUBTYPES);
    const denied = subtype === 'deny' || subtype === 'drop';
    const sent = 60 + pick(40000);
    const received = denied ? 0 : pick(900000);
    const pSent = 1 + Math.floor(sent / 900);
    const pRecv = Math.floor(received / 1200);
    const elapsed = subtype === 'end' ? pick(600) : 0;
    const f = new Array(TRAFFIC_FIELDS.length).fill('');
    const set = (name, v) => { f[idx[name]] = String(v); };
    const src = `10.${pick(4)}.${pick(256)}.${pick(254) + 1}`;
    set('receive_time', local); set('serial', '013201001234'); set('type', 'TRAFFIC'); set('subtype', subtype);
    set('time_generated', local); set('src', src); set('dst', `${pick(223) + 1}.${pick(256)}.${pick(256)}.${pick(254) + 1}`);
    set('natsrc', denied ? '0.0.0.0' : egress[pick(egress.length)]); set('natdst', '0.0.0.0');
    set('rule', denied ? 'deny-all' : RULES[pick(RULES.length)]); set('srcuser', USERS[pick(USERS.length)]);
    set('app', app); set('vsys', 'vsys1'); set('from', 'trust'); set('to', 'untrust'); set('inbound_if', 'ethernet1/2');
    set('outbound_if', 'ethernet1/1'); set('logset', 'default-forwarding'); set('sessionid', 100000 + pick(900000));
    set('repeatcnt', 1); set('sport', proto === 'icmp' ? 0 : 1024 + pick(64000)); set('dport', port);
    set('natsport', denied || proto === 'icmp' ? 0 : 1024 + pick(64000)); set('natdport', 0); set('flags', '0x400053');
    set('proto', proto); set('action', denied ? subtype : 'allow'); set('bytes', sent + received); set('bytes_sent', sent);
    set('bytes_received', received); set('packets', pSent + pRecv); set('start', local); set('elapsed', elapsed);
    set('category', CATEGORIES[pick(CATEGORIES.length)]); set('seqno', seq++); set('actionflags', '0x8000000000000000');
    set('srcloc', '10.0.0.0-10.255.255.255'); set('dstloc', rand() < 0.03 ? '"Korea, Republic of"' : 'United States');
    set('pkts_sent', pSent); set('pkts_received', pRecv); set('session_end_reason', denied ? 'policy-deny' : REASONS[pick(REASONS.length)]);
    for (const n of ['dg_hier_level_1', 'dg_hier_level_2', 'dg_hier_level_3', 'dg_hier_level_4', 'imsi', 'parent_session_id', 'assoc_id', 'chunks', 'chunks_sent', 'chunks_received', 'http2_connection', 'link_change_count', 'policy_id', 'link_switches', 'nssai_sst', 'offloaded']) set(n, 0);
    set('device_name', 'fw01-edge'); set('action_source', 'from-policy'); set('tunnel', 'N/A');
    set('rule_uuid', '9c1f7e2a-5b3d-4e6f-8a7b-0c1d2e3f4a5b'); set('session_owner', 'fw01-edge'); set('serialnumber', '');
    set('high_res_timestamp', `${local.replace(/\//g, '-').replace(' ', 'T')}.${pad(pick(1000), 3)}+01:00`);
    set('subcategory_of_app', 'encrypted-tunnel'); set('category_of_app', 'networking'); set('technology_of_app', 'browser-based');
    set('risk_of_app', 1 + pick(5)); set('is_saas_of_app', 'no'); set('sanctioned_state_of_app', 'no'); set('flow_type', 'NonProxyTraffic');
    const header = `<14>${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')} ${local.slice(11)} fw01-edge `;
    f[0] = "1";
    buf += `${header}${f.join(",")}\n`;
    if (buf.length > 1 << 20) {
      if (!file.write(buf)) await once(file, 'drain');
      buf = '';
    }
  }
  file.end(buf);
  await once(file, 'finish');
}

async function main() {
  const lines = Number(arg('lines', '1000000'));
  const threads = arg('threads', String(Math.max(1, cpus().length)));
  const timezone = arg('timezone', '+01:00');
  const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-panos-'));
  const file = join(dir, 'panos-traffic.log');
  try {
    await generatePanosTraffic({ lines, out: file });
    const size = statSync(file).size;
    const args = [CLI, 'normalize', '--quiet', '--format', 'panw.panos', '--timezone', timezone, '--threads', threads, '--dead-letter', join(dir, 'dead-letter.ndjson'), file];
    const devNull = openSync('/dev/null', 'w');
    const started = performance.now();
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', devNull, 'inherit'] });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const seconds = (performance.now() - started) / 1000;
    closeSync(devNull);
    if (code !== 0) throw new Error(`packettrail exited with ${code} (see ${join(dir, 'dead-letter.ndjson')}; rerun with --keep)`);
    console.log(`command: node ${args.map((a) => (a === file ? 'FILE' : a)).join(' ').replace(CLI, 'dist/cli/main.js').replace(join(dir, 'dead-letter.ndjson'), 'DEAD_LETTERS')} > /dev/null`);
    console.log(`panw.panos normalize (TRAFFIC 10.x, RFC 3164): ${lines.toLocaleString('en-US')} lines (${(size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en-US')} lines/s (threads ${threads}, ${cpus().length} cores)`);
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
