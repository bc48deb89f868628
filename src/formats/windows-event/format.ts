import type { DetectSample, Format, FieldSpec } from '../format.js';
import { WindowsEventParser } from './parser.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['winlog.event_id', 'keyword'],
    ['winlog.channel', 'keyword'],
    ['winlog.provider_name', 'keyword'],
    ['winlog.provider_guid', 'keyword'],
    ['winlog.computer_name', 'keyword'],
    ['winlog.record_id', 'keyword'],
    ['winlog.task', 'keyword'],
    ['winlog.opcode', 'keyword'],
    ['winlog.keywords', 'keyword'],
    ['winlog.level', 'keyword'],
    ['winlog.version', 'long'],
    ['winlog.process.pid', 'long'],
    ['winlog.process.thread.id', 'long'],
    ['winlog.user.identifier', 'keyword'],
    ['winlog.event_data', 'json', 'EventData fields under their Windows names.'],
    ['winlog.user_data', 'json'],
    ['host.name', 'keyword'],
    ['event.code', 'keyword'],
    ['event.provider', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, ...(description ? { description } : {}) }) as FieldSpec);

const EVENT_KEY = /"(Event|EventID|System|EventData)"\s*:/;

function detectWindowsEvent(sample: DetectSample): number {
  const head = sample.lines.slice(0, 30).join('\n');
  if (/"Event"\s*:\s*\{/.test(head) && /"System"\s*:/.test(head) && /"EventID"\s*:/.test(head)) return 0.9;
  return EVENT_KEY.test(head) && /"EventID"\s*:/.test(head) && /"Channel"\s*:/.test(head) ? 0.6 : 0;
}

export const windowsEvent: Format = {
  id: DATASET,
  title: 'Windows event log records (rendered as JSON)',
  description:
    'Windows events as evtx tools render them to JSON ({"Event":{"System":…,"EventData":…}}; several concatenated ' +
    'pretty-printed objects or an array per file, or one object per line), and the flat form with EventID, Channel and ' +
    'the EventData fields at the top. Windows names stay under winlog.* for Sigma rules.',
  framing: 'json-or-lines',
  detect: detectWindowsEvent,
  createParser: (ctx) => new WindowsEventParser(ctx),
  fields,
};
