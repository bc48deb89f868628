import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'base64url') => string;
// `crypto.hash` (Node ≥ 20.12 / 21.7) digests in one native call: about 4× cheaper per short record
// than createHash().update().digest(), which allocates a Hash object and a Buffer each time.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Deterministic `event.id`: the same input record always gets the same id, whichever file, object or
 * socket it arrived through, so re-ingesting stores it once. SHA-256 (truncated to 128 bits,
 * base64url) rather than a fast non-cryptographic hash because log content is attacker-controlled:
 * a crafted line must not be able to collide with, and so suppress, another event.
 */
export function eventIdFor(dataset: string, record: string): string {
  if (oneShot) {
    // The first 21 characters of the full digest's base64url hold bits 0–125; the 22nd character of
    // the 16-byte encoding holds bits 126–127 followed by zero padding bits.
    const full = oneShot('sha256', `${dataset}\n${record}`, 'base64url');
    return full.slice(0, 21) + B64URL[B64URL.indexOf(full[21]!) & 0x30]!;
  }
  return slowEventId(dataset, record);
}

/** The reference form (and the fallback on Node without `crypto.hash`). */
export function slowEventId(dataset: string, record: string): string {
  return crypto.createHash('sha256').update(dataset).update('\n').update(record).digest().subarray(0, 16).toString('base64url');
}
