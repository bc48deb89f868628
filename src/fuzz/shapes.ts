import { gzipSync } from 'node:zlib';
import type { Rng } from '../generate/random.js';

/**
 * How records travel to packettrail besides plain lines: inside AWS transport envelopes (CloudWatch
 * Logs subscription payloads, plain or gzip+base64; Firehose batches and base64 lines) and in gzip
 * files — including decompression bombs, both as whole files and as base64 gzip payloads inside
 * envelopes.
 */

export const ENVELOPE_KINDS = ['cloudwatch-json', 'cloudwatch-gzip-base64', 'firehose-batch', 'firehose-line', 'firehose-cloudwatch'] as const;
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number];

/** Records per envelope at most (a CloudWatch payload holds many; a Firehose line one). */
export const MAX_RECORDS_PER_ENVELOPE = 5;

function cloudwatchPayload(records: Buffer[], rng: Rng): string {
  const t = 1795168800000 + rng.int(0, 3_600_000);
  return JSON.stringify({
    messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/fuzz/group', logStream: 'stream-1', subscriptionFilters: ['fuzz'],
    logEvents: records.map((r, i) => ({ id: `3${String(t).padStart(55, '0')}${i}`, timestamp: t + i, message: r.toString('utf8') })),
  });
}

const base64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** One envelope line around `records` (a Firehose line carries only the first). */
export function envelopeLine(kind: EnvelopeKind, records: Buffer[], rng: Rng): Buffer {
  switch (kind) {
    case 'cloudwatch-json':
      return Buffer.from(cloudwatchPayload(records, rng));
    case 'cloudwatch-gzip-base64':
      return Buffer.from(base64(gzipSync(cloudwatchPayload(records, rng))));
    case 'firehose-batch':
      return Buffer.from(JSON.stringify({ requestId: 'fuzz-request', timestamp: 1795168800000, records: records.map((r) => ({ data: base64(r) })) }));
    case 'firehose-line':
      return Buffer.from(base64(records[0]!));
    case 'firehose-cloudwatch':
      return Buffer.from(JSON.stringify({ requestId: 'fuzz-request', timestamp: 1795168800000, records: [{ data: base64(gzipSync(cloudwatchPayload(records, rng))) }] }));
  }
}

/** How many records an envelope kind carries from the `count` offered. */
export function envelopeCapacity(kind: EnvelopeKind, count: number): number {
  return kind === 'firehose-line' ? 1 : count;
}

const MIB = 1 << 20;
/** One gzip member's inflated size in a bomb; members are repeated (gzip readers inflate them all, one after the other). */
const BOMB_MEMBER_BYTES = 64 * MIB;
const memberCache = new Map<string, Buffer>();

function member(fill: 'zeros' | 'newlines', bytes: number): Buffer {
  const key = `${fill} ${bytes}`;
  let m = memberCache.get(key);
  if (!m) {
    m = gzipSync(Buffer.alloc(bytes, fill === 'zeros' ? 0 : 0x0a), { level: 9 });
    memberCache.set(key, m);
  }
  return m;
}

export interface GzipBomb {
  fill: 'zeros' | 'newlines';
  /** Inflated size, MiB. */
  inflatedMib: number;
}

/** `content` gzipped, followed by gzip members inflating to `bomb.inflatedMib` MiB of NUL bytes or line feeds. */
export function gzipBomb(content: Buffer, bomb: GzipBomb): Buffer {
  const total = bomb.inflatedMib * MIB;
  const size = Math.min(BOMB_MEMBER_BYTES, total);
  return Buffer.concat([gzipSync(content), ...Array.from({ length: Math.ceil(total / size) }, () => member(bomb.fill, size))]);
}

/** Payloads in a bomb envelope, and what each inflates to: just under the envelope reader's 64 MiB per payload. */
export const ENVELOPE_BOMB_PAYLOADS = 16;
const ENVELOPE_BOMB_PAYLOAD_BYTES = 60 * MIB;
let envelopeBombCache: string | undefined;

/**
 * A Firehose batch line whose base64 gzip payloads each inflate to 60 MiB of one-character lines:
 * a few hundred kilobytes that open into millions of records.
 */
export function envelopeBombLine(): Buffer {
  envelopeBombCache ??= base64(gzipSync(Buffer.from('x\n'.repeat(ENVELOPE_BOMB_PAYLOAD_BYTES / 2)), { level: 9 }));
  return Buffer.from(JSON.stringify({ requestId: 'fuzz-bomb', timestamp: 1795168800000, records: Array.from({ length: ENVELOPE_BOMB_PAYLOADS }, () => ({ data: envelopeBombCache })) }));
}
