import { cpSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ClickHouseCluster } from './clickhouse.js';

/** How many times a table is merged before its parts count is left as it is (merges may be busy). */
const OPTIMIZE_ROUNDS = 3;

async function sql(http: string, query: string): Promise<string> {
  const res = await fetch(`${http}/`, { method: 'POST', body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(`${http}: ${query}: ${text}`);
  return text;
}

/** A MergeTree part directory's name: partition id, min and max block, level (and mutation). */
const PART_NAME = /^[^_]+_\d+_\d+_\d+(_\d+)?$/;

const rowsOf = (tsv: string): string[][] => tsv.split('\n').filter(Boolean).map((l) => l.split('\t'));

/**
 * Stops `cluster` and copies each node's data directory to `targets[i]`, for startClickHouse's
 * `data`. Every MergeTree table of `database` is merged first (OPTIMIZE … FINAL: the same rows, in
 * one part per partition) and only active parts are copied: a load leaves one part per insert, tens
 * of thousands of small files that make every copy, and every removal of a test's directory, slow.
 */
export async function snapshotClickHouse(cluster: ClickHouseCluster, database: string, targets: readonly string[]): Promise<void> {
  const active: Set<string>[] = [];
  for (const node of cluster.nodes) {
    const tables = rowsOf(await sql(node.http, `SELECT name FROM system.tables WHERE database = '${database}' AND engine LIKE '%MergeTree' ORDER BY name`)).map((r) => r[0]!);
    for (const table of tables) {
      for (let round = 0; round < OPTIMIZE_ROUNDS; round++) {
        const busy = rowsOf(await sql(node.http, `SELECT partition FROM system.parts WHERE database = '${database}' AND table = '${table}' AND active GROUP BY partition HAVING count() > 1`));
        if (!busy.length) break;
        await sql(node.http, `OPTIMIZE TABLE \`${database}\`.\`${table}\` FINAL`);
      }
    }
    const parts = rowsOf(await sql(node.http, `SELECT table, name FROM system.parts WHERE database = '${database}' AND active`));
    active.push(new Set(parts.map(([table, name]) => `${table}/${name}`)));
  }
  await cluster.stop();
  for (const [i, node] of cluster.nodes.entries()) {
    const from = join(node.dir, 'data');
    const tableData = join(from, 'data', database);
    cpSync(from, targets[i]!, {
      recursive: true,
      filter: (src) => {
        const rel = relative(from, src);
        if (rel === 'status' || rel.startsWith(`tmp${sep}`)) return false; // the running server's lock; its scratch space
        const inTable = relative(tableData, src).split(sep);
        // A part directory (db/table/part) that is not active: merged away, removed by the server later.
        if (inTable.length === 2 && !inTable[0]!.startsWith('..') && PART_NAME.test(inTable[1]!)) return active[i]!.has(`${inTable[0]}/${inTable[1]}`);
        return true;
      },
    });
  }
}
