import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { clickhouseSkip, startClickHouse } from './clickhouse.js';

async function sql(http: string, query: string): Promise<string> {
  const res = await fetch(`${http}/`, { method: 'POST', body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(`${query}: ${text}`);
  return text;
}

test('the harness starts a two-shard cluster on loopback whose Distributed table sees both shards, and stops it by PID', { skip: clickhouseSkip() }, async () => {
  const cluster = await startClickHouse(2);
  try {
    assert.equal(cluster.nodes.length, 2);
    for (const node of cluster.nodes) {
      await sql(node.http, 'CREATE TABLE t_local (n UInt64) ENGINE = MergeTree ORDER BY n');
      await sql(node.http, "CREATE TABLE t_all AS t_local ENGINE = Distributed(logs, default, t_local, rand())");
    }
    await sql(cluster.nodes[0]!.http, 'INSERT INTO t_local SELECT number FROM system.numbers LIMIT 3');
    await sql(cluster.nodes[1]!.http, 'INSERT INTO t_local SELECT number FROM system.numbers LIMIT 4');
    assert.equal((await sql(cluster.nodes[1]!.http, 'SELECT count() FROM t_all')).trim(), '7');
    assert.match(cluster.storeUrl('db'), /^clickhouse:\/\/127\.0\.0\.1:\d+\/db\?cluster=logs$/);
  } finally {
    await cluster.stop();
  }
  for (const node of cluster.nodes) assert.ok(!existsSync(`/proc/${node.pid}`), `pid ${node.pid} stopped`);
});
