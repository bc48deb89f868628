import type { IntelIndex } from './intel-index.js';
import { classify, type IndicatorType } from './values.js';

type Hint = IndicatorType | 'ip' | 'hash';

/** MISP attribute types → which part of the value to index and as what. */
const SIMPLE: Record<string, Hint> = {
  'ip-src': 'ip', 'ip-dst': 'ip', domain: 'domain', hostname: 'domain', url: 'url', uri: 'url',
  md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha512: 'sha512',
};
/** Composite `a|b` types: the hint for each half (undefined: not indexed). */
const COMPOSITE: Record<string, [Hint | undefined, Hint | undefined]> = {
  'ip-src|port': ['ip', undefined], 'ip-dst|port': ['ip', undefined], 'hostname|port': ['domain', undefined],
  'domain|ip': ['domain', 'ip'], 'filename|md5': [undefined, 'md5'], 'filename|sha1': [undefined, 'sha1'],
  'filename|sha256': [undefined, 'sha256'], 'filename|sha512': [undefined, 'sha512'],
};
/** Confidence from the estimative-language taxonomy tag, when the event or attribute carries one. */
const CONFIDENCE_TAGS: Record<string, number> = { high: 85, moderate: 50, low: 15 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** MISP events in a document: `{Event}`, `{response: [{Event}]}`, `[{Event}]`. */
export function mispEvents(doc: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.response) ? doc.response : isObject(doc) && isObject(doc.Event) ? [doc] : undefined;
  if (!list || !list.length || !list.every((e) => isObject(e) && isObject(e.Event))) return undefined;
  return list.map((e) => (e as { Event: Record<string, unknown> }).Event);
}

function confidenceOf(tags: unknown): number | undefined {
  if (!Array.isArray(tags)) return undefined;
  for (const t of tags) {
    const m = isObject(t) && typeof t.name === 'string' ? /^estimative-language:confidence-in-analytic-judgment="?(high|moderate|low)"?$/.exec(t.name) : null;
    if (m) return CONFIDENCE_TAGS[m[1]!];
  }
  return undefined;
}

/**
 * Indexes MISP event exports: `Attribute[]` and `Object[].Attribute[]`. Only attributes flagged
 * `to_ids` are detection material (MISP's own convention); the rest are counted, not indexed.
 */
export function loadMisp(events: Record<string, unknown>[], index: IntelIndex, feed: number): void {
  for (const ev of events) {
    const eventId = ev.id !== undefined ? String(ev.id) : typeof ev.uuid === 'string' ? ev.uuid : undefined;
    const eventConfidence = confidenceOf(ev.Tag);
    const attributes: unknown[] = Array.isArray(ev.Attribute) ? [...ev.Attribute] : [];
    if (Array.isArray(ev.Object)) for (const o of ev.Object) if (isObject(o) && Array.isArray(o.Attribute)) attributes.push(...o.Attribute);
    for (const a of attributes) {
      if (!isObject(a) || typeof a.type !== 'string' || typeof a.value !== 'string') {
        index.skip(feed, 'attribute without a string type and value', JSON.stringify(a)?.slice(0, 100));
        continue;
      }
      if (a.deleted === true) continue;
      if (a.to_ids === false || a.to_ids === '0' || a.to_ids === 0) {
        index.skip(feed, 'to_ids is false');
        continue;
      }
      const confidence = confidenceOf(a.Tag) ?? eventConfidence;
      const simple = SIMPLE[a.type];
      const composite = COMPOSITE[a.type];
      if (!simple && !composite) {
        index.skip(feed, `attribute type ${a.type}`);
        continue;
      }
      const parts: [string, Hint][] = [];
      if (simple) parts.push([a.value, simple]);
      else {
        const bar = a.value.indexOf('|');
        if (bar < 0) {
          index.skip(feed, `${a.type} value without '|'`, a.value);
          continue;
        }
        const halves = [a.value.slice(0, bar), a.value.slice(bar + 1)];
        composite!.forEach((hint, i) => hint && parts.push([halves[i]!, hint]));
      }
      for (const [value, hint] of parts) {
        const c = classify(value, hint);
        if (c) index.add(c, feed, confidence, eventId);
        else index.skip(feed, `value is not a valid ${a.type}`, value);
      }
    }
  }
}
