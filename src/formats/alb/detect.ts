import type { DetectSample } from '../format.js';
import { splitFields } from '../shared/aws-text.js';
import { classify } from './layouts.js';

const OBJECT_NAME = /_elasticloadbalancing_[a-z0-9-]+_(?:app|net)\./;
// Strong signals: the load balancer id field of each layout.
const ALB_LINE = /^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d{2}-\d{2}T\S+ app\/[^/\s]+\/[0-9a-f]+ /;
const NLB_LINE = /^tls \d+\.\d+ \d{4}-\d{2}-\d{2}T\S+ net\/[^/\s]+\/[0-9a-f]+ /;

export function detectAlb(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.6 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (ALB_LINE.test(line) || NLB_LINE.test(line)) return 0.95;
    if (line.length && line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
      const fields = splitFields(line, false);
      // Connection logs have no load balancer id: a timestamp, an IP and two ports are a weaker signal.
      if (typeof fields !== 'string' && fields.length >= 11 && classify(fields)?.type === 'alb_connection') score = Math.max(score, 0.8);
    }
  }
  return score;
}
