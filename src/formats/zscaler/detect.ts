import type { DetectSample } from '../format.js';
import { feedFromFields } from './feeds.js';

const ENVELOPE = /"sourcetype"\s*:\s*"zscalernss-/;
const NSS_TIME = /"(?:time|datetime)"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}"/;
const KV_TIME = /(?:^|\s)(?:time|datetime)="?[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}/;
// The SIEM presets' `datetime` (`2021-06-17 14:53:16`, from the broken-out time tokens).
const PRESET_TIME = /"datetime"\s*:\s*"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"/;
const KV_KEYS = /(?:^|[\s,{"])([a-z_]+)(?:"?\s*[=:])/g;

export function detectZscaler(sample: DetectSample): number {
  let score = /zscaler|nss/i.test(sample.name) ? 0.3 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (ENVELOPE.test(line)) return 0.98;
    const keys = new Set<string>();
    for (const m of line.matchAll(KV_KEYS)) keys.add(m[1]!);
    const feed = feedFromFields(keys);
    // Field names alone are too generic (url, ua, action): require the NSS time layout as well.
    if (feed && (NSS_TIME.test(line) || KV_TIME.test(line))) score = Math.max(score, 0.85);
    else if (feed && PRESET_TIME.test(line)) score = Math.max(score, 0.7);
  }
  return score;
}
