import type { DetectSample } from '../format.js';
import { splitCsv } from './csv.js';
import { TIMESTAMP, typeFromContent, typeFromPath } from './layouts.js';

// Cheap pre-check before splitting: a quoted or bare UTC timestamp first (audit: quoted id first).
const LEAD = /^"?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|\d+"\s*,\s*"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"?\s*,/;

export function detectUmbrella(sample: DetectSample): number {
  let score = typeFromPath(sample.name) ? 0.4 : 0;
  let seen = 0;
  let matched = 0;
  for (const line of sample.lines.slice(0, 20)) {
    if (!line.trim()) continue;
    seen++;
    if (!LEAD.test(line)) continue;
    let cells: string[];
    try {
      cells = splitCsv(line);
    } catch {
      continue;
    }
    if (!TIMESTAMP.test(cells[0]!) && !TIMESTAMP.test(cells[1] ?? '')) continue;
    if (typeFromContent(cells)) matched++;
    else if (score > 0) matched += 0.5; // the path names the type; the row is at least Umbrella-shaped
  }
  if (seen && matched) score = Math.max(score, 0.6 + 0.35 * Math.min(1, matched / seen));
  return Math.min(score, 0.95);
}
