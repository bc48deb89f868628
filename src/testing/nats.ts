import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './clickhouse.js';
import { tempDir } from './tmp.js';

/** Debian's server (`apt-get install nats-server`; .ci/run installs it). */
export const NATS_SERVER = process.env.PACKETTRAIL_NATS_SERVER ?? '/usr/sbin/nats-server';

/** How long a node (or, for a cluster, JetStream's meta leader election) may take on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;
/** How long a node may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** For `test(name, { skip: natsSkip() }, …)`: a clear message when the server is not installed. */
export function natsSkip(): string | false {
  if (existsSync(NATS_SERVER)) return false;
  const skip = `${NATS_SERVER} is absent (apt-get install nats-server; .ci/run installs it): NATS tests skipped`;
  process.stderr.write(`${skip}\n`);
  return skip;
}

export interface NatsNode {
  /** `nats://127.0.0.1:PORT`, for clients. */
  url: string;
  clientPort: number;
  /** The monitoring port (`/healthz`, `/jsz`, `/varz`). */
  monitorPort: number;
  clusterPort: number;
  dir: string;
  /** The running process's PID; undefined while the node is down (kill / restart). */
  pid: number | undefined;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every node's client URL, comma-separated: what `--from nats://…` takes to reach a cluster. */
  url: string;
  /** Kills node i (SIGKILL by default: a crash, not a shutdown). */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node i again on its ports and its storage directory (after kill). */
  restart(i: number): Promise<void>;
  /** Stops every node by its PID (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS). */
  stop(): Promise<void>;
}

/** Options of startNats. */
export interface StartNatsOptions {
  /** JetStream file storage limit per node (bytes); the default leaves the server's own. */
  maxFileStore?: number;
}

function writeConfig(node: NatsNode, index: number, all: readonly NatsNode[], options: StartNatsOptions): string {
  mkdirSync(join(node.dir, 'jetstream'), { recursive: true });
  const routes = all.filter((n) => n !== node).map((n) => `nats-route://127.0.0.1:${n.clusterPort}`);
  const cluster = all.length > 1
    ? `cluster {\n  name: packettrail-test\n  listen: 127.0.0.1:${node.clusterPort}\n  routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]\n}\n`
    : '';
  const config = join(node.dir, 'nats.conf');
  writeFileSync(config, `server_name: n${index + 1}
host: 127.0.0.1
port: ${node.clientPort}
http: 127.0.0.1:${node.monitorPort}
jetstream {
  store_dir: ${JSON.stringify(join(node.dir, 'jetstream'))}
${options.maxFileStore ? `  max_file_store: ${options.maxFileStore}\n` : ''}}
${cluster}`);
  return config;
}

/** Waits until the node reports healthy with JetStream ready (for a cluster: a meta leader is elected). */
async function waitHealthy(node: NatsNode, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode} while starting (logs in ${node.dir})`);
    try {
      const res = await fetch(`http://127.0.0.1:${node.monitorPort}/healthz?js-enabled-only=false`);
      last = await res.text();
      if (res.ok) return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nats-server on ${node.url} not healthy within ${START_TIMEOUT_MS} ms: ${last} (logs in ${node.dir})`);
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts `count` NATS servers with JetStream on loopback, each in a fresh temporary directory; more
 * than one form a cluster (routes between all of them), so streams may have up to `count` replicas.
 * Every node is killed when this process exits, whatever happens to the test.
 */
export async function startNats(count = 1, options: StartNatsOptions = {}): Promise<NatsCluster> {
  const nodes: NatsNode[] = [];
  for (let i = 0; i < count; i++) {
    const clientPort = await freePort();
    nodes.push({ url: `nats://127.0.0.1:${clientPort}`, clientPort, monitorPort: await freePort(), clusterPort: await freePort(), dir: tempDir('packettrail-nats-'), pid: undefined });
  }
  const children: (ChildProcess | undefined)[] = nodes.map(() => undefined);
  const killAll = () => { for (const c of children) if (c && c.exitCode === null) c.kill('SIGKILL'); };
  process.on('exit', killAll);
  const launch = (i: number): ChildProcess => {
    const node = nodes[i]!;
    const config = writeConfig(node, i, nodes, options);
    const child = spawn(NATS_SERVER, ['-c', config, '-l', join(node.dir, 'server.log')], { cwd: node.dir, stdio: 'ignore' });
    children[i] = child;
    node.pid = child.pid;
    child.once('exit', () => { if (children[i] === child) node.pid = undefined; });
    return child;
  };
  try {
    const started = nodes.map((_, i) => launch(i));
    // All at once: a cluster node only turns healthy once JetStream's meta group has a leader.
    await Promise.all(started.map((child, i) => waitHealthy(nodes[i]!, child)));
  } catch (e) {
    await Promise.all(children.map((c) => stopChild(c)));
    process.off('exit', killAll);
    throw e;
  }
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async kill(i, signal = 'SIGKILL') {
      await stopChild(children[i], signal);
    },
    async restart(i) {
      if (children[i] && children[i]!.exitCode === null && children[i]!.signalCode === null) throw new Error(`NATS node ${i} is still running`);
      await waitHealthy(nodes[i]!, launch(i));
    },
    async stop() {
      await Promise.all(children.map((c) => stopChild(c)));
      process.off('exit', killAll);
    },
  };
}
