import { isObj, type Obj, type WinRecord } from './record.js';
import { dataFields } from './read-rendered.js';

function o(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function tagsOf(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : undefined;
}

/**
 * Winlogbeat 7+ and Elastic Agent documents: the event under `winlog.*` (event_id, channel,
 * provider_name, computer_name, event_data…), its time in `winlog.time_created` (8.x) or
 * `@timestamp`, the host in `host.name`, the rendered message in `message`.
 */
export function fromWinlogbeat(r: Obj): WinRecord {
  const w = o(r.winlog);
  const event = o(r.event);
  const process = o(w.process);
  const user = o(w.user);
  const host = o(r.host);
  return {
    eventId: w.event_id ?? event.code,
    channel: w.channel,
    provider: w.provider_name ?? event.provider,
    providerGuid: w.provider_guid,
    computer: w.computer_name,
    recordId: w.record_id,
    task: w.task,
    opcode: w.opcode,
    keywords: w.keywords,
    level: w.level,
    version: w.version,
    pid: process.pid,
    tid: o(process.thread).id,
    userId: user.identifier,
    userName: user.name,
    userDomain: user.domain,
    userType: user.type,
    activityId: w.activity_id,
    relatedActivityId: w.related_activity_id,
    times: [
      { name: 'winlog.time_created', value: w.time_created, zoneless: 'utc' },
      { name: '@timestamp', value: r['@timestamp'], zoneless: 'utc' },
    ],
    ...(event.created !== undefined ? { created: { name: 'event.created', value: event.created, zoneless: 'utc' as const } } : {}),
    eventData: dataFields(w.event_data),
    userData: dataFields(w.user_data),
    message: r.message,
    logLevel: o(r.log).level,
    action: event.action,
    hostName: host.name ?? host.hostname,
    tags: tagsOf(r.tags),
  };
}

/**
 * Winlogbeat 6 documents: the same members at the top under their 6.x names (event_id, log_name,
 * source_name, computer_name, record_number, event_data, process_id…), the host in `host.name` or
 * `beat.hostname`.
 */
export function fromWinlogbeat6(r: Obj): WinRecord {
  const user = o(r.user);
  return {
    eventId: r.event_id,
    channel: r.log_name,
    provider: r.source_name,
    providerGuid: r.provider_guid,
    computer: r.computer_name,
    recordId: r.record_number,
    task: r.task,
    opcode: r.opcode,
    keywords: r.keywords,
    version: r.version,
    pid: r.process_id,
    tid: r.thread_id,
    userId: user.identifier,
    userName: user.name,
    userDomain: user.domain,
    userType: user.type,
    activityId: r.activity_id,
    relatedActivityId: r.related_activity_id,
    times: [{ name: '@timestamp', value: r['@timestamp'], zoneless: 'utc' }],
    eventData: dataFields(r.event_data),
    userData: dataFields(r.user_data),
    message: r.message,
    // 6.x writes the level's name (Information), which ECS keeps in log.level.
    logLevel: r.level,
    hostName: o(r.host).name ?? o(r.beat).hostname,
    tags: tagsOf(r.tags),
  };
}

/** Whether a JSON record is a Winlogbeat 6 document (top-level event_id with log_name or source_name). */
export function isWinlogbeat6(r: Obj): boolean {
  return r.event_id !== undefined && (r.log_name !== undefined || r.source_name !== undefined);
}
