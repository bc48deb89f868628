import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { DEFAULT_MAPPING, loadMapping, type CompiledMapping } from './mapping.js';
import { appJsonToEcs } from './to-ecs.js';
import { redactTokensInText } from './jwt.js';

/**
 * JSON application logs, one object per line. A mapping file (format option `mapping`) is read once
 * per parser. An invalid one does not throw: throwing here would fail whole chunks without dead
 * letters, so instead every record is rejected with the mapping's problem as the reason and stays
 * recoverable from the dead-letter file.
 */
export class AppJsonParser implements RecordParser {
  private readonly mapping: CompiledMapping | undefined;
  private readonly mappingError: string | undefined;

  constructor(private readonly ctx: ParserContext) {
    const path = ctx.options.mapping;
    if (!path) this.mapping = DEFAULT_MAPPING;
    else {
      try {
        this.mapping = loadMapping(path);
      } catch (e) {
        this.mappingError = `app.json ${(e as Error).message}; fix the mapping and re-ingest the dead letters`;
      }
    }
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (i === text.length) {
      sink.skip('blank line');
      return;
    }
    if (this.mappingError !== undefined || !this.mapping) {
      reject(sink, this.mappingError ?? 'app.json mapping unavailable', text);
      return;
    }
    if (text.charCodeAt(i) !== 123 /* { */) {
      reject(sink, 'expected one JSON object per line', text);
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      reject(sink, `invalid JSON: ${(e as Error).message}`, text);
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      reject(sink, 'expected one JSON object per line', text);
      return;
    }
    // Fields are kept as they are: a value nested 10^5 deep overflowed the stack writing the event.
    if (nestedDeeperThan(obj)) {
      reject(sink, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, text);
      return;
    }
    try {
      sink.event(appJsonToEcs(obj as Record<string, unknown>, text, this.mapping, this.ctx));
    } catch (e) {
      if (e instanceof RecordError) reject(sink, e.message, text);
      else throw e;
    }
  }
}

/** Rejections of app logs may quote the record (JSON errors do): redact tokens in both reason and record. */
function reject(sink: ParseSink, reason: string, text: string): void {
  sink.reject(redactTokensInText(reason), redactTokensInText(text));
}
