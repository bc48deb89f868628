import { chmodSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tokenMatches } from '../server/auth.js';
import type { QueryGate } from '../server/query-gate.js';
import { isOutOfMemory, QueryCancelledError, type QueryBounds } from '../store/bounds.js';
import { checkChangeRows, TriageInputError } from '../detect/alerts/triage.js';
import { appendAlertChanges } from '../store/alert-changes.js';
import { answerSearchRequest, type SearchService } from '../searches/service.js';
import { IngestJobs, STOP_SIGNALS, type IngestJob } from './ingest-job.js';
import type { OwnerStore } from './owner-store.js';
import {
  helloProof, HTTP_STATUS, JOB_HEADER, MAX_REQUEST_BYTES, MAX_SERVICE_CONNECTIONS, PROTOCOL_VERSION, ROUTES, SERVICE_HEADERS_TIMEOUT_MS,
  ServiceUsageError, toWireError, type Hello, type OwnerRole, type OwnerStatus,
} from './protocol.js';
import type { ServiceFile, SocketPlace } from './service-file.js';
import { fromWire, toWire } from './wire.js';

/**
 * Statements of commands that may wait for a running slot of the query gate: a command's queries
 * come from its own code (an insights view sends eight at once), not from a browser that retries, so
 * they queue rather than get "busy" (the console's own queue stays as small as --max-queued-queries).
 */
export const MAX_QUEUED_COMMAND_QUERIES = 256;
/** Ingest jobs waiting for the one running. */
export const MAX_WAITING_INGEST_JOBS = 16;

type Params = Record<string, string | number | boolean | null>;

