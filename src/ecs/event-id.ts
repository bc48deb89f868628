import { createHash } from 'node:crypto';

/**
 * Deterministic `event.id`: the same input record always gets the same id, whichever file, object or
 * socket it arrived through, so re-ingesting stores it once. SHA-256 (truncated to 128 bits,
 * base64url) rather than a fast non-cryptographic hash because log content is attacker-controlled:
 * a crafted line must not be able to collide with, and so suppress, another event.
 */
export function eventIdFor(dataset: string, record: string): string {
  return createHash('sha256').update(dataset).update('\n').update(record).digest().subarray(0, 16).toString('base64url');
}
