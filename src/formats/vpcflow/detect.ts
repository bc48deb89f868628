import type { DetectSample } from '../format.js';
import { HEADER_SOURCE } from './fields.js';

const HEADER_LINE = new RegExp(HEADER_SOURCE);
/** S3 object names: `<account>_vpcflowlogs_<region>_<flow-log-id>_…` (TGW logs use the same prefix). */
const OBJECT_NAME = /(?:^|[\\/])\d{12}_vpcflowlogs_/;
const VPC_LINE = /^\d{1,2} (?:\d{6,12}|-) (?:eni-\w+|-) \S+ \S+ (?:\d+|-) (?:\d+|-) (?:\d+|-) (?:\d+|-) (?:\d+|-) \d{1,11} \d{1,11} (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)(?: |$)/;
const TGW_LINE = /^\d{1,2} \S+ \d{12} tgw-[0-9a-z]+ tgw-attach-/;
const JSON_KEYS = /"(interface[-_]id|log[-_]status|tgw[-_]attachment[-_]id)"\s*:/;
const WRAPPED = /^\{"message":\s*"\d{1,2} (?:\d{12}|-) (?:eni-|tgw-|-)/;

export function detectVpcFlow(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.4 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (HEADER_LINE.test(line) && /\b(srcaddr|interface-id|log-status)\b/.test(line)) return 1;
    if (VPC_LINE.test(line) || TGW_LINE.test(line)) return 0.95;
    if (line.startsWith('{') && (JSON_KEYS.test(line) || WRAPPED.test(line))) score = Math.max(score, 0.9);
  }
  return score;
}
