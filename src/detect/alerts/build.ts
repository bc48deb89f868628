import { createHash } from 'node:crypto';
import type { EcsEvent } from '../../ecs/event.js';
import { LEVEL_SEVERITY, type Alert, type RuleMeta } from '../types.js';

/** A finding before it becomes an alert: one rule, its key, the events behind it. */
export interface Finding {
  rule: RuleMeta;
  events: EcsEvent[];
  key?: Record<string, string> | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Key with sorted names, so `{a,b}` and `{b,a}` are the same key everywhere (ids, suppression). */
export function canonicalKey(key: Record<string, string> | undefined): string {
  if (!key) return '{}';
  return JSON.stringify(Object.fromEntries(Object.keys(key).sort().map((k) => [k, key[k]])));
}

/**
 * Deterministic alert id: rule id + key + the ids of the events behind it. Re-ingesting the same
 * logs yields the same ids, so the alerts table keeps one copy. SHA-256 for the same reason as
 * event ids: content is attacker-controlled and must not be able to collide with another alert.
 */
export function alertId(ruleId: string, key: Record<string, string> | undefined, eventIds: readonly string[]): string {
  const h = createHash('sha256').update(ruleId).update('\n').update(canonicalKey(key)).update('\n');
  for (const id of eventIds) h.update(id).update(',');
  return h.digest().subarray(0, 16).toString('base64url');
}

function eventId(e: EcsEvent): string {
  const id = e.event?.id;
  // Events without an id (hand-made, or formats that lack one) still get a stable stand-in.
  return typeof id === 'string' && id ? id : createHash('sha256').update(JSON.stringify(e)).digest().subarray(0, 16).toString('base64url');
}

/**
 * An ECS alert document. `@timestamp` is the time of the last event behind it (when the rule's
 * condition was met), `event.created` when the alert was made; the rule's metadata is copied whole,
 * so author, link and licence (DRL 1.1 for SigmaHQ rules) travel with every alert.
 */
export function buildAlert(f: Finding, created = new Date().toISOString()): Alert {
  const ids = f.events.map(eventId);
  let last = '';
  for (const e of f.events) {
    const ts = e['@timestamp'];
    if (ts && ts > last) last = ts;
  }
  const alert: Alert = {
    '@timestamp': last || created,
    event: { kind: 'alert', id: alertId(f.rule.id, f.key, ids), created, dataset: 'packettrail.alert', severity: LEVEL_SEVERITY[f.rule.level] ?? LEVEL_SEVERITY.medium, reference_ids: ids },
    rule: { ...f.rule },
    events: f.events,
  };
  if (f.key && Object.keys(f.key).length) alert.key = f.key;
  if (f.details && Object.keys(f.details).length) alert.details = { ...f.details };
  return alert;
}
