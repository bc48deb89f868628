import type { IntelIndex } from './intel-index.js';
import { parseStixPattern } from './stix-pattern.js';
import { classify, type IndicatorType } from './values.js';

type Hint = IndicatorType | 'ip' | 'hash' | undefined;

const HASH_NAMES: Record<string, IndicatorType> = { MD5: 'md5', 'SHA-1': 'sha1', SHA1: 'sha1', 'SHA-256': 'sha256', SHA256: 'sha256', 'SHA-512': 'sha512', SHA512: 'sha512' };

/** Object path → what its value must be; `null` when the index has no use for the path. */
function hintFor(path: string): Hint | null {
  const p = path.toLowerCase();
  if (p === 'ipv4-addr:value' || p === 'ipv6-addr:value') return 'ip';
  if (p === 'domain-name:value') return 'domain';
  if (p === 'url:value') return 'url';
  // dst_ref/src_ref point at an address or a domain-name object: infer from the value.
  if (p === 'network-traffic:dst_ref.value' || p === 'network-traffic:src_ref.value') return undefined;
  if (p.startsWith('file:hashes.')) return HASH_NAMES[path.slice('file:hashes.'.length).toUpperCase()] ?? null;
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a STIX bundle, a lone STIX object, or an array of STIX objects. */
export function looksLikeStix(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.length > 0 && isObject(doc[0]) && typeof doc[0].type === 'string' && typeof doc[0].id === 'string' && String(doc[0].id).includes('--');
  return isObject(doc) && (doc.type === 'bundle' || (doc.type === 'indicator' && typeof doc.pattern === 'string'));
}

/**
 * Indexes the indicators of a STIX 2.1 bundle (or of an array of objects). Other object types
 * (identities, relationships, observables, marking definitions) are not indicators and are passed
 * over without counting; indicators the index cannot hold are counted by reason.
 */
export function loadStix(doc: unknown, index: IntelIndex, feed: number): void {
  const objects: unknown[] = Array.isArray(doc) ? doc : isObject(doc) && doc.type === 'bundle' ? (Array.isArray(doc.objects) ? doc.objects : []) : [doc];
  if (isObject(doc) && doc.type === 'bundle' && !Array.isArray(doc.objects)) throw new Error('STIX bundle has no objects array');
  for (const o of objects) {
    if (!isObject(o) || o.type !== 'indicator') continue;
    const id = typeof o.id === 'string' ? o.id : undefined;
    const label = id ?? '(indicator without id)';
    if (o.revoked === true) {
      index.skip(feed, 'revoked indicator', label);
      continue;
    }
    if (o.pattern_type !== undefined && o.pattern_type !== 'stix') {
      index.skip(feed, `pattern_type ${String(o.pattern_type)}`, label);
      continue;
    }
    if (typeof o.pattern !== 'string') {
      index.skip(feed, 'indicator without a pattern', label);
      continue;
    }
    const confidence = typeof o.confidence === 'number' && o.confidence >= 0 && o.confidence <= 100 ? o.confidence : undefined;
    let parsed;
    try {
      parsed = parseStixPattern(o.pattern);
    } catch (e) {
      index.skip(feed, 'malformed pattern', `${label}: ${(e as Error).message}`);
      continue;
    }
    if ('unsupported' in parsed) {
      index.skip(feed, parsed.unsupported, `${label}: ${o.pattern}`);
      continue;
    }
    for (const term of parsed.terms) {
      const hint = hintFor(term.path);
      if (hint === null) {
        index.skip(feed, `object path ${term.path}`, label);
        continue;
      }
      const c = classify(term.value, hint);
      if (!c) index.skip(feed, `value is not a valid ${term.path}`, `${label}: ${term.value}`);
      else index.add(c, feed, confidence, id);
    }
  }
}
