import type { EcsEvent } from '../ecs/event.js';
import type { ParseSink, ParserContext, RecordParser } from '../formats/format.js';
import { getFormat } from '../formats/registry.js';
import { feedEnvelope, unwrapEnvelope } from '../formats/envelopes/index.js';
import { columnsFor } from '../store/schema.js';
import { RowEncoder } from '../store/row-encoder.js';
import { matcherFor, type DetectionSpec } from '../detect/spec.js';
// Registers the Sigma engine with the spec in every thread that parses (main and workers).
import '../detect/sigma/register.js';
import type { Match } from '../detect/types.js';
import { FIELD_DROPPED_TAG } from '../formats/shared/field-errors.js';

/**
 * Largest record kept whole in a dead letter, so that it can be recovered: any Firehose or Kinesis
 * record (at most 1 MiB, 1.4 Mi characters in base64) and any CloudWatch Logs event (at most 1 MiB).
 * A longer record keeps its first DEAD_LETTER_RECORD_CHARS characters and says so (`truncated`,
 * `originalLength`).
 */
export const DEAD_LETTER_RECORD_CHARS = 2 << 20;

/**
 * Records one parse result may hold before the rest of its chunk is parsed as a task of its own
 * (ChunkResult.rest). A 1 MiB chunk holds a few thousand log lines, but a million one-character
 * lines (a few KB of gzip) made half a million dead letters at once: 1.1 GB for a 6.8 KB file.
 */
export const MAX_RESULT_RECORDS = 32_768;

/**
 * Bytes inflated from envelopes (CloudWatch Logs, Firehose) one parse result may hold before the
 * rest of its chunk is parsed as a task of its own: each line may inflate up to
 * MAX_RECORD_INFLATED_BYTES, and its events refer to that text until the result is delivered.
 */
export const MAX_RESULT_INFLATED_BYTES = 32 << 20;

const HEADERS_KEPT = 8;

/** `none`: events are only matched by detection (the `detect` command), not returned. */
export type ChunkOutput = 'ndjson' | 'rows' | 'events' | 'none';

/** One unit of parsing work; plain data so it can cross to a worker thread. */
export interface ChunkTask {
  formatId: string;
  options: Record<string, string>;
  source: string;
  original: boolean;
  ingested: string;
  /** Header lines in effect where the chunk starts (replayed into the parser first). */
  headers: string[];
  text: string;
  firstLine: number;
  /** The text is one whole document (json-or-lines framing), not lines. */
  document: boolean;
  output: ChunkOutput;
  /** Detection to run on every event (rules, intel); the worker builds its matchers once per spec. */
  detection?: DetectionSpec | undefined;
}

export interface RejectedRecord {
  line: number;
  reason: string;
  /** The record as read, whole up to DEAD_LETTER_RECORD_CHARS. */
  record: string;
  /** Set when `record` is only the start of the record. */
  truncated?: true;
  /** With `truncated`: the record's length in characters. */
  originalLength?: number;
}

/** The part of a chunk left to parse when a result is full (see MAX_RESULT_RECORDS). */
export type ChunkRest = Pick<ChunkTask, 'text' | 'firstLine' | 'headers'>;

export interface ChunkResult {
  records: number;
  events: number;
  rejected: number;
  skipped: Record<string, number>;
  deadLetters: RejectedRecord[];
  /** NDJSON (output `ndjson`) or staged rows (output `rows`), newline-terminated; '' when no events. */
  text: string;
  /**
   * The output as UTF-8 instead of `text`: always for output `ndjson`, and for any output that came
   * back from a worker thread (the bytes are transferred, not copied). Sinks write them as they
   * are; through the pool, `text` decodes them on first access.
   */
  bytes?: Uint8Array;
  /** Output `events`: the events themselves. */
  eventList?: EcsEvent[];
  /** Output `rows`: the event id of each row, where each row ends in `text`, and the columns used. */
  rowIds?: string[];
  rowEnds?: number[];
  usedColumns?: number[];
  /** Output `rows`: events dropped because the same record already appeared in this chunk. */
  duplicates?: number;
  /** Events kept with a malformed optional field left out (tagged `_field_dropped`). */
  fieldsDropped?: number;
  /** Detection matches, in event order (only when the task had a detection spec). */
  matches?: Match[];
  minTime?: number;
  maxTime?: number;
  /** Lines of the task not parsed yet: the caller parses them next, as a task of their own. */
  rest?: ChunkRest;
}

