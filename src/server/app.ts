import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastifyCookie } from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { isClickHouseUrl, openStore, shownLocation } from '../store/open.js';
import { capConnections, type ConnectionCounts } from '../util/connection-limits.js';
import { shortSecretProblem } from '../util/secrets.js';
import { loopbackHostGuard, sameOriginGuard, TOKEN_ENV } from './auth.js';
import { pathsOf, withoutPaths } from './sql-guard.js';
import type { EventStore } from '../store/store.js';
import { queryCatalog, type ServerContext } from './context.js';
import { DEFAULT_LOOKUPS_DIR, LookupCatalog } from '../query/spl/index.js';
import { ApiError } from './errors.js';
import { checkLimits, DEFAULT_CONNECTION_LIMITS, IDLE_AFTER_QUERY_MS, timeoutOptions, type ConnectionLimits } from './limits.js';
import { openapiDocument } from './openapi.js';
import { isConsoleView, isPublic, markPublic } from './public-routes.js';
import { DEFAULT_QUERY_LIMITS, QueryGate, RESERVED_FOR_ROUTES, type QueryLimits } from './query-gate.js';
import { ALERT_ROUTES } from './routes/alerts.js';
import { ALERT_TRIAGE_ROUTES } from './routes/alert-triage.js';
import { ENTITY_ROUTES } from './routes/entity.js';
import { addRoutes, type ApiRoute } from './routes/define.js';
import { INSIGHT_ROUTES } from './routes/insights.js';
import { loadRuleCatalog, RULE_ROUTES, type RuleCatalog } from './routes/rules.js';
import { SEARCH_ROUTES } from './routes/search.js';
import { SOURCE_ROUTES } from './routes/sources.js';
import { STATUS_ROUTES } from './routes/status.js';
import { TRAIL_ROUTES } from './routes/trail.js';
import { ownerlessSearchBook } from '../searches/console-book.js';
import type { SearchService } from '../searches/service.js';
import { securityHeaders } from './security.js';
import { addMetricsRoute } from './metrics-route.js';
import type { MetricsRegistry } from '../observe/metrics.js';
import { AUTH_ROUTES } from './routes/auth.js';
import { USER_ROUTES } from './routes/users.js';
import { Access } from './users/access.js';
import { auditFileFor, FileAuditLog, type AuditLog } from './users/audit.js';
import { OidcRelyingParty, type OidcOptions } from './users/oidc.js';
import { PasswordGate } from './users/passwords.js';
import type { Role } from './users/roles.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type SessionLimits } from './users/sessions.js';
import { DEFAULT_THROTTLE_LIMITS, LoginThrottle, type ThrottleLimits } from './users/throttle.js';
import { FileUserStore, usersFileFor, type UserStore } from './users/user-store.js';

export const API_ROUTES: readonly ApiRoute[] = [...AUTH_ROUTES, ...USER_ROUTES, ...STATUS_ROUTES, ...ALERT_ROUTES, ...ALERT_TRIAGE_ROUTES, ...TRAIL_ROUTES, ...ENTITY_ROUTES, ...SEARCH_ROUTES, ...INSIGHT_ROUTES, ...SOURCE_ROUTES, ...RULE_ROUTES];

/** JSON bodies are small (a query and a name): anything bigger is refused with 413. */
export const BODY_LIMIT = 64 * 1024;

/** The built console (vite build → dist/console), next to this module's dist/server. */
export const DEFAULT_CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'console');

export interface ConsoleServerOptions {
  /** The store: a DuckDB database file, or a clickhouse:// URL (opened read-only unless `store` is given). */
  db: string;
  /**
   * What the console's own files are named from: `<stateBase>.users.json`, `.audit.ndjson`,
   * `.saved-searches.json` (default `db`; a ClickHouse store's is `<state-dir>/<database>`).
   */
  stateBase?: string;
  /** Access token every route but the console's page and files requires (undefined: none; only for loopback). */
  token?: string | undefined;
  readOnly?: boolean;
  /** Extra rule paths for the rules page (the built-in rules are always listed). */
  rules?: string[];
  /** Folders of SPL lookup tables (default ./lookups); the console reads them and never writes. */
  lookups?: string[];
  consoleDir?: string;
  /** Timeouts and connection caps (DEFAULT_CONNECTION_LIMITS for what is not given). */
  limits?: Partial<ConnectionLimits>;
  /** Limits on user queries (DEFAULT_QUERY_LIMITS for what is not given). */
  queryLimits?: Partial<QueryLimits>;
  /**
   * The store to read, already open (the process that holds the database, or one reading through
   * it) instead of opening `db` read-only; the server leaves it open when it closes.
   */
  store?: EventStore;
  /** The saved searches of the process that holds the store (default: the console's own, see ownerlessSearchBook). */
  searches?: SearchService;
  /** The query gate to share (the owner's, which also bounds the queries of other commands). */
  queries?: QueryGate;
  /** What the bearer token may do (default admin: whoever holds it can read the files beside the database anyway). */
  tokenRole?: Role;
  /** Accounts (default: <db>.users.json) and the audit log (default: <db>.audit.ndjson). */
  users?: UserStore;
  audit?: AuditLog;
  /** OpenID Connect sign-in. */
  oidc?: OidcOptions;
  sessionLimits?: Partial<SessionLimits>;
  loginLimits?: Partial<ThrottleLimits>;
  /** Cookies with Secure (and the __Host- prefix) on plain HTTP too: behind a TLS proxy, or bound beyond loopback. */
  secureCookies?: boolean;
  /**
   * Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are
   * believed: the client's address then counts for the sign-in limits and the audit log, and https
   * for Secure cookies. Nobody's by default.
   */
  trustProxy?: string[];
  /**
   * The process's metrics, answered on GET /metrics (Prometheus text) behind the same access control
   * as the API (the viewer role: a scraper sends the access token as a bearer token); the console adds
   * its own (connections, queries). Default: a registry of its own with the process metrics.
   */
  metrics?: MetricsRegistry;
}

