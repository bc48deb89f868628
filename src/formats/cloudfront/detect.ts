import type { DetectSample } from '../format.js';
import { OBJECT_NAME } from './parser.js';

const DATA_LINE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[^\t]+\t\d+\t[0-9a-fA-F:.]+\t[A-Z]+\t/;
const REALTIME_LINE = /^\d{9,11}\.\d{1,6}\t[0-9a-fA-F:.]+\t/;
const JSON_KEYS = /"(x-edge-request-id|x-edge-location|x_edge_request_id|cs\(host\)|cs\(Host\))"\s*:/;

export function detectCloudFront(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.3 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (line.startsWith('#Fields:') && /\bx-edge-(location|request-id)\b/.test(line)) return 1;
    if (DATA_LINE.test(line)) return Math.max(score, 0.9);
    if (line.startsWith('{') && JSON_KEYS.test(line)) return 0.95;
    if (REALTIME_LINE.test(line) && line.split('\t').length >= 5) score = Math.max(score, 0.7);
  }
  return score;
}
