import type { SqlExpressions } from '../../store/expressions.js';

/**
 * "From the internet" for VPC traffic, in SQL: an address outside the ranges below. These are the
 * ranges the built-in rule net_inbound_remote_admin_reject filters out (RFC 1918, CGNAT, loopback,
 * link-local, IPv6 ULA/link-local/loopback). Documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24) stay "internet": examples and the demo use them as outside addresses, which is
 * why this is not ecs/ip.ts's isPrivateIp (that one treats them as reserved).
 */
const PREFIXES = ['10.', '127.', '169.254.', '192.168.'];
const V4_172 = String.raw`^172\.(1[6-9]|2[0-9]|3[01])\.`;
const V4_100 = String.raw`^100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.`;
const INTERNAL_V6 = String.raw`^(f[cd][0-9a-f]{2}:|fe[89ab][0-9a-f]:|::1$)`;

/**
 * SQL that is true when the column (a canonical IP text column from the catalog) holds an internal
 * address. Prefix tests first: a regular expression per row costs seconds over millions of flows.
 */
export function internalSql(fn: SqlExpressions, column: string): string {
  return `(${PREFIXES.map((p) => fn.startsWith(column, p)).join(' OR ')}
    OR (${fn.startsWith(column, '172.')} AND ${fn.regexMatches(column, V4_172)})
    OR (${fn.startsWith(column, '100.')} AND ${fn.regexMatches(column, V4_100)})
    OR (${fn.contains(column, ':')} AND ${fn.regexMatches(column, INTERNAL_V6)}))`;
}

/** Ports that should never be reachable from the internet: remote administration and databases. */
export const SENSITIVE_PORTS: Record<number, string> = {
  22: 'SSH', 23: 'Telnet', 135: 'MS RPC', 139: 'NetBIOS', 445: 'SMB', 1433: 'SQL Server', 1521: 'Oracle', 2375: 'Docker API',
  3306: 'MySQL', 3389: 'RDP', 5432: 'PostgreSQL', 5900: 'VNC', 5984: 'CouchDB', 6379: 'Redis', 9042: 'Cassandra', 9200: 'Elasticsearch',
  11211: 'Memcached', 27017: 'MongoDB',
};
