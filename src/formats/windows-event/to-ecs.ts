import type { EcsEvent } from '../../ecs/event.js';
import type { TimeZone } from '../../ecs/timezone.js';
import type { ParserContext } from '../format.js';
import type { FieldErrors } from '../shared/field-errors.js';
import { fromFlat } from './read-flat.js';
import { fromWinlogbeat, fromWinlogbeat6, isWinlogbeat6 } from './read-beats.js';
import { fromRendered } from './read-rendered.js';
import { isObj, winRecordToEcs, type Obj, type WinRecord } from './record.js';

export { DATASET } from './record.js';

/**
 * Which shipped shape a JSON record has: the rendered event (`Event.System`, as evtx tools print
 * it), Winlogbeat 7+/Elastic Agent (`winlog.*`), Winlogbeat 6 (`event_id`, `log_name`), or the flat
 * form (NXLog/Logstash, evtx tools' flat output).
 */
export function readJsonRecord(record: Obj): WinRecord {
  if (isObj(record.Event)) return fromRendered(record.Event);
  if (isObj(record.winlog)) return fromWinlogbeat(record);
  if (isWinlogbeat6(record)) return fromWinlogbeat6(record);
  if (isObj(record.System)) return fromRendered(record);
  return fromFlat(record);
}

/** One JSON-rendered Windows event, of any shipped shape, to ECS. Throws RecordError. */
export function windowsEventToEcs(record: Obj, raw: string, ctx: ParserContext, errors: FieldErrors, zone: TimeZone): EcsEvent {
  return winRecordToEcs(readJsonRecord(record), raw, ctx, errors, zone);
}
