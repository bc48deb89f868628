import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ClickHouseCluster } from './clickhouse.js';

/** The CLI entry point, for tests that run packettrail as a child. */
export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The store URL of a test cluster, with every node's HTTP port (loopback nodes differ only by port). */
export function testStoreUrl(cluster: ClickHouseCluster, database: string): string {
  const url = cluster.storeUrl(database);
  if (cluster.nodes.length < 2) return url;
  return `${url}&nodes=${cluster.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',')}`;
}

/**
 * A fixed scenario (`generate` with a seed and a start) under `dir`/logs, and a VPC flow log with
 * rejected lines (`dir`/bad-vpcflow.log) for the dead-letter bookkeeping.
 */
export function generateScenario(dir: string, extra: string[] = []): { logs: string; bad: string } {
  execFileSync(process.execPath, [CLI, 'generate', '--out', dir, '--users', '5', '--hours', '1', '--start', '2026-11-20T08:00:00Z', '--seed', 'clickhouse', ...extra], { stdio: 'ignore' });
  const bad = join(dir, 'bad-vpcflow.log');
  writeFileSync(bad, [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    '2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1795162140 1795162200 ACCEPT OK',
    '2 123456789012 eni-1 10.0.0.1',
    "2 123456789012 eni-1 10.0.0.9 10.0.0.2 443 notaport 6 10 840 1795162140 1795162200 ACCEPT OK",
    '2 123456789012 eni-1 10.0.0.3 10.0.0.2 22 49153 6 1 40 1795162140 1795162200 REJECT OK',
    '',
  ].join('\n'));
  return { logs: join(dir, 'logs'), bad };
}
