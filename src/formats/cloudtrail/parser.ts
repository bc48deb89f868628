import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { FieldErrors } from '../shared/field-errors.js';
import { cloudtrailToEcs, type RecordMeta } from './to-ecs.js';
import { obj, str, type Json } from './user-identity.js';

/** `…_CloudTrail-Digest_…` object names: integrity digests, not events. */
export const DIGEST_NAME = /_CloudTrail-Digest_/;

function isDigest(o: Json): boolean {
  return 'digestStartTime' in o || ('logFiles' in o && 'digestEndTime' in o);
}

const EXPORT_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z (?=\{)/;

/** EventBridge `detail-type`s that carry a CloudTrail record in `detail`. */
const EVENTBRIDGE_TYPE = /via CloudTrail$|^AWS Insight/;

function describe(e: unknown): string {
  return e instanceof RecordError ? e.message : `unexpected failure: ${(e as Error).message}`;
}

/**
 * Reads every way a CloudTrail record arrives: an S3 object `{"Records":[…]}` (one line or a whole
 * pretty-printed document), one record per line, an EventBridge event wrapping the record in
 * `detail`, and a bare record as CloudWatch Logs carries it (after envelope unwrapping). Digest files
 * are counted as skipped. A bad record in a Records array rejects that record only.
 */
export class CloudTrailParser implements RecordParser {
  private readonly digestSource: boolean;
  private readonly errors = new FieldErrors();

  constructor(private readonly ctx: ParserContext) {
    this.digestSource = DIGEST_NAME.test(ctx.source);
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (i === text.length) {
      sink.skip('blank line');
      return;
    }
    if (text.charCodeAt(i) !== 123 /* { */) {
      // CloudWatch Logs exports (CreateExportTask) prefix each message with its ingestion time.
      const m = EXPORT_PREFIX.exec(text);
      if (m) {
        this.line(text.slice(m[0].length), _lineNo, sink);
        return;
      }
      sink.reject(`expected a JSON object (a CloudTrail record, {"Records":[…]} or an EventBridge event), got '${text.slice(i, i + 40)}'`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      sink.reject(`invalid JSON: ${(e as Error).message}`);
      return;
    }
    const o = obj(parsed);
    if (!o) {
      sink.reject('expected a JSON object');
      return;
    }
    if (Array.isArray(o.Records)) {
      this.records(o.Records, sink);
      return;
    }
    if (isDigest(o) || (this.digestSource && !('eventTime' in o))) {
      sink.skip('cloudtrail digest');
      return;
    }
    const detail = obj(o.detail);
    if (detail && typeof o['detail-type'] === 'string' && EVENTBRIDGE_TYPE.test(o['detail-type'])) {
      this.one(detail, { original: text, account: str(o.account), region: str(o.region) }, sink, 'detail: ');
      return;
    }
    if ('eventTime' in o || 'eventName' in o || 'eventSource' in o) {
      this.one(o, { original: text }, sink, '');
      return;
    }
    sink.reject('not a CloudTrail record: expected Records[], a record with eventTime/eventName, an EventBridge event (detail-type … via CloudTrail) or a digest file');
  }

  private records(list: unknown[], sink: ParseSink): void {
    if (list.length === 0) {
      sink.skip('empty cloudtrail file');
      return;
    }
    const meta: RecordMeta = {};
    for (let k = 0; k < list.length; k++) {
      const r = obj(list[k]);
      if (!r) {
        // A list nested 10^5 deep cannot be written back as text: the dead letter keeps the whole file.
        const text = nestedDeeperThan(list[k]) ? undefined : (JSON.stringify(list[k]) ?? String(list[k]));
        sink.reject(`Records[${k}]: expected a JSON object, got ${list[k] === null ? 'null' : Array.isArray(list[k]) ? 'an array' : typeof list[k]}`, text);
        continue;
      }
      this.one(r, meta, sink, `Records[${k}]: `);
    }
  }

  private one(r: Json, meta: RecordMeta, sink: ParseSink, where: string): void {
    // Mapping walks the record and the event keeps its parameters: 10^5 levels overflowed the stack.
    if (nestedDeeperThan(r)) {
      sink.reject(`${where}JSON nested deeper than ${MAX_JSON_DEPTH} levels; a CloudTrail record is a few levels deep`);
      return;
    }
    try {
      this.errors.clear();
      sink.event(cloudtrailToEcs(r, meta, this.ctx, this.errors));
    } catch (e) {
      // Inside a Records file the dead letter holds this record, not the start of the whole file.
      sink.reject(where + describe(e), where ? JSON.stringify(r) : undefined);
    }
  }
}
