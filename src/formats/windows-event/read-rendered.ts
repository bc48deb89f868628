import { setOwn, type EcsObject } from '../../ecs/event.js';
import { isObj, scalar, type Obj, type WinRecord } from './record.js';

/**
 * Attributes of an XML-shaped node: `#attributes` (evtx tools, our XML reader) or `@Name` keys
 * (xmltodict, as python-evtx pipelines render it).
 */
export function attrs(v: unknown): Obj {
  if (!isObj(v)) return {};
  if (isObj(v['#attributes'])) return v['#attributes'] as Obj;
  let out: Obj | undefined;
  for (const k in v) if (k[0] === '@') (out ??= {})[k.slice(1)] = v[k];
  return out ?? {};
}

/** Sigma names EventData fields without spaces (`Threat Name` → `ThreatName`), as Windows log shippers do. */
export function sigmaName(k: string): string {
  return k.indexOf(' ') >= 0 ? k.replace(/ /g, '') : k;
}

/**
 * EventData/UserData as a name → value map: `{Name: value}` objects, or `Data` elements named by
 * their Name attribute (one or a list; unnamed ones are `param1`, `param2`… as Windows numbers
 * message inserts). An empty element is null.
 */
export function dataFields(v: unknown, depth = 0): EcsObject {
  const out: EcsObject = {};
  if (!isObj(v) || depth > 8) return out;
  const data = v.Data;
  const list = Array.isArray(data) ? data : isObj(data) && ('#text' in data || isObj(data['#attributes']) || Object.keys(attrs(data)).length) ? [data] : undefined;
  if (list) {
    list.forEach((d, i) => {
      const name = attrs(d).Name;
      setOwn(out, typeof name === 'string' && name ? sigmaName(name) : `param${i + 1}`, scalar(d) ?? null);
    });
  }
  for (const [k, x] of Object.entries(v)) {
    if (k === '#attributes' || k[0] === '@' || k === '#text' || (k === 'Data' && list)) continue;
    if (isObj(x) && !('#text' in x)) {
      const nested = dataFields(x, depth + 1);
      setOwn(out, sigmaName(k), Object.keys(nested).length ? nested : null);
    } else setOwn(out, sigmaName(k), scalar(x) ?? null);
  }
  return out;
}

/** UserData holds one provider-specific element (`{Operation_ClientFailure: {...}}`); Sigma reads its members. */
function unwrapSingle(v: unknown): unknown {
  if (!isObj(v)) return v;
  const keys = Object.keys(v).filter((k) => k !== '#attributes' && k[0] !== '@');
  return keys.length === 1 && isObj(v[keys[0]!]) && !('#text' in (v[keys[0]!] as Obj)) ? v[keys[0]!] : v;
}

/**
 * The rendered event (`{"Event":{"System":…,"EventData":…}}`) as evtx tools print it and as the XML
 * reader returns it: System members, EventData, UserData, and RenderingInfo's message when present.
 */
export function fromRendered(ev: Obj): WinRecord {
  const sys = isObj(ev.System) ? (ev.System as Obj) : {};
  const provider = attrs(sys.Provider);
  const exec = attrs(sys.Execution);
  const correlation = attrs(sys.Correlation);
  const rendering = isObj(ev.RenderingInfo) ? (ev.RenderingInfo as Obj) : undefined;
  return {
    eventId: sys.EventID,
    channel: sys.Channel,
    provider: provider.Name ?? provider.EventSourceName,
    providerGuid: provider.Guid,
    computer: sys.Computer,
    recordId: sys.EventRecordID,
    task: sys.Task,
    opcode: sys.Opcode,
    keywords: sys.Keywords,
    level: sys.Level,
    version: sys.Version,
    pid: exec.ProcessID,
    tid: exec.ThreadID,
    userId: attrs(sys.Security).UserID,
    activityId: correlation.ActivityID,
    relatedActivityId: correlation.RelatedActivityID,
    times: [{ name: 'TimeCreated', value: attrs(sys.TimeCreated).SystemTime ?? sys.TimeCreated, zoneless: 'utc' }],
    eventData: dataFields(ev.EventData),
    userData: dataFields(unwrapSingle(ev.UserData)),
    message: rendering?.Message,
  };
}
