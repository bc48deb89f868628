import type { DetectSample } from '../format.js';

// Bucket owner (canonical id), bucket, [time] — the time's shape is unique to S3 among AWS logs.
const ROW = /^(\S+) \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9_]+\.[A-Z0-9_.]+ /;
const CANONICAL_ID = /^[0-9a-f]{64}$/;
// Simple delivery names objects <prefix>YYYY-mm-DD-HH-MM-SS-<UniqueString>.
const OBJECT_NAME = /(?:^|[\\/])(?:[^\\/]*)\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/;

export function detectS3Access(sample: DetectSample): number {
  let score = OBJECT_NAME.test(sample.name) ? 0.2 : 0;
  for (const line of sample.lines.slice(0, 20)) {
    const m = ROW.exec(line);
    if (m) return CANONICAL_ID.test(m[1]!) ? 0.95 : 0.85;
  }
  return score;
}
