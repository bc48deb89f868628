import type { DetectSample } from '../format.js';

// A CSV PAN-OS record: `<future_use>,YYYY/MM/DD HH:MM:SS,<serial>,<TYPE>,` anywhere in the line (after a
// syslog header); records forwarded by Strata Logging Service write the time as ISO 8601 UTC.
const CSV = /(?:^|[\s>])[^,\s]*,\d{4}(?:\/\d{2}\/\d{2} |-\d{2}-\d{2}T)\d{2}:\d{2}:\d{2}[.\dZ]*,[^,]*,(TRAFFIC|THREAT|SYSTEM|CONFIG|USERID|GLOBALPROTECT|HIPMATCH|HIP-MATCH|AUTHENTICATION|AUTH|DECRYPTION|CORRELATION|TUNNEL|IPTAG|SCTP|AUDIT|START|END|GTP),/;
const KEYED = /(?:CEF:\d+|LEEF:[12]\.0)\|Palo Alto Networks\|/;
// Strata Logging Service JSON, snake_case (older exports) or PascalCase (as documented), keys in any order.
const SLS_TYPE = /"(?:log_type|sub_type|LogType)"\s*:/;
const SLS_FIELD = /"(?:source_ip|session_id|rule_matched|log_source_id|device_sn|time_generated|SourceAddress|SessionID|DeviceSN|LogSourceID|TimeGenerated)"\s*:/;

export function detectPanos(sample: DetectSample): number {
  let score = 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (CSV.test(line) || KEYED.test(line)) return 0.95;
    if (line.startsWith('{') && SLS_TYPE.test(line) && SLS_FIELD.test(line)) score = 0.9;
  }
  return score;
}
