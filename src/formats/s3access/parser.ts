import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { splitLineOrReport } from '../shared/aws-text.js';
import { MIN_FIELDS, S3_FIELDS } from './fields.js';
import { originFromObjectName, s3accessToEcs, type ObjectOrigin } from './to-ecs.js';

/** Reads S3 server access log rows: space-separated, `[bracketed]` time, `"quoted"` strings, `-` = empty. */
export class S3AccessParser implements RecordParser {
  private readonly origin: ObjectOrigin;

  constructor(private readonly ctx: ParserContext) {
    this.origin = originFromObjectName(ctx.source);
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    const line = splitLineOrReport(text, true, sink);
    if (!line) return;
    const { raw, fields: values } = line;
    if (values.length < MIN_FIELDS) {
      sink.reject(`expected at least ${MIN_FIELDS} space-separated fields (bucket owner … version id; ${S3_FIELDS.length} in the current layout), got ${values.length}`);
      return;
    }
    try {
      sink.event(s3accessToEcs(values, raw, this.origin, this.ctx));
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else throw e;
    }
  }
}