/** What the owner did for other commands, for its summary at the end. */
export interface HostCounts {
  queries: number;
  failedQueries: number;
  ingestJobs: number;
  indexBuilds: number;
  refused: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new ServiceUsageError(`request body over ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
      } else parts.push(b);
    });
    req.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = toWire(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function checkParams(p: unknown): Params {
  if (p === undefined) return {};
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new ServiceUsageError('params must be an object');
  for (const v of Object.values(p)) if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) throw new ServiceUsageError('a parameter must be a string, number, boolean or null');
  return p as Params;
}

/** How a command wants its rows (QueryBounds.maxRows, rfc3339Timestamps): checked, as anything a client sends. */
function resultShapeOf(body: { maxRows?: unknown; rfc3339Timestamps?: unknown }): Pick<QueryBounds, 'maxRows' | 'rfc3339Timestamps'> {
  const shape: Pick<QueryBounds, 'maxRows' | 'rfc3339Timestamps'> = {};
  if (body.maxRows !== undefined) {
    if (typeof body.maxRows !== 'number' || !Number.isSafeInteger(body.maxRows) || body.maxRows < 0) throw new ServiceUsageError('maxRows must be a whole number of rows');
    shape.maxRows = body.maxRows;
  }
  if (body.rfc3339Timestamps !== undefined) {
    if (typeof body.rfc3339Timestamps !== 'boolean') throw new ServiceUsageError('rfc3339Timestamps must be true or false');
    shape.rfc3339Timestamps = body.rfc3339Timestamps;
  }
  return shape;
}

export interface HostOptions {
  store: OwnerStore;
  gate: QueryGate;
  file: ServiceFile;
  role: OwnerRole;
  /** Saved searches and their scheduler: commands change them through the owner. */
  searches?: SearchService;
}

/**
 * The owner's side of the service: answers commands on its Unix socket (see protocol.ts). Every
 * request but the hello must carry the token; the socket itself is mode 0600.
 */
export class ServiceHost {
  readonly counts: HostCounts = { queries: 0, failedQueries: 0, ingestJobs: 0, indexBuilds: 0, refused: 0 };
  private readonly server: Server;
  private readonly jobs: IngestJobs;
  private readonly closing = new AbortController();
  private place: SocketPlace | undefined;

  constructor(private readonly o: HostOptions) {
    this.jobs = new IngestJobs(o.store, MAX_WAITING_INGEST_JOBS);
    // No request time limit: an ingest job's body is a command's standard input, as long as it runs.
    this.server = createServer({ headersTimeout: SERVICE_HEADERS_TIMEOUT_MS, requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
      this.handle(req, res).catch((e) => {
        reply(res, HTTP_STATUS[toWireError(e).kind], { error: toWireError(e) });
      });
    });
    this.server.maxConnections = MAX_SERVICE_CONNECTIONS;
  }

  /** Listens on the socket, readable and writable by this user only. */
  async listen(place: SocketPlace): Promise<void> {
    this.place = place;
    // Nobody else may connect, not even between bind and chmod: the socket is created 0600.
    rmSync(place.path, { force: true });
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(place.path, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(place.path, 0o600);
  }

  /** Ingest jobs running or waiting. */
  get jobsRunning(): number {
    return this.jobs.size;
  }

  /**
   * Stops taking commands: running ingest jobs stop reading and answer with what they stored, the
   * connections close once answered; the socket (and its private directory) is removed.
   */
  async close(reason: string): Promise<void> {
    this.closing.abort(new QueryCancelledError(reason));
    this.jobs.stopAll(reason);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    if (this.place) {
      try {
        unlinkSync(this.place.path);
      } catch {
        /* already gone */
      }
      if (this.place.dir) rmSync(this.place.dir, { recursive: true, force: true });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0];
    if (url === ROUTES.hello && req.method === 'POST') return this.hello(req, res);
    const auth = req.headers.authorization;
    if (!tokenMatches(typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined, this.o.file.token)) {
      this.counts.refused++;
      return reply(res, 401, { error: { kind: 'failed', message: 'missing or wrong service token' } });
    }
    if (this.closing.signal.aborted) throw this.closing.signal.reason;
    if (url === ROUTES.query && req.method === 'POST') return this.query(req, res);
    if (url === ROUTES.tables && req.method === 'GET') return reply(res, 200, await this.tables());
    if (url === ROUTES.status && req.method === 'GET') return reply(res, 200, this.status());
    if (url === ROUTES.indexes && req.method === 'POST') {
      const { drop } = fromWire<{ drop?: boolean }>(await readBody(req));
      this.counts.indexBuilds++;
      return reply(res, 200, drop ? await this.o.store.dropIndexes() : await this.o.store.createIndexes());
    }
    if (url === ROUTES.searches && req.method === 'POST') {
      if (!this.o.searches) throw new ServiceUsageError(`packettrail ${this.o.role} keeps no saved searches`);
      return reply(res, 200, await answerSearchRequest(this.o.searches, fromWire(await readBody(req))));
    }
    if (url === ROUTES.ingest && req.method === 'POST') {
      const header = req.headers[JOB_HEADER];
      if (typeof header !== 'string' || header.length > MAX_REQUEST_BYTES) throw new ServiceUsageError(`an ingest job needs its ${JOB_HEADER} header`);
      const job = fromWire<IngestJob>(Buffer.from(header, 'base64url').toString('utf8'));
      this.counts.ingestJobs++;
      return this.jobs.run(job, req, res, this.closing.signal);
    }
    if (url === ROUTES.alertChanges && req.method === 'POST') {
      const { rows } = fromWire<{ rows?: unknown }>(await readBody(req));
      let checked;
      try {
        checked = checkChangeRows(rows);
      } catch (e) {
        if (e instanceof TriageInputError) throw new ServiceUsageError(e.message);
        throw e;
      }
      // Queued behind the owner's other writes (OwnerStore), as an ingest job's.
      await appendAlertChanges(this.o.store, checked);
      return reply(res, 200, { appended: checked.length });
    }
    if (url === ROUTES.stopJob && req.method === 'POST') {
      const { job, signal } = fromWire<{ job?: unknown; signal?: unknown }>(await readBody(req));
      if (typeof job !== 'string') throw new ServiceUsageError('a stop request needs the job');
      const sig = STOP_SIGNALS.find((s) => s === signal);
      if (!sig) throw new ServiceUsageError(`a stop request names the signal: ${STOP_SIGNALS.join(' or ')}`);
      return reply(res, 200, { stopping: this.jobs.stop(job, sig) });
    }
    reply(res, 404, { error: { kind: 'failed', message: `no route ${req.method} ${url?.slice(0, 100)}` } });
  }

  private status(): OwnerStatus {
    return { queries: this.o.gate.load, ingestJobs: this.jobs.size, done: { ...this.counts } };
  }

  private async hello(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { nonce } = fromWire<{ nonce?: unknown }>(await readBody(req));
    if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 128) throw new ServiceUsageError('a hello needs a nonce of 16 to 128 characters');
    const f = this.o.file;
    const hello: Hello = { protocol: PROTOCOL_VERSION, instance: f.instance, pid: f.pid, role: this.o.role, version: f.version, proof: helloProof(f.token, nonce) };
    reply(res, 200, hello);
  }

  /** A command's statement: through the query gate, with its limits, as a read; interrupted when the command goes away. */
  private async query(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = fromWire<{ sql?: unknown; params?: unknown; maxResultBytes?: unknown; maxRows?: unknown; rfc3339Timestamps?: unknown }>(await readBody(req));
    if (typeof body.sql !== 'string') throw new ServiceUsageError('a query needs its sql');
    const sql = body.sql;
    const params = checkParams(body.params);
    const gate = this.o.gate;
    const asked = typeof body.maxResultBytes === 'number' && body.maxResultBytes > 0 ? body.maxResultBytes : Infinity;
    const maxResultBytes = Math.min(asked, gate.limits.maxResultBytes);
    const shape = resultShapeOf(body);
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new QueryCancelledError('the command that sent the query went away'));
    });
    this.counts.queries++;
    try {
      const result = await gate.run(gone.signal, (signal) => this.o.store.query(sql, params, { signal, maxResultBytes, ...shape, readsOnly: true }), {
        maxQueued: MAX_QUEUED_COMMAND_QUERIES,
        timeoutSetting: `--query-timeout of packettrail ${this.o.role}, pid ${process.pid}, which holds the database`,
      });
      reply(res, 200, result);
    } catch (e) {
      this.counts.failedQueries++;
      // DuckDB's file access is off in the owner (console SQL runs there too): say why, and what to do.
      if (isOutOfMemory(e)) {
        const [first, ...rest] = (e as Error).message.split('\n');
        throw new Error([`${first} [in packettrail ${this.o.role}, pid ${process.pid}, which holds the database: its memory limit applies]`, ...rest].join('\n'));
      }
      if (e instanceof Error && /file system operations are disabled by configuration/.test(e.message)) {
        throw new Error(`${e.message}\n(the query ran in packettrail ${this.o.role}, pid ${process.pid}, which holds the database and reads no other file: stop it to read files with DuckDB)`);
      }
      throw e;
    }
  }

  /** Each dataset table and its columns, read as a fresh open reads them (DuckDbStore.readTables). */
  private async tables(): Promise<[string, string[]][]> {
    const r = await this.o.store.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name LIKE 'events\\_%' ESCAPE '\\' ORDER BY table_name, ordinal_position`,
    );
    const out = new Map<string, string[]>();
    for (const [t, c] of r.rows) {
      const table = String(t);
      if (!out.has(table)) out.set(table, []);
      out.get(table)!.push(String(c));
    }
    return [...out];
  }
}
