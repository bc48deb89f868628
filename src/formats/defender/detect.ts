import type { DetectSample } from '../format.js';
import { tableFromSource } from './infer.js';

const CATEGORY = /"category"\s*:\s*"AdvancedHunting-/;
// Column names specific to advanced hunting; a pretty-printed export may show only a few in its sample.
const ROW_COLUMNS = ['"DeviceId"', '"ReportId"', '"InitiatingProcessFileName"', '"InitiatingProcessAccountSid"', '"ActionType"', '"MachineGroup"', '"AppGuardContainerId"'];

/** Streaming records name their table in `category`; exported rows are recognized by their columns. */
export function detectDefender(sample: DetectSample): number {
  const text = sample.lines.join('\n');
  if (CATEGORY.test(text)) return 1;
  const fromName = tableFromSource(sample.name) ? 0.3 : 0;
  if (!/^\s*[[{]/.test(text)) return fromName;
  const hits = ROW_COLUMNS.filter((c) => text.includes(c)).length;
  const timed = /"(Timestamp|TimeGenerated)"\s*:/.test(text);
  if (hits >= 3) return 0.85;
  if (hits >= 2 && (timed || fromName)) return 0.6;
  return fromName;
}
