// Generates a CloudFront standard access log (33 fields, #Version/#Fields header) for benchmarks.
// Deterministic (seeded PRNG); URL-encoded user agents; IPv4 and IPv6 clients; skewed URIs
// (Zipf-like) and a realistic status / cache-result mix.
// Usage: node bench/gen-cloudfront.js --lines 1000000 --out /tmp/cf.log [--gzip] [--seed 1]
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { mulberry32 } from './lib.js';

const FIELDS = 'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';


const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36',
  'curl/8.5.0',
  'python-requests/2.32.3',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Amazon CloudFront',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0',
].map((ua) => encodeURIComponent(ua).replace(/%2F/g, '/').replace(/%3B/g, ';').replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2B/g, '+').replace(/%28/g, '(').replace(/%29/g, ')'));
const EDGES = ['LAX1', 'SEA19-C1', 'FRA56-P3', 'IAD89-C2', 'NRT57-C1', 'LHR61-P1', 'CDG50-C1', 'GRU3-C1'];
const PATHS = ['/', '/index.html', '/app.js', '/styles.css', '/api/v1/session', '/api/v1/items', '/login', '/static/logo.png', '/favicon.ico', '/api/v1/search', '/robots.txt', '/wp-login.php', '/.env', '/admin'];
const TYPES = ['text/html', 'application/javascript', 'text/css', 'application/json', 'image/png', 'image/x-icon'];
const RESULTS = [['Hit', 55], ['Miss', 30], ['RefreshHit', 7], ['Error', 5], ['Redirect', 2], ['LimitExceeded', 1]];
const STATUSES = [[200, 80], [304, 7], [302, 3], [404, 5], [403, 2], [500, 1], [502, 1], [503, 1]];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function weighted(rand, table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of table) { if ((r -= w) < 0) return v; }
  return table[0][0];
}

export async function generateCloudFront({ lines, out, gzip = false, seed = 1, start = Date.UTC(2026, 10, 20, 0, 0, 0) }) {
  const rand = mulberry32(seed);
  mkdirSync(dirname(out), { recursive: true });
  const file = createWriteStream(out);
  const sink = gzip ? createGzip({ level: 1 }) : null;
  if (sink) sink.pipe(file);
  const w = sink ?? file;
  const pad = (n) => (n < 10 ? '0' + n : '' + n);
  let buf = `#Version: 1.0\n#Fields: ${FIELDS}\n`;
  const step = (3600 * 1000 * 24) / lines;
  for (let i = 0; i < lines; i++) {
    const t = new Date(start + Math.floor(i * step));
    const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
    const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
    const v6 = rand() < 0.2;
    const ip = v6
      ? `2001:db8:${(rand() * 65535 | 0).toString(16)}::${(rand() * 65535 | 0).toString(16)}`
      : `${(rand() * 223 | 0) + 1}.${rand() * 256 | 0}.${rand() * 256 | 0}.${rand() * 256 | 0}`;
    const pathIdx = Math.min(PATHS.length - 1, Math.floor(Math.pow(rand(), 2.5) * PATHS.length));
    const path = PATHS[pathIdx];
    const status = weighted(rand, STATUSES);
    const result = status >= 500 ? 'Error' : weighted(rand, RESULTS);
    let id = '';
    for (let k = 0; k < 54; k++) id += B64[rand() * 64 | 0];
    id += '==';
    const ua = USER_AGENTS[Math.floor(Math.pow(rand(), 1.5) * USER_AGENTS.length)];
    const query = rand() < 0.3 ? `q=${(rand() * 1e6) | 0}&page=${(rand() * 10) | 0}` : '-';
    const taken = (rand() * 0.5).toFixed(3);
    const type = TYPES[pathIdx % TYPES.length];
    const bytes = 200 + (rand() * 50000 | 0);
    buf += `${date}\t${time}\t${EDGES[rand() * EDGES.length | 0]}\t${bytes}\t${ip}\tGET\td111111abcdef8.cloudfront.net\t${path}\t${status}\t-\t${ua}\t${query}\t-\t${result}\t${id}\tapp.example.com\thttps\t${100 + (rand() * 900 | 0)}\t${taken}\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t${result}\tHTTP/2.0\t-\t-\t${1024 + (rand() * 60000 | 0)}\t${taken}\t${result}\t${type}\t${bytes - 180}\t-\t-\n`;
    if (buf.length > 1 << 20) {
      if (!w.write(buf)) await once(w, 'drain');
      buf = '';
    }
  }
  w.write(buf);
  w.end();
  await once(file, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  await generateCloudFront({
    lines: Number(arg('lines', '1000000')),
    out: arg('out', '/tmp/cloudfront-1m.log'),
    gzip: process.argv.includes('--gzip'),
    seed: Number(arg('seed', '1')),
  });
}
