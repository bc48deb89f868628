import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

/** Debian's server (`apt-get install clickhouse-server`; .ci/run installs it). */
export const CLICKHOUSE_SERVER = process.env.PACKETTRAIL_CLICKHOUSE_SERVER ?? '/usr/sbin/clickhouse-server';

/** The name the test cluster has in every node's `remote_servers`. */
export const TEST_CLUSTER = 'logs';

/** How long a node may take to answer /ping after it starts (a loaded 2-core machine). */
const START_TIMEOUT_MS = 60_000;
/** How long a node may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/** Where test nodes keep their data when it has room: a tmpfs (see clickhouseTempRoot). */
const TMPFS = '/dev/shm';
/** The free space the tmpfs must have for test nodes to use it. */
const TMPFS_MIN_FREE_BYTES = 4 * 1024 ** 3;

/**
 * The directory test nodes are created in: $PACKETTRAIL_CLICKHOUSE_TEST_DIR, else /dev/shm when it
 * has TMPFS_MIN_FREE_BYTES free, else the OS's temp directory. Every insert writes a part of a few
 * files per column: a load leaves tens of thousands of small files, whose removal at exit took
 * minutes on a disk (ext4 with discard) and takes a second on a tmpfs.
 */
export function clickhouseTempRoot(): string {
  const chosen = process.env.PACKETTRAIL_CLICKHOUSE_TEST_DIR;
  if (chosen) return chosen;
  try {
    const fs = statfsSync(TMPFS);
    if (fs.bavail * fs.bsize >= TMPFS_MIN_FREE_BYTES) return TMPFS;
  } catch {
    /* no tmpfs there */
  }
  return tmpdir();
}

/** For `test(name, { skip: clickhouseSkip() }, …)`: a clear message when the server is not installed. */
export function clickhouseSkip(): string | false {
  if (existsSync(CLICKHOUSE_SERVER)) return false;
  const skip = `${CLICKHOUSE_SERVER} is absent (apt-get install clickhouse-server; .ci/run installs it): ClickHouse tests skipped`;
  process.stderr.write(`${skip}\n`);
  return skip;
}

export interface ClickHouseNode {
  /** `http://127.0.0.1:PORT` — the HTTP interface the store's client speaks. */
  http: string;
  httpPort: number;
  /** The native protocol port, which Distributed tables use between nodes. */
  tcpPort: number;
  dir: string;
  pid: number;
}

export interface ClickHouseCluster {
  nodes: ClickHouseNode[];
  /** The first node's HTTP address. */
  http: string;
  /** `clickhouse://127.0.0.1:PORT/DB`, with `?cluster=logs` for more than one shard. */
  storeUrl(database: string): string;
  /** Stops every node by its PID (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS). */
  stop(): Promise<void>;
  /** Kills node i by its PID (SIGKILL by default: a crash) and waits for it to exit. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node i again on its ports and its data directory (after kill); resolves once it answers /ping. */
  restart(i: number): Promise<void>;
}

/** A free loopback port (bound, then released: good enough for test servers started right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function remoteServers(tcpPorts: readonly number[]): string {
  const shards = tcpPorts.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`);
  return `<remote_servers><${TEST_CLUSTER}>${shards.join('')}</${TEST_CLUSTER}></remote_servers>`;
}

/** Options of startClickHouse. */
export interface StartOptions {
  /** Data directories to copy, one per node (snapshotClickHouse): each node starts on its own copy. */
  data?: readonly string[];
  /** Log every query to system.query_log (benchmarks: rows and bytes read, time per query). */
  queryLog?: boolean;
}

function writeConfig(dir: string, httpPort: number, tcpPort: number, allTcpPorts: readonly number[], options: StartOptions = {}): string {
  for (const sub of ['data', 'data/tmp', 'data/user_files']) mkdirSync(join(dir, sub), { recursive: true });
  // 18.16's root element is <yandex>; current releases still accept it (and <clickhouse>).
  writeFileSync(join(dir, 'users.xml'), `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage>${options.queryLog ? '<log_queries>1</log_queries>' : ''}</default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`);
  const config = join(dir, 'config.xml');
  writeFileSync(config, `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><console>0</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/data/tmp/</tmp_path>
  <user_files_path>${dir}/data/user_files/</user_files_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  ${remoteServers(allTcpPorts)}
  ${options.queryLog ? '<query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>' : ''}
</yandex>
`);
  return config;
}

async function waitForPing(http: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode} while starting (logs in ${dir})`);
    try {
      const res = await fetch(`${http}/ping`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clickhouse-server did not answer ${http}/ping within ${START_TIMEOUT_MS} ms (logs in ${dir})`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts `shards` ClickHouse servers on loopback, each in a fresh temporary directory, all of them
 * listing every node as one shard of the cluster `logs` (Distributed over MergeTree: no ZooKeeper,
 * no replicas). Every node is killed when this process exits, whatever happens to the test.
 * `data`: one data directory per node (from snapshotClickHouse), copied into the node's own
 * directory, so the node starts with what the snapshot holds (node i = shard i).
 */
export async function startClickHouse(shards = 1, options: StartOptions = {}): Promise<ClickHouseCluster> {
  if (options.data && options.data.length !== shards) throw new Error(`${shards} nodes, ${options.data.length} data snapshots`);
  const ports: { http: number; tcp: number }[] = [];
  for (let i = 0; i < shards; i++) ports.push({ http: await freePort(), tcp: await freePort() });
  const children: ChildProcess[] = [];
  const killAll = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); };
  process.on('exit', killAll);
  const nodes: ClickHouseNode[] = [];
  const configs: string[] = [];
  try {
    for (const p of ports) {
      const dir = tempDir('packettrail-clickhouse-', clickhouseTempRoot());
      // A snapshot (snapshotClickHouse) is copied, never shared: this node may write to its copy.
      const data = options.data?.[nodes.length];
      if (data) cpSync(data, join(dir, 'data'), { recursive: true });
      const config = writeConfig(dir, p.http, p.tcp, ports.map((x) => x.tcp), options);
      configs.push(config);
      const child = spawn(CLICKHOUSE_SERVER, [`--config-file=${config}`], { cwd: dir, stdio: 'ignore' });
      children.push(child);
      const http = `http://127.0.0.1:${p.http}`;
      await waitForPing(http, child, dir);
      nodes.push({ http, httpPort: p.http, tcpPort: p.tcp, dir, pid: child.pid! });
    }
  } catch (e) {
    await Promise.all(children.map(stopChild));
    process.off('exit', killAll);
    throw e;
  }
  return {
    nodes,
    http: nodes[0]!.http,
    storeUrl: (database) => `clickhouse://127.0.0.1:${nodes[0]!.httpPort}/${database}${shards > 1 ? `?cluster=${TEST_CLUSTER}` : ''}`,
    async stop() {
      await Promise.all(children.map(stopChild));
      process.off('exit', killAll);
    },
    async kill(i, signal = 'SIGKILL') {
      const child = children[i]!;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
    async restart(i) {
      const node = nodes[i]!;
      const child = spawn(CLICKHOUSE_SERVER, [`--config-file=${configs[i]!}`], { cwd: node.dir, stdio: 'ignore' });
      children[i] = child;
      node.pid = child.pid!;
      await waitForPing(node.http, child, node.dir);
    },
  };
}
