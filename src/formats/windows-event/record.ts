import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { ECS_VERSION } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { isoFromMillis, isTimeValue, millisFromIso } from '../../ecs/time.js';
import { localToUtcMillis, type TimeZone } from '../../ecs/timezone.js';
import { RecordError, type ParserContext } from '../format.js';
import { noteDropped, type FieldErrors } from '../shared/field-errors.js';
import { clip } from '../shared/reason.js';
import { canonicalChannel } from './channels.js';

export const DATASET = 'windows.event';

export type Obj = Record<string, unknown>;

/**
 * A time a shipper gave the event, named as the shipper names it. Windows' own times and
 * `@timestamp` are UTC (a zone-less one is read as UTC); NXLog's `EventTime`/`EventReceivedTime`
 * are the agent's local time, read in the --timezone zone when they carry no offset.
 */
export interface TimeCandidate {
  name: string;
  value: unknown;
  zoneless: 'utc' | 'local';
}

/**
 * One Windows event as every shipped shape reads it (rendered `Event.System`/`EventData` JSON or
 * XML, NXLog/Logstash flat JSON, Winlogbeat/Elastic Agent `winlog.*`): the readers fill this, and
 * `winRecordToEcs` maps it one way for all of them. Values are as the shipper wrote them.
 */
export interface WinRecord {
  eventId: unknown;
  channel?: unknown;
  provider?: unknown;
  providerGuid?: unknown;
  computer?: unknown;
  recordId?: unknown;
  task?: unknown;
  opcode?: unknown;
  keywords?: unknown;
  level?: unknown;
  version?: unknown;
  pid?: unknown;
  tid?: unknown;
  userId?: unknown;
  userName?: unknown;
  userDomain?: unknown;
  userType?: unknown;
  activityId?: unknown;
  relatedActivityId?: unknown;
  /** Candidates for `@timestamp`, best first: the first readable one is the event's time. */
  times: TimeCandidate[];
  /** When the shipper received the event (`event.created`). */
  created?: TimeCandidate;
  eventData?: EcsObject;
  userData?: EcsObject;
  message?: unknown;
  logLevel?: unknown;
  action?: unknown;
  outcome?: 'success' | 'failure';
  /** The host when the event does not name its computer (a Beats `host.name`). */
  hostName?: unknown;
  /** Where a forwarder received the event from (Logstash `host` and `port`). */
  sourceAddress?: string;
  tags?: string[];
}

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar as Sigma sees it: text for strings, numbers and booleans; `#text` of XML-shaped nodes. */
export function scalar(v: unknown): EcsValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (isObj(v)) return '#text' in v ? scalar(v['#text']) : Object.keys(v).length === 0 || onlyAttributes(v) ? undefined : JSON.stringify(v);
  if (Array.isArray(v)) return v.map((x) => scalar(x) ?? null);
  return undefined;
}

function onlyAttributes(v: Obj): boolean {
  for (const k in v) if (k !== '#attributes' && k[0] !== '@') return false;
  return true;
}

/** Text of a string or number value; undefined for absent, empty and structured values. */
function text(v: unknown): string | undefined {
  const s = scalar(v);
  if (typeof s === 'string') return s === '' ? undefined : s;
  if (typeof s === 'number' || typeof s === 'boolean') return String(s);
  return undefined;
}

const DIGITS = /^\d{1,5}$/;
const WHOLE = /^-?\d{1,18}$/;
const HEX = /^0x[0-9a-f]{1,16}$/i;

/** The event id: what the record is about, so one that cannot be read rejects the record. */
function eventIdOf(v: unknown): string {
  const s = scalar(v);
  if (s === undefined || s === '') throw new RecordError('expected an EventID (Event.System.EventID, EventID, winlog.event_id or event_id)');
  const t = String(s).trim();
  if (!DIGITS.test(t) || Number(t) > 65535) throw new RecordError(`EventID ${typeof s === 'string' ? `'${clip(s)}'` : JSON.stringify(s)} is not an event id (expected a whole number 0–65535)`);
  return String(Number(t));
}