const encoders = new Map<string, RowEncoder>();
/**
 * NDJSON is written as UTF-8 into one buffer per thread as each event is serialized: no array of
 * lines, no join, no second pass to encode (together 12 % of a parser thread's time on CloudTrail).
 */
const NDJSON_BUFFER_BYTES = 4 << 20;
const NDJSON_BUFFER_KEEP = 64 << 20;
let ndjsonBuffer = Buffer.allocUnsafe(NDJSON_BUFFER_BYTES);

/** Whether a result has output to write, without decoding transferred bytes. */
export function hasOutput(result: ChunkResult): boolean {
  return result.bytes ? result.bytes.length > 0 : result.text !== '';
}

function encoderFor(formatId: string): RowEncoder {
  let enc = encoders.get(formatId);
  if (!enc) {
    enc = new RowEncoder(columnsFor(getFormat(formatId)));
    encoders.set(formatId, enc);
  }
  return enc;
}

/** A dead letter for `record`: whole, or its start with what was cut. */
export function deadLetter(line: number, reason: string, record: string): RejectedRecord {
  if (record.length <= DEAD_LETTER_RECORD_CHARS) return { line, reason, record };
  return { line, reason, record: record.slice(0, DEAD_LETTER_RECORD_CHARS), truncated: true, originalLength: record.length };
}

/** The header lines in effect after `text` (the latest HEADERS_KEPT), replayed to parsers that start after it. */
export function updateHeaders(headers: string[], text: string, pattern: RegExp): string[] {
  let global = globalPatterns.get(pattern);
  if (!global) {
    global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
    globalPatterns.set(pattern, global);
  }
  const found = text.match(global);
  if (!found) return headers;
  return [...headers, ...found].slice(-HEADERS_KEPT);
}

const globalPatterns = new WeakMap<RegExp, RegExp>();

/**
 * Parses a chunk of records with one format. Runs on worker threads for large inputs and inline for
 * small ones; nothing a record contains can make it throw: a failing record becomes a dead letter.
 */
