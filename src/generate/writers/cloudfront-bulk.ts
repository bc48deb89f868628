import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createGzip, constants, type ZlibOptions } from 'node:zlib';
import { BASE64URL, Rng } from '../random.js';
import { BROWSER_UAS } from '../traffic.js';
import type { Scenario } from '../model.js';
import { CF_HEADER, cfEncode } from './cloudfront.js';
import { parts, shortHash } from './output.js';

const PATHS: readonly (readonly [string, string, string, string])[] = [
  ['/', '-', 'text/html', 'Hit'],
  ['/static/app.js', 'v=3.4.1', 'application/javascript', 'Hit'],
  ['/static/app.css', 'v=3.4.1', 'text/css', 'Hit'],
  ['/api/items', 'page=1', 'application/json', 'Miss'],
  ['/favicon.ico', '-', 'image/x-icon', 'RefreshHit'],
];
const CHUNK_BYTES = 4 << 20;
// Number → text once, not per line (the per-line conversions dominated the generator's profile).
const table = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const BYTES = table(30000, (i) => String(600 + i));
const CONTENT_LEN = table(30000, (i) => String(350 + i));
const PORTS = table(64000, (i) => String(1024 + i));
const CS_BYTES = table(500, (i) => String(300 + i));
const TAKEN_MISS = table(80, (i) => `0.0${10 + i}`);
const TAKEN_HIT = table(9, (i) => `0.00${1 + i}`);

// Two base64url characters per 12 bits: request-id suffixes without a per-character loop.
const PAIRS = Array.from({ length: 4096 }, (_, i) => BASE64URL[i >> 6]! + BASE64URL[i & 63]!);

/**
 * A flat copy of a string built by concatenation. V8 keeps `a + b` as a tree of parts and walks it
 * again every time a line that contains it is written, so the pieces reused by every line are flattened once.
 */
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

function counterId(n: number): string {
  return PAIRS[Math.floor(n / 16_777_216) & 4095]! + PAIRS[(n >>> 12) & 4095]! + PAIRS[n & 4095]!;
}

/**
 * Internet viewers of the app for `--scale` benchmarks: CloudFront lines only, streamed hour by hour
 * through a fast gzip level in large latin1 buffer chunks so memory stays bounded whatever the size. Request
 * ids are an hour prefix plus a counter, so they are unique without a set.
 */
export async function writeCloudFrontBulk(s: Scenario, root: string, total: number): Promise<{ files: number; lines: number }> {
  const rng = new Rng(`${s.world.seed}/bulk`);
  const hours = Math.max(1, Math.round((s.end - s.start) / 3_600_000));
  const { id: distId, domain } = s.world.distribution;
  const viewers = Array.from({ length: 4096 }, (_, i) => flat(i % 8 === 7 ? `2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}` : `192.0.2.${i % 256}`));
  const uas = BROWSER_UAS.map((u) => cfEncode(u));
  let written = 0;
  let counter = 0;
  for (let h = 0; h < hours; h++) {
    const n = Math.floor(total / hours) + (h < total % hours ? 1 : 0);
    if (n === 0) continue;
    const hourStart = s.start + h * 3_600_000;
    const p = parts(hourStart);
    const hour = `${p.y}-${p.mo}-${p.d}-${p.h}`;
    const path = join(root, 'cloudfront', `${distId}.${hour}.${shortHash(`${s.world.seed}/${hour}/bulk`)}.gz`);
    mkdirSync(dirname(path), { recursive: true });
    // A deep write queue lets zlib (thread pool) compress one chunk while this thread renders the next;
    // with the default 16 KB mark every write waited for the previous chunk's compression.
    const gzip = createGzip({ level: 1, strategy: constants.Z_DEFAULT_STRATEGY, chunkSize: 1 << 20, writableHighWaterMark: 3 * CHUNK_BYTES } as ZlibOptions);
    const file = createWriteStream(path);
    gzip.pipe(file);
    const prefix = rng.chars(48, BASE64URL);
    const edges = s.world.edges.map((e) => flat(`\t${e.code}\t`));
    // Everything between the viewer address and the request id depends only on (path, user agent).
    const middles = PATHS.flatMap(([uri, query, , result]) => uas.map((ua) => flat(`\tGET\t${domain}\t${uri}\t200\t-\t${ua}\t${query}\t-\t${result}\t${prefix}`)));
    const tails = PATHS.map(([, , type, result]) => [flat(`\t${result}\tHTTP/2.0\t-\t-\t`), flat(`\t${result}\t${type}\t`)] as const);
    // A fresh buffer per chunk: the gzip stream keeps a chunk until compressed, so it gets the buffer itself.
    let out = Buffer.allocUnsafeSlow(CHUNK_BYTES + 8192);
    let off = out.write(CF_HEADER.join('\n') + '\n', 0, 'latin1');
    let second = -1;
    let stamp = '';
    for (let i = 0; i < n; i++) {
      const t = hourStart + Math.floor((i * 3_600_000) / n);
      const sec = Math.floor(t / 1000);
      if (sec !== second) {
        second = sec;
        const q = parts(t);
        stamp = `${q.y}-${q.mo}-${q.d}\t${q.h}:${q.mi}:${q.s}`;
      }
      const r = rng.u32();
      const pathIndex = r % PATHS.length;
      const miss = PATHS[pathIndex]![3] === 'Miss';
      const b = (r >>> 12) % 30000;
      const taken = miss ? TAKEN_MISS[r % 80]! : TAKEN_HIT[r % 9]!;
      const [tail1, tail2] = tails[pathIndex]!;
      const line = `${stamp}${edges[(r >>> 4) % edges.length]}${BYTES[b]}\t${viewers[(r >>> 16) % viewers.length]}${middles[pathIndex * uas.length + ((r >>> 2) % uas.length)]}${counterId(counter++)}==\tapp.example.com\thttps\t${CS_BYTES[r % 500]}\t${taken}\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256${tail1}${PORTS[(r >>> 8) % 64000]}\t${taken}${tail2}${CONTENT_LEN[b]}\t-\t-\n`;
      off += out.write(line, off, 'latin1');
      if (off >= CHUNK_BYTES) {
        const full = out.subarray(0, off);
        out = Buffer.allocUnsafeSlow(CHUNK_BYTES + 8192);
        off = 0;
        if (!gzip.write(full)) await once(gzip, 'drain');
      }
    }
    gzip.end(out.subarray(0, off));
    await once(file, 'close');
    written += n;
  }
  return { files: Math.min(hours, total), lines: written };
}
