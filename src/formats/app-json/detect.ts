import type { DetectSample } from '../format.js';

const TIME = /"(timestamp|time|@timestamp|ts|@t)"\s*:/;
const HTTP = /"(method|status|status_code|statusCode|url|path|latency|latency_ms|duration_ms|responseTime|x-amz-cf-id|X-Amz-Cf-Id|headers)"\s*:/g;

/**
 * Generic JSON is claimed only weakly (other JSON formats name themselves): lines that are JSON objects
 * with a time and request-log keys.
 */
export function detectAppJson(sample: DetectSample): number {
  let hits = 0;
  let seen = 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (!line.startsWith('{')) continue;
    seen++;
    if (TIME.test(line) && (line.match(HTTP)?.length ?? 0) >= 2) hits++;
  }
  return seen && hits === seen ? 0.55 : hits ? 0.4 : 0;
}
