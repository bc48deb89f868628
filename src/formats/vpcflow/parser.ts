import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { DEFAULT_FIELDS, HEADER_SOURCE, KNOWN_FIELDS, LAYOUTS_BY_COUNT, canonicalField } from './fields.js';
import { clip, compileLayout, splitNames, type Layout } from './layout.js';
import { vpcflowToEcs } from './to-ecs.js';

const HEADER_LINE = new RegExp(HEADER_SOURCE);
const WHITESPACE = /\s+/;
const MAX_JSON_LAYOUTS = 64;

/** Headerless lines: the layout is chosen by field count. */
const BY_COUNT = new Map<number, Layout>(
  LAYOUTS_BY_COUNT.map(([what, names]) => [names.length, compileLayout(names, `${what} (${names.length} fields)`)]),
);
const NO_LAYOUT =
  `the default version-2 format "${DEFAULT_FIELDS.join(' ')}" ` +
  `(headerless lines of ${[...BY_COUNT.keys()].filter((n) => n !== DEFAULT_FIELDS.length).join(', ')} fields are read as ` +
  `${LAYOUTS_BY_COUNT.slice(1).map(([what]) => what).join(', ')}; give the header line or --fields for a custom format)`;

function quoted(names: readonly string[]): string {
  return `"${clip(names.join(' '), 160)}"`;
}

/**
 * Reads VPC and Transit Gateway flow logs line by line: space-separated records laid out by the file's
 * header line (which may repeat), by `--fields`, or by field count (default format and "all fields"
 * layouts); JSON records with the field names as keys (Parquet exports); and CloudWatch-style
 * `{"message":"<record>"}` wrappers.
 */
export class VpcFlowParser implements RecordParser {
  private header: Layout | undefined;
  private readonly explicit: Layout | undefined;
  private readonly jsonLayouts = new Map<string, Layout>();

  constructor(private readonly ctx: ParserContext) {
    const fields = ctx.options.fields;
    if (fields) {
      const names = splitNames(fields);
      if (names.length) this.explicit = compileLayout(names, `the --fields list ${quoted(names)}`);
    }
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    const first = text.charCodeAt(0);
    if (text === '' || ((first === 32 || first === 9) && text.trim() === '')) {
      sink.skip('blank line');
      return;
    }
    try {
      if (first === 123 /* { */) this.json(text, sink);
      else if (first >= 97 && first <= 122 && HEADER_LINE.test(text)) this.setHeader(text, sink);
      else this.delimited(text, text, sink);
    } catch (e) {
      // Nothing a record contains may escape the parser: a bug shows as a rejection naming it.
      sink.reject(e instanceof RecordError ? e.message : `internal error while parsing: ${(e as Error).message}`);
    }
  }

  private setHeader(text: string, sink: ParseSink): void {
    const names = splitNames(text);
    this.header = compileLayout(names, `header ${quoted(names)}`);
    sink.skip('header');
  }

  private delimited(text: string, raw: string, sink: ParseSink): void {
    let values = text.split(' ');
    let lay = this.header ?? this.explicit ?? BY_COUNT.get(values.length);
    if (lay === undefined || values.length !== lay.names.length) {
      // Tabs, doubled or surrounding blanks: split on any whitespace run before judging the count.
      const loose = text.trim().split(WHITESPACE);
      if (loose.length !== values.length) {
        values = loose;
        lay = this.header ?? this.explicit ?? BY_COUNT.get(values.length);
      }
    }
    if (lay === undefined) throw new RecordError(`expected 14 space-separated fields per ${NO_LAYOUT}, got ${values.length}`);
    if (values.length !== lay.names.length) {
      throw new RecordError(`expected ${lay.names.length} space-separated fields per ${lay.origin}, got ${values.length}`);
    }
    if (lay === this.header || lay === this.explicit) {
      sink.event(vpcflowToEcs(values, lay, raw, this.ctx));
      return;
    }
    try {
      sink.event(vpcflowToEcs(values, lay, raw, this.ctx));
    } catch (e) {
      // A layout guessed from the field count may be the wrong one: say which was assumed.
      if (e instanceof RecordError) throw new RecordError(`${e.message} (fields read as ${lay.origin}; give the header line or --fields if that is not the format)`);
      throw e;
    }
  }

  private json(text: string, sink: ParseSink, depth = 0): void {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new RecordError(`invalid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new RecordError('expected a JSON object per line');
    const record = obj as Record<string, unknown>;
    const names: string[] = [];
    const values: string[] = [];
    let flowKeys = 0;
    for (const [k, v] of Object.entries(record)) {
      if (v === null || v === undefined || typeof v === 'object') continue;
      const name = canonicalField(k);
      if (name === 'message') continue;
      names.push(name);
      values.push(String(v));
      if (KNOWN_FIELDS.has(name)) flowKeys++;
    }
    const message = record.message;
    if (flowKeys === 0 || (typeof message === 'string' && !names.includes('srcaddr') && !names.includes('log-status'))) {
      if (typeof message !== 'string') throw new RecordError('JSON object carries no flow-log fields and no "message" record');
      // A CloudWatch / forwarder wrapper: the record is the message (and its id is the record's own).
      const inner = message.trim();
      if (inner.charCodeAt(0) === 123 && depth === 0) this.json(inner, sink, 1);
      else if (HEADER_LINE.test(inner)) this.setHeader(inner, sink);
      else this.delimited(inner, inner, sink);
      return;
    }
    sink.event(vpcflowToEcs(values, this.jsonLayout(names), text, this.ctx));
  }

  private jsonLayout(names: string[]): Layout {
    const key = names.join(' ');
    let lay = this.jsonLayouts.get(key);
    if (!lay) {
      if (this.jsonLayouts.size >= MAX_JSON_LAYOUTS) this.jsonLayouts.clear();
      lay = compileLayout(names, `the JSON keys ${quoted(names)}`);
      this.jsonLayouts.set(key, lay);
    }
    return lay;
  }
}
