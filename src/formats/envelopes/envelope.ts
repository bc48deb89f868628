import { InflateBudget, InflateLimitError } from '../../util/bounded-inflate.js';

/**
 * Transport envelopes AWS wraps around log records on the way from a service to a file:
 *   - CloudWatch Logs subscription payloads `{"messageType":"DATA_MESSAGE","owner","logGroup","logStream",
 *     "subscriptionFilters","logEvents":[{"id","timestamp","message"}]}` — as JSON, or gzipped and base64
 *     encoded as Kinesis and Firehose deliver them; `CONTROL_MESSAGE`s carry no records;
 *   - Firehose record batches `{"requestId","timestamp","records":[{"data":"<base64>"}]}` (HTTP endpoint
 *     request bodies) and one base64 record per line.
 * This module only recognizes and opens them: every inner message is handed to the real format.
 * Concatenated CloudWatch payloads (`{…}{…}`, what Firehose writes to S3 from gzip members) are split.
 * Opening is bounded per record (one line): everything inflated inside it shares one InflateBudget
 * (src/util/bounded-inflate.ts), and it may hold at most MAX_ENVELOPE_RECORDS records, so a small
 * line can neither inflate without bound nor fan out into millions of records.
 */

/** Fields an envelope contributes to each inner event (ECS path → value), set only where the event has none. */
export type EnvelopeContext = Record<string, string>;

export type EnvelopeRecord =
  /** An inner record for the format; `where` locates it (`logEvents[3]`, `records[2].logEvents[0]`). */
  | { where: string; text: string; context: EnvelopeContext }
  /** An inner payload that could not be opened; `text` is what was found, for the dead letter. */
  | { where: string; text: string; error: string }
  /** An inner payload that carries no record (a control message inside a Firehose batch). */
  | { where: string; skip: string };

export type Unwrapped = { records: EnvelopeRecord[] } | { skip: string } | { reject: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MIN_BASE64 = 16;
/**
 * Most records one envelope line may hold. A CloudWatch Logs batch holds at most 10,000 events; a
 * Firehose record is at most 1,000 KiB, so 50,000 lines means lines of 20 bytes. More is a line
 * built to multiply itself (a few KB of gzip opening into millions of one-character lines): it is
 * rejected whole, and what one line yields stays small enough to hold in memory.
 */
export const MAX_ENVELOPE_RECORDS = 50_000;
const MAX_DEPTH = 3;
const CONTROL = 'cloudwatch control message';
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a line (or a whole JSON document) if it is an envelope; `undefined` when it is not one, so any
 * format can call it first. Cheap for non-envelopes: a character test and a few `indexOf`s, no
 * allocation. `totals.inflated` grows by the bytes inflated to open the line.
 */
export function unwrapEnvelope(line: string, totals?: { inflated: number }): Unwrapped | undefined {
  if (!mayBeEnvelope(line)) return undefined;
  const opening: Opening = { budget: new InflateBudget(line.length), records: 0 };
  try {
    return unwrap(line, '', 0, opening);
  } catch (e) {
    if (e instanceof TooManyRecords) return { reject: e.message };
    throw e;
  } finally {
    if (totals) totals.inflated += opening.budget.inflated;
  }
}

/**
 * The first tests `unwrap` makes, before anything is allocated for the line: text lines (CloudFront,
 * VPC flow) stop here. JSON lines go on (unwrapJson looks at their keys once).
 */
function mayBeEnvelope(line: string): boolean {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) <= 32) i++;
  if (i === line.length) return false;
  const c = line.charCodeAt(i);
  if (c === 123 /* { */) return true;
  return isBase64Char(c) && line.length >= MIN_BASE64 && (line.length & 3) === 0 && BASE64.test(line);
}

/** The limits one line is opened within (see MAX_ENVELOPE_RECORDS, InflateBudget). */
interface Opening {
  budget: InflateBudget;
  records: number;
}

class TooManyRecords extends Error {}

