import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { CliError, EXIT } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { fromWire, toWire } from './wire.js';
import { fromWireError, helloProof, HELLO_TIMEOUT_MS, PROTOCOL_VERSION, ROUTES, ServiceUnavailableError, type Hello, type WireError } from './protocol.js';
import { pidAlive, readServiceFile, type ServiceFile } from './service-file.js';

/** Parallel requests one command makes (the insights views run their queries side by side). */
const MAX_SOCKETS_PER_COMMAND = 8;

interface CallOptions {
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** Streamed as the request body instead of a JSON one (standard input for an ingest job). */
  body?: Readable;
}

/** A command's connection to the process that holds its database (see protocol.ts). */
export class ServiceClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_COMMAND });

  constructor(
    readonly file: ServiceFile,
    /** The database as the command names it, for messages. */
    readonly db: string,
  ) {}

  /** `packettrail collect (pid 123)`. */
  get owner(): string {
    return `packettrail ${this.file.role} (pid ${this.file.pid})`;
  }

  /** Sends a request and returns the answer's body stream (status 200), or throws the error it carries. */
  async open(method: 'GET' | 'POST', route: string, payload: unknown, o: CallOptions = {}): Promise<IncomingMessage> {
    const body = o.body ? undefined : payload === undefined ? undefined : Buffer.from(toWire(payload));
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        socketPath: this.file.socket, path: route, method, agent: this.agent, signal: o.signal,
        headers: {
          authorization: `Bearer ${this.file.token}`, ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...o.headers,
        },
      });
      req.once('response', resolve);
      req.once('error', (e) => reject(o.signal?.aborted ? o.signal.reason : this.unavailable(e)));
      if (o.body) o.body.pipe(req);
      else req.end(body);
    });
    if (res.statusCode === 200) return res;
    const text = await readAll(res, o.signal).catch((e) => {
      throw o.signal?.aborted ? o.signal.reason : this.unavailable(e);
    });
    let error: WireError;
    try {
      error = (fromWire<{ error: WireError }>(text)).error;
    } catch {
      throw new ServiceUnavailableError(`${this.owner} answered ${res.statusCode} with no readable error`);
    }
    throw fromWireError(error);
  }

  /** A JSON request and its JSON answer. */
  async call<T>(method: 'GET' | 'POST', route: string, payload?: unknown, o: CallOptions = {}): Promise<T> {
    const res = await this.open(method, route, payload, o);
    try {
      return fromWire<T>(await readAll(res, o.signal));
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (e instanceof SyntaxError) throw new ServiceUnavailableError(`${this.owner} sent an unreadable answer: ${e.message}`);
      throw this.unavailable(e);
    }
  }

  unavailable(e: unknown): ServiceUnavailableError {
    const code = (e as NodeJS.ErrnoException).code;
    return new ServiceUnavailableError(`${this.owner}, which holds ${this.db}, stopped answering (${code ?? (e as Error).message})`);
  }

  close(): void {
    this.agent.destroy();
  }
}

function readAll(res: IncomingMessage, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (b: Buffer) => parts.push(b));
    res.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('the answer was cut off')));
    signal?.addEventListener('abort', () => res.destroy(), { once: true });
  });
}

/** The owner's hello, checked: same protocol, same instance, and proof that it knows the token. */
async function greet(client: ServiceClient): Promise<Hello | undefined> {
  const nonce = randomBytes(16).toString('base64url');
  const signal = AbortSignal.timeout(HELLO_TIMEOUT_MS);
  let hello: Hello;
  try {
    // The hello carries no token: an impostor on a stale socket path learns nothing from it.
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const body = Buffer.from(toWire({ nonce }));
      // Its own connection, closed after: a kept-alive one would hold the command's exit.
      const req = request({ socketPath: client.file.socket, path: ROUTES.hello, method: 'POST', signal, agent: false, headers: { 'content-type': 'application/json', 'content-length': String(body.length), connection: 'close' } });
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    });
    if (res.statusCode !== 200) return undefined;
    hello = fromWire<Hello>(await readAll(res, signal));
  } catch {
    return undefined;
  }
  const expected = Buffer.from(helloProof(client.file.token, nonce));
  const given = Buffer.from(String(hello.proof));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (hello.instance !== client.file.instance || hello.pid !== client.file.pid) return undefined;
  return hello;
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(HELLO_TIMEOUT_MS, () => done(false));
  });
}

/** The running owner has another protocol: neither side can read the other. */
export class ServiceMismatchError extends Error {}

/**
 * The live owner of `db`, connected, or undefined when there is none: no service file, a file not
 * to be trusted (another user's, readable by others: ignored, with `warn`), or a stale one (its pid
 * is gone, or no one answers its socket as that instance with that token). A live owner speaking
 * another protocol version is an error: the database is held and this command cannot use it.
 */
export async function connectToService(db: string, warn: (message: string) => void = () => {}): Promise<ServiceClient | undefined> {
  const read = readServiceFile(db);
  if (read.state === 'none') return undefined;
  if (read.state === 'refused') {
    warn(`ignoring ${read.reason}`);
    return undefined;
  }
  const file = read.file;
  if (!pidAlive(file.pid)) return undefined;
  if (file.protocol !== PROTOCOL_VERSION) {
    // A reused pid is no owner: only a socket that still accepts makes the mismatch real.
    if (!(await socketAccepts(file.socket))) return undefined;
    throw new ServiceMismatchError(`${db} is held by packettrail ${file.role} (pid ${file.pid}, version ${file.version}), which speaks service protocol ${file.protocol}; this packettrail speaks ${PROTOCOL_VERSION}: run the command with the same packettrail version, or stop that process`);
  }
  const client = new ServiceClient(file, db);
  const hello = await greet(client);
  if (!hello) {
    client.close();
    return undefined;
  }
  return client;
}

/**
 * The process that holds `db` now, connected, or undefined; one that speaks another protocol
 * version is a fatal error (the database is held and cannot be used from here).
 */
export async function findOwner(db: string, say: (line: string) => void): Promise<ServiceClient | undefined> {
  try {
    return await connectToService(db, (m) => say(`packettrail: warning: ${terminalSafe(m)}`));
  } catch (e) {
    if (e instanceof ServiceMismatchError) throw new CliError(e.message, EXIT.FATAL);
    throw e;
  }
}

