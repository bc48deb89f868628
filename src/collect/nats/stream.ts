import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { intakeSubjectPrefix } from './names.js';

/** The stream's size limit (bytes) when none is given: past it the intake answers 429 until workers catch up. */
export const DEFAULT_STREAM_MAX_BYTES = 4 * 1024 ** 3;
/** The stream's message limit when none is given (-1: none, bytes limit only). */
export const DEFAULT_STREAM_MAX_MSGS = -1;
/** How long an unprocessed batch may wait in the stream when no limit is given (7 days: a long weekend of dead workers). */
export const DEFAULT_STREAM_MAX_AGE_S = 7 * 86_400;
/** JetStream's duplicate window (Nats-Msg-Id): a batch re-sent within it (a client retrying after a lost answer) is appended once. */
export const DEFAULT_DUPLICATE_WINDOW_S = 120;
/** Replicas are capped at 3 (JetStream's usual quorum; 5 is allowed but rarely worth the writes). */
export const MAX_DEFAULT_REPLICAS = 3;

export interface StreamSettings {
  name: string;
  /** Undefined: min(MAX_DEFAULT_REPLICAS, cluster size). */
  replicas?: number | undefined;
  maxBytes: number;
  maxMsgs: number;
  maxAgeSeconds: number;
  duplicateWindowSeconds: number;
}

export function defaultStreamSettings(name: string): StreamSettings {
  return { name, maxBytes: DEFAULT_STREAM_MAX_BYTES, maxMsgs: DEFAULT_STREAM_MAX_MSGS, maxAgeSeconds: DEFAULT_STREAM_MAX_AGE_S, duplicateWindowSeconds: DEFAULT_DUPLICATE_WINDOW_S };
}

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * What the intake stream must be: file storage; work-queue retention (a batch leaves the stream once a
 * worker acknowledged it, so the limits bound what waits, not what was ever sent); discard new (full →
 * refuse, never drop a batch the sender was told is safe).
 */
export function intakeStreamConfig(s: StreamSettings, clusterSize: number): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [`${intakeSubjectPrefix(s.name)}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    discard: DiscardPolicy.New,
    num_replicas: s.replicas ?? Math.min(MAX_DEFAULT_REPLICAS, clusterSize),
    max_bytes: s.maxBytes,
    max_msgs: s.maxMsgs,
    max_age: s.maxAgeSeconds * NANOS_PER_SECOND,
    duplicate_window: s.duplicateWindowSeconds * NANOS_PER_SECOND,
  };
}

/** The stream exists with settings the intake cannot work with (another tool made it): fixing it is the operator's choice. */
export class StreamMismatchError extends Error {}

/**
 * Creates the intake stream, or checks the one that exists: what decides the delivery guarantee
 * (storage, retention, discard policy, subjects, replicas) must match, or this throws saying what
 * differs; the limits (bytes, messages, age, duplicate window) are updated to the ones given when
 * `updateLimits` (the intake owns them; a worker leaves them as they are).
 */
export async function ensureIntakeStream(jsm: JetStreamManager, s: StreamSettings, clusterSize: number, updateLimits: boolean): Promise<StreamInfo> {
  const wanted = intakeStreamConfig(s, clusterSize);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(s.name);
  } catch (e) {
    if (!(e instanceof JetStreamApiError) || e.code !== 10059) throw e;
  }
  if (!info) {
    try {
      return await jsm.streams.add(wanted);
    } catch (e) {
      // Another intake or worker created it meanwhile: check theirs.
      if (!(e instanceof JetStreamApiError) || !/already in use/i.test(e.message)) throw new Error(`cannot create the stream ${s.name}: ${(e as Error).message}`);
      info = await jsm.streams.info(s.name);
    }
  }
  const have = info.config;
  const problems: string[] = [];
  if (have.storage !== wanted.storage) problems.push(`storage is ${have.storage}, expected ${wanted.storage}`);
  if (have.retention !== wanted.retention) problems.push(`retention is ${have.retention}, expected ${wanted.retention}`);
  if (have.discard !== wanted.discard) problems.push(`discard is ${have.discard}, expected ${wanted.discard} (a full stream must refuse new batches, not drop stored ones)`);
  if (!(have.subjects ?? []).includes(wanted.subjects![0]!)) problems.push(`subjects are ${JSON.stringify(have.subjects ?? [])}, expected to include ${wanted.subjects![0]}`);
  if (s.replicas !== undefined && have.num_replicas !== s.replicas) problems.push(`it has ${have.num_replicas} replica(s), --replicas asks for ${s.replicas}`);
  if (problems.length) throw new StreamMismatchError(`the NATS stream ${s.name} exists with other settings: ${problems.join('; ')}. Delete it or choose another --stream`);
  if (!updateLimits) return info;
  if (have.max_bytes === wanted.max_bytes && have.max_msgs === wanted.max_msgs && have.max_age === wanted.max_age && have.duplicate_window === wanted.duplicate_window) return info;
  try {
    return await jsm.streams.update(s.name, { max_bytes: wanted.max_bytes, max_msgs: wanted.max_msgs, max_age: wanted.max_age, duplicate_window: wanted.duplicate_window });
  } catch (e) {
    throw new Error(`cannot update the limits of the stream ${s.name}: ${(e as Error).message}`);
  }
}