/** A whole-number field, or undefined with the field noted as dropped. Decimal or 0x hex (NXLog writes some ids in hex). */
function whole(field: string, v: unknown, errors: FieldErrors): number | undefined {
  const s = scalar(v);
  if (s === undefined || s === '') return undefined;
  if (typeof s === 'number' && Number.isSafeInteger(s)) return s;
  if (typeof s === 'string') {
    const t = s.trim();
    if (WHOLE.test(t) && Number.isSafeInteger(Number(t))) return Number(t);
    if (HEX.test(t) && t.length <= 15) return parseInt(t, 16);
  }
  return errors.drop(field, `${field} ${typeof s === 'string' ? `'${clip(s)}'` : JSON.stringify(s)} is not a whole number`);
}

/**
 * Keywords as Windows writes them (`0x8020000000000000`): NXLog ships the 64-bit mask as a signed
 * decimal number (-9214364837600034816), Winlogbeat as names (["Audit Success"]), kept as they are.
 */
function keywordsOf(v: unknown): EcsValue | undefined {
  const s = scalar(v);
  if (typeof s === 'number' && Number.isInteger(s)) return `0x${BigInt.asUintN(64, BigInt(s)).toString(16).toUpperCase()}`;
  if (typeof s === 'string' && /^-?\d{1,20}$/.test(s.trim())) {
    try {
      return `0x${BigInt.asUintN(64, BigInt(s.trim())).toString(16).toUpperCase()}`;
    } catch {
      return s;
    }
  }
  return s === '' ? undefined : s;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Epoch ms of a time candidate, or undefined when it is not a time. */
function millisOf(c: TimeCandidate, zone: TimeZone): number | undefined {
  const s = scalar(c.value);
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  let ms: number | undefined;
  const local = c.zoneless === 'local' ? LOCAL_TIME.exec(t) : null;
  if (local) {
    const frac = local[7] ? Math.floor(Number(`0.${local[7]}`) * 1000) : 0;
    ms = localToUtcMillis(+local[1]!, +local[2]!, +local[3]!, +local[4]!, +local[5]!, +local[6]!, frac, zone);
  } else ms = millisFromIso(t);
  return ms !== undefined && isTimeValue(ms) ? ms : undefined;
}

function describeValue(v: unknown): string {
  const s = scalar(v);
  return typeof s === 'string' ? `'${clip(s)}'` : JSON.stringify(s ?? null);
}

/** The event's time: the first readable candidate; unreadable ones before it are noted, none readable rejects. */
function timeOf(rec: WinRecord, zone: TimeZone, errors: FieldErrors): number {
  const present = rec.times.filter((c) => scalar(c.value) !== undefined && scalar(c.value) !== '');
  for (let i = 0; i < present.length; i++) {
    const ms = millisOf(present[i]!, zone);
    if (ms === undefined) continue;
    for (const bad of present.slice(0, i)) errors.drop(bad.name, `${bad.name} ${describeValue(bad.value)} is not a time`);
    return ms;
  }
  const names = rec.times.map((c) => c.name).join(', ');
  if (!present.length) throw new RecordError(`expected the event time (${names})`);
  throw new RecordError(`expected the event time (${names}): ${present.map((c) => `${c.name} ${describeValue(c.value)}`).join(', ')} is not a time`);
}

/** Text of a one-value field; a list or an object where Windows writes one value is left out and noted. */
function textField(field: string, v: unknown, errors: FieldErrors): string | undefined {
  const t = text(v);
  if (t !== undefined) return t;
  const s = scalar(v);
  return s === undefined || s === '' ? undefined : errors.drop(field, `${field} ${describeValue(v)} is not a single value`);
}

function put(o: EcsObject, key: string, v: unknown, errors: FieldErrors): void {
  const t = textField(key, v, errors);
  if (t !== undefined) o[key] = t;
}

/** One Windows event, whichever shape it was read from, to ECS with the Windows names under `winlog.*`. */
export function winRecordToEcs(rec: WinRecord, raw: string, ctx: ParserContext, errors: FieldErrors, zone: TimeZone): EcsEvent {
  const zoneGiven = ctx.options.timezone !== undefined;
  const eventId = eventIdOf(rec.eventId);
  const ms = timeOf(rec, zone, errors);
  const winlog: EcsObject = { event_id: eventId };
  const channel = textField('channel', rec.channel, errors);
  if (channel !== undefined) winlog.channel = canonicalChannel(channel);
  put(winlog, 'provider_name', rec.provider, errors);
  put(winlog, 'provider_guid', rec.providerGuid, errors);
  put(winlog, 'computer_name', rec.computer, errors);
  put(winlog, 'record_id', rec.recordId, errors);
  put(winlog, 'task', rec.task, errors);
  put(winlog, 'opcode', rec.opcode, errors);
  const keywords = keywordsOf(rec.keywords);
  if (keywords !== undefined) winlog.keywords = keywords;
  put(winlog, 'level', rec.level, errors);
  const version = whole('Version', rec.version, errors);
  if (version !== undefined) winlog.version = version;
  const pid = whole('ProcessID', rec.pid, errors);
  const tid = whole('ThreadID', rec.tid, errors);
  if (pid !== undefined || tid !== undefined) {
    const process: EcsObject = {};
    if (pid !== undefined) process.pid = pid;
    if (tid !== undefined) process.thread = { id: tid };
    winlog.process = process;
  }
  const user: EcsObject = {};
  put(user, 'identifier', rec.userId, errors);
  put(user, 'name', rec.userName, errors);
  put(user, 'domain', rec.userDomain, errors);
  put(user, 'type', rec.userType, errors);
  if (Object.keys(user).length) winlog.user = user;
  put(winlog, 'activity_id', rec.activityId, errors);
  put(winlog, 'related_activity_id', rec.relatedActivityId, errors);
  if (rec.eventData && Object.keys(rec.eventData).length) winlog.event_data = rec.eventData;
  if (rec.userData && Object.keys(rec.userData).length) winlog.user_data = rec.userData;

  const event: EcsObject = { kind: 'event', code: eventId, dataset: DATASET, module: 'windows', id: eventIdFor(DATASET, raw), ingested: ctx.ingested };
  if (winlog.provider_name !== undefined) event.provider = winlog.provider_name;
  put(event, 'action', rec.action, errors);
  if (rec.outcome) event.outcome = rec.outcome;
  // A zone-less receive time is only read in a zone the user named: unlike the event time, it can be left out.
  if (rec.created && scalar(rec.created.value) !== undefined && (zoneGiven || rec.created.zoneless === 'utc' || !LOCAL_TIME.test(String(scalar(rec.created.value)).trim()))) {
    const created = millisOf(rec.created, zone);
    if (created !== undefined) event.created = isoFromMillis(created);
    else errors.drop(rec.created.name, `${rec.created.name} ${describeValue(rec.created.value)} is not a time`);
  }
  if (ctx.original) event.original = raw;
  const log: EcsObject = { file: { path: ctx.source } };
  put(log, 'level', rec.logLevel, errors);
  if (rec.sourceAddress) log.source = { address: rec.sourceAddress };
  const out: EcsEvent = { '@timestamp': isoFromMillis(ms), ecs: { version: ECS_VERSION }, event: event as EcsEvent['event'], winlog, log };
  const host = text(winlog.computer_name) ?? text(rec.hostName);
  if (host !== undefined) out.host = { name: host };
  const message = text(rec.message);
  if (message !== undefined) out.message = message;
  if (rec.tags?.length) out.tags = rec.tags;
  noteDropped(out, errors, raw);
  return out;
}
