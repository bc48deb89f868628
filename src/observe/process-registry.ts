import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { PROCESS_BUCKET } from '../collect/nats/names.js';
import type { MetricsRegistry } from './metrics.js';
import { PACKETTRAIL_VERSION } from './process-metrics.js';
import { MAX_HEARTBEAT_SAMPLES, processRecordOf, type ProcessRecord } from './process-record.js';

/**
 * The process registry: every process that uses NATS (intake, workers, collectors, consoles) writes
 * a ProcessRecord under its own key of the KV bucket PROCESS_BUCKET every HEARTBEAT_EVERY_MS, and
 * deletes it when it stops. The bucket's TTL removes the key of a process that died without
 * deleting it, PROCESS_TTL_MS after its last heartbeat; until then `cluster status` shows it as
 * stale (no heartbeat for STALE_AFTER_HEARTBEATS intervals).
 */

export const HEARTBEAT_EVERY_MS = 5_000;
/** How long the key of a process that stopped heartbeating stays (shown as stale) before NATS removes it. */
export const PROCESS_TTL_MS = 10 * 60_000;
/** Missed heartbeats before `cluster status` calls a process stale. */
export const STALE_AFTER_HEARTBEATS = 3;
/** Processes `cluster status` reads at most. */
export const MAX_LISTED_PROCESSES = 10_000;

export interface RegisterOptions {
  nc: NatsConnection;
  kind: string;
  metrics: MetricsRegistry;
  /** The /metrics URL, when the process has a listener. */
  metricsUrl?: string | undefined;
  stream?: string | undefined;
  everyMs?: number;
  /** The bucket's TTL when this process creates it (an existing bucket keeps its own). */
  ttlMs?: number;
  /** Told once when heartbeats start failing and once when they work again (NATS down: the process keeps working). */
  say?(line: string): void;
}

export interface ProcessRegistration {
  id: string;
  /** Writes a heartbeat now (also done every everyMs). */
  beat(): Promise<void>;
  /** Stops heartbeating and deletes the key: a stopped process is not shown as stale. */
  stop(): Promise<void>;
}

/** The key of this process: KV keys allow `[-/_=.a-zA-Z0-9]`; anything else in the host name becomes `_`. */
function processId(kind: string): string {
  const host = hostname().replace(/[^-_a-zA-Z0-9]/g, '_').slice(0, 60) || 'host';
  return `${kind}-${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const isNotFound = (e: unknown) => e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;

/**
 * The bucket, created when missing: replicated on three nodes when the cluster has them (the registry
 * then outlives one node), else on one. Undefined when it is missing and `create` is false.
 */
export async function processBucket(nc: NatsConnection, create: boolean, ttlMs = PROCESS_TTL_MS): Promise<KV | undefined> {
  const jsm = await jetstreamManager(nc);
  const kvm = new Kvm(nc);
  try {
    await jsm.streams.info(`KV_${PROCESS_BUCKET}`);
    return await kvm.open(PROCESS_BUCKET);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!create) return undefined;
  try {
    return await kvm.create(PROCESS_BUCKET, { ttl: ttlMs, history: 1, replicas: 3 });
  } catch {
    // A single node (or a cluster of fewer than three): one replica.
    return kvm.create(PROCESS_BUCKET, { ttl: ttlMs, history: 1, replicas: 1 });
  }
}

/** Registers this process and heartbeats until stop(). The first heartbeat is written before it resolves. */
export async function registerProcess(o: RegisterOptions): Promise<ProcessRegistration> {
  const kv = (await processBucket(o.nc, true, o.ttlMs))!;
  const id = processId(o.kind);
  const everyMs = o.everyMs ?? HEARTBEAT_EVERY_MS;
  const started = new Date(Date.now() - process.uptime() * 1000).toISOString();
  const record = (): ProcessRecord => ({
    id, kind: o.kind, host: hostname(), pid: process.pid, started, version: PACKETTRAIL_VERSION,
    ...(o.metricsUrl ? { metrics: o.metricsUrl } : {}), ...(o.stream ? { stream: o.stream } : {}),
    heartbeat: new Date().toISOString(), everyMs,
    samples: o.metrics.samples().filter((s) => s.name.startsWith('packettrail_')).slice(0, MAX_HEARTBEAT_SAMPLES),
  });
  let failing = false;
  let beating: Promise<void> | undefined;
  const beat = (): Promise<void> => {
    beating ??= (async () => {
      try {
        await kv.put(id, JSON.stringify(record()));
        if (failing) o.say?.(`process registry: heartbeats to ${PROCESS_BUCKET} work again`);
        failing = false;
      } catch (e) {
        if (!failing) o.say?.(`process registry: heartbeat to ${PROCESS_BUCKET} failed (${(e as Error).message}); retrying every ${everyMs / 1000} s`);
        failing = true;
        throw e;
      } finally {
        beating = undefined;
      }
    })();
    return beating;
  };
  await beat();
  const timer = setInterval(() => beat().catch(() => {}), everyMs);
  timer.unref();
  return {
    id,
    beat,
    async stop() {
      clearInterval(timer);
      await beating?.catch(() => {});
      try {
        await kv.delete(id);
      } catch (e) {
        o.say?.(`process registry: could not remove ${id} (${(e as Error).message}); it shows as stale until it expires`);
      }
    },
  };
}

export interface ListedProcess {
  record: ProcessRecord;
  /** The server's time of the last heartbeat (not the process's clock). */
  seenAt: Date;
  stale: boolean;
}

/** Every registered process (by id), and the entries that are not readable records. */
export async function listProcesses(nc: NatsConnection, now = Date.now()): Promise<{ processes: ListedProcess[]; unreadable: { key: string; problem: string }[] }> {
  const kv = await processBucket(nc, false);
  const processes: ListedProcess[] = [];
  const unreadable: { key: string; problem: string }[] = [];
  if (!kv) return { processes, unreadable };
  // The keys from the stream's subject counts, not kv.keys(): its consumer waits for every message it
  // was told of, and a key the TTL removes meanwhile never comes (the listing hung).
  const prefix = `$KV.${PROCESS_BUCKET}.`;
  const info = await (await jetstreamManager(nc)).streams.info(`KV_${PROCESS_BUCKET}`, { subjects_filter: `${prefix}>` });
  const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length)).sort().slice(0, MAX_LISTED_PROCESSES);
  for (const key of keys) {
    const e = await kv.get(key);
    if (!e || e.operation !== 'PUT') continue;
    const r = processRecordOf(e.string());
    if ('problem' in r) {
      unreadable.push({ key, problem: r.problem });
      continue;
    }
    processes.push({ record: r, seenAt: e.created, stale: now - e.created.getTime() > STALE_AFTER_HEARTBEATS * r.everyMs });
  }
  return { processes, unreadable };
}
