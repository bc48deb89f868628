import UAParser from 'ua-parser-js';
import type { EcsObject } from './event.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { percentDecode } from './url.js';

const cache = new BoundedCache<string, EcsObject>(10_000);

/**
 * ECS `user_agent.*` from a user-agent string: `original` plus parsed name, version, os and device
 * (ua-parser-js 1.x, MIT). Results are cached: a log has few distinct user agents and parsing one
 * costs tens of microseconds.
 */
export function parseUserAgent(original: string): EcsObject {
  const hit = cache.get(original);
  if (hit) return structuredCloneShallow(hit);
  const ua = new UAParser(original).getResult();
  const out: EcsObject = { original };
  if (ua.browser.name) out.name = ua.browser.name;
  if (ua.browser.version) out.version = ua.browser.version;
  const os: EcsObject = {};
  if (ua.os.name) {
    os.name = ua.os.name;
    if (ua.os.version) {
      os.version = ua.os.version;
      os.full = `${ua.os.name} ${ua.os.version}`;
    }
  } else os.name = 'Other';
  out.os = os;
  out.device = { name: ua.device.model || 'Other' };
  cache.set(original, out);
  return structuredCloneShallow(out);
}

const encodedCache = new BoundedCache<string, EcsObject>(10_000);

/** Decodes a percent-encoded user agent (CloudFront, S3 and others log them encoded) and parses it. */
export function parseEncodedUserAgent(encoded: string): EcsObject {
  const hit = encodedCache.get(encoded);
  if (hit) return structuredCloneShallow(hit);
  const parsed = parseUserAgent(percentDecode(encoded));
  encodedCache.set(encoded, parsed);
  return structuredCloneShallow(parsed);
}

// Each event gets its own top-level object so later in-place edits cannot leak across events;
// nested os/device objects are never mutated after creation.
function structuredCloneShallow(o: EcsObject): EcsObject {
  return { ...o };
}
