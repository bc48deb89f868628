import type { DetectSample, Format, FieldSpec } from '../format.js';
import { FIELD_ERROR_FIELDS } from '../shared/field-errors.js';
import { WindowsEventParser } from './parser.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = [
  ...(
    [
      ['winlog.event_id', 'keyword'],
      ['winlog.channel', 'keyword', 'The channel in its documented spelling (Security, Microsoft-Windows-Sysmon/Operational), whatever case it was shipped in.'],
      ['winlog.provider_name', 'keyword'],
      ['winlog.provider_guid', 'keyword'],
      ['winlog.computer_name', 'keyword'],
      ['winlog.record_id', 'keyword'],
      ['winlog.task', 'keyword'],
      ['winlog.opcode', 'keyword'],
      ['winlog.keywords', 'keyword', 'The keyword mask as Windows writes it (0x8020000000000000), or the names Winlogbeat gives it.'],
      ['winlog.level', 'keyword'],
      ['winlog.version', 'long'],
      ['winlog.process.pid', 'long'],
      ['winlog.process.thread.id', 'long'],
      ['winlog.user.identifier', 'keyword'],
      ['winlog.user.name', 'keyword'],
      ['winlog.user.domain', 'keyword'],
      ['winlog.user.type', 'keyword'],
      ['winlog.activity_id', 'keyword'],
      ['winlog.related_activity_id', 'keyword'],
      ['winlog.event_data', 'json', 'EventData fields under their Windows names.'],
      ['winlog.user_data', 'json'],
      ['event.code', 'keyword'],
      ['event.created', 'date', 'When the shipper received the event (NXLog EventReceivedTime, Beats event.created).'],
      ['log.source.address', 'keyword', 'The forwarder that sent the event to Logstash (its host and port).'],
    ] as const
  ).map(([path, type, description]) => ({ path, type, ...(description ? { description } : {}) }) as FieldSpec),
  ...FIELD_ERROR_FIELDS,
];

const XML_EVENT = /<Event\s+xmlns=['"]http:\/\/schemas\.microsoft\.com\/win\/2004\/08\/events\/event['"]/;
const has = (head: string, key: string) => new RegExp(`"${key}"\\s*:`).test(head);

/** The shipped shapes, most specific first; each returns its confidence or 0. */
function detectWindowsEvent(sample: DetectSample): number {
  const head = sample.lines.join('\n').slice(0, 16384);
  if (XML_EVENT.test(head)) return 0.95;
  if (/<Events>\s*<Event[\s>]/.test(head) && /<EventID[\s>]/.test(head)) return 0.9;
  if (/"Event"\s*:\s*\{/.test(head) && has(head, 'System') && has(head, 'EventID')) return 0.9;
  // Winlogbeat 7+ / Elastic Agent.
  if (/"winlog"\s*:\s*\{/.test(head) && has(head, 'event_id') && (has(head, 'channel') || has(head, 'provider_name'))) return 0.9;
  // Winlogbeat 6.
  if (has(head, 'event_id') && has(head, 'log_name') && (has(head, 'source_name') || has(head, 'computer_name'))) return 0.85;
  if (!has(head, 'EventID')) return 0;
  // NXLog / Logstash flat records.
  if (has(head, 'Channel') && (has(head, 'SourceName') || has(head, 'Provider_Name')) && (has(head, 'Hostname') || has(head, 'Computer'))) return 0.85;
  return /"(Event|System|EventData)"\s*:/.test(head) && has(head, 'Channel') ? 0.6 : 0;
}

/**
 * An XML source is one document (handed whole to the parser) unless its events sit one per line:
 * a pretty-printed event or an `<Events>` wrapper spans lines that are no record on their own.
 */
function isXmlDocument(text: string): boolean {
  const start = text.search(/\S/);
  if (start < 0 || text[start] !== '<') return false;
  const nl = text.indexOf('\n', start);
  if (nl < 0) return false;
  return !text.slice(start, nl).trimEnd().endsWith('</Event>');
}

export const windowsEvent: Format = {
  id: DATASET,
  title: 'Windows event log records (JSON and XML as shipped)',
  description:
    'Windows events as they are shipped: the XML rendering (<Event xmlns=…>, one per line or a whole document), evtx tools\' ' +
    'JSON ({"Event":{"System":…,"EventData":…}}, concatenated, pretty-printed or in an array), NXLog/Logstash flat JSON ' +
    '(EventID, Channel, SourceName, Hostname and the EventData fields at the top; time from TimeCreated, @timestamp or ' +
    'EventTime), and Winlogbeat/Elastic Agent documents (winlog.*; Winlogbeat 6\'s event_id, log_name, event_data). ' +
    'Every shape maps to the same fields: Windows names under winlog.* for Sigma rules, host.name, event.provider.',
  framing: 'json-or-lines',
  isDocument: isXmlDocument,
  options: [{ name: 'timezone', description: 'Time zone of NXLog\'s EventTime when a record has neither TimeCreated nor @timestamp (+02:00 or Europe/Paris); default UTC.' }],
  detect: detectWindowsEvent,
  createParser: (ctx) => new WindowsEventParser(ctx),
  fields,
};
