import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { workerConsumer } from '../collect/nats/names.js';
import { listProcesses } from './process-registry.js';
import type { NamedSample } from './metrics.js';

/**
 * What `packettrail cluster status` reports (and prints as JSON with --json): the registered processes
 * with their inputs' counts, the intake stream and its workers' consumer, and the problems that make
 * it exit non-zero: a stale process, or more waiting than `maxPending` (the consumer's pending plus
 * unacknowledged batches, or an input's queue depth).
 */

/** Batches (or queue messages) waiting before `cluster status` calls the lag a problem: about an hour of a busy stream. */
export const DEFAULT_MAX_PENDING = 10_000;

export interface InputStatus {
  input: string;
  deliveries: number;
  records: number;
  events: number;
  stored: number;
  duplicates: number;
  rejected: number;
  errors: number;
  /** RFC 3339, when the input last failed. */
  lastError: string | null;
  queueDepth: number | null;
  queueInFlight: number | null;
}

export interface ProcessStatus {
  id: string;
  kind: string;
  host: string;
  pid: number;
  version: string;
  started: string;
  /** The server's time of its last heartbeat, and how long ago that was. */
  lastHeartbeat: string;
  heartbeatAgeSeconds: number;
  stale: boolean;
  metrics: string | null;
  stream: string | null;
  inputs: InputStatus[];
}

export interface StreamStatus {
  name: string;
  exists: boolean;
  messages: number | null;
  bytes: number | null;
  consumer: { name: string; exists: boolean; pending: number | null; ackPending: number | null; redelivered: number | null; waiting: number | null };
}

export interface ClusterStatus {
  at: string;
  processes: ProcessStatus[];
  /** Registry entries that are not readable records (written by something else, or corrupted). */
  unreadable: { key: string; problem: string }[];
  stream: StreamStatus;
  maxPending: number;
  problems: string[];
}

const INPUT_COUNTS = ['deliveries', 'records', 'events', 'stored', 'duplicates', 'rejected', 'errors'] as const;

/** The per-input samples of a heartbeat, one row per input. */
export function inputsOf(samples: readonly NamedSample[]): InputStatus[] {
  const by = new Map<string, InputStatus>();
  for (const s of samples) {
    const input = s.labels.input;
    if (input === undefined || !s.name.startsWith('packettrail_input_')) continue;
    let row = by.get(input);
    if (!row) {
      row = { input, deliveries: 0, records: 0, events: 0, stored: 0, duplicates: 0, rejected: 0, errors: 0, lastError: null, queueDepth: null, queueInFlight: null };
      by.set(input, row);
    }
    const what = s.name.slice('packettrail_input_'.length);
    const count = INPUT_COUNTS.find((c) => what === `${c}_total`);
    if (count) row[count] = s.value;
    else if (what === 'last_error_timestamp_seconds' && Number.isFinite(s.value)) row.lastError = new Date(s.value * 1000).toISOString();
    else if (what === 'queue_depth') row.queueDepth = s.value;
    else if (what === 'queue_in_flight') row.queueInFlight = s.value;
  }
  return [...by.values()].sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
}

const notFound = (e: unknown, code: number) => e instanceof JetStreamApiError && e.code === code;

async function streamStatus(nc: NatsConnection, stream: string): Promise<StreamStatus> {
  const jsm = await jetstreamManager(nc);
  const consumerName = workerConsumer(stream);
  const out: StreamStatus = { name: stream, exists: false, messages: null, bytes: null, consumer: { name: consumerName, exists: false, pending: null, ackPending: null, redelivered: null, waiting: null } };
  try {
    const info = await jsm.streams.info(stream);
    Object.assign(out, { exists: true, messages: info.state.messages, bytes: info.state.bytes });
  } catch (e) {
    if (notFound(e, JetStreamApiCodes.StreamNotFound)) return out;
    throw e;
  }
  try {
    const c = await jsm.consumers.info(stream, consumerName);
    out.consumer = { name: consumerName, exists: true, pending: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered, waiting: c.num_waiting };
  } catch (e) {
    if (!notFound(e, JetStreamApiCodes.ConsumerNotFound)) throw e;
  }
  return out;
}

export async function clusterStatus(nc: NatsConnection, stream: string, maxPending = DEFAULT_MAX_PENDING, now = Date.now()): Promise<ClusterStatus> {
  const { processes, unreadable } = await listProcesses(nc, now);
  const s = await streamStatus(nc, stream);
  const problems: string[] = [];
  const rows: ProcessStatus[] = processes.map(({ record: r, seenAt, stale }) => {
    const age = Math.max(0, Math.round((now - seenAt.getTime()) / 1000));
    if (stale) problems.push(`${r.kind} ${r.id} on ${r.host} is stale: no heartbeat for ${age} s (it beats every ${r.everyMs / 1000} s)`);
    const inputs = inputsOf(r.samples);
    for (const i of inputs) {
      if (i.queueDepth !== null && i.queueDepth > maxPending) problems.push(`input ${i.input} of ${r.id}: ${i.queueDepth} messages in its queue, over --max-pending ${maxPending}`);
    }
    return {
      id: r.id, kind: r.kind, host: r.host, pid: r.pid, version: r.version, started: r.started, lastHeartbeat: seenAt.toISOString(), heartbeatAgeSeconds: age,
      stale, metrics: r.metrics ?? null, stream: r.stream ?? null, inputs,
    };
  });
  for (const u of unreadable) problems.push(`registry entry ${u.key} is unreadable: ${u.problem}`);
  const c = s.consumer;
  if (c.exists) {
    const waiting = (c.pending ?? 0) + (c.ackPending ?? 0);
    if (waiting > maxPending) problems.push(`lag: ${waiting} batches not yet stored by the workers of ${stream} (${c.pending} pending, ${c.ackPending} delivered and not acknowledged), over --max-pending ${maxPending}`);
  } else if (s.exists && (s.messages ?? 0) > maxPending) {
    problems.push(`lag: stream ${stream} holds ${s.messages} batches and has no worker consumer (${c.name}: no worker ever pulled from it), over --max-pending ${maxPending}`);
  }
  return { at: new Date(now).toISOString(), processes: rows, unreadable, stream: s, maxPending, problems };
}
