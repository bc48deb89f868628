import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { stopSignal } from '../cli/interrupt.js';
import { terminalSafe } from '../cli/text.js';
import { createConsoleServer, DEFAULT_CONNECTION_LIMITS as L, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, resolveToken, TOKEN_ENV, type ResolvedToken } from '../server/index.js';
import { MIN_SECRET_LENGTH } from '../util/secrets.js';
import { DEFAULT_QUERY_LIMITS, maxRunningQueriesAllowed, RESERVED_FOR_ROUTES, type QueryLimits } from '../server/query-gate.js';
import { megabytes } from '../store/duckdb/duckdb-store.js';
import { addStoreOption, commandStoreLocation, DEFAULT_DB, stateBaseOf } from './common.js';
import { isClickHouseUrl, shownLocation } from '../store/open.js';
import { collectPart, observe } from './collect.js';
import type { InputMetrics } from '../observe/inputs.js';
import type { MetricsRegistry } from '../observe/metrics.js';
import { METRICS_TOKEN_ENV } from '../observe/server.js';
import { analysesEveryOf, consoleThrough, DAEMON_SHUTDOWN_MS, DEFAULT_ANALYSES_EVERY_S, findOwner, runOwner } from '../service/daemon.js';
import type { QueryGate } from '../server/query-gate.js';
import type { EventStore } from '../store/store.js';
import { checkDatabaseFile, checkExistingDatabase } from './database.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { readFileSync } from 'node:fs';
import { isLoopback } from '../server/auth.js';
import { checkOidcOptions, OIDC_CLIENT_SECRET_ENV, parseRoleMap, type OidcOptions } from '../server/users/oidc.js';
import { roleOf, ROLES, type Role } from '../server/users/roles.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type SessionLimits } from '../server/users/sessions.js';
import { LOGIN_WINDOW_MS, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, type ThrottleLimits } from '../server/users/throttle.js';
import { FileUserStore, usersFileFor } from '../server/users/user-store.js';

export interface ServeOptions {
  /** The store: a DuckDB file or a clickhouse:// URL (commandStoreLocation). */
  db: string;
  /** For a ClickHouse store: where the accounts, audit log, saved searches and token are kept (stateBaseOf). */
  stateDir?: string;
  host: string;
  port: string;
  readOnly?: boolean;
  rules?: string[];
  lookups?: string[];
  maxConnections?: string;
  maxConnectionsPerAddress?: string;
  /** Query limits, as given on the command line (seconds, sizes like 64MB, counts). */
  queryTimeout?: string;
  maxResultSize?: string;
  maxQueries?: string;
  maxQueuedQueries?: string;
  queryMemoryLimit?: string;
  maxTempSize?: string;
  /** A collect config: run its inputs in this process too (serve --collect). */
  collect?: string;
  /** --db was given (with --collect, the config names the database). */
  dbGiven?: boolean;
  analysesEvery?: string;
  statusEvery?: string;
  quiet?: boolean;
  /** Accounts and sign-in. */
  tokenRole?: string;
  secureCookies?: boolean;
  sessionIdleTimeout?: string;
  sessionLifetime?: string;
  maxFailedSignIns?: string;
  maxFailedSignInsPerAddress?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretFile?: string;
  oidcRedirectUrl?: string;
  oidcRoleClaim?: string;
  oidcRoleMap?: string;
  oidcDefaultRole?: string;
  oidcScopes?: string;
  trustProxy?: string[];
  /** `--metrics-listen HOST:PORT`: /metrics on a listener of its own too (the console's /metrics is always there). */
  metricsListen?: string;
  /** `--register nats://…`: register in the process registry for cluster status. */
  register?: string;
  /** The process's metrics (set by serveUntilStopped; a console started without gets its own). */
  metricsRegistry?: MetricsRegistry;
}

/** Each --oidc-* option falls back to this environment variable. */
const OIDC_ENV = {
  oidcIssuer: 'PACKETTRAIL_OIDC_ISSUER',
  oidcClientId: 'PACKETTRAIL_OIDC_CLIENT_ID',
  oidcRedirectUrl: 'PACKETTRAIL_OIDC_REDIRECT_URL',
  oidcRoleClaim: 'PACKETTRAIL_OIDC_ROLE_CLAIM',
  oidcRoleMap: 'PACKETTRAIL_OIDC_ROLE_MAP',
  oidcDefaultRole: 'PACKETTRAIL_OIDC_DEFAULT_ROLE',
  oidcScopes: 'PACKETTRAIL_OIDC_SCOPES',
} as const;

