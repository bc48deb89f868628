import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { STANDARD_FIELDS, REALTIME_FIELDS, canonicalField } from './fields.js';
import { cloudfrontToEcs, type FieldReader } from './to-ecs.js';

/** `<DistributionId>.YYYY-MM-DD-HH.<unique>[.gz]`, the standard-log object name. */
export const OBJECT_NAME = /(?:^|[\\/])([A-Z0-9]{6,20})\.(\d{4}-\d{2}-\d{2}-\d{2})\.([A-Za-z0-9]+)(?:\.gz)?$/;
const EPOCH_FIRST = /^\d{9,11}\.\d{1,6}\t/;
// Lines with fewer fields than the header are accepted when only trailing fields are missing and
// at least the request id is present (Elastic's samples include a 31-field line under a 33-field header).
const MIN_FIELDS = 15;

interface Layout {
  names: string[];
  index: Map<string, number>;
  /** How the layout was chosen, for error messages. */
  origin: string;
}

function layout(names: readonly string[], origin: string): Layout {
  const canonical = names.map(canonicalField);
  return { names: canonical, index: new Map(canonical.map((n, i) => [n, i])), origin };
}

const STANDARD = layout(STANDARD_FIELDS, 'the 33 standard fields (no #Fields header seen)');

function splitFieldOption(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/**
 * Reads every CloudFront delivery form line by line: standard logs (with or without `#Version` /
 * `#Fields`), v2 W3C text and JSON lines, real-time records (tab-separated, field list from
 * `--fields` or AWS's canonical order) and the JSON form of a repeated-request record.
 */
export class CloudFrontParser implements RecordParser {
  private header: Layout | undefined;
  private readonly realtime: Layout;
  private readonly explicit: Layout | undefined;
  private readonly distributionId: string | undefined;

  constructor(private readonly ctx: ParserContext) {
    const fields = ctx.options.fields;
    this.explicit = fields ? layout(splitFieldOption(fields), `the --fields list (${splitFieldOption(fields).length} fields)`) : undefined;
    this.realtime = this.explicit ?? layout(REALTIME_FIELDS, `AWS's canonical real-time field order (${REALTIME_FIELDS.length} fields; pass --fields with the distribution's real-time config)`);
    this.distributionId = OBJECT_NAME.exec(ctx.source)?.[1];
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    if (text === '' || text.trim() === '') {
      sink.skip('blank line');
      return;
    }
    const first = text.charCodeAt(0);
    if (first === 35 /* # */) {
      this.directive(text, sink);
      return;
    }
    try {
      if (first === 123 /* { */) this.json(text, sink);
      else this.delimited(text, sink);
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else throw e;
    }
  }

  private directive(text: string, sink: ParseSink): void {
    const m = /^#Fields:\s*(.*)$/i.exec(text);
    if (m) {
      const names = m[1]!.trim().split(/\s+/).filter(Boolean);
      if (!names.length) {
        sink.reject('#Fields header lists no fields');
        return;
      }
      this.header = layout(names, `the #Fields header (${names.length} fields)`);
    }
    sink.skip('header');
  }

  private delimited(text: string, sink: ParseSink): void {
    let values = text.split('\t');
    let lay = this.header ?? this.explicit ?? (EPOCH_FIRST.test(text) ? this.realtime : STANDARD);
    // v2 "plain" output may separate fields by spaces; use that only when it matches the header exactly.
    if (values.length === 1 && this.header) {
      const spaced = text.split(' ');
      if (spaced.length === this.header.names.length) values = spaced;
    }
    if (values.length < lay.names.length && (values.length < MIN_FIELDS || lay === this.realtime)) {
      throw new RecordError(`expected ${lay.names.length} tab-separated fields per ${lay.origin}, got ${values.length}`);
    }
    const index = lay.index;
    const read: FieldReader = (name) => {
      const i = index.get(name);
      if (i === undefined) return undefined;
      const v = values[i];
      return v === undefined || v === '-' || v === '' ? undefined : v;
    };
    sink.event(cloudfrontToEcs(read, { raw: text, distributionId: this.distributionId }, this.ctx));
  }

  private json(text: string, sink: ParseSink): void {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new RecordError(`invalid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new RecordError('expected a JSON object per line');
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (v === null || v === undefined || typeof v === 'object') continue;
      const s = String(v);
      if (s !== '-' && s !== '') values.set(canonicalField(k), s);
    }
    sink.event(cloudfrontToEcs((name) => values.get(name), { raw: text, distributionId: this.distributionId }, this.ctx));
  }
}
