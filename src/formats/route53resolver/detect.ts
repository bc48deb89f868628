import type { DetectSample } from '../format.js';

// …/AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/…/<vpc-id>_vpcdnsquerylogs_<account>_…
const OBJECT_NAME = /vpcdnsquerylogs/;
const KEY = /"(query_name|query_timestamp|srcaddr|rcode)"\s*:/g;

export function detectRoute53Resolver(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.4 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (line.indexOf('"query_name"') < 0 && line.indexOf('"query_timestamp"') < 0) continue;
    const keys = new Set([...line.matchAll(KEY)].map((m) => m[1]));
    if (keys.size >= 3) return 0.95;
    score = Math.max(score, 0.6);
  }
  return score;
}
