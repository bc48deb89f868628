import type { EcsEvent } from '../../ecs/event.js';
import type { ParserContext, ParseSink, RecordParser } from '../format.js';
import { RecordError } from '../format.js';
import { clip, splitLineOrReport } from '../shared/aws-text.js';
import { classify, Row, type LogType } from './layouts.js';
import { accessToEcs, originFromObjectName, type ObjectOrigin } from './to-ecs.js';
import { connectionToEcs, nlbToEcs } from './connection-ecs.js';

type Mapper = (row: Row, raw: string, origin: ObjectOrigin, ctx: ParserContext) => EcsEvent;

const MAPPERS: Record<LogType, Mapper> = {
  alb_access: accessToEcs,
  elb_classic: accessToEcs,
  nlb_tls: nlbToEcs,
  alb_connection: connectionToEcs,
};

/**
 * Reads ALB access and connection logs, NLB TLS access logs and Classic ELB access logs line by
 * line; each line says by its first fields which layout it has, so one file may mix them.
 */
export class AlbParser implements RecordParser {
  private readonly origin: ObjectOrigin;

  constructor(private readonly ctx: ParserContext) {
    this.origin = originFromObjectName(ctx.source);
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    const line = splitLineOrReport(text, false, sink);
    if (!line) return;
    const { raw, fields } = line;
    const layout = classify(fields);
    if (!layout) {
      sink.reject(
        `unrecognized load balancer log line: expected a request type (http, https, h2, grpcs, ws, wss), 'tls <version>' ` +
          `(NLB) or an ISO 8601 time (connection / Classic ELB logs) first, got '${clip(fields[0]!)}'`,
      );
      return;
    }
    if (fields.length < layout.min) {
      sink.reject(`expected at least ${layout.min} space-separated fields for ${layout.title} (${layout.names.length} in the current layout), got ${fields.length}`);
      return;
    }
    try {
      sink.event(MAPPERS[layout.type](new Row(fields, layout), raw, this.origin, this.ctx));
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else throw e;
    }
  }
}