/** Counts records about to be made from one line; past the limit the whole line is rejected. */
function countRecords(opening: Opening, n: number): void {
  opening.records += n;
  if (opening.records > MAX_ENVELOPE_RECORDS) {
    throw new TooManyRecords(`envelope holds more than ${MAX_ENVELOPE_RECORDS} records, the limit for one line (MAX_ENVELOPE_RECORDS)`);
  }
}

function unwrap(line: string, prefix: string, depth: number, opening: Opening): Unwrapped | undefined {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) <= 32) i++;
  if (i === line.length) return undefined;
  const c = line.charCodeAt(i);
  if (c === 123 /* { */) return unwrapJson(line, prefix, depth, opening);
  if (isBase64Char(c) && line.length >= MIN_BASE64 && (line.length & 3) === 0 && BASE64.test(line)) return unwrapBase64(line, prefix, depth, opening);
  return undefined;
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Envelope objects name themselves near their start: CloudWatch writes `messageType` first and its
 * other keys are short (or `logEvents` comes first); Firehose's `records` follows two short keys.
 * Looking only at the head keeps large non-envelope documents (CloudTrail Records files) cheap.
 */
const HEAD_CHARS = 4096;
const FIREHOSE_HEAD = /"records"\s*:\s*\[\s*\{[^{}]{0,400}?"data"\s*:\s*"/;
/**
 * Any of the three keys, in one pass: every JSON line of every format comes through here, and three
 * `indexOf` passes over a 2.5 KB Defender record took 3.8 µs, this 0.9.
 */
const ENVELOPE_KEY = /"(?:messageType|logEvents|records)"/;

function unwrapJson(text: string, prefix: string, depth: number, opening: Opening): Unwrapped | undefined {
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  if (!ENVELOPE_KEY.test(head)) return undefined;
  const cloudwatch = head.indexOf('"messageType"') >= 0 || head.indexOf('"logEvents"') >= 0;
  // `records` alone is common (Azure Event Hubs exports); Firehose records start with their `data`.
  const firehose = !cloudwatch && head.indexOf('"records"') >= 0 && FIREHOSE_HEAD.test(head);
  if (!cloudwatch && !firehose) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return cloudwatch ? concatenated(text, prefix, depth, opening) : undefined;
  }
  return fromObject(value, prefix, depth, opening);
}

/** Envelope structure check after parsing: other JSON that merely mentions the key names is not one. */
function fromObject(value: unknown, prefix: string, depth: number, opening: Opening): Unwrapped | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.messageType === 'string' && (Array.isArray(o.logEvents) || o.messageType === 'CONTROL_MESSAGE')) return cloudwatch(o, prefix, opening);
  if (Array.isArray(o.records) && o.records.length > 0 && o.records.every((r) => r !== null && typeof r === 'object' && typeof (r as { data?: unknown }).data === 'string')) {
    return firehose(o.records as { data: string }[], prefix, depth, opening);
  }
  return undefined;
}

function cloudwatch(o: Record<string, unknown>, prefix: string, opening: Opening): Unwrapped {
  if (o.messageType === 'CONTROL_MESSAGE') return { skip: CONTROL };
  if (o.messageType !== 'DATA_MESSAGE') return { reject: `CloudWatch Logs payload with unknown messageType '${String(o.messageType).slice(0, 40)}'` };
  const context: EnvelopeContext = {};
  if (typeof o.logGroup === 'string' && o.logGroup) context['aws.cloudwatch.log_group'] = o.logGroup;
  if (typeof o.logStream === 'string' && o.logStream) context['aws.cloudwatch.log_stream'] = o.logStream;
  if (typeof o.owner === 'string' && /^\d{12}$/.test(o.owner)) context['cloud.account.id'] = o.owner;
  const events = o.logEvents as unknown[];
  if (!events.length) return { skip: 'empty cloudwatch message' };
  countRecords(opening, events.length);
  const records: EnvelopeRecord[] = [];
  for (let k = 0; k < events.length; k++) {
    const where = `${prefix}logEvents[${k}]`;
    const e = events[k] as { message?: unknown } | null;
    const message = e !== null && typeof e === 'object' ? e.message : undefined;
    if (typeof message !== 'string') records.push({ where, text: JSON.stringify(e) ?? '', error: 'log event has no message string' });
    else if (message.trim() !== '') records.push({ where, text: message.endsWith('\n') ? message.replace(/\r?\n$/, '') : message, context });
  }
  return records.length ? { records } : { skip: 'empty cloudwatch message' };
}