export function processChunk(task: ChunkTask): ChunkResult {
  const format = getFormat(task.formatId);
  const ctx: ParserContext = { source: task.source, original: task.original, options: task.options, ingested: task.ingested };
  const parser: RecordParser = format.createParser(ctx);
  const result: ChunkResult = { records: 0, events: 0, rejected: 0, skipped: {}, deadLetters: [], text: '' };
  const out: string[] = [];
  let ndjsonBytes = 0;
  const events: EcsEvent[] = [];
  const encoder = task.output === 'rows' ? encoderFor(task.formatId) : undefined;
  const chunkIds = encoder ? new Set<string>() : undefined;
  const rowIds: string[] | undefined = encoder ? [] : undefined;
  const rowEnds: number[] | undefined = encoder ? [] : undefined;
  let rowChars = 0;
  const matcher = task.detection ? matcherFor(task.detection) : undefined;
  let minTime = Infinity;
  let maxTime = -Infinity;
  let lastTs: string | undefined;
  let lastT = NaN;
  let lineNo = 0;
  let current = '';
  // Bytes inflated to open envelopes, for MAX_RESULT_INFLATED_BYTES.
  const opened = { inflated: 0 };

  const quiet: ParseSink = { event() {}, reject() {}, skip() {} };
  for (const h of task.headers) {
    try {
      parser.line(h, 0, quiet);
    } catch {
      /* a header that failed before failed visibly where it stood */
    }
  }

  const sink: ParseSink = {
    event(e) {
      result.events++;
      const ts = e['@timestamp'];
      // Consecutive events mostly share a timestamp string: parse it once.
      if (ts !== lastTs) {
        lastTs = ts;
        lastT = ts ? Date.parse(ts) : NaN;
      }
      const t = lastT;
      if (Number.isNaN(t)) {
        sink.reject('event has no valid @timestamp');
        result.events--;
        return;
      }
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
      const tags = e.tags;
      if (Array.isArray(tags) && tags.includes(FIELD_DROPPED_TAG)) result.fieldsDropped = (result.fieldsDropped ?? 0) + 1;
      if (encoder) {
        // The same record twice in one chunk is stored once (ids are content hashes).
        const id = e.event?.id ?? '';
        if (chunkIds!.has(id)) {
          result.duplicates = (result.duplicates ?? 0) + 1;
        } else {
          chunkIds!.add(id);
          const row = encoder.encode(e);
          out.push(row);
          rowIds!.push(id);
          rowChars += row.length + 1;
          rowEnds!.push(rowChars);
        }
      } else if (task.output === 'ndjson') {
        const json = JSON.stringify(e);
        // At most 3 bytes per UTF-16 unit, and the line feed.
        if (ndjsonBytes + json.length * 3 + 1 > ndjsonBuffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(ndjsonBuffer.length * 2, ndjsonBytes + json.length * 3 + 1));
          ndjsonBuffer.copy(grown, 0, 0, ndjsonBytes);
          ndjsonBuffer = grown;
        }
        ndjsonBytes += ndjsonBuffer.write(json, ndjsonBytes, 'utf8');
        ndjsonBuffer[ndjsonBytes++] = 0x0a;
      }
      else if (task.output === 'events') events.push(e);
      if (matcher) {
        const found = matcher.match(e);
        if (found.length) (result.matches ??= []).push(...found);
      }
    },
    reject(reason, record) {
      result.rejected++;
      result.deadLetters.push(deadLetter(lineNo, reason, record ?? current));
    },
    skip(kind) {
      result.skipped[kind] = (result.skipped[kind] ?? 0) + 1;
    },
  };

  const handle = (line: string) => {
    current = line;
    result.records++;
    if (line.indexOf('\u0000') >= 0) {
      sink.reject('binary data (NUL bytes) where text records were expected');
      return;
    }
    try {
      // AWS transport envelopes (CloudWatch Logs, Firehose) hold records: parse those instead.
      const envelope = unwrapEnvelope(line, opened);
      if (envelope) result.records += feedEnvelope(envelope, parser, lineNo, sink, (text) => (current = text)) - 1;
      else parser.line(line, lineNo, sink);
    } catch (e) {
      sink.reject(`parser failure: ${(e as Error).message}`);
    }
  };

  if (task.document) {
    lineNo = task.firstLine;
    handle(task.text);
  } else {
    const text = task.text;
    let start = 0;
    lineNo = task.firstLine;
    for (;;) {
      const nl = text.indexOf('\n', start);
      handle(nl < 0 ? text.slice(start) : text.slice(start, nl));
      if (nl < 0) break;
      start = nl + 1;
      lineNo++;
      if ((result.records >= MAX_RESULT_RECORDS || opened.inflated >= MAX_RESULT_INFLATED_BYTES) && start < text.length) {
        const headers = format.headerPattern ? updateHeaders(task.headers, text.slice(0, start), format.headerPattern) : task.headers;
        result.rest = { text: text.slice(start), firstLine: lineNo, headers };
        break;
      }
    }
  }
  // Blank lines and headers are not records.
  for (const k of Object.keys(result.skipped)) if (k === 'blank line' || k === 'header') result.records -= result.skipped[k]!;
  if (out.length) result.text = out.join('\n') + '\n';
  // A copy of its own: a worker transfers it, and the buffer is reused by the next chunk.
  if (ndjsonBytes) result.bytes = new Uint8Array(ndjsonBuffer.subarray(0, ndjsonBytes));
  // One huge document (a 200 MB CloudTrail file) must not pin its buffer for the thread's life.
  if (ndjsonBuffer.length > NDJSON_BUFFER_KEEP) ndjsonBuffer = Buffer.allocUnsafe(NDJSON_BUFFER_BYTES);
  if (task.output === 'events') result.eventList = events;
  if (encoder) {
    result.rowIds = rowIds;
    result.rowEnds = rowEnds;
    result.usedColumns = encoder.takeUsed();
  }
  if (result.events) {
    result.minTime = minTime;
    result.maxTime = maxTime;
  }
  return result;
}
