import { MAX_STORE_RETRY_LIMIT_SECONDS } from './retry.js';

/**
 * `clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1&nodes=host:port,…&retry_limit=SECONDS]`:
 * where a ClickHouse store is. The port is the HTTP interface's (8123, 8443 with secure=1). The
 * password may come from PACKETTRAIL_CLICKHOUSE_PASSWORD instead, so it never sits in shell history;
 * it is never part of an error message or of `redacted`.
 */
export interface ClickHouseLocation {
  /** `http://host:port` or `https://…` with secure=1: the node the store speaks to. */
  url: string;
  host: string;
  port: number;
  secure: boolean;
  database: string;
  user: string;
  password: string;
  /** The cluster's name in the servers' remote_servers: tables are a local table on every node plus a Distributed one. */
  cluster?: string | undefined;
  /**
   * Every node's HTTP address (`http://host:port`), when given with `nodes=`: DDL runs on each (no
   * ON CLUSTER without ZooKeeper). Absent: read from system.clusters with this URL's port.
   */
  nodes?: string[] | undefined;
  /** `retry_limit=` seconds as milliseconds: how long writes are retried after transient failures (retry.ts; 0: not retried). */
  retryLimitMs?: number | undefined;
  /** The URL without its password: what messages show. */
  redacted: string;
}

export const CLICKHOUSE_SCHEME = 'clickhouse:';
export const PASSWORD_ENV = 'PACKETTRAIL_CLICKHOUSE_PASSWORD';
export const DEFAULT_HTTP_PORT = 8123;
export const DEFAULT_HTTPS_PORT = 8443;
/** Longest store URL accepted (a location, not a document). */
export const MAX_STORE_URL_LENGTH = 4096;

/** Database and cluster names: plain identifiers (they are quoted in SQL all the same). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const CLUSTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A host name or IPv4 address (IPv6 in brackets is checked by URL). */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)$/;
const KNOWN_PARAMS = new Set(['cluster', 'secure', 'nodes', 'retry_limit']);

export class StoreUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

export function isClickHouseUrl(location: string): boolean {
  return /^clickhouse:/i.test(location.trim());
}

/** The URL as shown to people: a password in it is replaced by `***`. */
export function redactStoreUrl(text: string): string {
  return text.replace(/^(clickhouse:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@');
}

/** Parses a store URL; every error names what is wrong and never quotes the password. */
export function parseStoreUrl(text: string, env: NodeJS.ProcessEnv = process.env): ClickHouseLocation {
  if (text.length > MAX_STORE_URL_LENGTH) throw new StoreUrlError(`the store URL is longer than ${MAX_STORE_URL_LENGTH} characters`);
  const shown = JSON.stringify(redactStoreUrl(text));
  if (/[\u0000-\u001f\u007f\s]/.test(text)) throw new StoreUrlError(`the store URL ${shown} holds spaces or control characters`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new StoreUrlError(`the store URL ${shown} is not a URL: expected clickhouse://[user[:password]@]host[:port]/database[?cluster=NAME&secure=1]`);
  }
  if (u.protocol.toLowerCase() !== CLICKHOUSE_SCHEME) throw new StoreUrlError(`the store URL ${shown} does not start with clickhouse://`);
  if (u.hash) throw new StoreUrlError(`the store URL ${shown} has a #fragment: remove it`);
  const host = u.hostname;
  if (!host) throw new StoreUrlError(`the store URL ${shown} names no host: expected clickhouse://host[:port]/database`);
  if (!HOST.test(host)) throw new StoreUrlError(`the store URL ${shown} has an invalid host name`);
  const params = new Map<string, string>();
  for (const [k, v] of u.searchParams) {
    if (!KNOWN_PARAMS.has(k)) throw new StoreUrlError(`the store URL ${shown} has an unknown option '${k}' (known: ${[...KNOWN_PARAMS].join(', ')})`);
    if (params.has(k)) throw new StoreUrlError(`the store URL ${shown} gives '${k}' twice`);
    params.set(k, v);
  }
  const secureText = params.get('secure') ?? '0';
  if (!/^(0|1|true|false)$/.test(secureText)) throw new StoreUrlError(`the store URL ${shown}: secure must be 1 or 0, got '${secureText}'`);
  const secure = secureText === '1' || secureText === 'true';
  const port = u.port ? Number(u.port) : secure ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StoreUrlError(`the store URL ${shown} has an invalid port`);
  const path = decodePart(u.pathname.replace(/^\//, ''), 'database name', shown);
  if (!path) throw new StoreUrlError(`the store URL ${shown} names no database: expected clickhouse://host[:port]/database`);
  if (!IDENTIFIER.test(path)) throw new StoreUrlError(`the store URL ${shown}: the database name must be letters, digits and _ (not starting with a digit), got ${JSON.stringify(path)}`);
  const cluster = params.get('cluster');
  if (cluster !== undefined && !CLUSTER_NAME.test(cluster)) throw new StoreUrlError(`the store URL ${shown}: the cluster name must be letters, digits, _, . and -, got ${JSON.stringify(cluster)}`);
  const scheme = secure ? 'https' : 'http';
  const nodesText = params.get('nodes');
  let nodes: string[] | undefined;
  if (nodesText !== undefined) {
    if (cluster === undefined) throw new StoreUrlError(`the store URL ${shown} lists nodes= without cluster=`);
    nodes = nodesText.split(',').map((n) => {
      const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(n);
      if (!m || !HOST.test(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new StoreUrlError(`the store URL ${shown}: nodes= must be host:port,host:port…, got ${JSON.stringify(n)}`);
      return `${scheme}://${m[1]}:${Number(m[2])}`;
    });
  }
  const retryText = params.get('retry_limit');
  let retryLimitMs: number | undefined;
  if (retryText !== undefined) {
    if (!/^\d{1,6}$/.test(retryText) || Number(retryText) > MAX_STORE_RETRY_LIMIT_SECONDS) {
      throw new StoreUrlError(`the store URL ${shown}: retry_limit must be whole seconds from 0 to ${MAX_STORE_RETRY_LIMIT_SECONDS}, got ${JSON.stringify(retryText.slice(0, 40))}`);
    }
    retryLimitMs = Number(retryText) * 1000;
  }
  const user = decodePart(u.username, 'user name', shown) || 'default';
  const password = u.password ? decodePart(u.password, 'password', shown) : (env[PASSWORD_ENV] ?? '');
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const redactedUrl = new URL(text);
  if (redactedUrl.password) redactedUrl.password = '***';
  return {
    url: `${scheme}://${bracketed}:${port}`,
    host, port, secure, database: path, user, password,
    ...(cluster !== undefined ? { cluster } : {}),
    ...(nodes ? { nodes } : {}),
    ...(retryLimitMs !== undefined ? { retryLimitMs } : {}),
    redacted: redactedUrl.toString(),
  };
}

function decodePart(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new StoreUrlError(`the store URL ${shown} has a malformed %-escape in its ${what}`);
  }
}