export interface ConsoleServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Open connections and those refused over the caps. */
  connections(): ConnectionCounts;
  close(): Promise<void>;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The database opened read-only, with DuckDB's file access switched off and the configuration
 * locked: console SQL can read the database and nothing else (no read_csv('/etc/…'), no COPY TO),
 * and cannot raise the memory limit set when it opened.
 */
export async function openReadOnlyStore(db: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(db, {
    readOnly: true,
    memoryLimit: limits.memoryLimit,
    maxTempDirectorySize: limits.maxTempDirectorySize,
    readConnections: Math.max(availableParallelism() + 1, limits.maxRunning + RESERVED_FOR_ROUTES),
  });
  await store.query('SET enable_external_access = false');
  await store.query('SET lock_configuration = true');
  return store;
}

/** The top-level property a schema validation error is about (`/condition/threshold` → `condition`, a missing `title` → `title`). */
function validationField(fe: FastifyError): string | undefined {
  const v = fe.validation?.[0];
  if (!v) return undefined;
  const top = v.instancePath.split('/').filter(Boolean)[0];
  const missing = (v.params as { missingProperty?: unknown } | undefined)?.missingProperty;
  const extra = (v.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
  const name = top ?? (typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : undefined);
  return name === undefined ? undefined : name.slice(0, 100);
}

function errorReply(e: FastifyError | ApiError | Error): { status: number; body: { error: string; field?: string } } {
  if (e instanceof ApiError) return { status: e.statusCode, body: { error: e.message, ...(e.field !== undefined ? { field: e.field } : {}) } };
  const fe = e as FastifyError;
  if (fe.validation) {
    const field = validationField(fe);
    return { status: 400, body: { error: `invalid request: ${fe.message}`, ...(field !== undefined ? { field } : {}) } };
  }
  if (fe.statusCode && fe.statusCode < 500) return { status: fe.statusCode, body: { error: fe.message } };
  return { status: 500, body: { error: `internal error: ${e.message}` } };
}

export async function createConsoleServer(o: ConsoleServerOptions): Promise<ConsoleServer> {
  const clickhouse = isClickHouseUrl(o.db);
  if (!clickhouse && !existsSync(o.db)) throw new Error(`database ${o.db} does not exist (create it with packettrail ingest or packettrail demo)`);
  if (clickhouse && o.stateBase === undefined) throw new Error('a ClickHouse store needs a place for the console\'s own files (stateBase)');
  const stateBase = o.stateBase ?? o.db;
  const tokenProblem = o.token === undefined ? undefined : shortSecretProblem(`the access token (${TOKEN_ENV})`, o.token);
  if (tokenProblem) throw new Error(tokenProblem);
  const queryLimits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...o.queryLimits };
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...o.limits };
  // A connection is silent while its query runs: the idle timeout must outlast the query time limit,
  // or a long query's answer would find its socket closed. (Without a time limit, the idle timeout
  // is what ends a query whose answer never comes: the disconnect interrupts it.)
  if (queryLimits.timeoutMs > 0) limits.idleTimeoutMs = Math.max(limits.idleTimeoutMs, queryLimits.timeoutMs + IDLE_AFTER_QUERY_MS);
  checkLimits(limits);
  const oidc = o.oidc ? new OidcRelyingParty(o.oidc) : undefined;
  const sessionLimits = { ...DEFAULT_SESSION_LIMITS, ...o.sessionLimits };
  for (const [name, value] of Object.entries(sessionLimits)) if (!Number.isSafeInteger(value) || value < 1) throw new Error(`session limit ${name} must be a positive whole number, got ${value}`);
  const users = o.users ?? new FileUserStore(usersFileFor(stateBase));
  // A users file that cannot be read stops the start, not the first sign-in.
  users.count();
  const audit = o.audit ?? new FileAuditLog(auditFileFor(stateBase));
  const sessions = new SessionStore(sessionLimits);
  const access = new Access({ token: o.token, tokenRole: o.tokenRole ?? 'admin', users, sessions, audit, oidc: oidc !== undefined, secureCookies: o.secureCookies ?? false });
  // A ClickHouse store's reads run with readonly=2 on the server (ClickHouseStore, bounds.readsOnly).
  const store = o.store ?? (clickhouse ? await openStore(o.db, { readOnly: true }) : await openReadOnlyStore(o.db, queryLimits));
  let ruleCatalog: RuleCatalog | undefined;
  const context: ServerContext = {
    // Concurrent requests share the store: SELECTs run side by side on its read connections.
    store,
    dbPath: shownLocation(o.db),
    readOnly: o.readOnly ?? false,
    searches: undefined as unknown as SearchService,
    queries: o.queries ?? new QueryGate(queryLimits),
    ...queryCatalog(),
    lookups: new LookupCatalog(o.lookups ?? [DEFAULT_LOOKUPS_DIR], false),
    version,
    rules: () => (ruleCatalog ??= loadRuleCatalog(o.rules ?? [])),
    auth: o.token !== undefined,
    access,
    users,
    sessions,
    throttle: new LoginThrottle({ ...DEFAULT_THROTTLE_LIMITS, ...o.loginLimits }),
    passwords: new PasswordGate(),
    audit,
    ...(oidc ? { oidc } : {}),
  };
  const ownSearches = o.searches ? undefined : ownerlessSearchBook(o.db, context, context.readOnly || !!o.store);
  context.searches = o.searches ?? ownSearches!.book;
  // Unknown parameters are refused (400), not silently dropped: a typo in a filter should not widen the result.
  const app = Fastify({ ...(o.trustProxy?.length ? { trustProxy: o.trustProxy } : {}), bodyLimit: BODY_LIMIT, logger: false, ajv: { customOptions: { removeAdditional: false } }, ...timeoutOptions(limits) });
  const caps = capConnections(app.server, { maxPerAddress: limits.maxConnectionsPerAddress, maxConnections: limits.maxConnections });
  // Cookies are parsed and written with the plugin's functions (which it loads when registered).
  await app.register(fastifyCookie);
  // onRequest runs after routing: the guard judges the route a request reached, whatever its spelling.
  if (o.token === undefined) app.addHook('onRequest', loopbackHostGuard);
  app.addHook('onRequest', access.guard(isPublic));
  app.addHook('onRequest', sameOriginGuard);
  app.addHook('onSend', securityHeaders);
  // Answers to requests that were running when closing began end their connection: a keep-alive
  // connection left open would hold close() until the client dropped it.
  app.addHook('onSend', async (_request, reply) => {
    if (context.queries.closing) reply.header('connection', 'close');
  });
  // A ClickHouse URL is hidden whole (it may name a user); a database file, its directory too.
  const dbPaths: [string, string][] = clickhouse ? [[o.db, '<store>'], [shownLocation(o.db), '<store>']] : pathsOf(o.db, realpathSync);
  app.setErrorHandler((e: Error, _request, reply) => {
    const { status, body } = errorReply(e);
    // DuckDB's messages may name the database's files: the console does not show where they are.
    body.error = withoutPaths(body.error, dbPaths);
    if (status >= 500 && !(e instanceof ApiError)) process.stderr.write(`packettrail serve: ${e.stack ?? e.message}\n`);
    reply.code(status).send(body);
  });
  addMetricsRoute(app, o.metrics, caps.counts, context.queries);
  const doc = openapiDocument(API_ROUTES, version, context.auth);
  app.get('/api/openapi.json', async () => doc);
  addRoutes(app, context, API_ROUTES);

  const consoleDir = o.consoleDir ?? DEFAULT_CONSOLE_DIR;
  const built = existsSync(join(consoleDir, 'index.html'));
  // The console's files are the only public routes: marked so by this context's onRoute hook.
  await app.register(async (files) => {
    files.addHook('onRoute', markPublic);
    if (built) {
      await files.register(fastifyStatic, {
        root: consoleDir,
        index: false,
        wildcard: false,
        // Asset names carry a content hash: cache them for good; index.html is always revalidated.
        // (cacheControl off: the plugin's own max-age=0 would replace these.)
        cacheControl: false,
        setHeaders: (res, path) => res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
      });
    }
    files.setNotFoundHandler((request, reply) => {
      // A console view (/alerts, /trail?…) gets the page, which routes itself from the URL.
      if (!isConsoleView(request)) return reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` });
      if (built) return reply.header('cache-control', 'no-cache').sendFile('index.html');
      return reply.code(404).type('text/plain').send('The console is not built: run npm run build (the API is under /api/).\n');
    });
  });
  await app.ready();
  return {
    app,
    context,
    connections: caps.counts,
    close: async () => {
      // Running queries are interrupted: closing waits for every request to be answered.
      context.queries.cancelAll();
      await app.close();
      await ownSearches?.close();
      if (!o.store) await store.close();
    },
  };
}
