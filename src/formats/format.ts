import type { EcsEvent } from '../ecs/event.js';

/**
 * A log format: how to recognize it, how to read its records and how to map them to ECS.
 * Formats are plain objects registered in `catalog.ts`; the pipeline, `--format` ids and `auto`
 * detection all read that one list.
 */
export interface Format {
  /** Stable id used by `--format`, stored as `event.dataset` (e.g. `aws.cloudfront`). */
  id: string;
  title: string;
  /** One paragraph for `--help` and the docs: which delivery forms are understood. */
  description: string;
  /**
   * `lines`: every line is a record. `json-or-lines`: as `lines`, except that a file holding one
   * pretty-printed JSON document (the first line is not a complete JSON value) is handed to the
   * parser whole, as a single record.
   */
  framing: 'lines' | 'json-or-lines';
  /**
   * json-or-lines framing, for a source that is not a JSON document: whether it is one document of
   * the format's own all the same (a pretty-printed XML file), handed to the parser whole.
   */
  isDocument?(text: string): boolean;
  /**
   * Lines that describe the lines after them (CloudFront `#Fields:`, a VPC flow log header).
   * The pipeline finds them with this multiline regex and replays the latest ones to every parser
   * that starts in the middle of a file, so parsing can be split across threads.
   */
  headerPattern?: RegExp;
  /** Options this format understands (`--fields` …), shown in `--help`. */
  options?: FormatOption[];
  /** How confident (0–1) the format is that a file is its own, from a sample of its start. */
  detect(sample: DetectSample): number;
  /** A parser for one file or stream; parsers may keep state (the current header). */
  createParser(ctx: ParserContext): RecordParser;
  /** Columns this format fills beyond the core ones, for the store schema (ECS path → type). */
  fields: FieldSpec[];
}

export interface FormatOption {
  name: string;
  description: string;
}

export interface DetectSample {
  /** File name or object key (may be empty for stdin). */
  name: string;
  /** First lines of the (decompressed) content, without line terminators; at most ~64 KiB. */
  lines: string[];
}

export interface ParserContext {
  /** Where the records come from (path, `s3://bucket/key`, `stdin`…): recorded in `log.file.path`. */
  source: string;
  /** Keep the raw record in `event.original`. */
  original: boolean;
  /** Format options from the command line or a collector config (`fields` …). */
  options: Record<string, string>;
  /** Ingest time stamped on every event (`event.ingested`). */
  ingested: string;
}

/** Receives what a parser makes of a record. */
export interface ParseSink {
  event(event: EcsEvent): void;
  /**
   * The record is invalid: it goes to the dead-letter output with this reason. `record` replaces the
   * raw text in the dead letter: one record of a multi-record document, or a text with secrets
   * redacted.
   */
  reject(reason: string, record?: string): void;
  /** The record is valid but carries no event (header, comment, digest file, control message). */
  skip(kind: string): void;
}

export interface RecordParser {
  /** Parses one record. `lineNo` is 1-based within the source. */
  line(text: string, lineNo: number, sink: ParseSink): void;
}

export type FieldType = 'keyword' | 'text' | 'long' | 'double' | 'boolean' | 'date' | 'ip' | 'keyword[]' | 'json';

export interface FieldSpec {
  /** ECS dotted path (`aws.cloudfront.edge_location`). */
  path: string;
  type: FieldType;
  description?: string;
}

/** The thrown form of a rejection, for deep helpers that cannot reach the sink. */
export class RecordError extends Error {}
