import type { DetectSample } from '../format.js';

// A CSV PAN-OS record: `<future_use>,YYYY/MM/DD HH:MM:SS,<serial>,<TYPE>,` anywhere in the line (after a syslog header).
const CSV = /(?:^|[\s>])[^,\s]*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,(TRAFFIC|THREAT|SYSTEM|CONFIG|USERID|GLOBALPROTECT|HIPMATCH|HIP-MATCH|AUTHENTICATION|DECRYPTION|CORRELATION|TUNNEL|IPTAG|SCTP|AUDIT),/;
const KEYED = /(?:CEF:\d+|LEEF:[12]\.0)\|Palo Alto Networks\|/;
const SLS = /"(log_type|sub_type)"\s*:.*"(source_ip|session_id|rule_matched|log_source_id|device_sn|time_generated)"\s*:/;

export function detectPanos(sample: DetectSample): number {
  let score = 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (CSV.test(line) || KEYED.test(line)) return 0.95;
    if (line.startsWith('{') && SLS.test(line)) score = 0.9;
  }
  return score;
}
