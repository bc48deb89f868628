// Starts ClickHouse servers for a benchmark that outlives one script (the harness's
// startClickHouse: fresh temporary directories, loopback ports) and keeps them up until this
// process gets SIGTERM or SIGINT, then stops them by PID. Writes where they listen to --info FILE.
//
//   node bench/clickhouse-hold.js --info /tmp/ch.json [--shards 1,2] [--query-log] &
//   ... ; kill $!        (stops every server it started)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startClickHouse } = await import(join(root, 'dist', 'testing', 'clickhouse.js'));
const info = arg('info', undefined);
if (!info) throw new Error('--info FILE is required');
const clusters = [];
for (const shards of arg('shards', '1').split(',').map(Number)) {
  // --query-log: every query in system.query_log (rows and bytes read, time), for the query benchmarks.
  const c = await startClickHouse(shards, { queryLog: process.argv.includes('--query-log') });
  const nodes = c.nodes.map((n) => ({ http: n.http, httpPort: n.httpPort, tcpPort: n.tcpPort, pid: n.pid, dir: n.dir }));
  const url = c.storeUrl('bench');
  // Every node's HTTP port (the loopback cluster's differ), as bench/clickhouse-queries.js gives them.
  const storeUrl = shards > 1 ? `${url}&nodes=${nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',')}` : url;
  clusters.push({ shards, storeUrl, nodes, stop: c.stop });
}
writeFileSync(info, JSON.stringify(clusters.map(({ stop, ...c }) => c), null, 2));
console.log(`ClickHouse up (${clusters.map((c) => c.storeUrl).join(' ; ')}); info in ${info}`);
const stopAll = async () => {
  for (const c of clusters) await c.stop();
  process.exit(0);
};
process.on('SIGTERM', stopAll);
process.on('SIGINT', stopAll);
setInterval(() => {}, 1 << 30);