function cliRole(text: string, what: string): Role {
  try {
    return roleOf(text, what);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** The OpenID Connect options, from --oidc-* or PACKETTRAIL_OIDC_*; undefined when no issuer is given. */
export function oidcOptionsOf(o: ServeOptions, env: NodeJS.ProcessEnv = process.env): OidcOptions | undefined {
  const get = (k: keyof typeof OIDC_ENV) => o[k] ?? env[OIDC_ENV[k]];
  const issuer = get('oidcIssuer');
  if (!issuer) return undefined;
  const clientId = get('oidcClientId');
  const redirectUrl = get('oidcRedirectUrl');
  if (!clientId || !redirectUrl) throw new CliError(`--oidc-issuer needs --oidc-client-id and --oidc-redirect-url (or ${OIDC_ENV.oidcClientId}, ${OIDC_ENV.oidcRedirectUrl})`);
  let clientSecret = env[OIDC_CLIENT_SECRET_ENV];
  if (o.oidcClientSecretFile) {
    try {
      clientSecret = readFileSync(o.oidcClientSecretFile, 'utf8').trim();
    } catch (e) {
      throw new CliError(`--oidc-client-secret-file: ${(e as Error).message}`);
    }
  }
  const defaultText = get('oidcDefaultRole') ?? 'none';
  const roleMapText = get('oidcRoleMap');
  const options: OidcOptions = {
    issuer, clientId, redirectUrl, clientSecret: clientSecret || undefined,
    roleClaim: get('oidcRoleClaim'), scopes: get('oidcScopes'),
    defaultRole: defaultText === 'none' ? 'none' : cliRole(defaultText, '--oidc-default-role'),
  };
  try {
    if (roleMapText) options.roleMap = parseRoleMap(roleMapText);
    checkOidcOptions(options);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (options.roleMap && !options.roleClaim) throw new CliError('--oidc-role-map needs --oidc-role-claim (the claim whose values it maps, e.g. groups)');
  return options;
}

/** Session and sign-in limits from the options; the rest keep their defaults. */
export function accountLimitsOf(o: ServeOptions): { sessionLimits: Partial<SessionLimits>; loginLimits: Partial<ThrottleLimits> } {
  const sessionLimits: Partial<SessionLimits> = {};
  if (o.sessionIdleTimeout !== undefined) sessionLimits.idleMs = Math.round(countOption('--session-idle-timeout', o.sessionIdleTimeout, 1, 30 * 86_400) * 1000);
  if (o.sessionLifetime !== undefined) sessionLimits.absoluteMs = Math.round(countOption('--session-lifetime', o.sessionLifetime, 1, 365 * 86_400) * 1000);
  const loginLimits: Partial<ThrottleLimits> = {};
  if (o.maxFailedSignIns !== undefined) loginLimits.maxPerAccount = Math.floor(countOption('--max-failed-sign-ins', o.maxFailedSignIns, 1, 1_000));
  if (o.maxFailedSignInsPerAddress !== undefined) loginLimits.maxPerAddress = Math.floor(countOption('--max-failed-sign-ins-per-address', o.maxFailedSignInsPerAddress, 1, 100_000));
  return { sessionLimits, loginLimits };
}

/** An open store for the console instead of the file (the owner's own, or one read through the owner). */
export interface ConsoleStore {
  store: EventStore;
  queries?: QueryGate | undefined;
  /** Who holds the database when the console reads through another process. */
  through?: string | undefined;
}

/**
 * After the first SIGINT/SIGTERM the server stops taking requests, interrupts running queries and
 * closes; if that takes longer than this, it exits anyway. A second signal exits at once.
 */
export const SHUTDOWN_GRACE_MS = 5_000;

function sizeOption(name: string, text: string): string {
  if (!(megabytes(text) > 0)) throw new CliError(`${name} must be a size like 512MB or 2GB, got '${text}'`);
  return text;
}

function countOption(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || n < min || n > max) throw new CliError(`${name} must be a number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** Each running query holds one of Node's libuv threads: more than the pool less the reserve would starve the other routes. */
function maxQueriesOf(text: string): number {
  const allowed = maxRunningQueriesAllowed();
  const n = Math.floor(countOption('--max-queries', text, 1, 1024));
  if (n > allowed) {
    throw new CliError(`--max-queries ${n} is more than ${allowed}: each running query holds one of Node's ${allowed + RESERVED_FOR_ROUTES} libuv threads and ${RESERVED_FOR_ROUTES} stay for the other routes; raise UV_THREADPOOL_SIZE first`);
  }
  return n;
}

/** The query limits the options set; the rest keep DEFAULT_QUERY_LIMITS. */
export function queryLimitsOf(o: ServeOptions): QueryLimits {
  const d = DEFAULT_QUERY_LIMITS;
  return {
    timeoutMs: o.queryTimeout === undefined ? d.timeoutMs : Math.round(countOption('--query-timeout', o.queryTimeout, 0, 86_400) * 1000),
    maxResultBytes: o.maxResultSize === undefined ? d.maxResultBytes : Math.round(megabytes(sizeOption('--max-result-size', o.maxResultSize)) * 2 ** 20),
    maxRunning: o.maxQueries === undefined ? d.maxRunning : maxQueriesOf(o.maxQueries),
    maxQueued: o.maxQueuedQueries === undefined ? d.maxQueued : Math.floor(countOption('--max-queued-queries', o.maxQueuedQueries, 0, 10_000)),
    memoryLimit: o.queryMemoryLimit === undefined ? d.memoryLimit : sizeOption('--query-memory-limit', o.queryMemoryLimit),
    maxTempDirectorySize: o.maxTempSize === undefined ? d.maxTempDirectorySize : sizeOption('--max-temp-size', o.maxTempSize),
  };
}

function portOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new CliError(`--port must be a number from 0 to 65535, got '${text}'`);
  return n;
}

const seconds = (ms: number) => `${ms / 1000} s`;

function capOf(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1_000_000) throw new CliError(`${option} must be a number from 1 to 1000000, got '${text}'`);
  return n;
}

