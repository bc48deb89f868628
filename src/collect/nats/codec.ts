import { createHash } from 'node:crypto';
import type { Delivery } from '../intake.js';
import { intakeSubjectPrefix } from './names.js';

/** Bytes kept free under the server's max_payload for the headers (Nats-Msg-Id) and the subject. */
export const PAYLOAD_HEADROOM_BYTES = 1024;
/** The version of the message body: a worker refuses (dead-letters) bodies of a version it does not know. */
export const DELIVERY_MESSAGE_VERSION = 1;

interface DeliveryMessage extends Delivery {
  v: number;
}

export interface EncodedPart {
  subject: string;
  /** Deterministic: the same part of the same delivery gets the same id, so a re-send within the duplicate window is appended once. */
  msgId: string;
  data: Uint8Array;
  lines: number;
}

export interface EncodedDelivery {
  parts: EncodedPart[];
  /** Records that alone exceed the message size: they cannot travel through the stream. */
  tooLarge: { line: number; reason: string; record: string }[];
}

/** The stream subject of a format (`packettrail.<stream>.<format>`); characters a subject cannot hold become `_`. */
export function subjectFor(stream: string, format: string): string {
  const token = format.replace(/[^\w.-]/g, '_').replace(/^\.+|\.+$/g, '').replace(/\.{2,}/g, '.') || '_';
  return `${intakeSubjectPrefix(stream)}.${token}`;
}

function messageId(d: Delivery): string {
  const h = createHash('sha256');
  h.update(d.source).update('\0').update(String(d.firstLine ?? 1)).update('\0').update(d.format).update('\0');
  h.update(JSON.stringify(d.formatOptions ?? {})).update('\0').update((d.header ?? []).join('\n')).update('\0');
  for (const line of d.lines) h.update(line).update('\n');
  return h.digest('hex').slice(0, 40);
}

function encode(d: Delivery): Uint8Array {
  const m: DeliveryMessage = { v: DELIVERY_MESSAGE_VERSION, ...d };
  return Buffer.from(JSON.stringify(m), 'utf8');
}

/**
 * A delivery as stream messages, each under `maxPayload` bytes: lines are split into consecutive
 * parts (each keeps the header and its own first line number, so dead letters still point at the
 * right line of the source).
 */
export function encodeDelivery(stream: string, d: Delivery, maxPayload: number): EncodedDelivery {
  const budget = maxPayload - PAYLOAD_HEADROOM_BYTES;
  const subject = subjectFor(stream, d.format);
  const first = d.firstLine ?? 1;
  const base = Buffer.byteLength(JSON.stringify({ ...d, v: DELIVERY_MESSAGE_VERSION, lines: [], firstLine: Number.MAX_SAFE_INTEGER }), 'utf8');
  const parts: EncodedPart[] = [];
  const tooLarge: EncodedDelivery['tooLarge'] = [];
  let start = -1;
  let size = base;
  const flush = (end: number) => {
    if (start < 0) return;
    const part: Delivery = { ...d, lines: d.lines.slice(start, end), firstLine: first + start };
    parts.push({ subject, msgId: messageId(part), data: encode(part), lines: end - start });
    start = -1;
    size = base;
  };
  d.lines.forEach((line, i) => {
    const cost = Buffer.byteLength(JSON.stringify(line), 'utf8') + 1;
    if (base + cost > budget) {
      flush(i);
      tooLarge.push({ line: first + i, reason: `record of ${Buffer.byteLength(line, 'utf8')} bytes exceeds what one NATS message carries (max_payload ${maxPayload} bytes)`, record: line });
      return;
    }
    if (start >= 0 && size + cost > budget) flush(i);
    if (start < 0) start = i;
    size += cost;
  });
  flush(d.lines.length);
  return { parts, tooLarge };
}

/** A stream message back into a Delivery; throws saying what is wrong when it is not one. */
export function decodeDelivery(data: Uint8Array): Delivery {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const m = value as Partial<DeliveryMessage> | null;
  if (typeof m !== 'object' || m === null) throw new Error('expected a JSON object (a packettrail delivery)');
  if (m.v !== DELIVERY_MESSAGE_VERSION) throw new Error(`expected message version ${DELIVERY_MESSAGE_VERSION}, got ${JSON.stringify(m.v)}`);
  if (typeof m.source !== 'string' || typeof m.format !== 'string' || !Array.isArray(m.lines) || m.lines.some((l) => typeof l !== 'string')) {
    throw new Error('expected source, format (strings) and lines (a list of strings)');
  }
  if (m.firstLine !== undefined && (typeof m.firstLine !== 'number' || !Number.isInteger(m.firstLine) || m.firstLine < 1)) throw new Error('expected firstLine to be a whole number ≥ 1');
  if (m.header !== undefined && (!Array.isArray(m.header) || m.header.some((l) => typeof l !== 'string'))) throw new Error('expected header to be a list of strings');
  if (m.formatOptions !== undefined && (typeof m.formatOptions !== 'object' || m.formatOptions === null || Object.values(m.formatOptions).some((v) => typeof v !== 'string'))) {
    throw new Error('expected formatOptions to map names to strings');
  }
  const d: Delivery = { source: m.source, format: m.format, lines: m.lines };
  if (m.firstLine !== undefined) d.firstLine = m.firstLine;
  if (m.header !== undefined) d.header = m.header;
  if (m.formatOptions !== undefined) d.formatOptions = m.formatOptions;
  return d;
}
