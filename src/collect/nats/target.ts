import type { ConfigReader } from '../config-reader.js';
import { describe } from '../config-reader.js';
import { parseNatsUrl } from './connection.js';
import { DEFAULT_INTAKE_STREAM } from './names.js';
import { DEFAULT_DUPLICATE_WINDOW_S, DEFAULT_STREAM_MAX_AGE_S, DEFAULT_STREAM_MAX_BYTES, DEFAULT_STREAM_MAX_MSGS, type StreamSettings } from './stream.js';

/** Where pushed records go instead of the local pipeline: a NATS JetStream stream (`to:` / --to). */
export interface NatsTarget {
  url: string;
  stream: StreamSettings;
}

/** A stream name NATS takes (no dots, spaces or wildcards) and that names its subjects and consumer. */
export const STREAM_NAME = /^[\w-]{1,64}$/;
const STREAM_NAME_EXPECTED = 'a stream name of letters, digits, _ and - (at most 64)';
/** Largest stream size accepted in a config (1 PiB: a typo guard, not a server limit). */
const MAX_STREAM_BYTES = 2 ** 50;

/**
 * `to:` of the collect config: a `nats://` URL, or a mapping with `url`, `stream`, `replicas`,
 * `max_bytes`, `max_msgs`, `max_age` (seconds), `duplicate_window` (seconds). Issues go to `top`.
 */
export function readNatsTarget(top: ConfigReader): NatsTarget | undefined {
  if (!top.has('to')) return undefined;
  const raw = top.raw.to;
  if (typeof raw === 'string') {
    const url = natsUrlOf(top, 'to', raw);
    return url === undefined ? undefined : { url, stream: streamSettings(DEFAULT_INTAKE_STREAM) };
  }
  const section = top.section('to');
  if (!section) return undefined;
  const text = section.string('url', { required: true, expected: 'a nats:// URL (nats://host:port, several comma-separated for a cluster)' });
  const url = text === undefined ? undefined : natsUrlOf(section, 'url', text);
  const name = section.string('stream', { default: DEFAULT_INTAKE_STREAM, pattern: STREAM_NAME, expected: STREAM_NAME_EXPECTED })!;
  const s = streamSettings(name);
  if (section.has('replicas')) s.replicas = section.integer('replicas', { min: 1, max: 5, default: 1, unit: 'copies of each batch on different NATS servers' });
  s.maxBytes = section.integer('max_bytes', { min: 1024, max: MAX_STREAM_BYTES, default: DEFAULT_STREAM_MAX_BYTES, unit: 'bytes the stream holds before the intake answers 429' });
  s.maxMsgs = section.has('max_msgs') ? section.integer('max_msgs', { min: 1, max: Number.MAX_SAFE_INTEGER, default: DEFAULT_STREAM_MAX_MSGS, unit: 'batches the stream holds' }) : DEFAULT_STREAM_MAX_MSGS;
  s.maxAgeSeconds = section.integer('max_age', { min: 60, max: 365 * 86_400, default: DEFAULT_STREAM_MAX_AGE_S, unit: 'seconds a batch may wait for a worker' });
  s.duplicateWindowSeconds = section.integer('duplicate_window', { min: 1, max: 86_400, default: DEFAULT_DUPLICATE_WINDOW_S, unit: 'seconds within which a re-sent batch is appended once' });
  section.finish();
  return url === undefined ? undefined : { url, stream: s };
}

function streamSettings(name: string): StreamSettings {
  return { name, maxBytes: DEFAULT_STREAM_MAX_BYTES, maxMsgs: DEFAULT_STREAM_MAX_MSGS, maxAgeSeconds: DEFAULT_STREAM_MAX_AGE_S, duplicateWindowSeconds: DEFAULT_DUPLICATE_WINDOW_S };
}

function natsUrlOf(reader: ConfigReader, key: string, text: unknown): string | undefined {
  if (typeof text !== 'string') {
    reader.issue(key, `expected a nats:// URL or a mapping with url:, got ${describe(text)}`);
    return undefined;
  }
  try {
    parseNatsUrl(text);
    return text;
  } catch (e) {
    reader.issue(key, (e as Error).message);
    return undefined;
  }
}

/** --to / --stream / --replicas over the config's `to:`. Throws with what was expected. */
export function overrideNatsTarget(target: NatsTarget | undefined, o: { to?: string | undefined; stream?: string | undefined; replicas?: string | undefined }): NatsTarget | undefined {
  if (o.to === undefined && o.stream === undefined && o.replicas === undefined) return target;
  const url = o.to ?? target?.url;
  if (url === undefined) throw new Error('--stream and --replicas go with --to nats://… (or to: in the config)');
  parseNatsUrl(url);
  const stream: StreamSettings = { ...(target?.stream ?? streamSettings(DEFAULT_INTAKE_STREAM)) };
  if (o.stream !== undefined) {
    if (!STREAM_NAME.test(o.stream)) throw new Error(`--stream: expected ${STREAM_NAME_EXPECTED}, got '${o.stream.slice(0, 80)}'`);
    stream.name = o.stream;
  }
  if (o.replicas !== undefined) {
    if (!/^[1-5]$/.test(o.replicas)) throw new Error(`--replicas: expected a whole number from 1 to 5, got '${o.replicas.slice(0, 20)}'`);
    stream.replicas = Number(o.replicas);
  }
  return { url, stream };
}
