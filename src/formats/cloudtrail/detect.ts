import type { DetectSample } from '../format.js';
import { DIGEST_NAME } from './parser.js';

const OBJECT_NAME = /_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json(\.gz)?$/;
const RECORDS = /"Records"\s*:\s*\[/;
const RECORD_KEYS = /"(eventVersion|eventSource|eventName|userIdentity|recipientAccountId)"\s*:/g;
const EVENTBRIDGE = /"detail-type"\s*:\s*"(AWS [^"]* via CloudTrail|AWS Insight[^"]*)"/;
const DIGEST = /"digestStartTime"\s*:/;
const EXPORT_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z \{/;

/** CloudTrail records are JSON objects with several of eventVersion/eventSource/eventName/userIdentity. */
export function detectCloudTrail(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) || DIGEST_NAME.test(sample.name) ? 0.4 : 0;
  // Pretty-printed documents spread one record over many lines: look at the sample as a whole.
  // CloudWatch Logs exports put the ingestion time in front of each record.
  const text = sample.lines.map((l) => (EXPORT_PREFIX.test(l) ? l.slice(l.indexOf(' ') + 1) : l)).join('\n');
  if (text.trimStart().charCodeAt(0) !== 123 /* { */) return score;
  if (EVENTBRIDGE.test(text)) return 0.95;
  if (DIGEST.test(text) && /"logFiles"\s*:/.test(text)) return Math.max(score, 0.9);
  const keys = new Set<string>();
  for (const m of text.slice(0, 16384).matchAll(RECORD_KEYS)) keys.add(m[1]!);
  if (keys.size >= 3) score = Math.max(score, RECORDS.test(text) ? 1 : 0.95);
  else if (keys.size === 2 && (keys.has('eventSource') || keys.has('eventVersion'))) score = Math.max(score, 0.8);
  return score;
}
