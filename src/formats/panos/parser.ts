import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { parseZone, type TimeZone } from '../../ecs/timezone.js';
import { FIELD_COUNT, GENERIC, LAYOUTS, type Layout, type Rec } from './layouts.js';
import { splitCsv, splitInto, typeField } from './csv.js';
import { envelope } from './syslog.js';
import { parseCef, parseLeef, parseSlsJson } from './keyed.js';
import { TimeReader, clip } from './read.js';
import { panosToEcs, type MapContext } from './to-ecs.js';
import { FieldErrors } from '../shared/field-errors.js';

const TYPE_POSITION = 3;

/**
 * Reads PAN-OS logs line by line: syslog CSV (RFC 3164, RFC 5424 or no header) of every log type,
 * CEF, LEEF and Strata Logging Service JSON. Times without a zone are read in `--timezone`.
 */
export class PanosParser implements RecordParser {
  private readonly time: TimeReader | undefined;
  private readonly zoneError: string | undefined;
  private readonly fields: string[] = [];
  private readonly rec: Rec = new Array<string | undefined>(FIELD_COUNT).fill(undefined);
  private readonly mapCtx: MapContext;

  constructor(ctx: ParserContext) {
    let zone: TimeZone | undefined;
    let zoneError: string | undefined;
    try {
      zone = parseZone(ctx.options.timezone ?? 'UTC');
    } catch (e) {
      zoneError = `--timezone: ${(e as Error).message}`;
    }
    this.zoneError = zoneError;
    this.time = zone ? new TimeReader(zone) : undefined;
    this.mapCtx = { raw: '', host: undefined, ctx, time: this.time!, errors: new FieldErrors() };
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    if (text.length === 0 || text.trim() === '') {
      sink.skip('blank line');
      return;
    }
    if (this.zoneError) {
      sink.reject(this.zoneError);
      return;
    }
    // CRLF files: the carriage return is not part of the last field.
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    try {
      const m = this.mapCtx;
      m.raw = text;
      m.errors.clear();
      const env = envelope(text);
      m.host = env.host;
      const c = text.charCodeAt(env.start);
      let rec: Rec;
      if (c === 67 /* C */ && text.startsWith('CEF:', env.start)) rec = parseCef(text, env.start);
      else if (c === 76 /* L */ && text.startsWith('LEEF:', env.start)) rec = parseLeef(text, env.start);
      else if (c === 123 /* { */ || c === 91 /* [ */ || /^\s*[[{]/.test(text)) {
        this.json(text.slice(env.start), sink);
        return;
      } else rec = this.csv(text, env.start);
      sink.event(panosToEcs(rec, m));
    } catch (e) {
      sink.reject(reasonOf(e));
    }
  }

  /** JSON records, each mapped (and rejected) on its own. */
  private json(text: string, sink: ParseSink): void {
    const m = this.mapCtx;
    const records = parseSlsJson(text);
    // `[]` or `{"logs":[]}` holds no log: counted, not lost.
    if (!records.length) sink.skip('empty batch');
    for (const { rec, raw } of records) {
      try {
        m.raw = raw;
        m.errors.clear();
        sink.event(panosToEcs(rec, m));
      } catch (e) {
        sink.reject(reasonOf(e));
      }
    }
  }

  private csv(text: string, start: number): Rec {
    const rec = this.rec;
    rec.fill(undefined);
    // Fast path: the type tells the layout, and a quote-free record is split straight into it.
    const fastType = typeField(text, start);
    const fastLayout = fastType === undefined ? undefined : LAYOUTS.get(fastType);
    if (fastLayout !== undefined && fastLayout.variants === undefined) {
      const n = splitInto(text, start, fastLayout.ids, rec);
      if (n >= 0) {
        if (n < fastLayout.min) throw tooShort(fastLayout, fastType!, n);
        return rec;
      }
      rec.fill(undefined);
    }
    const values = this.fields;
    const n = splitCsv(text, start, values);
    if (n <= TYPE_POSITION) {
      throw new RecordError(`expected a PAN-OS CSV record (FUTURE_USE,Receive Time,Serial Number,Type,…), got ${n} comma-separated field${n === 1 ? '' : 's'}`);
    }
    const type = values[TYPE_POSITION]!;
    let lay: Layout | undefined = LAYOUTS.get(type);
    if (lay === undefined) {
      if (!/^[A-Z][A-Z-]{1,31}$/.test(type)) throw new RecordError(`field 4 (Type) '${clip(type)}' is not a PAN-OS log type (TRAFFIC, THREAT, SYSTEM, CONFIG …)`);
      lay = GENERIC;
    }
    if (n < lay.min) throw tooShort(lay, type, n);
    if (lay.variants) lay = lay.variants.find((v) => v.when(values, n))?.layout ?? lay;
    const ids = lay.ids;
    const count = n < ids.length ? n : ids.length;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if (id >= 0) {
        const v = values[i]!;
        if (v !== '') rec[id] = v;
      }
    }
    return rec;
  }
}

function reasonOf(e: unknown): string {
  return e instanceof RecordError ? e.message : `parser failure: ${(e as Error).message}`;
}

function tooShort(lay: Layout, type: string, n: number): RecordError {
  const what = lay === GENERIC ? `${type} (unknown type)` : type;
  return new RecordError(`expected at least ${lay.min} comma-separated fields for a ${what} record (through ${lay.names[lay.min - 1]}), got ${n}`);
}
