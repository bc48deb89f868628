import type { EcsEvent, EcsObject, EcsValue } from '../../ecs/event.js';
import { ECS_VERSION, setOwn } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { isoFromMillis, millisFromIso } from '../../ecs/time.js';
import { RecordError, type ParserContext } from '../format.js';

export const DATASET = 'windows.event';

/** `Event.System` members kept under `winlog.*` (ECS winlog names) and their field types. */
const SYSTEM: [string, string, 'keyword' | 'long'][] = [
  ['EventRecordID', 'record_id', 'keyword'],
  ['Channel', 'channel', 'keyword'],
  ['Computer', 'computer_name', 'keyword'],
  ['Task', 'task', 'keyword'],
  ['Opcode', 'opcode', 'keyword'],
  ['Keywords', 'keywords', 'keyword'],
  ['Level', 'level', 'keyword'],
  ['Version', 'version', 'long'],
];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function attrs(v: unknown): Obj {
  return isObj(v) && isObj(v['#attributes']) ? (v['#attributes'] as Obj) : {};
}

/** A scalar as Sigma sees it: text for strings, numbers and booleans; `#text` of XML-ish nodes. */
function scalar(v: unknown): EcsValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (isObj(v) && '#text' in v) return scalar(v['#text']);
  if (Array.isArray(v)) return v.map((x) => scalar(x) ?? null);
  return JSON.stringify(v);
}

/** A keyword value: a scalar as it is, anything else (a list, an object) as its JSON text. */
function keyword(v: unknown): string | number | boolean | undefined {
  const x = scalar(v);
  return x === undefined || typeof x !== 'object' ? x : JSON.stringify(x);
}

/** A whole number (given as a number or as digits), else undefined: long fields take nothing else. */
function whole(v: unknown): number | undefined {
  const x = scalar(v);
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d{1,15}$/.test(x.trim()) ? Number(x) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * One rendered Windows event (`{"Event":{"System":…,"EventData":…}}`, as evtx tools print it, or the
 * flat form with `EventID`, `Channel`… at the top) to ECS. The Windows names stay reachable for Sigma:
 * `winlog.event_id`, `winlog.channel`, `winlog.provider_name`, `winlog.computer_name` and every
 * EventData/UserData field under `winlog.event_data.<Name>` / `winlog.user_data.<Name>` (spaces
 * removed from names, the single UserData element unwrapped).
 */
export function windowsEventToEcs(record: Obj, raw: string, ctx: ParserContext): EcsEvent {
  const ev = isObj(record.Event) ? (record.Event as Obj) : record;
  const sys = isObj(ev.System) ? (ev.System as Obj) : ev;
  const eventIdRaw = scalar(sys.EventID);
  if (eventIdRaw === undefined || Array.isArray(eventIdRaw)) throw new RecordError('expected Event.System.EventID (or a top-level EventID)');
  const winlog: EcsObject = { event_id: String(eventIdRaw) };
  const provider = attrs(sys.Provider).Name ?? sys.Provider_Name;
  if (typeof provider === 'string') winlog.provider_name = provider;
  const guid = attrs(sys.Provider).Guid;
  if (typeof guid === 'string') winlog.provider_guid = guid;
  for (const [from, to, type] of SYSTEM) {
    const v = type === 'long' ? whole(sys[from]) : keyword(sys[from]);
    if (v !== undefined) winlog[to] = v;
  }
  const exec = attrs(sys.Execution);
  const pid = whole(exec.ProcessID);
  const thread = whole(exec.ThreadID);
  if (pid !== undefined) winlog.process = thread === undefined ? { pid } : { pid, thread: { id: thread } };
  const userId = attrs(sys.Security).UserID;
  if (typeof userId === 'string') winlog.user = { identifier: userId };
  const data = fields(ev.EventData);
  if (Object.keys(data).length) winlog.event_data = data;
  const userData = fields(unwrapSingle(ev.UserData));
  if (Object.keys(userData).length) winlog.user_data = userData;
  if (ev === record && !isObj(ev.EventData)) {
    // Flat form: everything that is not a System member is event data.
    const flat: EcsObject = {};
    for (const [k, v] of Object.entries(record)) if (!['EventID', 'Provider_Name', ...SYSTEM.map((s) => s[0])].includes(k)) setOwn(flat, k, scalar(v) ?? null);
    if (Object.keys(flat).length) winlog.event_data = flat;
  }

  const created = attrs(sys.TimeCreated).SystemTime ?? sys.TimeCreated;
  const ms = typeof created === 'string' ? millisFromIso(created) : undefined;
  const event: EcsObject = { kind: 'event', code: String(eventIdRaw), dataset: DATASET, module: 'windows', id: eventIdFor(DATASET, raw), ingested: ctx.ingested };
  if (typeof provider === 'string') event.provider = provider;
  if (ctx.original) event.original = raw;
  const out: EcsEvent = { ecs: { version: ECS_VERSION }, event: event as EcsEvent['event'], winlog, log: { file: { path: ctx.source } } };
  if (ms !== undefined) out['@timestamp'] = isoFromMillis(ms);
  if (typeof winlog.computer_name === 'string') out.host = { name: winlog.computer_name };
  return out;
}

/** UserData holds one provider-specific element (`{Operation_ClientFailure: {...}}`); Sigma reads its members. */
function unwrapSingle(v: unknown): unknown {
  if (!isObj(v)) return v;
  const keys = Object.keys(v).filter((k) => k !== '#attributes');
  return keys.length === 1 && isObj(v[keys[0]!]) && !('#text' in (v[keys[0]!] as Obj)) ? v[keys[0]!] : v;
}

/** Sigma names EventData fields without spaces (`Threat Name` → `ThreatName`), as Windows log shippers do. */
function sigmaName(k: string): string {
  return k.indexOf(' ') >= 0 ? k.replace(/ /g, '') : k;
}

/** EventData as a name → value map (names are the record's, set as own fields even when `__proto__`): `{Name: value}` objects or `Data: [{#attributes:{Name}, #text}]` lists. */
function fields(v: unknown): EcsObject {
  const out: EcsObject = {};
  if (!isObj(v)) return out;
  const data = v.Data;
  if (Array.isArray(data)) {
    data.forEach((d, i) => {
      const name = attrs(d).Name;
      setOwn(out, typeof name === 'string' ? sigmaName(name) : `param${i + 1}`, scalar(d) ?? null);
    });
  }
  for (const [k, x] of Object.entries(v)) {
    if (k === '#attributes' || (k === 'Data' && Array.isArray(data))) continue;
    if (isObj(x) && !('#text' in x)) {
      const nested = fields(x);
      setOwn(out, sigmaName(k), Object.keys(nested).length ? nested : null);
    } else setOwn(out, sigmaName(k), scalar(x) ?? null);
  }
  return out;
}
