import type { DetectSample } from '../format.js';

// S3 keys …/WAFLogs/<region>/<acl>/…/<account>_waflogs_<region>_<acl>_… and aws-waf-logs-* buckets/streams.
const OBJECT_NAME = /(?:_waflogs_|\/WAFLogs\/|aws-waf-logs-)/;
// A pretty-printed record spreads its keys over lines.
const PRETTY_ACL = /^\s*"webaclId"\s*:\s*"arn:aws[\w-]*:waf/;

export function detectWaf(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.4 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (line.indexOf('"webaclId"') >= 0 && line.indexOf('"httpRequest"') >= 0) return 0.95;
    if (PRETTY_ACL.test(line)) score = Math.max(score, 0.9);
  }
  return score;
}
