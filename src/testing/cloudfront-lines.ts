import { gzipSync } from 'node:zlib';

const FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const PATHS = ['/', '/index.html', '/app.js', '/api/v1/items', '/login', '/static/logo.png'];

/**
 * A CloudFront standard log object for tests: the two header lines and `lines` distinct records
 * (each has its own request id, so each is one stored event), one second apart from `startMs`.
 */
export function cloudFrontLog(lines: number, opts: { seed?: number; startMs?: number } = {}): string {
  const seed = opts.seed ?? 1;
  const start = opts.startMs ?? Date.UTC(2026, 10, 20, 0, 0, 0);
  const out = [`#Version: 1.0`, `#Fields: ${FIELDS}`];
  for (let i = 0; i < lines; i++) {
    const t = new Date(start + i * 1000).toISOString();
    const id = `S${seed}R${i}`.padEnd(54, 'x') + '==';
    const ip = `198.51.${(i >> 8) & 255}.${i & 255}`;
    const status = i % 17 === 0 ? 404 : 200;
    out.push(
      `${t.slice(0, 10)}\t${t.slice(11, 19)}\tFRA56-P3\t${1000 + (i % 500)}\t${ip}\tGET\td111111abcdef8.cloudfront.net\t${PATHS[i % PATHS.length]}\t${status}\t-\tMozilla/5.0%20(X11;%20Linux%20x86_64)\t-\t-\tHit\t${id}\tapp.example.com\thttps\t120\t0.002\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t${40000 + (i % 20000)}\t0.002\tHit\ttext/html\t900\t-\t-`,
    );
  }
  return out.join('\n') + '\n';
}

export function cloudFrontGzip(lines: number, opts: { seed?: number; startMs?: number } = {}): Buffer {
  return gzipSync(cloudFrontLog(lines, opts), { level: 1 });
}