function firehose(list: { data: string }[], prefix: string, depth: number, opening: Opening): Unwrapped {
  // Each Firehose record yields at least one entry (a record, a rejection or a skip).
  countRecords(opening, list.length);
  const records: EnvelopeRecord[] = [];
  for (let k = 0; k < list.length; k++) {
    const where = `${prefix}records[${k}]`;
    const data = list[k]!.data.trim();
    if (!BASE64.test(data) || data.length % 4 !== 0) {
      records.push({ where, text: data, error: 'data is not base64' });
      continue;
    }
    const inner = unwrapBase64(data, `${where}.`, depth, opening, true);
    if (!inner) records.push({ where, text: data, error: 'base64 data decodes to binary that is neither gzip nor UTF-8 text' });
    else if ('skip' in inner) records.push({ where, skip: inner.skip });
    else if ('reject' in inner) records.push({ where, text: data, error: inner.reject });
    else if (!inner.records.length) records.push({ where, skip: 'empty firehose record' });
    else {
      // Counted once above already.
      countRecords(opening, -1);
      for (const r of inner.records) records.push(r);
    }
  }
  return { records };
}

/**
 * A base64 payload: gzip (a CloudWatch subscription payload) or text (a Firehose record: a log line,
 * a JSON event, possibly several lines). Binary that is neither is not claimed unless `claimed`.
 */
function unwrapBase64(b64: string, prefix: string, depth: number, opening: Opening, claimed = false): Unwrapped | undefined {
  const bytes = Buffer.from(b64, 'base64');
  let text: string;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      text = opening.budget.gunzip(bytes).toString('utf8');
    } catch (e) {
      if (e instanceof InflateLimitError) return { reject: `base64 payload is gzip and ${e.message}` };
      return { reject: `base64 payload is gzip but does not inflate: ${(e as Error).message}` };
    }
  } else {
    try {
      text = textDecoder.decode(bytes);
    } catch {
      return claimed ? { reject: 'base64 payload is neither gzip nor UTF-8 text' } : undefined;
    }
    if (!claimed && !printable(text)) return undefined;
  }
  if (depth < MAX_DEPTH) {
    const inner = unwrap(text, prefix, depth + 1, opening);
    if (inner) return inner;
  }
  return { records: textRecords(text, prefix, opening) };
}

/** Plain text from a Firehose record: one record, or one per line when it holds several lines. */
function textRecords(text: string, prefix: string, opening: Opening): EnvelopeRecord[] {
  const body = text.replace(/\r?\n$/, '');
  const label = prefix ? prefix.slice(0, -1) : 'data';
  if (body.indexOf('\n') < 0 || isJsonDocument(body)) {
    if (!body.trim()) return [];
    countRecords(opening, 1);
    return [{ where: label, text: body, context: {} }];
  }
  // Counted before splitting: a line past the limit is not split at all.
  let lines = 1;
  for (let i = body.indexOf('\n'); i >= 0 && lines <= MAX_ENVELOPE_RECORDS; i = body.indexOf('\n', i + 1)) lines++;
  countRecords(opening, lines);
  const out: EnvelopeRecord[] = [];
  body.split(/\r?\n/).forEach((line, n) => {
    if (line.trim() !== '') out.push({ where: `${label} line ${n + 1}`, text: line, context: {} });
  });
  return out;
}

