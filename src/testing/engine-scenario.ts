import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDetection } from '../commands/detect.js';
import { generate, LOGS_DIR } from '../generate/generate.js';
import type { Incident } from '../generate/model.js';
import { ingest } from '../pipeline/ingest.js';
import { openStore, type IndexableStore } from '../store/open.js';
import { startClickHouse, type ClickHouseCluster } from './clickhouse.js';
import { snapshotClickHouse } from './clickhouse-snapshot.js';
import { testStoreUrl } from './clickhouse-store.js';
import { sharedFixture } from './fixture-cache.js';
import { tempDir } from './tmp.js';

/** The scenario every engine-parity suite reads: `generate` with a fixed seed. */
export const ENGINE_SCENARIO = { seed: 'engines', users: 6, hours: 2 } as const;
/** The ClickHouse database the scenario is stored in, on one node and on the two shards. */
export const ENGINE_SCENARIO_DATABASE = 'engines';

const DUCKDB_FILE = 'engines.duckdb';
const SINGLE = ['single-0'];
const PAIR = ['pair-0', 'pair-1'];

/**
 * Generates the scenario and ingests it (with the built-in rules, so alerts exist) through the real
 * load path into DuckDB, one ClickHouse node and a two-shard cluster, then keeps the DuckDB file and
 * every node's data directory under `dir`.
 */
async function buildScenario(dir: string): Promise<void> {
  await generate({ out: join(dir, 'scenario'), ...ENGINE_SCENARIO });
  const single = await startClickHouse(1);
  const pair = await startClickHouse(2).catch(async (e: unknown) => {
    await single.stop();
    throw e;
  });
  try {
    const targets = [join(dir, DUCKDB_FILE), testStoreUrl(single, ENGINE_SCENARIO_DATABASE), testStoreUrl(pair, ENGINE_SCENARIO_DATABASE)];
    for (const [i, db] of targets.entries()) {
      const r = await ingest({ inputs: [join(dir, 'scenario', LOGS_DIR)], db, format: 'auto', threads: 0, deadLetterPath: join(dir, `dead-${i}.ndjson`), detection: prepareDetection({}, true), analyses: false });
      if (r.summary.stopped) throw new Error(`ingest into ${db} stopped: ${JSON.stringify(r.summary.stopped)}`);
    }
    await snapshotClickHouse(single, ENGINE_SCENARIO_DATABASE, SINGLE.map((d) => join(dir, d)));
    await snapshotClickHouse(pair, ENGINE_SCENARIO_DATABASE, PAIR.map((d) => join(dir, d)));
  } finally {
    await single.stop();
    await pair.stop();
  }
}

export interface EngineScenario {
  duck: IndexableStore;
  /** One ClickHouse node holding the scenario (when asked for). */
  single?: { cluster: ClickHouseCluster; store: IndexableStore };
  /** A two-shard cluster holding the scenario (when asked for). */
  pair?: { cluster: ClickHouseCluster; store: IndexableStore };
  incidents: Incident[];
  /** Closes the stores and stops the servers. */
  close(): Promise<void>;
}

/**
 * The engine scenario in DuckDB and, as asked, on one ClickHouse node and on a two-shard cluster,
 * each opened read-only. The load runs once per build across every test process (sharedFixture);
 * each call gets its own copy of the DuckDB file and of the nodes' data, on servers of its own.
 */
export async function engineScenario(o: { single?: boolean; pair?: boolean }): Promise<EngineScenario> {
  const cache = await sharedFixture('engine-scenario', ENGINE_SCENARIO, buildScenario);
  const dir = tempDir('packettrail-scenario-');
  copyFileSync(join(cache, DUCKDB_FILE), join(dir, DUCKDB_FILE));
  if (existsSync(join(cache, `${DUCKDB_FILE}.wal`))) copyFileSync(join(cache, `${DUCKDB_FILE}.wal`), join(dir, `${DUCKDB_FILE}.wal`));
  const incidents = (JSON.parse(readFileSync(join(cache, 'scenario', 'truth.json'), 'utf8')) as { incidents: Incident[] }).incidents;
  const stores: IndexableStore[] = [];
  const clusters: ClickHouseCluster[] = [];
  const close = async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => {});
    for (const c of clusters.splice(0)) await c.stop();
  };
  const onClickHouse = async (nodes: string[]) => {
    const cluster = await startClickHouse(nodes.length, { data: nodes.map((d) => join(cache, d)) });
    clusters.push(cluster);
    const store = await openStore(testStoreUrl(cluster, ENGINE_SCENARIO_DATABASE), { readOnly: true });
    stores.push(store);
    return { cluster, store };
  };
  try {
    const duck = await openStore(join(dir, DUCKDB_FILE), { readOnly: true });
    stores.push(duck);
    const single = o.single ? await onClickHouse(SINGLE) : undefined;
    const pair = o.pair ? await onClickHouse(PAIR) : undefined;
    return { duck, ...(single ? { single } : {}), ...(pair ? { pair } : {}), incidents, close };
  } catch (e) {
    await close();
    throw e;
  }
}
