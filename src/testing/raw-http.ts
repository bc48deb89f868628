import { request as httpRequest } from 'node:http';
/**
 * HTTP/1.1 over a plain socket, for tests that must send request lines exactly as written: fetch and
 * light-my-request normalize paths (`/x/../api`, `%61pi`, absolute-form) before they leave.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case (the last value wins). */
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  port: number;
  /** Sent verbatim, e.g. `GET /%61pi/status HTTP/1.1`. */
  line: string;
  /** Sent as given, after the request line; `Connection: close` is added unless one is set. */
  headers?: Record<string, string>;
  body?: string;
  /** Source address of the connection (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  /** Gives up after this long (ms). */
  timeoutMs?: number;
}

/** Opens a connection to 127.0.0.1 and resolves when it is connected. */
export function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Resolves when the peer closes the socket (or it errors) with the time it took in ms; after
 * `giveUpMs` it closes the socket itself and resolves with Infinity.
 */
export function closedWithin(socket: Socket, giveUpMs = 15_000): Promise<number> {
  const start = Date.now();
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => {
      socket.removeAllListeners('close');
      socket.destroy();
      resolve(Infinity);
    }, giveUpMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
    socket.resume();
  });
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseRawResponse(data: Buffer): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest;
  return { status, headers, body: body.toString('utf8') };
}

/** One request on its own connection (`Connection: close`); resolves with the response once the server closes it. */
export async function rawRequest(r: RawRequest): Promise<RawResponse> {
  const socket = await openSocket(r.port, r.localAddress);
  const headers = { ...r.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'connection')) headers.Connection = 'close';
  if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
  const head = [r.line, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${r.line}: no complete response within ${r.timeoutMs ?? 10_000} ms`));
    }, r.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${r.line}: ${e.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseRawResponse(Buffer.concat(chunks)));
      } catch (e) {
        reject(new Error(`${r.line}: ${(e as Error).message}`));
      }
    });
    // write, not end: a half-closed client makes node abort the request before it is answered.
    socket.write(`${head}\r\n\r\n${r.body ?? ''}`);
  });
}

/** A GET over a real socket with the headers as given (fetch always sends the URL's Host): status, content type, body. */
export function getWithHeaders(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}
