import { setOwn, type EcsObject } from '../../ecs/event.js';
import { isObj, scalar, type Obj, type WinRecord } from './record.js';
import { sigmaName } from './read-rendered.js';

type Field = Exclude<keyof WinRecord, 'times' | 'created' | 'eventData' | 'userData' | 'outcome' | 'sourceAddress' | 'tags'>;

/**
 * Flat keys that say something about the event rather than being its EventData, in order of
 * preference: the Windows names first, then NXLog im_msvistalog's (OTRF, HELK and most NXLog →
 * Logstash pipelines ship these). A key fills its field only when an earlier key has not, and is
 * then no longer EventData; a key whose field was already filled stays EventData (a Defender event
 * has both Provider_Name and its own `Source Name` → `SourceName`).
 */
const SYSTEM_KEYS: readonly (readonly [string, Field])[] = [
  ['EventID', 'eventId'],
  ['Channel', 'channel'],
  ['Provider_Name', 'provider'],
  ['SourceName', 'provider'],
  ['Computer', 'computer'],
  ['Hostname', 'computer'],
  ['EventRecordID', 'recordId'],
  ['RecordNumber', 'recordId'],
  ['Task', 'task'],
  ['Opcode', 'opcode'],
  ['Keywords', 'keywords'],
  ['Level', 'level'],
  ['Version', 'version'],
  ['ProviderGuid', 'providerGuid'],
  ['ExecutionProcessID', 'pid'],
  ['ActivityID', 'activityId'],
  ['RelatedActivityID', 'relatedActivityId'],
  ['UserID', 'userId'],
  ['AccountType', 'userType'],
  ['Message', 'message'],
  ['Severity', 'logLevel'],
];

/**
 * NXLog names that are also EventData names of some events (Kerberos and WFP events have
 * AccountName, some have ThreadID or Category): copied to their field and kept as EventData, so a
 * Sigma rule reading them still finds them.
 */
const COPIED_KEYS: readonly (readonly [string, Field])[] = [
  ['AccountName', 'userName'],
  ['Domain', 'userDomain'],
  ['ThreadID', 'tid'],
  ['Category', 'action'],
];

/** Times, best first: Windows' own, the forwarder's (Logstash/Beats `@timestamp`, UTC), NXLog's local EventTime. */
const TIME_KEYS: readonly (readonly [string, 'utc' | 'local'])[] = [
  ['TimeCreated', 'utc'],
  ['@timestamp', 'utc'],
  ['EventTime', 'local'],
];

/**
 * Shipper bookkeeping with nothing to say about the event: NXLog's numeric duplicates of Severity
 * and Opcode, its input module's name and type, its flag for messages it could not render, and
 * Logstash's schema version.
 */
const BOOKKEEPING = new Set(['SeverityValue', 'OpcodeValue', 'SourceModuleName', 'SourceModuleType', 'ERROR_EVT_UNRESOLVED', '@version']);

/** NXLog's EventType values (a severity); Sysmon's own EventType (SetValue, CreateKey…) is EventData. */
const NXLOG_EVENT_TYPES = new Set(['CRITICAL', 'ERROR', 'AUDIT_FAILURE', 'AUDIT_SUCCESS', 'INFO', 'WARNING', 'VERBOSE']);

/** Keys read here besides SYSTEM_KEYS: never EventData. */
const HANDLED = new Set(['EventReceivedTime', 'host', 'port', 'tags', ...TIME_KEYS.map(([k]) => k)]);

/**
 * A flat record: EventID, Channel… at the top beside the EventData fields, as NXLog's to_json()
 * and Logstash write them (and evtx tools' flat output). `@timestamp`/`EventTime` stand in for
 * TimeCreated, `Hostname` for Computer, `SourceName` for Provider_Name.
 */
export function fromFlat(record: Obj): WinRecord {
  const rec: WinRecord = { eventId: undefined, times: TIME_KEYS.map(([name, zoneless]) => ({ name, value: record[name], zoneless })) };
  const used = new Set<string>();
  for (const [key, field] of SYSTEM_KEYS) {
    const v = record[key];
    if (v === undefined || v === null || rec[field] !== undefined) continue;
    rec[field] = v;
    used.add(key);
  }
  for (const [key, field] of COPIED_KEYS) if (rec[field] === undefined && record[key] !== undefined && record[key] !== null) rec[field] = record[key];
  const eventType = record.EventType;
  if (typeof eventType === 'string' && NXLOG_EVENT_TYPES.has(eventType)) {
    used.add('EventType');
    if (eventType === 'AUDIT_SUCCESS') rec.outcome = 'success';
    else if (eventType === 'AUDIT_FAILURE') rec.outcome = 'failure';
  }
  if ('EventReceivedTime' in record) rec.created = { name: 'EventReceivedTime', value: record.EventReceivedTime, zoneless: 'local' };
  forwarder(record, rec);
  const data: EcsObject = {};
  for (const k in record) {
    if (used.has(k) || HANDLED.has(k) || BOOKKEEPING.has(k)) continue;
    setOwn(data, sigmaName(k), scalar(record[k]) ?? null);
  }
  rec.eventData = data;
  return rec;
}

/** Logstash's `host` (the sender: a name, or Beats' `{name}` object), `port` and `tags`. */
function forwarder(record: Obj, rec: WinRecord): void {
  const host = record.host;
  if (typeof host === 'string' && host) {
    const port = scalar(record.port);
    const hasPort = typeof port === 'number' || (typeof port === 'string' && /^\d{1,5}$/.test(port));
    rec.sourceAddress = !hasPort ? host : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  } else if (isObj(host)) rec.hostName = host.name ?? host.hostname;
  const tags = record.tags;
  if (Array.isArray(tags)) rec.tags = tags.filter((t): t is string => typeof t === 'string');
  else if (typeof tags === 'string' && tags) rec.tags = [tags];
}
