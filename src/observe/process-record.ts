import type { NamedSample } from './metrics.js';

/**
 * What a process writes about itself in the process registry (NATS KV bucket PROCESS_BUCKET, one key
 * per process, rewritten every heartbeat): the contract between the processes and `cluster status`.
 * Anyone who may write to the bucket may write anything there: readers check every field
 * (processRecordOf) and render each through terminalSafe.
 */
export interface ProcessRecord {
  /** The key: `<kind>-<host>-<pid>-<random>`, unique per run of a process. */
  id: string;
  /** collect, worker, serve, intake. */
  kind: string;
  host: string;
  pid: number;
  /** RFC 3339 UTC. */
  started: string;
  version: string;
  /** Where its /metrics answers, when it has a listener. */
  metrics?: string;
  /** The JetStream stream it feeds or pulls from, when it does. */
  stream?: string;
  /** RFC 3339 UTC, by the process's clock (the reader judges staleness by the server's time of the entry). */
  heartbeat: string;
  /** Milliseconds between heartbeats: a reader marks the process stale after a few missed ones. */
  everyMs: number;
  /** Its counters and gauges at the heartbeat (the packettrail_* families). */
  samples: NamedSample[];
}

/** Samples a heartbeat carries at most (a process with that many inputs is a bug): the entry stays far below NATS' max_payload. */
export const MAX_HEARTBEAT_SAMPLES = 2_000;
/** Longest text field accepted from an entry: longer ones make it unreadable. */
const MAX_FIELD = 1_000;

const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_FIELD;

/** The record in an entry's JSON, or why it is not one. */
export function processRecordOf(json: string): ProcessRecord | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return { problem: 'not JSON' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { problem: 'not a JSON object' };
  const r = v as Record<string, unknown>;
  for (const f of ['id', 'kind', 'host', 'started', 'version', 'heartbeat'] as const) if (!isText(r[f])) return { problem: `${f} is not a text of at most ${MAX_FIELD} characters` };
  for (const f of ['metrics', 'stream'] as const) if (r[f] !== undefined && !isText(r[f])) return { problem: `${f} is not a text of at most ${MAX_FIELD} characters` };
  if (!Number.isSafeInteger(r.pid)) return { problem: 'pid is not a whole number' };
  if (!Number.isSafeInteger(r.everyMs) || (r.everyMs as number) <= 0) return { problem: 'everyMs is not a positive whole number' };
  if (!Array.isArray(r.samples) || r.samples.length > MAX_HEARTBEAT_SAMPLES) return { problem: `samples is not a list of at most ${MAX_HEARTBEAT_SAMPLES}` };
  const samples: NamedSample[] = [];
  for (const s of r.samples as unknown[]) {
    const x = s as Partial<NamedSample> | null;
    if (!x || !isText(x.name) || typeof x.value !== 'number' || !x.labels || typeof x.labels !== 'object') return { problem: 'a sample is not {name, labels, value}' };
    const labels = Object.entries(x.labels);
    if (labels.some(([k, l]) => !isText(k) || !isText(l))) return { problem: 'a sample label is not text' };
    samples.push({ name: x.name, labels: Object.fromEntries(labels) as Record<string, string>, value: x.value });
  }
  return {
    id: r.id as string, kind: r.kind as string, host: r.host as string, pid: r.pid as number, started: r.started as string, version: r.version as string,
    ...(r.metrics !== undefined ? { metrics: r.metrics as string } : {}), ...(r.stream !== undefined ? { stream: r.stream as string } : {}),
    heartbeat: r.heartbeat as string, everyMs: r.everyMs as number, samples,
  };
}
