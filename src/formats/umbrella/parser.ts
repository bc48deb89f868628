import type { EcsEvent } from '../../ecs/event.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext, type ParseSink, type RecordParser } from '../format.js';
import { splitCsv } from './csv.js';
import { TIMESTAMP, layoutFor, typeFromContent, typeFromPath, type UmbrellaType } from './layouts.js';
import { Row, vendor } from './row.js';
import { dnsToEcs, proxyToEcs } from './map-dns-proxy.js';
import { auditToEcs, dlpToEcs, firewallToEcs, intrusionToEcs, ipToEcs } from './map-other.js';
import { FieldErrors, noteDropped } from '../shared/field-errors.js';

type Mapper = (row: Row, ms: number, ctx: ParserContext) => EcsEvent;

const MAPPERS: Record<UmbrellaType, Mapper> = {
  dns: dnsToEcs,
  proxy: proxyToEcs,
  firewall: firewallToEcs,
  ip: ipToEcs,
  intrusion: intrusionToEcs,
  dlp: dlpToEcs,
  audit: auditToEcs,
};

const HEADER = /^(timestamp|id)$/i;
const FOLDERS = 'dnslogs/, proxylogs/, firewalllogs/ (cloudfirewalllogs/), iplogs/, intrusionlogs/, auditlogs/, dlplogs/';

/**
 * Reads Umbrella S3 export CSV lines. The log type comes from the S3 key / path once per file; when
 * the path names no log folder, each row's shape decides (see layouts.ts).
 */
export class UmbrellaParser implements RecordParser {
  private readonly pathType: UmbrellaType | undefined;
  private readonly errors = new FieldErrors();

  constructor(private readonly ctx: ParserContext) {
    this.pathType = typeFromPath(ctx.source);
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') {
      sink.skip('blank line');
      return;
    }
    try {
      const cells = splitCsv(line);
      // A column-name row some exporters put first ("timestamp","identities",… / "id","timestamp",…).
      if (HEADER.test(cells[0]!) && !TIMESTAMP.test(cells[1] ?? '')) {
        sink.skip('header');
        return;
      }
      const type = this.pathType ?? typeFromContent(cells);
      if (type === undefined) {
        throw new RecordError(
          `cannot tell the Umbrella log type: the path names none of ${FOLDERS} and the ${cells.length} columns match no known layout`,
        );
      }
      const layout = layoutFor(type, cells);
      if (cells.length < layout.min) throw new RecordError(`expected at least ${layout.min} columns for an ${layout.title}, got ${cells.length}`);
      this.errors.clear();
      const row = new Row(cells, layout, line, this.errors);
      const event = MAPPERS[type](row, row.millis('timestamp'), this.ctx);
      const unmapped = row.unmapped();
      if (unmapped) vendor(event, 'unmapped_columns', unmapped);
      fillRelated(event);
      if (this.errors.count) noteDropped(event, this.errors, line);
      sink.event(event);
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else sink.reject(`unexpected error: ${(e as Error).message}`);
    }
  }
}
