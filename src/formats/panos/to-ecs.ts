import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { ECS_VERSION } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { fillRelated } from '../../ecs/related.js';
import { RecordError, type ParserContext } from '../format.js';
import { F, TYPE_ALIASES, type Rec } from './layouts.js';
import { SEVERITY, SUBTYPE_ACTION } from './mappings.js';
import { int, str, type TimeReader } from './read.js';
import { mapSession } from './to-ecs-session.js';
import { mapLog } from './to-ecs-logs.js';
import { compileCopy } from './copy.js';
import { noteDropped, type FieldErrors } from '../shared/field-errors.js';

export const DATASET = 'panw.panos';

export interface MapContext {
  /** The raw record, for `event.id` and `event.original`. */
  raw: string;
  /** Host name from the syslog header. */
  host: string | undefined;
  ctx: ParserContext;
  time: TimeReader;
  /** Fields of the current record left out because they could not be read (cleared per record). */
  errors: FieldErrors;
}

/** What the per-type mappings fill in besides their own namespaces. */
export interface Draft {
  out: EcsEvent;
  event: NonNullable<EcsEvent['event']>;
  panos: EcsObject;
  /** Upper-case log type (`TRAFFIC`, `HIPMATCH`). */
  type: string;
  subtype: string | undefined;
  errors: FieldErrors;
}

const SESSION_TYPES = new Set(['TRAFFIC', 'THREAT', 'DECRYPTION', 'START', 'END', 'SCTP']);

/**
 * One PAN-OS record in canonical form (from CSV, CEF, LEEF or SLS JSON) to ECS. A value that cannot
 * be trusted (non-IP address, bad time, non-numeric counter) is left out and noted (`m.errors`,
 * shared/field-errors.ts); throws RecordError only when the record has no readable time.
 */
export function panosToEcs(r: Rec, m: MapContext): EcsEvent {
  const written = (str(r, F.type) ?? '').toUpperCase();
  const type = TYPE_ALIASES[written] ?? written;
  const subtype = str(r, F.subtype);
  const t = m.time;
  const e = m.errors;
  const generated = t.millis(r, F.time_generated, e);
  const received = t.millis(r, F.receive_time, e);
  const precise = t.highResolution(r, F.high_res_timestamp, e);
  const when = precise ?? generated ?? received;
  if (when === undefined) {
    const why = e.note()?.field_errors.join('; ');
    throw new RecordError(why ? `no readable time: ${why}` : 'no time: expected time_generated (Generated Time) or receive_time (Receive Time)');
  }

  const event: Draft['event'] = {
    kind: 'event',
    dataset: DATASET,
    module: 'panw',
    id: eventIdFor(DATASET, m.raw),
    ingested: m.ctx.ingested,
  };
  const action = subtype === undefined ? undefined : SUBTYPE_ACTION[subtype];
  if (action) event.action = action;
  else if (subtype) event.action = subtype;
  if (received !== undefined) event.created = t.iso(received);
  if (m.ctx.original) event.original = m.raw;

  const observer: EcsObject = { vendor: 'Palo Alto Networks', product: 'PAN-OS', type: 'firewall' };
  const serial = str(r, F.serial);
  if (serial) observer.serial_number = serial;
  const device = str(r, F.device_name) ?? m.host;
  if (device) observer.hostname = device;
  const version = str(r, F.sender_sw_version);
  if (version) observer.version = version;

  const panos: EcsObject = {};
  if (type) panos.type = type;
  if (subtype) panos.sub_type = subtype;
  if (serial) panos.serial_number = serial;
  const out: EcsEvent = {
    '@timestamp': t.iso(when),
    ecs: { version: ECS_VERSION },
    event,
    observer,
    log: { file: { path: m.ctx.source } },
    panw: { panos },
  };

  const severityText = str(r, F.severity);
  // Some SLS log types write Severity as a number (the CEF/LEEF severity) rather than a word.
  if (severityText && /^\d{1,2}$/.test(severityText)) event.severity = Number(severityText);
  else if (severityText) {
    const level = severityText.toLowerCase();
    out.log = { file: { path: m.ctx.source }, level };
    const n = SEVERITY[level] ?? int(r, F.severity_number, e);
    if (n !== undefined) event.severity = n;
  } else {
    const n = int(r, F.severity_number, e);
    if (n !== undefined) event.severity = n;
  }
  copyCommon(r, panos);
  // Device group ids are 0 on firewalls not managed by Panorama: nothing to keep.
  for (let i = 0; i < DG_LEVELS.length; i++) {
    const v = r[DG_LEVELS[i]!];
    if (v !== undefined && v !== '0') panos[`device_group_hierarchy${i + 1}`] = v;
  }
  const repeat = int(r, F.repeatcnt, e);
  if (repeat !== undefined) panos.repeat_count = repeat;
  if (precise !== undefined && generated !== undefined) panos.generated_time = t.iso(generated);

  const draft: Draft = { out, event, panos, type, subtype, errors: e };
  if (SESSION_TYPES.has(type)) mapSession(r, draft, t);
  else mapLog(r, draft, t);
  fillRelated(out);
  if (e.count) noteDropped(out, e, m.raw);
  return out;
}

const DG_LEVELS = [F.dg_hier_level_1, F.dg_hier_level_2, F.dg_hier_level_3, F.dg_hier_level_4];

/** Vendor fields copied as text into `panw.panos.*`: [field id, key]. */
const COMMON_VENDOR: [number, string][] = [
  [F.vsys, 'virtual_sys'],
  [F.vsys_name, 'virtual_sys_name'],
  [F.seqno, 'sequence_number'],
  [F.actionflags, 'action_flags'],
  [F.logset, 'log_profile'],
  [F.cluster_name, 'cluster_name'],
];
const copyCommon = compileCopy(COMMON_VENDOR);