/** Starts the API and console; resolves once listening, with the URL and a way to stop. */
export async function startServe(o: ServeOptions, out: (line: string) => void = (l) => process.stderr.write(`${l}\n`), given?: ConsoleStore): Promise<{ url: string; close(): Promise<void> }> {
  const port = portOf(o.port);
  const clickhouse = isClickHouseUrl(o.db);
  // Missing or not a DuckDB database: said as every command says it, naming --db (or where the path came from).
  if (!clickhouse) checkExistingDatabase(o.db);
  const stateBase = stateBaseOf(o.db, o.stateDir);
  const shownDb = shownLocation(o.db);
  const limits = {
    maxConnections: capOf('--max-connections', o.maxConnections, MAX_CONNECTIONS),
    maxConnectionsPerAddress: capOf('--max-connections-per-address', o.maxConnectionsPerAddress, MAX_CONNECTIONS_PER_ADDRESS),
  };
  const queryLimits = queryLimitsOf(o);
  let token: ResolvedToken;
  try {
    token = resolveToken(o.host, stateBase);
  } catch (e) {
    throw new CliError(`cannot serve ${shownDb}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const oidc = oidcOptionsOf(o);
  const tokenRole = cliRole(o.tokenRole ?? 'admin', '--token-role');
  const { sessionLimits, loginLimits } = accountLimitsOf(o);
  // Off loopback the console is reached through a TLS proxy (or not at all): cookies are Secure.
  const secureCookies = (o.secureCookies ?? false) || !isLoopback(o.host);
  let server;
  try {
    server = await createConsoleServer({
      db: o.db, stateBase, token: token.token, readOnly: o.readOnly ?? false, rules: o.rules ?? [], ...(o.lookups ? { lookups: o.lookups } : {}), limits, queryLimits,
      ...(given ? { store: given.store, queries: given.queries } : {}), tokenRole, secureCookies, sessionLimits, loginLimits, ...(oidc ? { oidc } : {}), ...(o.trustProxy ? { trustProxy: o.trustProxy } : {}),
      ...(o.metricsRegistry ? { metrics: o.metricsRegistry } : {}),
    });
  } catch (e) {
    throw new CliError(`cannot serve ${shownDb}: ${(e as Error).message}`, EXIT.FATAL);
  }
  try {
    await server.app.listen({ host: o.host, port });
  } catch (e) {
    await server.close();
    throw new CliError(`cannot listen on ${o.host}:${port}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const bound = (server.app.server.address() as AddressInfo).port;
  const shown = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${bound}`;
  const through = given?.through ? `, read through ${terminalSafe(given.through)}` : '';
  out(`packettrail console: ${shown}/  (${clickhouse ? 'store' : 'database'} ${terminalSafe(shownDb)}${o.readOnly ? ', read-only' : ''}${through}; Ctrl-C stops)`);
  if (token.origin === 'generated') out(`access token generated and kept in ${terminalSafe(token.file!)}: ${token.token}`);
  if (token.origin === 'file') out(`access token read from ${terminalSafe(token.file!)}`);
  if (token.origin === 'environment') out(`access token from ${TOKEN_ENV}`);
  const accounts = new FileUserStore(usersFileFor(stateBase)).count();
  if (accounts || oidc) {
    out(`sign-in required: ${accounts} account${accounts === 1 ? '' : 's'} in ${terminalSafe(usersFileFor(stateBase))}${oidc ? `, OpenID Connect via ${terminalSafe(oidc.issuer)}` : ''}${token.token ? `; the access token acts as ${tokenRole}` : ''}`);
  } else if (token.token) out(`open ${shown}/#token=<token> once (the console keeps it for the tab), or send Authorization: Bearer <token> to /api/`);
  else out('no accounts: the console is open to this machine (packettrail users add <name> --role admin to require sign-in)');
  const close = async () => {
    const { refusedPerAddress, refusedTotal } = server.connections();
    if (refusedPerAddress || refusedTotal) {
      out(`connections refused over the caps: ${refusedPerAddress} over --max-connections-per-address ${limits.maxConnectionsPerAddress}, ${refusedTotal} over --max-connections ${limits.maxConnections}`);
    }
    await server.close();
  };
  return { url: shown, close };
}

/**
 * Serves until SIGINT/SIGTERM, then stops taking requests, interrupts running queries and closes the
 * server and the database — within SHUTDOWN_GRACE_MS, else it exits anyway. A second signal exits at once.
 */
export async function serveUntilStopped(given: ServeOptions): Promise<void> {
  portOf(given.port);
  const say = (l: string) => process.stderr.write(`${l}\n`);
  const observed = await observe({ kind: 'serve', listen: given.metricsListen, register: given.register, say });
  try {
    await serveObserved({ ...given, metricsRegistry: observed.metrics }, observed.inputs, say);
  } finally {
    await observed.stop();
  }
}

async function serveObserved(o: ServeOptions, inputMetrics: InputMetrics, say: (line: string) => void): Promise<void> {
  const consoleOn = (store: EventStore, queries: QueryGate | undefined, through?: string) => startServe(o, say, { store, queries, through });
  if (o.collect === undefined && isClickHouseUrl(o.db)) return serveClickHouse(o, say);
  if (o.collect !== undefined || !o.readOnly) {
    // serve alone reads an existing database; serve --collect creates its own (only a file that is no database is refused).
    if (o.collect === undefined) checkExistingDatabase(o.db);
    // --store clickhouse://… names the store for the config's inputs too.
    const collect = o.collect === undefined ? undefined : await collectPart(o.collect, o.statusEvery ?? '60', o.quiet ?? false, o.dbGiven && isClickHouseUrl(o.db) ? o.db : undefined);
    if (collect && o.dbGiven && o.db !== collect.config.db) throw new CliError(`--db ${o.db} and the database of ${o.collect} (${collect.config.db}) differ: give one`);
    const db = collect?.config.db ?? o.db;
    if (!isClickHouseUrl(db)) checkDatabaseFile(db);
    else stateBaseOf(db, o.stateDir);
    return runOwner({
      db, role: collect ? 'serve --collect' : 'serve', queryLimits: queryLimitsOf(o), collect, say,
      console: (store, queries, through) => startServe({ ...o, db }, say, { store, queries, through }),
      analysesEverySeconds: analysesEveryOf(o.analysesEvery), memoryLimit: o.queryMemoryLimit, inputMetrics,
    });
  }
  // --read-only: DuckDB's read-only open, which others may share; or, while another packettrail holds the database, through it.
  const owner = await findOwner(o.db, say);
  if (owner) return consoleThrough({ db: o.db, say, console: consoleOn }, owner);
  return serveAlone(o, say);
}

/**
 * The console on a ClickHouse store: nothing to hold (the server takes every client's reads and
 * writes), so no service file and no owner; the console's queries run read-only (readonly=2) under
 * its query limits, and its own files are kept in --state-dir.
 */
async function serveClickHouse(o: ServeOptions, say: (line: string) => void): Promise<void> {
  stateBaseOf(o.db, o.stateDir);
  return serveAlone(o, say);
}

/** Serves on a store this process opens itself until SIGINT/SIGTERM. */
async function serveAlone(o: ServeOptions, say: (line: string) => void): Promise<void> {
  const running = await startServe(o, say);
  const signal = await stopSignal();
  process.stderr.write(`packettrail serve: ${signal}: stopping (running queries are interrupted; a second signal exits at once)\n`);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS);
    timer.unref();
  });
  const outcome = await Promise.race([running.close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    process.stderr.write(`packettrail serve: not closed after ${SHUTDOWN_GRACE_MS / 1000} s: exiting\n`);
    process.exit(EXIT.FATAL);
  }
}

