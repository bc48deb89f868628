import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { createConsoleServer, DEFAULT_CONNECTION_LIMITS as L, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, resolveToken, TOKEN_ENV, type ResolvedToken } from '../server/index.js';
import { MIN_SECRET_LENGTH } from '../util/secrets.js';
import { DEFAULT_DB } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

export interface ServeOptions {
  db: string;
  host: string;
  port: string;
  readOnly?: boolean;
  rules?: string[];
  maxConnections?: string;
  maxConnectionsPerAddress?: string;
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
export async function startServe(o: ServeOptions, out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<{ url: string; close(): Promise<void> }> {
  const port = portOf(o.port);
  if (!existsSync(o.db)) throw new CliError(`database ${o.db} does not exist (create it with packettrail ingest or packettrail demo)`, EXIT.FATAL);
  const limits = {
    maxConnections: capOf('--max-connections', o.maxConnections, MAX_CONNECTIONS),
    maxConnectionsPerAddress: capOf('--max-connections-per-address', o.maxConnectionsPerAddress, MAX_CONNECTIONS_PER_ADDRESS),
  };
  let token: ResolvedToken;
  try {
    token = resolveToken(o.host, o.db);
  } catch (e) {
    throw new CliError(`cannot serve ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  let server;
  try {
    server = await createConsoleServer({ db: o.db, token: token.token, readOnly: o.readOnly ?? false, rules: o.rules ?? [], limits });
  } catch (e) {
    throw new CliError(`cannot serve ${o.db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  try {
    await server.app.listen({ host: o.host, port });
  } catch (e) {
    await server.close();
    throw new CliError(`cannot listen on ${o.host}:${port}: ${(e as Error).message}`, EXIT.FATAL);
  }
  const bound = (server.app.server.address() as AddressInfo).port;
  const shown = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${bound}`;
  out(`packettrail console: ${shown}/  (database ${terminalSafe(o.db)}${o.readOnly ? ', read-only' : ''}; Ctrl-C stops)`);
  if (token.origin === 'generated') out(`access token generated and kept in ${terminalSafe(token.file!)}: ${token.token}`);
  if (token.origin === 'file') out(`access token read from ${terminalSafe(token.file!)}`);
  if (token.origin === 'environment') out(`access token from ${TOKEN_ENV}`);
  if (token.token) out(`open ${shown}/#token=<token> once (the console keeps it for the tab), or send Authorization: Bearer <token> to /api/`);
  const close = async () => {
    const { refusedPerAddress, refusedTotal } = server.connections();
    if (refusedPerAddress || refusedTotal) {
      out(`connections refused over the caps: ${refusedPerAddress} over --max-connections-per-address ${limits.maxConnectionsPerAddress}, ${refusedTotal} over --max-connections ${limits.maxConnections}`);
    }
    await server.close();
  };
  return { url: shown, close };
}

/** Serves until SIGINT/SIGTERM, then closes the server and the database. */
export async function serveUntilStopped(o: ServeOptions): Promise<void> {
  const running = await startServe(o);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(COMMAND_INDEX.serve.description)
    .option('--db <path>', 'database file', DEFAULT_DB)
    .option('--host <address>', 'address to bind (anything but loopback requires an access token)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--read-only', 'disable everything that writes (saved searches)')
    .option('--rules <path>', 'extra rule file or directory to list on the rules page (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--max-connections <n>', `open connections in all; more are closed on accept (default ${MAX_CONNECTIONS})`)
    .option('--max-connections-per-address <n>', `open connections per client address (IPv6: per /64; default ${MAX_CONNECTIONS_PER_ADDRESS}); raise it behind a proxy`)
    .addHelpText(
      'after',
      `
Examples:
  packettrail serve --db packettrail.duckdb
  packettrail serve --host 0.0.0.0 --port 8443 --read-only
  ${TOKEN_ENV}="$(openssl rand -base64 32)" packettrail serve --host 10.0.0.5

Bound to loopback, the API needs no token unless ${TOKEN_ENV} is set, and every request must name a
loopback host. Bound elsewhere, everything but the console's page and files needs Authorization: Bearer
<token>: the token (${MIN_SECRET_LENGTH} characters at least) comes from ${TOKEN_ENV}, else <db>.console-token
(generated and printed on first run). Queries run on a read-only connection; saved searches are kept in
<db>.saved-searches.json. Slow or idle clients are cut off: headers ${seconds(L.headersTimeoutMs)}, whole request ${seconds(L.requestTimeoutMs)},
keep-alive ${seconds(L.keepAliveTimeoutMs)}, no traffic either way ${seconds(L.idleTimeoutMs)}.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: ServeOptions) => {
      await serveUntilStopped(o);
    });
}
