import type { EcsEvent } from '../../ecs/event.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext, type ParseSink, type RecordParser } from '../format.js';
import { parseFieldList, readJson, readKeyValue, readTsv, type NssRecord } from './read.js';
import { DEFAULT_SPEC, FEED_SPECS, feedFromFields, feedFromSourcetype } from './feeds.js';
import { ZoneCache, nssMillis } from './time.js';
import { Rec, baseEvent, copyRest } from './rec.js';
import { mapWeb } from './map-web.js';
import { mapDns, mapFirewall } from './map-fw-dns.js';
import { mapGeneric } from './map-generic.js';
import { canonicalKeys } from './aliases.js';
import { FieldErrors, noteDropped } from '../shared/field-errors.js';

type Mapper = (event: EcsEvent, rec: Rec) => void;
const MAPPERS: Record<string, Mapper> = { web: mapWeb, firewall: mapFirewall, dns: mapDns };

const KV_START = /^[A-Za-z_][\w.-]*=/;
const SYSLOG_PRI = /^<\d{1,3}>/;
const KV_AFTER_HEADER = /\s([A-Za-z_][\w.-]*=)/;

/**
 * Reads NSS feed records in any output form: JSON (flat, or in the `{"sourcetype":…,"event":{…}}`
 * envelope), name-value pairs and tab-separated values (named by the `fields` option). A syslog
 * `<PRI>` header in front of a record is skipped.
 */
export class ZscalerParser implements RecordParser {
  private readonly fields: string[] | undefined;
  private readonly zones = new ZoneCache();
  private readonly timezone: string | undefined;
  private readonly errors = new FieldErrors();

  constructor(private readonly ctx: ParserContext) {
    const f = ctx.options.fields;
    this.fields = f ? parseFieldList(f) : undefined;
    this.timezone = ctx.options.timezone || undefined;
  }

  line(text: string, _lineNo: number, sink: ParseSink): void {
    let line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') {
      sink.skip('blank line');
      return;
    }
    try {
      sink.event(this.toEcs(this.read(line), line));
    } catch (e) {
      if (e instanceof RecordError) sink.reject(e.message);
      else sink.reject(`unexpected error: ${(e as Error).message}`);
    }
  }

  private read(line: string): NssRecord {
    let body = line.trimStart();
    if (SYSLOG_PRI.test(body)) {
      const brace = body.indexOf('{');
      const kv = KV_AFTER_HEADER.exec(body);
      if (brace >= 0 && (!kv || brace < kv.index)) body = body.slice(brace);
      else if (kv) body = body.slice(kv.index + 1);
    }
    if (body.charCodeAt(0) === 123 /* { */) return readJson(body);
    const hasTab = body.indexOf('\t') >= 0;
    if (this.fields && hasTab && body.split('\t').length === this.fields.length) return readTsv(body, this.fields);
    if (KV_START.test(body)) return readKeyValue(body);
    if (hasTab) {
      if (!this.fields) {
        throw new RecordError(
          'tab-separated NSS record but no field list: pass the feed output format as the fields option ' +
            '(--fields "%s{time}\\t%s{login}…" or the field names in order)',
        );
      }
      return readTsv(body, this.fields);
    }
    throw new RecordError('expected an NSS record: a JSON object, key=value pairs or tab-separated values');
  }

  private toEcs(record: NssRecord, raw: string): EcsEvent {
    const values = record.values;
    const feed = record.sourcetype ? feedFromSourcetype(record.sourcetype) : feedFromFields(values);
    if (feed === undefined) {
      throw new RecordError('cannot tell the NSS feed: no sourcetype, and none of the web, firewall, DNS, tunnel, audit or CASB fields');
    }
    this.errors.clear();
    const rec = new Rec(values, raw, this.errors, canonicalKeys(values, feed));
    const ms = nssMillis(rec.get('time', 'datetime'), rec.get('tz'), rec.get('epochtime'), this.timezone, this.zones);
    // A feed named after the sourcetype's suffix may be any word (`constructor`): own entries only.
    const event = baseEvent(rec, ms, feed, (Object.hasOwn(FEED_SPECS, feed) ? FEED_SPECS[feed] : undefined) ?? DEFAULT_SPEC, this.ctx);
    (Object.hasOwn(MAPPERS, feed) ? MAPPERS[feed]! : mapGeneric)(event, rec);
    copyRest(event, rec, feed);
    fillRelated(event);
    if (this.errors.count) noteDropped(event, this.errors, raw);
    return event;
  }
}