function isJsonDocument(text: string): boolean {
  const t = text.trimStart();
  if (t.charCodeAt(0) !== 123) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function printable(text: string): boolean {
  return text.length > 0 && !CONTROL_CHARS.test(text);
}

/** `{…}{…}`: CloudWatch payloads written back to back (gzip members concatenated by Firehose into S3). */
function concatenated(text: string, prefix: string, depth: number, opening: Opening): Unwrapped | undefined {
  const parts = text.trim().split(/\}\s*(?=\{"messageType")/);
  if (parts.length < 2) return undefined;
  const records: EnvelopeRecord[] = [];
  for (let k = 0; k < parts.length; k++) {
    const part = k < parts.length - 1 ? `${parts[k]}}` : parts[k]!;
    const where = `${prefix}payload[${k}]`;
    let value: unknown;
    try {
      value = JSON.parse(part);
    } catch (e) {
      records.push({ where, text: part, error: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    const inner = fromObject(value, `${where}.`, depth, opening);
    if (!inner) records.push({ where, text: part, error: 'not a CloudWatch Logs payload' });
    else if ('skip' in inner) records.push({ where, skip: inner.skip });
    else if ('reject' in inner) records.push({ where, text: part, error: inner.reject });
    else for (const r of inner.records) records.push(r);
  }
  return { records };
}

const ENVELOPE_DOCUMENT = /^\s*\{[\s\S]{0,4096}?("messageType"\s*:\s*"(DATA|CONTROL)_MESSAGE"|"records"\s*:\s*\[\s*\{[^{}]{0,400}?"data"\s*:\s*")/;

/** The start of a (pretty-printed) envelope document, from the first chunk of a file. */
export function isEnvelopeDocument(text: string): boolean {
  return ENVELOPE_DOCUMENT.test(text.length > 8192 ? text.slice(0, 8192) : text);
}

const SAMPLE_RECORDS = 20;
const DATA_FIELD = /"data"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})"/g;
const MESSAGE_FIELD = /"message"\s*:\s*("(?:[^"\\]|\\.)*")/g;

/**
 * Detection sample lines with envelopes opened: the inner records stand in for the lines that held
 * them, so `detectFormat` sees VPC flow lines or CloudTrail events rather than base64. `text` (the
 * first chunk) lets a pretty-printed envelope document be opened too, even when it is cut short.
 */
export function unwrapSample(lines: string[], text?: string): string[] {
  const out: string[] = [];
  let opened = false;
  const take = (u: Unwrapped | undefined): boolean => {
    if (!u) return false;
    opened = true;
    if (!('records' in u)) return true;
    for (const r of u.records) {
      if (out.length >= SAMPLE_RECORDS * 4) break;
      if ('context' in r) for (const l of r.text.split('\n', SAMPLE_RECORDS)) out.push(l);
    }
    return true;
  };
  if (text !== undefined && isEnvelopeDocument(text) && !lines.some((l) => safeUnwrap(l) !== undefined)) {
    if (take(safeUnwrap(text))) return out.slice(0, SAMPLE_RECORDS * 4);
    return sampleFromCutDocument(text);
  }
  // The sample cuts long lines; an envelope line (a 1 MB Kinesis record) must be opened whole.
  const whole = text !== undefined ? firstLines(text, lines.length) : lines;
  for (let k = 0; k < lines.length; k++) {
    // Enough inner records to decide: do not inflate every remaining payload of the sample.
    if (opened && out.length >= SAMPLE_RECORDS) break;
    if (!take(safeUnwrap(whole[k] ?? lines[k]!))) out.push(lines[k]!);
  }
  return opened ? out.slice(0, Math.max(SAMPLE_RECORDS, lines.length)) : lines;
}

function firstLines(text: string, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < count && start <= text.length) {
    const nl = text.indexOf('\n', start);
    out.push(nl < 0 ? text.slice(start) : text.slice(start, nl));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

function safeUnwrap(text: string): Unwrapped | undefined {
  try {
    return unwrapEnvelope(text);
  } catch {
    return undefined;
  }
}

/** A document larger than the first chunk cannot be parsed: pick its first payloads out by pattern. */
function sampleFromCutDocument(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(DATA_FIELD)) {
    const u = safeUnwrap(m[1]!);
    if (u && 'records' in u) for (const r of u.records) if ('context' in r) out.push(r.text);
    if (out.length >= SAMPLE_RECORDS) return out;
  }
  for (const m of text.matchAll(MESSAGE_FIELD)) {
    try {
      out.push(JSON.parse(m[1]!) as string);
    } catch {
      /* a cut-off string at the end of the chunk */
    }
    if (out.length >= SAMPLE_RECORDS) break;
  }
  return out;
}