export function registerServe(program: Command): void {
  addStoreOption(program
    .command('serve')
    .description(COMMAND_INDEX.serve.description)
    .option('--db <path>', 'database file', DEFAULT_DB))
    .option('--state-dir <dir>', "with a ClickHouse store (required there): the directory of the console's accounts, audit log, saved searches and access token (<dir>/<database>.users.json …)")
    .option('--host <address>', 'address to bind (anything but loopback requires an access token)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--read-only', 'disable everything that writes (saved searches)')
    .option('--rules <path>', 'extra rule file or directory to list on the rules page (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--lookups <dir>', 'folder of SPL lookup tables the console reads (repeatable; default ./lookups); outputlookup is refused in the console', (v: string, prev: string[] = []) => [...prev, v])
    .option('--max-connections <n>', `open connections in all; more are closed on accept (default ${MAX_CONNECTIONS})`)
    .option('--max-connections-per-address <n>', `open connections per client address (IPv6: per /64; default ${MAX_CONNECTIONS_PER_ADDRESS}); raise it behind a proxy`)
    .option('--query-timeout <seconds>', `time limit of one console query; 0: none (default ${DEFAULT_QUERY_LIMITS.timeoutMs / 1000})`)
    .option('--max-result-size <size>', `largest query result the server sends, as JSON (default ${DEFAULT_QUERY_LIMITS.maxResultBytes / 2 ** 20}MB)`)
    .option('--max-queries <n>', `console queries running at once, at most UV_THREADPOOL_SIZE (4) less ${RESERVED_FOR_ROUTES} (default ${DEFAULT_QUERY_LIMITS.maxRunning})`)
    .option('--max-queued-queries <n>', `console queries waiting for one to finish; more get 429 (default ${DEFAULT_QUERY_LIMITS.maxQueued})`)
    .option('--query-memory-limit <size>', `DuckDB memory limit of the console's database, all queries together (default ${DEFAULT_QUERY_LIMITS.memoryLimit})`)
    .option('--max-temp-size <size>', `disk a query may spill to past the memory limit (default ${DEFAULT_QUERY_LIMITS.maxTempDirectorySize})`)
    .option('--collect <config>', 'also run the inputs of this collect config (YAML, see docs/collect.md) in this process: one process collects, serves and answers the other commands')
    .option('--analyses-every <seconds>', `with --collect: run the post-ingest analyses (coverage, anomalies) this often when events arrived; 0: never (default ${DEFAULT_ANALYSES_EVERY_S})`)
    .option('--status-every <seconds>', 'with --collect: print running counts this often (0 = never)', '60')
    .option('-q, --quiet', 'with --collect: print only errors of the inputs')
    .option('--metrics-listen <host:port>', `also serve GET /metrics on a listener of its own (for a scraper without the console's token): loopback, or anywhere with ${METRICS_TOKEN_ENV} set (sent as a bearer token)`)
    .option('--register <nats-url>', 'register this process (with its counts, every few seconds) in NATS for packettrail cluster status: nats://host:4222[,nats://…]')
    .option('--trust-proxy <address>', 'a reverse proxy (address or CIDR) whose X-Forwarded-For and X-Forwarded-Proto are believed, for the sign-in limits, the audit log and Secure cookies (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--token-role <role>', `what the access token may do: ${ROLES.join(', ')} (default admin)`)
    .option('--secure-cookies', 'mark session cookies Secure on loopback too (behind a TLS proxy); always so when bound elsewhere')
    .option('--session-idle-timeout <seconds>', `end a session unused this long (default ${SESSION_IDLE_MS / 1000})`)
    .option('--session-lifetime <seconds>', `end any session this long after sign-in (default ${SESSION_ABSOLUTE_MS / 1000})`)
    .option('--max-failed-sign-ins <n>', `failed sign-ins of one account within ${LOGIN_WINDOW_MS / 60_000} min before it is locked for the rest of it (default ${MAX_FAILURES_PER_ACCOUNT})`)
    .option('--max-failed-sign-ins-per-address <n>', `failed sign-ins from one address (IPv6: /64) within ${LOGIN_WINDOW_MS / 60_000} min (default ${MAX_FAILURES_PER_ADDRESS})`)
    .option('--oidc-issuer <url>', `OpenID Connect provider (https; else ${OIDC_ENV.oidcIssuer})`)
    .option('--oidc-client-id <id>', `client id at the provider (else ${OIDC_ENV.oidcClientId})`)
    .option('--oidc-client-secret-file <path>', `file holding the client secret (else ${OIDC_CLIENT_SECRET_ENV}; none: a public client, PKCE only)`)
    .option('--oidc-redirect-url <url>', `this console's <url>/api/auth/oidc/callback as the browser reaches it (else ${OIDC_ENV.oidcRedirectUrl})`)
    .option('--oidc-role-claim <claim>', `ID token or userinfo claim mapped to roles, e.g. groups (else ${OIDC_ENV.oidcRoleClaim})`)
    .option('--oidc-role-map <value=role,...>', `claim values to roles, e.g. soc-admins=admin,soc=analyst (else ${OIDC_ENV.oidcRoleMap})`)
    .option('--oidc-default-role <role>', `role of users no value maps: ${ROLES.join(', ')} or none (refused; the default; else ${OIDC_ENV.oidcDefaultRole})`)
    .option('--oidc-scopes <scopes>', `scopes besides openid (default "email profile"; else ${OIDC_ENV.oidcScopes})`)
    .addHelpText(
      'after',
      `
Examples:
  packettrail serve --db packettrail.duckdb
  packettrail serve --collect collect.yml
  packettrail serve --host 0.0.0.0 --port 8443 --read-only
  packettrail serve --store 'clickhouse://reader@ch1:8123/logs?cluster=logs' --state-dir /var/lib/packettrail
  ${TOKEN_ENV}="$(openssl rand -base64 32)" packettrail serve --host 10.0.0.5

Accounts (packettrail users) and OpenID Connect: once either exists, every API route needs a sign-in
session or the token, on loopback too; roles viewer < analyst < admin decide what each may do, and
every change is written to <db>.audit.ndjson (packettrail audit). Without accounts:
bound to loopback, the API needs no token unless ${TOKEN_ENV} is set, and every request must name a
loopback host. Bound elsewhere, everything but the console's page and files needs Authorization: Bearer
<token>: the token (${MIN_SECRET_LENGTH} characters at least) comes from ${TOKEN_ENV}, else <db>.console-token
(generated and printed on first run). Queries run on a read-only connection; saved searches are kept in
the database, and their schedules run in this process (packettrail searches --help). Slow or idle clients are cut off: headers ${seconds(L.headersTimeoutMs)}, whole request ${seconds(L.requestTimeoutMs)},
keep-alive ${seconds(L.keepAliveTimeoutMs)}, no traffic either way ${seconds(L.idleTimeoutMs)}.
Console queries are bounded: a time limit (422 past it), a result size (413), a DuckDB memory limit (413), and
a number running at once with a queue (429 when it is full); a query whose client disconnects is interrupted.
serve holds the database: query, trail, insights, index and ingest on it run through this process while it
runs (found by <db>.service.json; see "Running alongside" in the README). With --collect it also runs the
collect inputs and, every --analyses-every seconds, the post-ingest analyses. --read-only opens the database
read-only instead and holds nothing. GET /metrics answers the process's metrics in the Prometheus text format
under the viewer role (a scraper sends the token as Authorization: Bearer; or --metrics-listen, see docs/security.md). While another packettrail (collect) holds the database, serve reads
through it. On a ClickHouse store (--store clickhouse://…) nothing is held: other commands reach the
server themselves, console queries run read-only there, and the files kept beside a DuckDB database
(accounts, audit log, saved searches, access token) are kept in --state-dir as <database>.users.json …. SIGINT/SIGTERM stop within ${DAEMON_SHUTDOWN_MS / 1000} s (inputs stop taking work, queries and ingest jobs are
interrupted, a summary is printed); a second signal exits at once.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: ServeOptions & { store?: string }, cmd: Command) => {
      const db = commandStoreLocation(o, cmd);
      await serveUntilStopped({ ...o, db, dbGiven: cmd.getOptionValueSource('db') === 'cli' || o.store !== undefined });
    });
}
