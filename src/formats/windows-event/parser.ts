import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { splitJsonValues } from './split.js';
import { windowsEventToEcs } from './to-ecs.js';

/**
 * Reads rendered Windows events: one JSON object per line, or (json-or-lines framing) a whole file
 * of pretty-printed objects, concatenated or in an array.
 */
export class WindowsEventParser implements RecordParser {
  constructor(private readonly ctx: ParserContext) {}

  line(text: string, _lineNo: number, sink: ParseSink): void {
    if (text.trim() === '') {
      sink.skip('blank line');
      return;
    }
    const { values, junk } = splitJsonValues(text);
    for (const j of junk) sink.reject(`expected JSON objects, found text outside them: '${j.length > 60 ? `${j.slice(0, 60)}…` : j}'`);
    for (const v of values) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch (e) {
        sink.reject(`invalid JSON: ${(e as Error).message}`);
        continue;
      }
      if (nestedDeeperThan(parsed)) {
        sink.reject(`JSON nested deeper than ${MAX_JSON_DEPTH} levels; a Windows event is a few levels deep`);
        continue;
      }
      if (Array.isArray(parsed) && parsed.length === 0) {
        // An export of no events: nothing to reject, but the record is counted.
        sink.skip('empty JSON array');
        continue;
      }
      for (const rec of Array.isArray(parsed) ? parsed : [parsed]) {
        if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
          sink.reject('expected a JSON object per event');
          continue;
        }
        try {
          sink.event(windowsEventToEcs(rec as Record<string, unknown>, values.length === 1 && !Array.isArray(parsed) ? text : JSON.stringify(rec), this.ctx));
        } catch (e) {
          if (e instanceof RecordError) sink.reject(e.message);
          else throw e;
        }
      }
    }
  }
}
