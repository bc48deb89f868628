import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../util/json-depth.js';
import { defenderToEcs, type DefenderRecord } from './to-ecs.js';
import { inferTable, tableFromHint, tableFromSource } from './infer.js';
import { FieldErrors } from '../shared/field-errors.js';

type Row = Record<string, unknown>;

const DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels; a Defender record is a few levels deep`;

function isObject(v: unknown): v is Row {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A streaming-API record: `{"time","tenantId","operationName","category","properties":{…}}`. */
function isEnvelope(o: Row): boolean {
  return isObject(o.properties) && (typeof o.category === 'string' || o.operationName !== undefined || o.time !== undefined);
}

/**
 * Reads Defender advanced-hunting data in every delivery form: streaming-API records one per line or
 * in `{"records":[…]}` batches (one line or a pretty-printed document), and plain table rows exported
 * from the portal or the API (one per line, a JSON array, or an API response's `Results`).
 */
export class DefenderParser implements RecordParser {
  private readonly sourceTable: string | undefined;
  private readonly errors = new FieldErrors();

  constructor(private readonly ctx: ParserContext) {
    this.sourceTable = tableFromSource(ctx.source);
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (i === text.length) {
      sink.skip('blank line');
      return;
    }
    const c = text.charCodeAt(i);
    if (c !== 123 /* { */ && c !== 91 /* [ */) {
      sink.reject('expected a JSON object: a streaming-API record, a {"records":[…]} batch or an advanced-hunting row');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      sink.reject(`invalid JSON: ${(e as Error).message}`);
      return;
    }
    const batch = this.unwrap(parsed);
    if (!batch) {
      if (nestedDeeperThan(parsed)) sink.reject(DEEP);
      else this.record(parsed, text.trim(), '', sink);
      return;
    }
    if (!batch.length) {
      sink.skip('empty batch');
      return;
    }
    // Batched records get their own compact JSON as raw text, so each keeps a distinct event.id.
    // Rows are kept as they are: one nested 10^5 deep overflowed the stack being written.
    batch.forEach((r, n) => (nestedDeeperThan(r) ? sink.reject(`records[${n}]: ${DEEP}`) : this.record(r, JSON.stringify(r), `records[${n}]: `, sink)));
  }

  /** The records of a batch, or undefined when the value is a single record. */
  private unwrap(v: unknown): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    if (!isObject(v)) return undefined;
    if (Array.isArray(v.records)) return v.records;
    // Advanced hunting API responses: {"Schema":[…],"Results":[…]} (Graph writes lower case).
    if (Array.isArray(v.Results)) return v.Results;
    if (Array.isArray(v.results) && (v.schema !== undefined || v.Schema !== undefined)) return v.results;
    return undefined;
  }

  private record(v: unknown, raw: string, where: string, sink: ParseSink): void {
    if (!isObject(v)) {
      sink.reject(`${where}expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
      return;
    }
    let rec: DefenderRecord;
    if (isEnvelope(v)) {
      const row = v.properties as Row;
      rec = {
        row,
        table: tableFromHint(v.category) ?? inferTable(row, this.sourceTable),
        envelope: { time: v.time, tenantId: v.tenantId, tenant: v.Tenant },
        raw,
      };
    } else rec = { row: v, table: inferTable(v, this.sourceTable), raw };
    try {
      this.errors.clear();
      sink.event(defenderToEcs(rec, this.ctx, this.errors));
    } catch (e) {
      if (e instanceof RecordError) sink.reject(where + e.message);
      else throw e;
    }
  }
}
