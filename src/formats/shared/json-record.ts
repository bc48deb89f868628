import type { EcsEvent } from '../../ecs/event.js';
import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { clip } from './aws-text.js';

/**
 * JSON-per-record AWS logs (WAF, Route 53 Resolver): one object per line,
 * or one pretty-printed document (json-or-lines framing). Transport envelopes (CloudWatch Logs,
 * Firehose) are opened before records reach a parser, so a record here is the service's own object.
 */
export type Json = Record<string, unknown>;

export type JsonMapper = (record: Json, raw: string, ctx: ParserContext) => EcsEvent;

export class JsonRecordParser implements RecordParser {
  constructor(
    private readonly ctx: ParserContext,
    private readonly map: JsonMapper,
    /** What a record is, for rejections: `a WAF log record`. */
    private readonly expected: string,
  ) {}

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (i === text.length) {
      sink.skip('blank line');
      return;
    }
    if (text.charCodeAt(i) !== 123 /* { */) {
      sink.reject(`expected ${this.expected} (a JSON object), got '${clip(text.slice(i))}'`);
      return;
    }
    // CRLF files: the record (and so its event.id) is the same as with LF.
    const raw = text.charCodeAt(text.length - 1) === 13 /* \r */ ? text.slice(0, -1) : text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      sink.reject(`invalid JSON: ${(e as Error).message}`);
      return;
    }
    const record = obj(parsed);
    if (!record) {
      sink.reject(`expected ${this.expected} (a JSON object)`);
      return;
    }
    try {
      sink.event(this.map(record, raw, this.ctx));
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else throw e;
    }
  }
}

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string value, with AWS's null markers (`-`, empty, `null`) read as absent. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' || v === 'null' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A required string field, or a rejection naming it. */
export function requireStr(record: Json, key: string, what: string): string {
  const v = str(record[key]);
  if (v === undefined) throw new RecordError(`${key} is ${describe(record[key])}, expected ${what}`);
  return v;
}

/** How a JSON value reads in a rejection reason. */
export function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${clip(v)}'`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
