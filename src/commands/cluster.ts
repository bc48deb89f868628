import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable, terminalSafe } from '../cli/text.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { DEFAULT_INTAKE_STREAM } from '../collect/nats/names.js';
import type { ClusterStatus } from '../observe/cluster-status.js';
import { DEFAULT_MAX_PENDING } from '../observe/cluster-status.js';
import { STALE_AFTER_HEARTBEATS } from '../observe/process-registry.js';

/** How long `cluster status` tries to reach NATS before it gives up (exit 3). */
export const CLUSTER_CONNECT_TIMEOUT_MS = 10_000;

interface StatusOptions {
  nats: string;
  stream: string;
  json?: boolean;
  maxPending: string;
}

/**
 * Names come from the registry, which anyone allowed to write to the bucket writes: besides control
 * characters (terminalSafe), the characters that reorder or hide text on a terminal are shown as escapes.
 */
export function displaySafe(text: string): string {
  return terminalSafe(text).replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const num = (n: number | null) => (n === null ? '-' : String(n));

/** The report for a terminal: processes, their inputs, the stream and its consumer, the problems. */
export function renderClusterStatus(s: ClusterStatus): string {
  const out: string[] = [];
  const stale = s.processes.filter((p) => p.stale).length;
  out.push(`processes: ${s.processes.length}${stale ? ` (${stale} stale)` : ''}`);
  if (s.processes.length) {
    out.push(renderTable(['KIND', 'ID', 'HOST', 'PID', 'VERSION', 'HEARTBEAT', 'METRICS'], s.processes.map((p) => [
      p.kind, p.id, p.host, String(p.pid), p.version, `${p.heartbeatAgeSeconds} s ago${p.stale ? ' STALE' : ''}`, p.metrics ?? '-',
    ].map(displaySafe)), 80));
  }
  const inputs = s.processes.flatMap((p) => p.inputs.map((i) => ({ p, i })));
  if (inputs.length) {
    out.push('', 'inputs:');
    out.push(renderTable(['PROCESS', 'INPUT', 'DELIVERIES', 'EVENTS', 'STORED', 'DUPLICATES', 'REJECTED', 'ERRORS', 'QUEUE', 'IN FLIGHT', 'LAST ERROR'], inputs.map(({ p, i }) => [
      p.id, i.input, num(i.deliveries), num(i.events), num(i.stored), num(i.duplicates), num(i.rejected), num(i.errors), num(i.queueDepth), num(i.queueInFlight), i.lastError ?? '-',
    ].map(displaySafe)), 60));
  }
  for (const u of s.unreadable) out.push(`unreadable registry entry ${displaySafe(u.key)}: ${displaySafe(u.problem)}`);
  const st = s.stream;
  out.push('');
  if (!st.exists) out.push(`stream ${displaySafe(st.name)}: does not exist (no intake has written to it)`);
  else {
    out.push(`stream ${displaySafe(st.name)}: ${num(st.messages)} messages, ${num(st.bytes)} bytes`);
    const c = st.consumer;
    out.push(c.exists
      ? `consumer ${displaySafe(c.name)}: ${num(c.pending)} pending, ${num(c.ackPending)} delivered and not acknowledged, ${num(c.redelivered)} redelivered, ${num(c.waiting)} pulls waiting`
      : `consumer ${displaySafe(c.name)}: does not exist (no worker has pulled from the stream)`);
  }
  out.push('');
  if (s.problems.length) out.push(`problems (${s.problems.length}):`, ...s.problems.map((p) => `  ${displaySafe(p)}`));
  else out.push(`no problems: every process heartbeats, nothing waits beyond --max-pending ${s.maxPending}`);
  return `${out.join('\n')}\n`;
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description(COMMAND_INDEX.cluster.description).addHelpText(
    'after',
    `
Processes join with --register nats://… (collect, serve, worker); /metrics (--metrics-listen) shows the
same counts to Prometheus. See docs/scale-out.md.

Examples:
  packettrail cluster status --nats nats://10.0.0.5:4222
${EXIT_CODES_HELP}`,
  );
  cluster
    .command('status')
    .description('Registered processes (heartbeats, per-input counts, errors, queue depth) and the lag of the intake stream\'s workers.')
    .requiredOption('--nats <url>', 'NATS servers: nats://host:4222[,nats://…]')
    .option('--stream <name>', 'the intake stream whose lag to show', DEFAULT_INTAKE_STREAM)
    .option('--json', 'print the report as JSON')
    .option('--max-pending <n>', `batches waiting for the workers (pending + not acknowledged), or messages in an input's queue, above which the lag is a problem (default ${DEFAULT_MAX_PENDING})`, String(DEFAULT_MAX_PENDING))
    .addHelpText(
      'after',
      `
Every process started with --register nats://… (collect, serve, worker) writes its counts to the NATS
key-value bucket of the process registry every few seconds; one that missed ${STALE_AFTER_HEARTBEATS} heartbeats is
shown as STALE (a stopped process removes itself; a dead one stays listed, stale, until its key expires).
Exits 1 when there is a problem: a stale process, an unreadable registry entry, or a lag over --max-pending;
3 when NATS cannot be reached.

Examples:
  packettrail cluster status --nats nats://10.0.0.5:4222
  packettrail cluster status --nats nats://a:4222,nats://b:4222 --stream PACKETTRAIL_INTAKE --json
${EXIT_CODES_HELP}`,
    )
    .action(async (o: StatusOptions) => {
      const maxPending = Number(o.maxPending);
      if (!/^\d+$/.test(o.maxPending.trim()) || !Number.isSafeInteger(maxPending)) throw new CliError(`--max-pending must be a whole number, got '${terminalSafe(o.maxPending)}'`);
      if (!/^[-_a-zA-Z0-9]{1,255}$/.test(o.stream)) throw new CliError(`--stream must be a stream name (letters, digits, - and _), got '${terminalSafe(o.stream)}'`);
      const { natsServers } = await import('../observe/observability.js');
      let servers: string[];
      try {
        servers = natsServers(o.nats);
      } catch (e) {
        throw new CliError(`--nats: ${terminalSafe((e as Error).message)}`);
      }
      const { connect } = await import('@nats-io/transport-node');
      const { clusterStatus } = await import('../observe/cluster-status.js');
      let nc;
      try {
        nc = await connect({ servers, timeout: CLUSTER_CONNECT_TIMEOUT_MS, name: 'packettrail cluster status' });
      } catch (e) {
        throw new CliError(`cannot reach NATS at ${terminalSafe(o.nats)}: ${terminalSafe((e as Error).message)}`, EXIT.FATAL);
      }
      let status: ClusterStatus;
      try {
        status = await clusterStatus(nc, o.stream, maxPending);
      } catch (e) {
        throw new CliError(`cannot read the cluster's state from NATS: ${terminalSafe((e as Error).message)}`, EXIT.FATAL);
      } finally {
        await nc.close();
      }
      process.stdout.write(o.json ? `${JSON.stringify(status, null, 2)}\n` : renderClusterStatus(status));
      if (status.problems.length) process.exitCode = 1;
    });
}
