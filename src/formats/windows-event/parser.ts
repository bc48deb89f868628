import { parseZone, type TimeZone } from '../../ecs/timezone.js';
import type { EcsEvent } from '../../ecs/event.js';
import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { FieldErrors } from '../shared/field-errors.js';
import { clip } from '../shared/reason.js';
import { fromRendered } from './read-rendered.js';
import { isObj, winRecordToEcs, type Obj } from './record.js';
import { splitJsonValues } from './split.js';
import { windowsEventToEcs } from './to-ecs.js';
import { parseXmlEvent, splitXmlEvents, XmlError } from './xml.js';

/**
 * Reads shipped Windows events: JSON (one object per line, or with json-or-lines framing a whole
 * file of pretty-printed objects, concatenated or in an array) in every shape `readJsonRecord`
 * knows, and the XML rendering (one or several `<Event>` elements per line, or a whole document).
 * NXLog's zone-less EventTime is read in --timezone.
 */
export class WindowsEventParser implements RecordParser {
  private readonly errors = new FieldErrors();
  private readonly zone: TimeZone | undefined;
  private readonly zoneError: string | undefined;

  constructor(private readonly ctx: ParserContext) {
    try {
      this.zone = parseZone(ctx.options.timezone ?? 'UTC');
    } catch (e) {
      this.zoneError = `--timezone: ${(e as Error).message}`;
    }
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (i === text.length) {
      sink.skip('blank line');
      return;
    }
    if (this.zoneError) {
      sink.reject(this.zoneError);
      return;
    }
    // CRLF files: the record (and so its event.id) is the same as with LF.
    const body = text.charCodeAt(text.length - 1) === 13 /* \r */ ? text.slice(0, -1) : text;
    if (body.charCodeAt(i) === 60 /* < */) this.xml(body, sink);
    else this.json(body, sink);
  }

  private json(text: string, sink: ParseSink): void {
    const { values, junk } = splitJsonValues(text);
    for (const j of junk) sink.reject(`expected JSON objects, found text outside them: '${clip(j)}'`);
    for (const v of values) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch (e) {
        sink.reject(`invalid JSON: ${(e as Error).message}`, values.length === 1 ? undefined : v);
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
      const whole = values.length === 1 && !Array.isArray(parsed);
      for (const rec of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!isObj(rec)) {
          sink.reject('expected a JSON object per event', whole ? undefined : JSON.stringify(rec) ?? String(rec));
          continue;
        }
        const raw = whole ? text : JSON.stringify(rec);
        this.emit(() => windowsEventToEcs(rec, raw, this.ctx, this.errors, this.zone!), sink, whole ? undefined : raw);
      }
    }
  }

  private xml(text: string, sink: ParseSink): void {
    const { events, junk } = splitXmlEvents(text);
    const whole = events.length === 1 && junk.length === 0;
    for (const j of junk) sink.reject(`expected <Event> elements, found '${clip(j)}'`, clip(j));
    for (const raw of events) {
      let root: Obj;
      try {
        root = parseXmlEvent(raw);
      } catch (e) {
        if (!(e instanceof XmlError)) throw e;
        sink.reject(`invalid XML event: ${e.message}`, whole ? undefined : raw);
        continue;
      }
      const ev = root.Event;
      if (!isObj(ev)) {
        sink.reject('expected an <Event> element with <System> inside', whole ? undefined : raw);
        continue;
      }
      this.emit(() => winRecordToEcs(fromRendered(ev), raw, this.ctx, this.errors, this.zone!), sink, whole ? undefined : raw);
    }
  }

  private emit(map: () => EcsEvent, sink: ParseSink, record: string | undefined): void {
    this.errors.clear();
    let event: EcsEvent;
    try {
      event = map();
    } catch (e) {
      if (e instanceof RecordError) {
        sink.reject(e.message, record);
        return;
      }
      throw e;
    }
    sink.event(event);
  }
}
