// Benchmark: `packettrail normalize` over Cisco Umbrella DNS and proxy CSV exports and Zscaler NSS web
// feeds (JSON envelope and key=value). Generates N lines per input (deterministic PRNG: a few hundred
// users and hosts, realistic domains, ~5% blocked), then times the CLI (spawned, output to /dev/null)
// per input and prints lines per second.
// Usage: npm run build && node bench/umbrella-zscaler.js [--lines 500000] [--threads N] [--keep]
import { createWriteStream, mkdtempSync, mkdirSync, rmSync, openSync, closeSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');



const DOMAINS = ['www.example.com', 'app.example.com', 'login.microsoftonline.com', 'outlook.office365.com', 'd111111abcdef8.cloudfront.net',
  'i.ytimg.com', 'api.github.com', 'cdn.jsdelivr.net', 'mail.google.com', 'files.slack.com', 'bad.example.net', 'update.example.org'];
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function world(seed) {
  const rand = mulberry32(seed);
  const pick = (n) => Math.floor(rand() * n);
  const users = Array.from({ length: 300 }, (_, i) => `user${i}.name@corp.example`);
  return { rand, pick, users, start: Date.UTC(2026, 10, 20) };
}

const pad = (n) => String(n).padStart(2, '0');
const umbrellaTime = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const nssTime = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
};
const q = (cells) => cells.map((c) => `"${c}"`).join(',');

const GENERATORS = {
  'umbrella-dns': (w, i, lines) => {
    const u = w.pick(w.users.length);
    const blocked = w.rand() < 0.05;
    const name = `Name${u}, User (${w.users[u]})`;
    return q([umbrellaTime(w.start + Math.floor((i / lines) * 86400000)), name, `${name},LAPTOP-${u}`, `10.1.${u >> 4}.${u & 255}`, '203.0.113.9',
      blocked ? 'Blocked' : 'Allowed', w.rand() < 0.8 ? '1 (A)' : '28 (AAAA)', 'NOERROR', `${DOMAINS[w.pick(DOMAINS.length)]}.`,
      'Software/Technology,Business Services', 'AD Users', 'AD Users,Anyconnect Roaming Client', blocked ? 'Malware' : '']);
  },
  'umbrella-proxy': (w, i, lines) => {
    const u = w.pick(w.users.length);
    const host = DOMAINS[w.pick(DOMAINS.length)];
    const cells = [umbrellaTime(w.start + Math.floor((i / lines) * 86400000)), `LAPTOP-${u}`, `10.1.${u >> 4}.${u & 255}`, '203.0.113.9',
      `198.51.100.${w.pick(250) + 1}`, 'text/html', w.rand() < 0.05 ? 'BLOCKED' : 'ALLOWED', `https://${host}/path/${w.pick(1000)}?q=${w.pick(1e6)}`, '', UA,
      '200', String(200 + w.pick(2000)), String(500 + w.pick(50000)), String(400 + w.pick(50000)), '', 'Business Services', '', '', '', '', '',
      'Roaming Computers', '', `LAPTOP-${u},HQ`, 'Roaming Computers,Sites', 'GET', '', '', '', '13671956', '', '', '', '', ''];
    return q(cells);
  },
  'zscaler-web-json': (w, i, lines) => {
    const u = w.pick(w.users.length);
    const host = DOMAINS[w.pick(DOMAINS.length)];
    return JSON.stringify({ sourcetype: 'zscalernss-web', event: {
      time: nssTime(w.start + Math.floor((i / lines) * 86400000)), tz: 'GMT', login: w.users[u].replace('@', '%40'), dept: 'Sales', location: 'HQ',
      cltintip: `10.1.${u >> 4}.${u & 255}`, cltpubip: '203.0.113.9', sip: `198.51.100.${w.pick(250) + 1}`, eurl: `${host}/path/${w.pick(1000)}`, host,
      proto: 'HTTPS', reqmethod: 'GET', respcode: '200', reqsize: String(200 + w.pick(2000)), respsize: String(500 + w.pick(50000)),
      action: w.rand() < 0.05 ? 'Blocked' : 'Allowed', urlcat: 'Business', urlsupercat: 'Business and Economy', urlclass: 'Business Use',
      ssldecrypted: 'Yes', rulelabel: 'Default', appname: 'General Browsing', ua: UA, dlpeng: 'None', threatname: 'None', recordid: String(i) } });
  },
  'zscaler-web-kv': (w, i, lines) => {
    const u = w.pick(w.users.length);
    const host = DOMAINS[w.pick(DOMAINS.length)];
    return `time=${nssTime(w.start + Math.floor((i / lines) * 86400000))}\ttz=GMT\tlogin=${w.users[u]}\tcltintip=10.1.${u >> 4}.${u & 255}\t` +
      `cltpubip=203.0.113.9\tsip=198.51.100.${w.pick(250) + 1}\teurl=${host}/p/${w.pick(1000)}\thost=${host}\tproto=HTTPS\treqmethod=GET\t` +
      `respcode=200\treqsize=${200 + w.pick(2000)}\trespsize=${500 + w.pick(50000)}\taction=Allowed\turlcat=Business\tua=${UA}\trecordid=${i}`;
  },
};

export async function generate(kind, lines, out, seed = 11) {
  const w = world(seed);
  const file = createWriteStream(out);
  let buf = '';
  for (let i = 0; i < lines; i++) {
    buf += GENERATORS[kind](w, i, lines) + '\n';
    if (buf.length > 1 << 20) {
      if (!file.write(buf)) await once(file, 'drain');
      buf = '';
    }
  }
  file.end(buf);
  await once(file, 'finish');
}

async function time(format, file, threads, dir) {
  const args = [CLI, 'normalize', '--quiet', '--format', format, '--threads', threads, '--dead-letter', join(dir, 'dead-letter.ndjson'), file];
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', devNull, 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  closeSync(devNull);
  if (code !== 0) throw new Error(`packettrail exited with ${code}`);
  return (performance.now() - started) / 1000;
}

async function main() {
  const lines = Number(arg('lines', '500000'));
  const threads = arg('threads', String(Math.max(1, cpus().length)));
  const dir = mkdtempSync(join(tmpdir(), 'packettrail-bench-umbrella-zscaler-'));
  const inputs = [
    ['umbrella-dns', 'cisco.umbrella', join(dir, 'dnslogs', '2026-11-20', '2026-11-20-00-00-ab12.csv')],
    ['umbrella-proxy', 'cisco.umbrella', join(dir, 'proxylogs', '2026-11-20', '2026-11-20-00-00-cd34.csv')],
    ['zscaler-web-json', 'zscaler.zia', join(dir, 'nss-web.json.log')],
    ['zscaler-web-kv', 'zscaler.zia', join(dir, 'nss-web.kv.log')],
  ];
  try {
    for (const [kind, format, file] of inputs) {
      mkdirSync(dirname(file), { recursive: true });
      await generate(kind, lines, file);
      const size = statSync(file).size;
      const seconds = await time(format, file, threads, dir);
      console.log(`${kind} (${format}) normalize: ${lines.toLocaleString('en-US')} lines (${(size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s = ` +
        `${Math.round(lines / seconds).toLocaleString('en-US')} lines/s (threads ${threads}, ${cpus().length} cores)`);
    }
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
